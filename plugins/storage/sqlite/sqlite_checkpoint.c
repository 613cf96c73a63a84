/* SPDX-License-Identifier: Apache-2.0 */
/*
 * WAL checkpoints off the request path.
 *
 * By default SQLite checkpoints inside the commit that lets the WAL cross
 * 1,000 pages: that one request copies the WAL into the database file and
 * syncs it while holding the process's writer lock (sqlite_driver.c), so
 * every writer queued behind it waits too. Here commits only count pages; a
 * thread per database file copies them on a connection of its own with
 * PASSIVE checkpoints, which block neither writers nor readers.
 *
 * A passive checkpoint never rewinds the WAL: only a writer that starts when
 * every frame is copied and no reader is inside the WAL does, which under
 * steady load almost never happens, and the file would grow without end.
 * So once the WAL passes RESTART_PAGES, the checkpointer also takes the
 * writer lock, copies the few frames added since, and rewinds the WAL.
 */
#include "sqlite_checkpoint.h"
#include "sqlite_driver.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* WAL pages that wake the checkpointer: SQLite's own autocheckpoint default. */
#define CHECKPOINT_PAGES 1000
/* WAL pages (64 MB at 4 KB pages) past which the WAL is rewound: the rewind
 * stalls writers for two syncs (1-3 ms here), so not too often. */
#define RESTART_PAGES 16384
/* A RESTART waits for readers in steps of this many microseconds... */
#define READER_WAIT_US 100
/* ...for at most this many steps (5 s, like the connections' busy timeout). */
#define READER_WAIT_STEPS 50000

struct sqlite_checkpointer {
    char *path;
    unsigned users; /* attached connections; guarded by registry_lock */
    sqlite3 *db;    /* the checkpointer's own connection */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int due;      /* guarded by lock */
    int stopping; /* guarded by lock */
    int next_at;  /* WAL size that wakes the thread; atomic */
    struct sqlite_checkpointer *next;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite_checkpointer *registry;

/* Readers finish within microseconds: poll briefly, not SQLite's 1 ms+ sleeps. */
static int wait_for_readers(void *arg, int attempts)
{
    (void)arg;
    if (attempts >= READER_WAIT_STEPS)
        return 0;
    usleep(READER_WAIT_US);
    return 1;
}

static void checkpoint(sqlite_checkpointer *cp)
{
    int wal_pages = 0, copied = 0;

    sqlite3_wal_checkpoint_v2(cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, NULL);
    if (wal_pages >= RESTART_PAGES) {
        /* Copy what the writers added meanwhile (this syncs, the one stall),
         * then rewind: with every frame copied that only waits for readers. */
        sqlite_writer_enter();
        sqlite3_wal_checkpoint_v2(cp->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied);
        if (copied == wal_pages &&
            sqlite3_wal_checkpoint_v2(cp->db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL) ==
                SQLITE_OK)
            wal_pages = 0;
        sqlite_writer_leave();
    }
    __atomic_store_n(&cp->next_at, wal_pages + CHECKPOINT_PAGES, __ATOMIC_RELAXED);
}

static void *checkpoint_loop(void *arg)
{
    sqlite_checkpointer *cp = arg;

    pthread_mutex_lock(&cp->lock);
    for (;;) {
        while (!cp->due && !cp->stopping)
            pthread_cond_wait(&cp->wake, &cp->lock);
        if (cp->stopping)
            break;
        cp->due = 0;
        pthread_mutex_unlock(&cp->lock);
        checkpoint(cp);
        pthread_mutex_lock(&cp->lock);
    }
    pthread_mutex_unlock(&cp->lock);
    return NULL;
}

/* Runs in the committing thread after each commit: count, never copy. */
static int on_commit(void *arg, sqlite3 *db, const char *schema, int wal_pages)
{
    sqlite_checkpointer *cp = arg;

    (void)db;
    (void)schema;
    if (wal_pages >= __atomic_load_n(&cp->next_at, __ATOMIC_RELAXED)) {
        /* Wake it once per batch, not once per commit until it runs. */
        __atomic_store_n(&cp->next_at, wal_pages + CHECKPOINT_PAGES, __ATOMIC_RELAXED);
        pthread_mutex_lock(&cp->lock);
        cp->due = 1;
        pthread_cond_signal(&cp->wake);
        pthread_mutex_unlock(&cp->lock);
    }
    return SQLITE_OK;
}

static sqlite_checkpointer *checkpointer_start(const char *path)
{
    sqlite_checkpointer *cp = calloc(1, sizeof *cp);

    if (cp == NULL || (cp->path = strdup(path)) == NULL)
        goto fail;
    cp->next_at = CHECKPOINT_PAGES;
    if (sqlite3_open_v2(path, &cp->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK)
        goto fail;
    sqlite3_busy_handler(cp->db, wait_for_readers, NULL);
    /* A fresh connection does not know the file is in WAL mode until it reads
     * it, and until then it would not checkpoint at all. */
    if (sqlite3_exec(cp->db, "PRAGMA journal_mode=WAL;", NULL, NULL, NULL) != SQLITE_OK)
        goto fail;
    pthread_mutex_init(&cp->lock, NULL);
    pthread_cond_init(&cp->wake, NULL);
    if (pthread_create(&cp->thread, NULL, checkpoint_loop, cp) != 0) {
        pthread_mutex_destroy(&cp->lock);
        pthread_cond_destroy(&cp->wake);
        goto fail;
    }
    return cp;
fail:
    if (cp != NULL) {
        sqlite3_close(cp->db);
        free(cp->path);
        free(cp);
    }
    return NULL;
}

static void checkpointer_stop(sqlite_checkpointer *cp)
{
    pthread_mutex_lock(&cp->lock);
    cp->stopping = 1;
    pthread_cond_signal(&cp->wake);
    pthread_mutex_unlock(&cp->lock);
    pthread_join(cp->thread, NULL);
    /* The last user is gone: fold the WAL into the database file. */
    sqlite3_wal_checkpoint_v2(cp->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    sqlite3_close(cp->db);
    pthread_mutex_destroy(&cp->lock);
    pthread_cond_destroy(&cp->wake);
    free(cp->path);
    free(cp);
}

sqlite_checkpointer *sqlite_checkpointer_attach(sqlite3 *db, const char *path)
{
    sqlite_checkpointer *cp;

    pthread_mutex_lock(&registry_lock);
    for (cp = registry; cp != NULL && strcmp(cp->path, path) != 0; cp = cp->next)
        ;
    if (cp == NULL && (cp = checkpointer_start(path)) != NULL) {
        cp->next = registry;
        registry = cp;
    }
    if (cp != NULL) {
        cp->users++;
        /* Replaces SQLite's in-commit autocheckpoint on this connection. */
        sqlite3_wal_hook(db, on_commit, cp);
    }
    pthread_mutex_unlock(&registry_lock);
    return cp;
}

void sqlite_checkpointer_detach(sqlite_checkpointer *cp)
{
    sqlite_checkpointer **link;

    if (cp == NULL)
        return;
    pthread_mutex_lock(&registry_lock);
    if (--cp->users > 0) {
        pthread_mutex_unlock(&registry_lock);
        return;
    }
    for (link = &registry; *link != cp; link = &(*link)->next)
        ;
    *link = cp->next;
    pthread_mutex_unlock(&registry_lock);
    checkpointer_stop(cp);
}
