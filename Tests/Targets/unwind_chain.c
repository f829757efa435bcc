/*
 * unwind_chain: threads parked at the end of known call chains, for exact
 * raw-stack tests. Built with and without frame pointers.
 *
 * usage: unwind_chain READERS SLEEPERS
 *   READERS threads run reader_main -> chain_a -> chain_b -> chain_c and
 *   block in read() on a pipe nobody writes; SLEEPERS threads run
 *   sleeper_main -> nap_outer -> nap_inner and block in nanosleep. The main
 *   thread blocks in pause() inside main_wait. Prints "ready <pid>" once
 *   every thread sleeps in the kernel; ends itself after ten minutes.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sleeping.h"

#define NOINLINE __attribute__((noinline, noclone))
/* An empty asm after each call keeps it from becoming a tail jump. */
#define KEEP_FRAME() __asm__ __volatile__("" ::: "memory")

static int pipefd[2];
static pid_t tids[4096];
static atomic_int ntids;

NOINLINE static long chain_c(void)
{
  char c;
  long r = read(pipefd[0], &c, 1);
  KEEP_FRAME();
  return r;
}

NOINLINE static long chain_b(void)
{
  long r = chain_c();
  KEEP_FRAME();
  return r + 1;
}

NOINLINE static long chain_a(void)
{
  long r = chain_b();
  KEEP_FRAME();
  return r + 1;
}

NOINLINE static void nap_inner(void)
{
  for (;;) {
    struct timespec ts = {3600, 0};
    nanosleep(&ts, NULL);
    KEEP_FRAME();
  }
}

NOINLINE static void nap_outer(void)
{
  nap_inner();
  KEEP_FRAME();
}

static void note_tid(void)
{
  tids[atomic_fetch_add(&ntids, 1)] = (pid_t)syscall(SYS_gettid);
}

NOINLINE static void *reader_main(void *arg)
{
  (void)arg;
  note_tid();
  chain_a();
  KEEP_FRAME();
  return NULL;
}

NOINLINE static void *sleeper_main(void *arg)
{
  (void)arg;
  note_tid();
  nap_outer();
  KEEP_FRAME();
  return NULL;
}

NOINLINE static void main_wait(void)
{
  for (;;) {
    pause();
    KEEP_FRAME();
  }
}

int main(int argc, char **argv)
{
  int readers = argc > 1 ? atoi(argv[1]) : 1;
  int sleepers = argc > 2 ? atoi(argv[2]) : 1;
  if (pipe(pipefd) != 0 || readers + sleepers > 4096)
    return 1;
  for (int i = 0; i < readers + sleepers; i++) {
    pthread_t t;
    if (pthread_create(&t, NULL, i < readers ? reader_main : sleeper_main, NULL) != 0)
      return 1;
    pthread_setname_np(t, i < readers ? "chain-reader" : "chain-sleeper");
  }
  while (atomic_load(&ntids) < readers + sleepers)
    usleep(1000);
  for (int i = 0; i < readers + sleepers; i++)
    while (!sleeping(tids[i]))
      usleep(1000);
  printf("ready %d\n", (int)getpid());
  fflush(stdout);
  alarm(600);
  main_wait();
  return 0;
}
