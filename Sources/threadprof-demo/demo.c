/*
 * threadprof-demo: a small service with a thread leak, for trying threadprof.
 *
 * Its "client library" (rpc_client_call) starts a pool of worker threads on
 * every call and never shuts it down, so each call leaves its workers parked
 * forever on a condition variable.  Beside the leak it runs what a healthy
 * service has: a fixed pool of request handlers blocked in read() on a pipe,
 * and a ticker thread that sleeps.  The leaked pool overtakes them within
 * seconds and keeps growing.
 *
 * usage: threadprof-demo [--interval-ms N] [--workers-per-call N]
 *                        [--max-threads N] [--lifetime SECONDS]
 *
 * Prints its pid on stdout once its fixed threads are parked, and exits on
 * its own after --lifetime seconds (default 600), so a forgotten demo does
 * not linger.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline))
#define KEEP_FRAME() __asm__ __volatile__("" ::: "memory")

struct rpc_pool {
    pthread_mutex_t mu;
    pthread_cond_t work;
    int closed; /* nobody ever sets this: that is the leak */
};

static int request_pipe[2];

NOINLINE static void pool_worker_wait(struct rpc_pool *pool)
{
    pthread_mutex_lock(&pool->mu);
    while (!pool->closed)
        pthread_cond_wait(&pool->work, &pool->mu);
    pthread_mutex_unlock(&pool->mu);
    KEEP_FRAME();
}

static void *rpc_pool_worker(void *arg)
{
    pool_worker_wait(arg);
    return NULL;
}

/* The leaky library call: a new pool per call, never closed. */
NOINLINE static int rpc_client_call(int call, int workers)
{
    struct rpc_pool *pool = calloc(1, sizeof *pool);
    if (!pool)
        return -1;
    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->work, NULL);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < workers; i++) {
        pthread_t t;
        if (pthread_create(&t, &attr, rpc_pool_worker, pool) != 0)
            return -1;
        char name[16];
        snprintf(name, sizeof name, "rpcpool-%d-w%d", call, i);
        pthread_setname_np(t, name);
    }
    pthread_attr_destroy(&attr);
    return 0;
}

NOINLINE static void handle_requests(void)
{
    char buf[64];
    /* Nobody writes to the pipe: the handlers wait like idle servers do. */
    while (read(request_pipe[0], buf, sizeof buf) > 0)
        ;
    KEEP_FRAME();
}

static void *request_handler(void *arg)
{
    (void)arg;
    handle_requests();
    return NULL;
}

static void *ticker(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec ts = {.tv_sec = 3600, .tv_nsec = 0};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static long arg_value(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "threadprof-demo: %s needs a value\n", argv[*i]);
        exit(64);
    }
    char *end;
    long v = strtol(argv[++*i], &end, 10);
    if (*end || v <= 0) {
        fprintf(stderr, "threadprof-demo: %s wants a positive number, not '%s'\n",
                argv[*i - 1], argv[*i]);
        exit(64);
    }
    return v;
}

int main(int argc, char **argv)
{
    long interval_ms = 300, per_call = 2, max_threads = 2000, lifetime = 600;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--interval-ms"))
            interval_ms = arg_value(argc, argv, &i);
        else if (!strcmp(argv[i], "--workers-per-call"))
            per_call = arg_value(argc, argv, &i);
        else if (!strcmp(argv[i], "--max-threads"))
            max_threads = arg_value(argc, argv, &i);
        else if (!strcmp(argv[i], "--lifetime"))
            lifetime = arg_value(argc, argv, &i);
        else {
            fprintf(stderr, "usage: threadprof-demo [--interval-ms N] [--workers-per-call N] "
                            "[--max-threads N] [--lifetime SECONDS]\n");
            return !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h") ? 0 : 64;
        }
    }
    if (pipe(request_pipe) != 0) {
        perror("threadprof-demo: pipe");
        return 1;
    }
    pthread_t t;
    for (int i = 0; i < 4; i++) {
        pthread_create(&t, NULL, request_handler, NULL);
        char name[16];
        snprintf(name, sizeof name, "http-handler-%d", i);
        pthread_setname_np(t, name);
    }
    pthread_create(&t, NULL, ticker, NULL);
    pthread_setname_np(t, "metrics-ticker");

    printf("%d\n", (int)getpid());
    fflush(stdout);

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long threads = 6;
    for (int call = 0;; call++) {
        if (threads + per_call <= max_threads && rpc_client_call(call, (int)per_call) == 0)
            threads += per_call;
        struct timespec ts = {.tv_sec = interval_ms / 1000,
                              .tv_nsec = (interval_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
            ;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec >= lifetime)
            _exit(0);
    }
}
