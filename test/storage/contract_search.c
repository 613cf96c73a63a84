/* SPDX-License-Identifier: Apache-2.0 */
/* Storage contract cases of the user search (issue 20): the same answers on every store, whether
 * a search reads the tenant's users or a trigram index (SQLite, schema 16), and of a page of
 * users read at once; run by contract_test.c. */
#include "contract_support.h"
#include "contract_search.h"

static char found_[4 * 1024];

/* The ids a search for `term` lists in tenant `t` (after `cursor`, at most `limit`), "a,b". */
static const char *found(const char *t, const char *term, const char *cursor, unsigned limit)
{
    pc_store_query q = {
        .filters = keep(json_pack("{s:s}", "q", term)), .after = cursor, .limit = limit};

    return ids_of(OUT(ops->list(st, NULL, PC_ENT_USER, t, &q, &out_)), found_, sizeof found_);
}

#define FOUND(term) found(tid, (term), NULL, 50)

/* A user with every searchable column set. */
static void make_person(char *id, const char *t, const char *username, const char *email,
                        const char *given, const char *family)
{
    char name[128];
    json_t *u;

    snprintf(name, sizeof name, "%s %s", given, family);
    u = user_rec(new_id(id, "usr"), t, username, email, name);
    json_object_set_new(u, "given_name", json_string(given));
    json_object_set_new(u, "family_name", json_string(family));
    INSERT(PC_ENT_USER, u); /* user_rec() keeps it */
}

static void join2(char *buf, size_t len, const char *a, const char *b)
{
    snprintf(buf, len, "%s,%s", a, b);
}

void user_search_matches_substrings_without_case(void **state)
{
    char grebe[ID_LEN], heron[ID_LEN], egret[ID_LEN], both[2 * ID_LEN + 2];

    (void)state;
    make_person(grebe, tid, "grebe-77", "g77@wetland.test", "Great", "Crestedgrebe");
    make_person(heron, tid, "\u00c4rgerheron", "HERON.big@Wetland.test", "Grey", "Heronson");
    join2(both, sizeof both, grebe, heron);
    /* a substring of any searchable column, in any case */
    assert_string_equal(FOUND("estedgr"), grebe);     /* family name */
    assert_string_equal(FOUND("GREAT CREST"), grebe); /* name, across the space */
    assert_string_equal(FOUND("eat"), grebe);         /* given name, 3 characters */
    assert_string_equal(FOUND("wetLAND.t"), both);    /* email, stored in mixed case */
    assert_string_equal(FOUND("E-7"), grebe);         /* username */
    /* beyond ASCII, a username compares by its fold: Ä and ä alike */
    assert_string_equal(FOUND("\u00e4RGERHER"), heron);
    /* shorter than a trigram: still every match */
    assert_string_equal(FOUND("77"), grebe);
    assert_string_equal(FOUND("e"), both);
    assert_string_equal(FOUND("ON"), heron);
    /* all of the term, in order: trigrams of it found apart are not a match */
    assert_string_equal(FOUND("grebeheron"), "");
    assert_string_equal(FOUND("ret"), "");
    /* LIKE's wildcards and FTS5's quotes are characters like any other */
    assert_string_equal(FOUND("g%7"), "");
    assert_string_equal(FOUND("\"gre"), "");
    /* longer than the trigrams asked of the index (24) */
    assert_string_equal(FOUND("g77@wetland.test and then some more"), "");
    make_person(egret, tid, "egret-with-a-very-long-username-indeed-0123456789", NULL, "Little",
                "Egret");
    assert_string_equal(FOUND("WITH-A-VERY-LONG-USERNAME-INDEED-012345678"), egret);
}

void user_search_follows_updates_and_removals(void **state)
{
    char a[ID_LEN], b[ID_LEN];
    json_t *patch;

    (void)state;
    make_person(a, tid, "dabbler1", "d1@pond.test", "Mallard", "Anas");
    make_person(b, tid, "dabbler2", "d2@pond.test", "Teal", "Anas");
    assert_string_equal(FOUND("mallard"), a);
    patch = keep(json_pack("{s:s,s:s,s:s}", "given_name", "Gadwall", "name", "Gadwall Anas",
                           "email", "gadwall@lake.test"));
    OK(ops->update(st, NULL, PC_ENT_USER, tid, a, patch, NULL, 0));
    assert_string_equal(FOUND("mallard"), "");
    assert_string_equal(FOUND("gadwall"), a);
    assert_string_equal(FOUND("lake.te"), a);
    assert_string_equal(FOUND("pond.te"), b);
    patch = keep(json_pack("{s:s}", "username", "wigeon"));
    OK(ops->update(st, NULL, PC_ENT_USER, tid, b, patch, NULL, 0));
    assert_string_equal(FOUND("dabbler2"), "");
    assert_string_equal(FOUND("WIGEON"), b);
    OK(ops->remove(st, NULL, PC_ENT_USER, tid, b));
    assert_string_equal(FOUND("wigeon"), "");
    assert_string_equal(FOUND("anas"), a);
    /* a new user takes the place of the removed one in the index */
    make_person(b, tid, "wigeon", "w@pond.test", "Eurasian", "Mareca");
    assert_string_equal(FOUND("wigeo"), b);
}

