/*
 * growth: a target whose "worker" thread count follows a script, one step
 * per SIGUSR1 (or every --auto MS milliseconds), for watch tests.
 *
 * usage: growth MODE [--auto MS] [--exit-after STEPS]
 *   MODE sets the worker count at step k (k = 0 at start):
 *     leak      1 + k           (a worker per request, parked forever)
 *     slowleak  1 + k / 4       (one more every fourth step)
 *     flat      4
 *     burst     9 for 6 <= k < 11, else 2 (grows, then shrinks back)
 *     sawtooth  1 + k % 5       (grows and is trimmed)
 *   Workers named "worker-<n>" block in read() on their own pipe inside
 *   worker_park; closing the pipe retires one. Three "idle-<i>" threads
 *   sleep throughout. After each step, once every thread is asleep and
 *   retired ones are gone from /proc/self/task, prints "step K N" (N =
 *   workers); the first such line is "ready K N".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "sleeping.h"

#define NOINLINE __attribute__((noinline))
#define MAXW 512

struct worker {
    pthread_t thread;
    int fds[2];
    volatile pid_t tid;
};

static struct worker workers[MAXW];
static int nworkers;
static volatile pid_t idle_tids[3];
static const char *mode;

static int target(int k)
{
    if (!strcmp(mode, "leak"))
        return 1 + k;
    if (!strcmp(mode, "slowleak"))
        return 1 + k / 4;
    if (!strcmp(mode, "flat"))
        return 4;
    if (!strcmp(mode, "burst"))
        return k >= 6 && k < 11 ? 9 : 2;
    if (!strcmp(mode, "sawtooth"))
        return 1 + k % 5;
    return -1;
}

NOINLINE static void worker_park(int fd)
{
    char c;
    while (read(fd, &c, 1) > 0)
        ;
    __asm__ __volatile__("" ::: "memory");
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    char name[16];
    snprintf(name, sizeof name, "worker-%d", (int)(w - workers));
    pthread_setname_np(pthread_self(), name);
    w->tid = (pid_t)syscall(SYS_gettid);
    worker_park(w->fds[0]);
    return NULL;
}

NOINLINE static void idle_sleep(void)
{
    for (;;) {
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
    }
}

static void *idle_main(void *arg)
{
    long i = (long)arg;
    char name[16];
    snprintf(name, sizeof name, "idle-%ld", i);
    pthread_setname_np(pthread_self(), name);
    idle_tids[i] = (pid_t)syscall(SYS_gettid);
    idle_sleep();
    return NULL;
}

static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* Starts or retires workers until there are `want`, then waits until the
 * process looks exactly like that in /proc. */
static void apply(int want)
{
    while (nworkers < want && nworkers < MAXW) {
        struct worker *w = &workers[nworkers];
        w->tid = 0;
        if (pipe(w->fds) != 0 || pthread_create(&w->thread, NULL, worker_main, w) != 0)
            exit(1);
        nworkers++;
    }
    while (nworkers > want) {
        struct worker *w = &workers[--nworkers];
        close(w->fds[1]);
        pthread_join(w->thread, NULL);
        close(w->fds[0]);
    }
    for (int i = 0; i < nworkers; i++)
        while (!sleeping(workers[i].tid))
            usleep(500);
    for (int i = 0; i < 3; i++)
        while (!sleeping(idle_tids[i]))
            usleep(500);
    while (task_count() != 1 + 3 + nworkers)
        usleep(500);
}

int main(int argc, char **argv)
{
    long auto_ms = 0;
    int exit_after = -1;
    if (argc < 2)
        return 2;
    mode = argv[1];
    if (target(0) < 0)
        return 2;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--auto"))
            auto_ms = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--exit-after"))
            exit_after = atoi(argv[i + 1]);
    }
    /* Block SIGUSR1 everywhere: the main thread takes it with sigwait. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    for (long i = 0; i < 3; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, idle_main, (void *)i) != 0)
            return 1;
    }
    /* A forgotten target ends itself after ten minutes. */
    alarm(600);
    for (int k = 0;; k++) {
        apply(target(k));
        printf("%s %d %d\n", k == 0 ? "ready" : "step", k, nworkers);
        fflush(stdout);
        if (k == exit_after)
            return 0;
        if (auto_ms > 0) {
            struct timespec ts = {auto_ms / 1000, (auto_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        } else {
            int sig;
            sigwait(&set, &sig);
        }
    }
}
