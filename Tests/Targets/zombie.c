/*
 * zombie: the main thread calls pthread_exit while three "sleeper-<i>"
 * threads sleep in nanosleep, so the main task stays a zombie (state Z,
 * empty files) while the process lives. Prints "ready" just before the
 * main thread exits; the process ends itself after ten minutes.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static void *sleeper(void *arg)
{
    (void)arg;
    struct timespec ts = {600, 0};
    while (nanosleep(&ts, &ts) != 0)
        ;
    _exit(0);
}

int main(void)
{
    for (int i = 0; i < 3; i++) {
        pthread_t t;
        char name[16];
        if (pthread_create(&t, NULL, sleeper, NULL) != 0)
            return 1;
        snprintf(name, sizeof name, "sleeper-%d", i);
        pthread_setname_np(t, name);
    }
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    pthread_exit(NULL);
}