void user_search_stays_in_its_tenant(void **state)
{
    char other[ID_LEN], mine[ID_LEN], theirs[ID_LEN];

    (void)state;
    make_tenant(other);
    make_person(mine, tid, "kestrel", "k@tower.test", "Common", "Kestrel");
    make_person(theirs, other, "kestrel", "k@tower.test", "Common", "Kestrel");
    assert_string_equal(FOUND("kestrel"), mine);
    assert_string_equal(found(other, "tower", NULL, 50), theirs);
    /* removing a tenant removes its users from the search too */
    OK(ops->remove(st, NULL, PC_ENT_TENANT, NULL, other));
    assert_string_equal(found(other, "tower", NULL, 50), "");
    assert_string_equal(FOUND("KESTREL"), mine);
}

/* Pages of a search, in id order by cursor, whether a page fills from the first users or not. */
void user_search_pages_in_id_order(void **state)
{
    char ids[7][ID_LEN], want[3 * ID_LEN + 3], filler[ID_LEN];

    (void)state;
    for (int i = 0; i < 7; i++) {
        char username[32];
        snprintf(username, sizeof username, "%s%d", i % 2 ? "plover" : "lapwing", i);
        make_person(ids[i], tid, username, NULL, "Wader", i % 2 ? "Charadrius" : "Vanellus");
        make_user(filler, tid, username + 2, NULL); /* "over1", "pwing0": no match */
    }
    /* plovers: 1, 3, 5 */
    snprintf(want, sizeof want, "%s,%s", ids[1], ids[3]);
    assert_string_equal(found(tid, "PLOVER", NULL, 2), want);
    assert_string_equal(found(tid, "plover", ids[3], 2), ids[5]);
    assert_string_equal(found(tid, "plover", ids[5], 2), "");
    /* every wader, three at a time */
    snprintf(want, sizeof want, "%s,%s,%s", ids[0], ids[1], ids[2]);
    assert_string_equal(found(tid, "wader", NULL, 3), want);
    snprintf(want, sizeof want, "%s,%s,%s", ids[3], ids[4], ids[5]);
    assert_string_equal(found(tid, "wader", ids[2], 3), want);
    assert_string_equal(found(tid, "wader", ids[5], 3), ids[6]);
}

/* ---- a page of users at once (issue 20, schema 16) ---- */

/* A filter given an array matches any of its values. */
void list_filter_takes_any_of(void **state)
{
    char a[ID_LEN], b[ID_LEN], c[ID_LEN], both[2 * ID_LEN + 2];
    pc_store_query q = {.limit = 10};

    (void)state;
    make_user(a, tid, "avocet", NULL);
    make_user(b, tid, "bittern", NULL);
    make_user(c, tid, "curlew", NULL);
    join2(both, sizeof both, a, c);
    q.filters = keep(json_pack("{s:[s,s,s]}", "id", c, a, "no-such-id"));
    assert_string_equal(
        ids_of(OUT(ops->list(st, NULL, PC_ENT_USER, tid, &q, &out_)), found_, sizeof found_), both);
    q.filters = keep(json_pack("{s:[s],s:s}", "id", b, "status", "disabled"));
    assert_string_equal(
        ids_of(OUT(ops->list(st, NULL, PC_ENT_USER, tid, &q, &out_)), found_, sizeof found_), "");
    /* an empty array asks for nothing that can be answered */
    q.filters = keep(json_pack("{s:[]}", "id"));
    out_ = NULL;
    assert_int_not_equal(ops->list(st, NULL, PC_ENT_USER, tid, &q, &out_), PC_OK);
    keep(out_);
}

/* link_list_many() gives for each id what link_list() gives for it. */
void link_list_many_is_link_list_per_id(void **state)
{
    char u[3][ID_LEN], r1[ID_LEN], r2[ID_LEN], g[ID_LEN], other[ID_LEN], stranger[ID_LEN];
    json_t *ids, *many;

    (void)state;
    for (int i = 0; i < 3; i++)
        make_user(u[i], tid, i == 0 ? "ruff" : i == 1 ? "knot" : "dunlin", NULL);
    make_role(r1, tid, "ringer", json_pack("[s]", "birds:ring"));
    make_role(r2, tid, "counter", json_pack("[s]", "birds:count"));
    make_group(g, tid, "estuary");
    OK(ops->link_add(st, NULL, PC_LINK_PRINCIPAL_ROLE, tid, u[0], r2));
    OK(ops->link_add(st, NULL, PC_LINK_PRINCIPAL_ROLE, tid, u[0], r1));
    OK(ops->link_add(st, NULL, PC_LINK_PRINCIPAL_ROLE, tid, u[2], r2));
    OK(ops->link_add(st, NULL, PC_LINK_GROUP_MEMBER, tid, g, u[2]));
    /* the same user id in another tenant holds nothing here */
    make_tenant(other);
    make_user(stranger, other, "ruff", NULL);
    ids = keep(json_pack("[s,s,s,s]", u[0], u[1], u[2], stranger));
    for (int reverse = 0; reverse < 2; reverse++) {
        pc_link kind = reverse ? PC_LINK_GROUP_MEMBER : PC_LINK_PRINCIPAL_ROLE;
        many = OUT(ops->link_list_many(st, NULL, kind, tid, ids, reverse, &out_));
        assert_int_equal(json_object_size(many), 4);
        for (size_t i = 0; i < 4; i++) {
            const char *id = json_string_value(json_array_get(ids, i));
            EXPECT_JSON(json_object_get(many, id),
                        OUT(ops->link_list(st, NULL, kind, tid, id, reverse, &out_)));
        }
    }
    EXPECT_JSON(json_object_get(many, u[2]), keep(json_pack("[s]", g)));
}
