/*
 * pool: a server-shaped target for snapshot diffs across runs.
 *
 * usage: pool [--extra]
 *   6 threads "pool-<i>" wait on a condition variable in pool_worker_wait,
 *   2 threads "listen-<i>" block in accept() on their own 127.0.0.1
 *   socket in listener_loop; with --extra, 3 threads "janitor-<i>" sleep in
 *   nanosleep inside janitor_tick. Prints "ready <pid>" once every thread
 *   is asleep in the kernel, then waits for a signal (at most ten minutes).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sleeping.h"

#define NOINLINE __attribute__((noinline))
#define KEEP_FRAME() __asm__ __volatile__("" ::: "memory")

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work = PTHREAD_COND_INITIALIZER;
static int have_work;
static pid_t tids[16];
static int ntids;
static pthread_mutex_t tids_mu = PTHREAD_MUTEX_INITIALIZER;

static void note_tid(const char *name)
{
    pthread_setname_np(pthread_self(), name);
    pthread_mutex_lock(&tids_mu);
    tids[ntids++] = (pid_t)syscall(SYS_gettid);
    pthread_mutex_unlock(&tids_mu);
}

NOINLINE static void pool_worker_wait(void)
{
    pthread_mutex_lock(&mu);
    while (!have_work)
        pthread_cond_wait(&work, &mu);
    pthread_mutex_unlock(&mu);
    KEEP_FRAME();
}

NOINLINE static void listener_loop(int fd)
{
    for (;;) {
        int c = accept(fd, NULL, NULL);
        if (c >= 0)
            close(c);
    }
    KEEP_FRAME();
}

NOINLINE static void janitor_tick(void)
{
    for (;;) {
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
    }
    KEEP_FRAME();
}

static void *pool_main(void *arg)
{
    char name[16];
    snprintf(name, sizeof name, "pool-%ld", (long)arg);
    note_tid(name);
    pool_worker_wait();
    return NULL;
}

static void *listen_main(void *arg)
{
    long i = (long)arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0)
        exit(1);
    char name[16];
    snprintf(name, sizeof name, "listen-%ld", i);
    note_tid(name);
    listener_loop(fd);
    return NULL;
}

static void *janitor_main(void *arg)
{
    char name[16];
    snprintf(name, sizeof name, "janitor-%ld", (long)arg);
    note_tid(name);
    janitor_tick();
    return NULL;
}

int main(int argc, char **argv)
{
    int extra = argc > 1 && !strcmp(argv[1], "--extra");
    int total = 0;
    pthread_t t;
    for (long i = 0; i < 6; i++, total++)
        if (pthread_create(&t, NULL, pool_main, (void *)i) != 0)
            return 1;
    for (long i = 0; i < 2; i++, total++)
        if (pthread_create(&t, NULL, listen_main, (void *)i) != 0)
            return 1;
    for (long i = 0; extra && i < 3; i++, total++)
        if (pthread_create(&t, NULL, janitor_main, (void *)i) != 0)
            return 1;
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
    alarm(600);
    for (;;)
        pause();
}
