/*
 * condpool: N "waiter" threads blocked in pthread_cond_wait inside
 * wait_for_work, and one "counter" thread that ticks every millisecond
 * inside count_loop. Prints "ready" once every waiter is asleep.
 * usage: condpool N
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sleeping.h"

#define NOINLINE __attribute__((noinline))
#define KEEP_FRAME() __asm__ __volatile__("" ::: "memory")

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pid_t *tids;
static atomic_long ticks;

NOINLINE static void wait_for_work(void)
{
    pthread_mutex_lock(&mu);
    for (;;)
        pthread_cond_wait(&cv, &mu);
    KEEP_FRAME();
}

static void *waiter(void *arg)
{
    tids[(long)arg] = (pid_t)syscall(SYS_gettid);
    wait_for_work();
    return NULL;
}

NOINLINE static void count_loop(void)
{
    for (;;) {
        struct timespec ms = {0, 1000 * 1000};
        nanosleep(&ms, NULL);
        atomic_fetch_add(&ticks, 1);
    }
    KEEP_FRAME();
}

static void *counter(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "counter");
    count_loop();
    return NULL;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 2000;
    tids = calloc((size_t)n, sizeof *tids);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (long i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, &attr, waiter, (void *)i) != 0)
            return 1;
        pthread_setname_np(t, "waiter");
    }
    pthread_t t;
    pthread_create(&t, NULL, counter, NULL);
    for (long i = 0; i < n; i++)
        while (!sleeping(tids[i]))
            usleep(1000);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    alarm(600);
    for (;;)
        pause();
}
