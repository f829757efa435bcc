/*
 * case06: 64 threads parked at the same place with per-thread differences
 * that must not split them: each calls serve(conn_id) with its own id and
 * its own alloca size, then handle_request() blocks in read() on its own
 * pipe; they start a few milliseconds apart so their ages differ, and each
 * has its own name. Prints "ready" once all are asleep.
 */
#define _GNU_SOURCE
#include <alloca.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sleeping.h"

#define N 64
#define NOINLINE __attribute__((noinline))
#define KEEP_FRAME() __asm__ __volatile__("" ::: "memory")

static int pipes[N][2];
static pid_t tids[N];

NOINLINE static long handle_request(int fd)
{
    char c;
    long r = read(fd, &c, 1);
    KEEP_FRAME();
    return r;
}

NOINLINE static long serve(long conn_id)
{
    volatile char *scratch = alloca((size_t)(conn_id + 1) * 64);
    scratch[0] = (char)conn_id;
    long r = handle_request(pipes[conn_id][0]);
    KEEP_FRAME();
    return r + scratch[0];
}

static void *conn_main(void *arg)
{
    long id = (long)arg;
    char name[16];
    snprintf(name, sizeof name, "conn-%ld", id);
    pthread_setname_np(pthread_self(), name);
    tids[id] = (pid_t)syscall(SYS_gettid);
    serve(id);
    return NULL;
}

int main(void)
{
    for (long i = 0; i < N; i++) {
        if (pipe(pipes[i]) != 0)
            return 1;
        pthread_t t;
        if (pthread_create(&t, NULL, conn_main, (void *)i) != 0)
            return 1;
        struct timespec gap = {0, 5 * 1000 * 1000};
        nanosleep(&gap, NULL);
    }
    for (int i = 0; i < N; i++)
        while (!sleeping(tids[i]))
            usleep(1000);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    alarm(600);
    for (;;)
        pause();
}
