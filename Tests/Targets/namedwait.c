/*
 * namedwait: threads with names given on the command line, parked on one
 * condition variable.
 *
 * usage: namedwait [--timed] NAME...
 *   one thread per NAME, named with prctl(PR_SET_NAME) (the kernel keeps
 *   15 bytes), waits in pthread_cond_wait, or with --timed in
 *   pthread_cond_timedwait with a one-hour timeout (a futex wait with a
 *   timeout). Prints "ready <pid>" once every thread sleeps in the kernel,
 *   then waits for a signal (at most ten minutes).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sleeping.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;
static int timed;
static pid_t tids[64];
static pthread_mutex_t tids_mu = PTHREAD_MUTEX_INITIALIZER;

static void *run(void *arg)
{
    const char *name = arg;
    prctl(PR_SET_NAME, name, 0, 0, 0);
    pthread_mutex_lock(&tids_mu);
    for (int i = 0; i < 64; i++)
        if (!tids[i]) {
            tids[i] = (pid_t)syscall(SYS_gettid);
            break;
        }
    pthread_mutex_unlock(&tids_mu);
    pthread_mutex_lock(&mu);
    for (;;) {
        if (timed) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 3600;
            pthread_cond_timedwait(&never, &mu, &ts);
        } else {
            pthread_cond_wait(&never, &mu);
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int first = 1;
    if (argc > 1 && !strcmp(argv[1], "--timed")) {
        timed = 1;
        first = 2;
    }
    int n = argc - first;
    if (n > 64)
        n = 64;
    pthread_t t;
    for (int i = 0; i < n; i++)
        if (pthread_create(&t, NULL, run, argv[first + i]) != 0)
            return 1;
    for (;;) {
        int asleep = 0;
        pthread_mutex_lock(&tids_mu);
        for (int i = 0; i < n; i++)
            asleep += sleeping(tids[i]);
        pthread_mutex_unlock(&tids_mu);
        if (asleep == n)
            break;
        usleep(1000);
    }
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    sleep(600);
    return 0;
}
