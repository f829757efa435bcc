/*
 * parked: a target with threads parked at known places, for live tests.
 *
 * usage: parked SLEEPERS READERS LOCKERS
 *   SLEEPERS threads named "sleeper-<i>" sleep in nanosleep inside park_sleep,
 *   READERS threads named "reader-<i>" block in read() on a pipe inside
 *   park_read, LOCKERS threads named "locker-<i>" block on a mutex the main
 *   thread holds, inside park_lock. Prints "ready" once every thread is
 *   asleep in the kernel, then waits for a signal (at most ten minutes).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "sleeping.h"

#define NOINLINE __attribute__((noinline))
#define KEEP_FRAME() __asm__ __volatile__("" ::: "memory")

static int pipefd[2];
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pid_t tids[4096];
static int ntids;
static pthread_mutex_t tids_mu = PTHREAD_MUTEX_INITIALIZER;

static void note_tid(void)
{
    pthread_mutex_lock(&tids_mu);
    tids[ntids++] = (pid_t)syscall(SYS_gettid);
    pthread_mutex_unlock(&tids_mu);
}

NOINLINE static void park_sleep(void)
{
    for (;;) {
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
    }
    KEEP_FRAME();
}

NOINLINE static void park_read(void)
{
    char c;
    while (read(pipefd[0], &c, 1) > 0)
        ;
    KEEP_FRAME();
}

NOINLINE static void park_lock(void)
{
    pthread_mutex_lock(&held);
    pthread_mutex_unlock(&held);
    KEEP_FRAME();
}

static void *run(void *arg)
{
    long kind = (long)arg;
    note_tid();
    if (kind == 0)
        park_sleep();
    else if (kind == 1)
        park_read();
    else
        park_lock();
    return NULL;
}

int main(int argc, char **argv)
{
    int counts[3] = {0, 0, 0};
    const char *names[3] = {"sleeper", "reader", "locker"};
    for (int i = 0; i < 3 && i + 1 < argc; i++)
        counts[i] = atoi(argv[i + 1]);
    if (pipe(pipefd) != 0)
        return 1;
    pthread_mutex_lock(&held);
    int total = 0;
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < counts[k]; i++) {
            pthread_t t;
            if (pthread_create(&t, NULL, run, (void *)(long)k) != 0)
                return 1;
            char name[16];
            snprintf(name, sizeof name, "%s-%d", names[k], i);
            pthread_setname_np(t, name);
            total++;
        }
    for (;;) {
        pthread_mutex_lock(&tids_mu);
        int n = ntids;
        pthread_mutex_unlock(&tids_mu);
        if (n == total)
            break;
        usleep(1000);
    }
    for (int i = 0; i < total; i++)
        while (!sleeping(tids[i]))
            usleep(1000);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    /* A forgotten target ends itself after ten minutes. */
    alarm(600);
    for (;;)
        pause();
}
