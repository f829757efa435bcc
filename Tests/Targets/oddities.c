/*
 * oddities: processes in states a profiler rarely meets, for hardening tests.
 *
 * usage: oddities MODE
 *   zombie-leader  the main thread exits with pthread_exit while 3 threads
 *                  named "survivor-<i>" sleep on: the leader stays a zombie
 *                  (state Z) in a live process. Prints "ready <pid>".
 *   zombie-child   forks a child that exits at once and is never reaped:
 *                  the child stays a zombie process. Prints "ready <child>".
 *   churn N        N threads named "keeper-<i>" sleep in nanosleep, a
 *                  "churn" thread creates and joins short-lived threads in a
 *                  tight loop. Prints "ready <pid>".
 * Every mode ends itself after ten minutes (alarm), so nothing lingers.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void *nothing(void *arg)
{
    return arg;
}

static void *churn(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_t t;
        if (pthread_create(&t, NULL, nothing, NULL) == 0)
            pthread_join(t, NULL);
    }
    return NULL;
}

static void start_named(void *(*fn)(void *), const char *prefix, int i)
{
    pthread_t t;
    char name[16];
    if (pthread_create(&t, NULL, fn, NULL) != 0)
        exit(1);
    if (i >= 0)
        snprintf(name, sizeof name, "%s-%d", prefix, i);
    else
        snprintf(name, sizeof name, "%s", prefix);
    pthread_setname_np(t, name);
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    alarm(600);
    if (strcmp(mode, "zombie-leader") == 0) {
        for (int i = 0; i < 3; i++)
            start_named(sleeper, "survivor", i);
        printf("ready %d\n", (int)getpid());
        fflush(stdout);
        pthread_exit(NULL);
    }
    if (strcmp(mode, "zombie-child") == 0) {
        pid_t child = fork();
        if (child < 0)
            return 1;
        if (child == 0)
            _exit(0);
        /* Wait until the child is a zombie, without reaping it. */
        siginfo_t info;
        waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT);
        printf("ready %d\n", (int)child);
        fflush(stdout);
        for (;;)
            pause();
    }
    if (strcmp(mode, "churn") == 0) {
        int n = argc > 2 ? atoi(argv[2]) : 4;
        for (int i = 0; i < n; i++)
            start_named(sleeper, "keeper", i);
        start_named(churn, "churn", -1);
        printf("ready %d\n", (int)getpid());
        fflush(stdout);
        for (;;)
            pause();
    }
    fprintf(stderr, "usage: oddities zombie-leader|zombie-child|churn N\n");
    return 2;
}
