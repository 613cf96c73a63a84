/* SPDX-License-Identifier: Apache-2.0 */
/* Memory for argon2id hashing: mapped buffers reused while busy, their pages given back when idle. */
#include "util/argon2_pool.h"

#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

/*
 * A hash needs its whole memory cost (19 MiB by default) at once. From the
 * heap, glibc keeps such blocks in per-thread arenas for good; mapped and
 * unmapped each time, every hash page-faults all of it again (a third of the
 * throughput). So: a few mapped buffers, reused while the server is busy,
 * their pages dropped with madvise when nobody has hashed for a while.
 */
#define MAX_BUFFERS 16

typedef struct buffer {
    uint8_t *mem;
    size_t size;
    int in_use;
    int resident; /* pages may be present: worth releasing when idle */
    int64_t last_used;
} buffer;

static buffer pool[MAX_BUFFERS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

/* A free buffer that fits, or a free slot to map one into. Lock held. */
static buffer *find_slot(size_t bytes)
{
    buffer *empty = NULL;

    for (int i = 0; i < MAX_BUFFERS; i++) {
        if (pool[i].in_use)
            continue;
        if (pool[i].mem != NULL && pool[i].size >= bytes)
            return &pool[i];
        if (empty == NULL && pool[i].mem == NULL)
            empty = &pool[i];
    }
    return empty;
}

int pc_argon2_pool_take(uint8_t **memory, size_t bytes)
{
    buffer *b;
    void *m;

    pthread_mutex_lock(&lock);
    b = find_slot(bytes);
    if (b != NULL)
        b->in_use = 1;
    pthread_mutex_unlock(&lock);
    if (b == NULL) {
        /* More hashes at once than slots: a one-off mapping, unmapped on return. */
        m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        *memory = m;
        return m == MAP_FAILED ? -1 : 0;
    }
    if (b->mem == NULL) {
        m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            pthread_mutex_lock(&lock);
            b->in_use = 0;
            pthread_mutex_unlock(&lock);
            return -1;
        }
        b->mem = m;
        b->size = bytes;
    }
    b->resident = 1;
    *memory = b->mem;
    return 0;
}

void pc_argon2_pool_give(uint8_t *memory, size_t bytes)
{
    int pooled = 0;

    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_BUFFERS && !pooled; i++) {
        if (pool[i].mem == memory) {
            pool[i].in_use = 0;
            pool[i].last_used = now_seconds();
            pooled = 1;
        }
    }
    pthread_mutex_unlock(&lock);
    if (!pooled)
        munmap(memory, bytes);
}

void pc_argon2_pool_trim(int64_t now, int64_t idle_seconds)
{
    (void)now;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_BUFFERS; i++) {
        buffer *b = &pool[i];
        if (b->mem == NULL || b->in_use || !b->resident ||
            now_seconds() - b->last_used < idle_seconds)
            continue;
        /* The mapping stays; its pages go back and come back zeroed on next use. */
        madvise(b->mem, b->size, MADV_DONTNEED);
        b->resident = 0;
    }
    pthread_mutex_unlock(&lock);
}
