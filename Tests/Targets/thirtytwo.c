/*
 * thirtytwo: built with -m32 for a 32-bit (i386) target. Thread "t-read"
 * blocks in read() on a pipe inside wait_input, "t-sleep" in nanosleep
 * inside doze. Prints "ready" once both sleep; then waits for a signal
 * (at most ten minutes).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sleeping.h"

#define NOINLINE __attribute__((noinline))

static int pipefd[2];
static pid_t tids[2];

NOINLINE static void wait_input(void)
{
    char c;
    while (read(pipefd[0], &c, 1) > 0)
        ;
}

NOINLINE static void doze(void)
{
    for (;;) {
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
    }
}

static void *run(void *arg)
{
    long i = (long)arg;
    tids[i] = (pid_t)syscall(SYS_gettid);
    if (i == 0)
        wait_input();
    else
        doze();
    return NULL;
}

int main(void)
{
    const char *names[2] = {"t-read", "t-sleep"};
    if (pipe(pipefd) != 0)
        return 1;
    for (long i = 0; i < 2; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, run, (void *)i) != 0)
            return 1;
        pthread_setname_np(t, names[i]);
    }
    for (int i = 0; i < 2; i++)
        while (tids[i] == 0 || !sleeping(tids[i]))
            usleep(1000);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    alarm(600);
    for (;;)
        pause();
}
