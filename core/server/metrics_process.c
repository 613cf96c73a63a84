/* SPDX-License-Identifier: Apache-2.0 */
/* Build and process metrics: portcullis_build_info and process_* from /proc/self. */
#include "server/metrics.h"
#include "server/server.h"
#include "util/mem.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

typedef struct proc_stat {
    double cpu_seconds;
    double start_time;
    long rss_pages;
    long vsize;
} proc_stat;

/* /proc/self/stat fields 14, 15 (utime, stime), 22 (starttime), 23 (vsize), 24 (rss). */
static int read_stat(proc_stat *ps)
{
    char buf[1024], *p;
    unsigned long long utime, stime, start, vsize;
    long rss;
    long tick = sysconf(_SC_CLK_TCK);
    FILE *f = fopen("/proc/self/stat", "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;

    if (f != NULL)
        fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* the command name may hold spaces */
    if (p == NULL || tick <= 0 ||
        sscanf(p + 2,
               "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %*d %*d "
               "%llu %llu %ld",
               &utime, &stime, &start, &vsize, &rss) != 5)
        return -1;
    ps->cpu_seconds = (double)(utime + stime) / (double)tick;
    ps->start_time = (double)start / (double)tick;
    ps->vsize = (long)vsize;
    ps->rss_pages = rss;
    return 0;
}

/* Seconds since the epoch at boot (btime of /proc/stat), to make start time absolute. */
static double boot_time(void)
{
    char line[256];
    double t = 0;
    FILE *f = fopen("/proc/stat", "r");

    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (sscanf(line, "btime %lf", &t) == 1)
            break;
    if (f != NULL)
        fclose(f);
    return t;
}

static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    long n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1; /* the directory's own descriptor */
}

char *pc_metrics_process_render(void)
{
    proc_stat ps = {0};
    struct rlimit rl = {0};
    char *s = pc_asprintf("# HELP portcullis_build_info The running build: version, git commit, "
                          "store schema version.\n"
                          "# TYPE portcullis_build_info gauge\n"
                          "portcullis_build_info{version=\"%s\",commit=\"%s\",schema=\"%d\"} 1\n",
                          PC_VERSION, PC_GIT_COMMIT, PC_STORE_SCHEMA_VERSION),
         *more;

    getrlimit(RLIMIT_NOFILE, &rl);
    if (read_stat(&ps) != 0)
        return s;
    more = pc_asprintf(
        "%s# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
        "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total %.2f\n"
        "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
        "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %ld\n"
        "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
        "# TYPE process_virtual_memory_bytes gauge\nprocess_virtual_memory_bytes %ld\n"
        "# HELP process_open_fds Number of open file descriptors.\n"
        "# TYPE process_open_fds gauge\nprocess_open_fds %ld\n"
        "# HELP process_max_fds Maximum number of open file descriptors.\n"
        "# TYPE process_max_fds gauge\nprocess_max_fds %llu\n"
        "# HELP process_start_time_seconds Start time of the process since unix epoch in "
        "seconds.\n"
        "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds %.2f\n",
        s, ps.cpu_seconds, ps.rss_pages * sysconf(_SC_PAGESIZE), ps.vsize, open_fds(),
        (unsigned long long)rl.rlim_cur, boot_time() + ps.start_time);
    free(s);
    return more;
}
