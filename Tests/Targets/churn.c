/*
 * churn: four "keeper-<i>" threads sleep in nanosleep for an hour while a
 * "churn" thread creates and joins short-lived threads as fast as it can,
 * so /proc/<pid>/task changes all the time. Prints "ready" once the
 * keepers sleep and churning has begun; the main thread waits in pause().
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static atomic_long churned;
static pid_t keepers[4];
static atomic_int nkeepers;

static void *keeper(void *arg)
{
    keepers[(long)arg] = (pid_t)syscall(SYS_gettid);
    atomic_fetch_add(&nkeepers, 1);
    for (;;) {
        struct timespec ts = {3600, 0};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void *nothing(void *arg) { return arg; }

static void *churn(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_t t;
        if (pthread_create(&t, NULL, nothing, NULL) == 0)
            pthread_join(t, NULL);
        atomic_fetch_add(&churned, 1);
    }
    return NULL;
}

static int sleeping(pid_t tid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && rp[2] == 'S';
}

int main(void)
{
    pthread_t t;
    for (long i = 0; i < 4; i++) {
        char name[16];
        if (pthread_create(&t, NULL, keeper, (void *)i) != 0)
            return 1;
        snprintf(name, sizeof name, "keeper-%ld", i);
        pthread_setname_np(t, name);
    }
    while (atomic_load(&nkeepers) < 4)
        usleep(1000);
    for (int i = 0; i < 4; i++)
        while (!sleeping(keepers[i]))
            usleep(1000);
    if (pthread_create(&t, NULL, churn, NULL) != 0)
        return 1;
    pthread_setname_np(t, "churn");
    while (atomic_load(&churned) < 1000)
        usleep(1000);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    alarm(600);
    for (;;)
        pause();
}
