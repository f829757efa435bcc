/*
 * exitwhentraced: a process that exits on its own in the middle of a stack
 * collection.
 *
 * usage: exitwhentraced N
 *   a "watcher" thread (created first, so unwound early) spins in
 *   getrusage and calls _exit(0) as soon as it was stopped once (its
 *   voluntary context switches grow), that is right after an unwinder
 *   held it; then N threads sleep in nanosleep. Prints "ready <pid>" once
 *   the sleepers sleep; ends itself after ten minutes (alarm).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sleeping.h"

static pid_t tids[512];

static void *sleeper(void *arg)
{
    tids[(long)arg] = (pid_t)syscall(SYS_gettid);
    struct timespec ts = {600, 0};
    for (;;)
        nanosleep(&ts, NULL);
    return NULL;
}

/* Spins in getrusage; a voluntary context switch means something stopped
 * this thread (it never blocks by itself): exit at once. */
static void *watcher(void *arg)
{
    (void)arg;
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    long start = ru.ru_nvcsw;
    for (;;) {
        getrusage(RUSAGE_THREAD, &ru);
        if (ru.ru_nvcsw != start)
            _exit(0);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 100;
    if (n < 1 || n > 512)
        return 2;
    alarm(600);
    pthread_t t;
    /* First, so that it is unwound before the sleepers. */
    if (pthread_create(&t, NULL, watcher, NULL) != 0)
        return 1;
    for (long i = 0; i < n; i++)
        if (pthread_create(&t, NULL, sleeper, (void *)i) != 0)
            return 1;
    for (;;) {
        int asleep = 0;
        for (long i = 0; i < n; i++)
            asleep += sleeping(tids[i]);
        if (asleep == n)
            break;
        usleep(1000);
    }
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    for (;;)
        pause();
}
