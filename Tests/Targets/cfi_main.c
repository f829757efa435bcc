/*
 * cfi_main: three threads that call into three copies of libdeep (paths
 * given as arguments, loaded with dlopen) and block in read():
 *   t-eh -> the copy with .eh_frame, t-dbg -> the copy with only
 *   .debug_frame, t-none -> the copy with no CFI at all.
 * Each thread's entry is thread_main. Prints
 * "ready <pid> <t-eh tid> <t-dbg tid> <t-none tid>" once all three sleep
 * in read(); ends itself after ten minutes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))
#define KEEP_FRAME() __asm__ __volatile__("" ::: "memory")

typedef long (*deep_fn)(int);

struct job {
  deep_fn fn;
  pid_t tid;
  atomic_int started;
};

static int pipefd[2];

NOINLINE static void *thread_main(void *arg)
{
  struct job *j = arg;
  j->tid = (pid_t)syscall(SYS_gettid);
  atomic_store(&j->started, 1);
  j->fn(pipefd[0]);
  KEEP_FRAME();
  return NULL;
}

static int in_read(pid_t tid)
{
  char path[64], buf[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = 0;
  return strncmp(buf, "0 ", 2) == 0;
}

int main(int argc, char **argv)
{
  static struct job jobs[3];
  static const char *names[3] = {"t-eh", "t-dbg", "t-none"};
  if (argc != 4 || pipe(pipefd) != 0)
    return 64;
  for (int i = 0; i < 3; i++) {
    void *h = dlopen(argv[i + 1], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      fprintf(stderr, "cfi_main: %s\n", dlerror());
      return 1;
    }
    jobs[i].fn = (deep_fn)dlsym(h, "deep_a");
    pthread_t t;
    pthread_create(&t, NULL, thread_main, &jobs[i]);
    pthread_setname_np(t, names[i]);
  }
  for (int i = 0; i < 3; i++)
    while (!atomic_load(&jobs[i].started) || !in_read(jobs[i].tid))
      usleep(1000);
  printf("ready %d %d %d %d\n", (int)getpid(), (int)jobs[0].tid, (int)jobs[1].tid,
         (int)jobs[2].tid);
  fflush(stdout);
  alarm(600);
  for (;;)
    pause();
}
