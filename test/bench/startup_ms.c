/* SPDX-License-Identifier: Apache-2.0 */
/* Time from exec of a server to its first 200 on a readiness path, polled in a tight loop. */

/*
 * Usage: startup_ms PORT PATH TIMEOUT_S -- COMMAND [ARGS...]
 *
 * Forks, execs COMMAND (environment inherited, stdout and stderr sent to
 * /dev/null), and from the moment just before the exec polls
 * http://127.0.0.1:PORT/PATH (connect, HTTP/1.0 GET, read the status line)
 * every 200 µs until it answers 200 or TIMEOUT_S passes. Then it sends
 * SIGTERM to the server, waits for it (SIGKILL after 10 s) and prints
 *   startup_ms MS
 * or exits 1 if the server never became ready or died first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* One probe: 1 if the server answered "HTTP/1.x 200", 0 otherwise. */
static int probe(int port, const char *path)
{
    struct sockaddr_in sa;
    struct timeval tv = {1, 0};
    char req[512], buf[64];
    ssize_t n, got = 0;
    int fd, ok = 0;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        goto out;
    n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n", path, port);
    if (write(fd, req, (size_t)n) != n)
        goto out;
    while (got < 12) {
        n = read(fd, buf + got, sizeof buf - 1 - (size_t)got);
        if (n <= 0)
            goto out;
        got += n;
    }
    buf[got] = '\0';
    ok = strncmp(buf, "HTTP/1.", 7) == 0 && strncmp(buf + 9, "200", 3) == 0;
out:
    close(fd);
    return ok;
}

static void stop_child(pid_t pid)
{
    double deadline = now_ms() + 10000;
    int st;

    kill(pid, SIGTERM);
    while (now_ms() < deadline) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
}

int main(int argc, char **argv)
{
    struct timespec pause = {0, 200000};
    double t0, deadline, ready = -1;
    int port, st;
    pid_t pid;

    if (argc < 6 || strcmp(argv[4], "--") != 0) {
        fprintf(stderr, "usage: startup_ms PORT PATH TIMEOUT_S -- COMMAND [ARGS...]\n");
        return 2;
    }
    port = atoi(argv[1]);
    t0 = now_ms();
    deadline = t0 + atof(argv[3]) * 1e3;
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);

        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execvp(argv[5], argv + 5);
        _exit(127);
    }
    while (now_ms() < deadline) {
        if (waitpid(pid, &st, WNOHANG) == pid) {
            fprintf(stderr, "startup_ms: %s exited before it was ready\n", argv[5]);
            return 1;
        }
        if (probe(port, argv[2])) {
            ready = now_ms() - t0;
            break;
        }
        nanosleep(&pause, NULL);
    }
    stop_child(pid);
    if (ready < 0) {
        fprintf(stderr, "startup_ms: not ready within %s s\n", argv[3]);
        return 1;
    }
    printf("startup_ms %.1f\n", ready);
    return 0;
}
