/*
 * vforker: a thread stuck in uninterruptible sleep, for stop-timeout tests.
 * Thread "vforker" calls vfork(); the child pauses, so the parent thread
 * waits in the kernel (state D) until the child exits. Prints
 * "ready <pid> <vforker tid> <child pid>" once that is so; ends itself
 * (and the child, by its pid) after ten minutes.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_int vtid;

static void *vforker(void *arg)
{
  (void)arg;
  atomic_store(&vtid, (int)syscall(SYS_gettid));
  pid_t child = vfork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  for (;;)
    pause();
  return NULL;
}

static char state_of(pid_t tid)
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
  return rp && rp[1] == ' ' ? rp[2] : 0;
}

static int child_of(pid_t tid)
{
  char path[80];
  int child = 0;
  snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)tid);
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  if (fscanf(f, "%d", &child) != 1)
    child = 0;
  fclose(f);
  return child;
}

int main(void)
{
  pthread_t t;
  pthread_create(&t, NULL, vforker, NULL);
  pthread_setname_np(t, "vforker");
  int child = 0;
  while (atomic_load(&vtid) == 0 || (child = child_of(atomic_load(&vtid))) == 0 ||
         state_of(atomic_load(&vtid)) != 'D')
    usleep(1000);
  printf("ready %d %d %d\n", (int)getpid(), atomic_load(&vtid), child);
  fflush(stdout);
  sleep(600);
  kill(child, SIGKILL);
  return 0;
}
