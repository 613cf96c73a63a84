/* SPDX-License-Identifier: Apache-2.0 */
/* application/x-www-form-urlencoded parsing in linear time: one pass to count, one to decode, a hash to find. */
#include "http/form.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct field {
    char *name;
    char *value; /* in the arena, or `joined` */
    char *joined;
    size_t vlen;
    uint64_t hash;
    size_t next; /* the next field of the same name, or NONE */
    size_t tail; /* on the first field of a name: its last field */
} field;

struct pc_form {
    field *fields;
    size_t n;
    size_t distinct;
    size_t *slots; /* open addressing: index of the first field of a name, or NONE */
    size_t mask;
    char *arena;
};

#define NONE ((size_t)-1)

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode s[0..n) into out (NUL-terminated); -1 if a byte would be NUL. */
static int decode(const char *s, size_t n, int plus, char *out, size_t *outlen)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int hi, lo;
        if (c == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
            (lo = hexval((unsigned char)s[i + 2])) >= 0) {
            c = (unsigned char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus) {
            c = ' ';
        }
        if (c == '\0')
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    *outlen = o;
    return 0;
}

char *pc_form_unescape(const char *s, size_t len, int plus)
{
    char *out = pc_malloc(len + 1);
    size_t n;

    if (decode(s, len, plus, out, &n) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* The length of the UTF-8 sequence at s (n bytes left), or 0 if it is malformed. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t len = s[0] < 0x80                    ? 1
                 : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
                 : (s[0] & 0xf0) == 0xe0        ? 3
                 : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                                : 0;

    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) || /* overlong, surrogate */
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))   /* overlong, > U+10FFFF */
        return 0;
    return len;
}

int pc_form_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;

    for (size_t i = 0; i < len;) {
        size_t n = p[i] == 0 ? 0 : utf8_seq(p + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

/* FNV-1a. Collisions cost a longer probe, bounded by the field limit. */
static uint64_t hash_of(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static size_t count_fields(const char *text, size_t len)
{
    size_t count = 0, start = 0;

    for (size_t i = 0; i <= len; i++)
        if (i == len || text[i] == '&') {
            count += i > start;
            start = i + 1;
        }
    return count;
}

/* The slot of `name`: where it is, or the empty slot where it would go. */
static size_t *slot_of(const pc_form *f, const char *name, uint64_t h)
{
    for (size_t i = (size_t)h & f->mask;; i = (i + 1) & f->mask) {
        size_t *s = &f->slots[i];
        if (*s == NONE || (f->fields[*s].hash == h && strcmp(f->fields[*s].name, name) == 0))
            return s;
    }
}

static pc_form *form_new(size_t count, size_t len)
{
    pc_form *f = pc_calloc(1, sizeof *f);
    size_t size = 8;

    while (size < count * 2)
        size *= 2;
    f->fields = pc_calloc(count ? count : 1, sizeof *f->fields);
    f->slots = pc_malloc(size * sizeof *f->slots);
    memset(f->slots, 0xff, size * sizeof *f->slots);
    f->mask = size - 1;
    /* each field decodes to at most its own length plus two terminators */
    f->arena = pc_malloc(len + 2 * count + 1);
    return f;
}

/* Decode one non-empty field into the arena at *pos and index it; -1 NUL, -2 not UTF-8. */
static int add_field(pc_form *f, const char *seg, size_t n, size_t *pos)
{
    const char *eq = memchr(seg, '=', n);
    size_t nlen = eq ? (size_t)(eq - seg) : n, got;
    field *fd = &f->fields[f->n];
    size_t *slot;

    fd->name = f->arena + *pos;
    if (decode(seg, nlen, 1, fd->name, &got) != 0)
        return -1;
    if (!pc_form_utf8_valid(fd->name, got))
        return -2;
    *pos += got + 1;
    fd->value = f->arena + *pos;
    if (decode(eq ? eq + 1 : seg + n, eq ? n - nlen - 1 : 0, 1, fd->value, &fd->vlen) != 0)
        return -1;
    if (!pc_form_utf8_valid(fd->value, fd->vlen))
        return -2;
    *pos += fd->vlen + 1;
    fd->hash = hash_of(fd->name);
    fd->next = fd->tail = NONE;
    slot = slot_of(f, fd->name, fd->hash);
    if (*slot == NONE) {
        *slot = f->n;
        fd->tail = f->n;
        f->distinct++;
    } else {
        field *head = &f->fields[*slot];
        f->fields[head->tail].next = f->n;
        head->tail = f->n;
    }
    f->n++;
    return 0;
}

/* A name sent several times: its values joined with ',' in order, once per name. */
static void join_repeats(pc_form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        field *head = &f->fields[i];
        size_t total = 0, at = 0;
        if (head->tail == NONE || head->next == NONE)
            continue;
        for (size_t j = i; j != NONE; j = f->fields[j].next)
            total += f->fields[j].vlen + 1;
        head->joined = pc_malloc(total);
        for (size_t j = i; j != NONE; j = f->fields[j].next) {
            if (at > 0)
                head->joined[at++] = ',';
            memcpy(head->joined + at, f->fields[j].value, f->fields[j].vlen);
            at += f->fields[j].vlen;
        }
        head->joined[at] = '\0';
        head->value = head->joined;
        head->vlen = at;
    }
}

static int listed(const char *const *names, const char *name)
{
    for (; names != NULL && *names != NULL; names++)
        if (strcmp(*names, name) == 0)
            return 1;
    return 0;
}

const char *pc_form_repeated(const pc_form *f, const char *const *allowed)
{
    if (f == NULL || f->n == f->distinct)
        return NULL;
    for (size_t i = 0; i < f->n; i++) {
        const field *head = &f->fields[i];
        if (head->tail != NONE && head->next != NONE && !listed(allowed, head->name))
            return head->name;
    }
    return NULL;
}

pc_status pc_form_parse(const char *text, size_t len, size_t max_fields, pc_form **out,
                        const char **why)
{
    size_t count, start = 0, pos = 0;
    pc_form *f;

    *out = NULL;
    *why = NULL;
    if (text == NULL)
        len = 0;
    if (len > 0 && memchr(text, '\0', len) != NULL) {
        *why = "a field holds a NUL byte";
        return PC_ERR_INVALID;
    }
    count = count_fields(text, len);
    if (count > max_fields) {
        *why = "too many fields";
        return PC_ERR_INVALID;
    }
    f = form_new(count, len);
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != '&')
            continue;
        int rc = i > start ? add_field(f, text + start, i - start, &pos) : 0;
        if (rc != 0) {
            pc_form_free(f);
            *why = rc == -1 ? "a field holds a NUL byte" : "a field is not UTF-8";
            return PC_ERR_INVALID;
        }
        start = i + 1;
    }
    join_repeats(f);
    *out = f;
    return PC_OK;
}

const char *pc_form_get(const pc_form *f, const char *name)
{
    size_t *slot;

    if (f == NULL || name == NULL)
        return NULL;
    slot = slot_of(f, name, hash_of(name));
    return *slot == NONE ? NULL : f->fields[*slot].value;
}

size_t pc_form_count(const pc_form *f)
{
    return f ? f->distinct : 0;
}

void pc_form_free(pc_form *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n; i++)
        free(f->fields[i].joined);
    free(f->fields);
    free(f->slots);
    free(f->arena);
    free(f);
}
