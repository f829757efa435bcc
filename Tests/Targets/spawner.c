/*
 * spawner: a target that starts extra threads on demand, for `check`.
 *
 * usage: spawner KEEPERS
 *   KEEPERS threads named "keeper-<i>" sleep in nanosleep for good. On
 *   SIGUSR1 the main thread starts 3 threads named "extra-<i>" blocked in
 *   read() on a pipe and prints "spawned" once they sleep; on SIGUSR2 it
 *   closes the pipe, joins them and prints "joined". Prints "ready" once
 *   the keepers sleep. Ends itself after ten minutes.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

#include "sleeping.h"

static pid_t tids[512];
static int ntids;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int pipefd[2] = {-1, -1};

static void note_tid(void)
{
    pthread_mutex_lock(&mu);
    tids[ntids++] = (pid_t)syscall(SYS_gettid);
    pthread_mutex_unlock(&mu);
}

static void *keeper(void *arg)
{
    (void)arg;
    note_tid();
    for (;;) {
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void *extra(void *arg)
{
    int fd = (int)(long)arg;
    char c;
    note_tid();
    while (read(fd, &c, 1) > 0)
        ;
    return NULL;
}

/* Waits until `want` threads noted their tid and all of them sleep. */
static void wait_parked(int want)
{
    for (;;) {
        pthread_mutex_lock(&mu);
        int n = ntids;
        pthread_mutex_unlock(&mu);
        if (n >= want)
            break;
        usleep(1000);
    }
    for (int i = 0; i < want; i++)
        while (!sleeping(tids[i]))
            usleep(1000);
}

int main(int argc, char **argv)
{
    int keepers = argc > 1 ? atoi(argv[1]) : 2;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    for (int i = 0; i < keepers; i++) {
        pthread_t t;
        char name[16];
        pthread_create(&t, NULL, keeper, NULL);
        snprintf(name, sizeof name, "keeper-%d", i);
        pthread_setname_np(t, name);
    }
    wait_parked(keepers);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    alarm(600);
    pthread_t extras[3];
    int spawned = 0;
    for (;;) {
        int sig;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGUSR1 && !spawned) {
            if (pipe(pipefd) != 0)
                return 1;
            for (int i = 0; i < 3; i++) {
                char name[16];
                pthread_create(&extras[i], NULL, extra, (void *)(long)pipefd[0]);
                snprintf(name, sizeof name, "extra-%d", i);
                pthread_setname_np(extras[i], name);
            }
            spawned = 1;
            wait_parked(keepers + 3);
            printf("spawned\n");
            fflush(stdout);
        } else if (sig == SIGUSR2 && spawned) {
            close(pipefd[1]);
            for (int i = 0; i < 3; i++)
                pthread_join(extras[i], NULL);
            close(pipefd[0]);
            spawned = 0;
            pthread_mutex_lock(&mu);
            ntids = keepers;
            pthread_mutex_unlock(&mu);
            printf("joined\n");
            fflush(stdout);
        }
    }
}
