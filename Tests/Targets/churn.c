/*
 * churn: four long-lived "keeper-<i>" threads asleep in nanosleep, and a
 * "churn" thread that creates and joins short-lived threads as fast as it
 * can, so thread ids vanish between listing and reading them (CASE-01).
 * Prints "ready <pid>" once the keepers sleep and churning has begun; ends
 * itself after ten minutes.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sleeping.h"

static atomic_long spawned;
static pid_t keepers[4];
static atomic_int nkeepers;

static void *keeper(void *arg)
{
  (void)arg;
  keepers[atomic_fetch_add(&nkeepers, 1)] = (pid_t)syscall(SYS_gettid);
  for (;;) {
    struct timespec ts = {3600, 0};
    nanosleep(&ts, NULL);
  }
  return NULL;
}

static void *brief(void *arg)
{
  return arg;
}

static void *churn(void *arg)
{
  (void)arg;
  for (;;) {
    pthread_t t;
    if (pthread_create(&t, NULL, brief, NULL) == 0) {
      pthread_join(t, NULL);
      atomic_fetch_add(&spawned, 1);
    }
  }
  return NULL;
}

int main(void)
{
  for (int i = 0; i < 4; i++) {
    pthread_t t;
    char name[16];
    pthread_create(&t, NULL, keeper, NULL);
    snprintf(name, sizeof name, "keeper-%d", i);
    pthread_setname_np(t, name);
  }
  pthread_t c;
  pthread_create(&c, NULL, churn, NULL);
  pthread_setname_np(c, "churn");
  while (atomic_load(&nkeepers) < 4 || atomic_load(&spawned) < 100)
    usleep(1000);
  for (int i = 0; i < 4; i++)
    while (!sleeping(keepers[i]))
      usleep(1000);
  printf("ready %d\n", (int)getpid());
  fflush(stdout);
  alarm(600);
  for (;;)
    pause();
}
