/*
 * sigframes: threads blocked inside signal handlers, for signal-frame
 * unwinding tests.
 *
 *   "sigwaiter" loops in compute_loop with a 64 KiB sigaltstack; its SIGUSR1
 *   handler on_usr1 (SA_ONSTACK) blocks in read() on a pipe nobody writes.
 *   "nested" loops in other_loop; its SIGUSR2 handler on_usr2 raises
 *   SIGUSR1 on itself, so on_usr1 blocks in read() with two signal frames
 *   on the stack.
 * The main thread sends the signals, waits until both handlers sleep in
 * read(), prints "ready <pid> <sigwaiter tid> <nested tid>" and pauses.
 * If a blocked read ever returns, the handler prints "returned" (a tracer
 * must never make it return). Ends itself after ten minutes.
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

#define NOINLINE __attribute__((noinline, noclone))
#define KEEP_FRAME() __asm__ __volatile__("" ::: "memory")

static int pipefd[2];
static atomic_int in_handler;
static pid_t waiter_tid, nested_tid;
static atomic_int started;
static volatile unsigned long sink;

NOINLINE static void on_usr1(int sig)
{
  (void)sig;
  char c;
  atomic_fetch_add(&in_handler, 1);
  ssize_t r = read(pipefd[0], &c, 1);
  static const char msg[] = "returned\n";
  write(1, msg, sizeof msg - 1);
  (void)r;
  KEEP_FRAME();
}

NOINLINE static void on_usr2(int sig)
{
  (void)sig;
  raise(SIGUSR1);
  KEEP_FRAME();
}

NOINLINE static void compute_loop(void)
{
  for (;;) {
    sink++;
    KEEP_FRAME();
  }
}

NOINLINE static void other_loop(void)
{
  for (;;) {
    sink += 2;
    KEEP_FRAME();
  }
}

static void *waiter_main(void *arg)
{
  (void)arg;
  static char altstack[65536];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  sigaltstack(&ss, NULL);
  waiter_tid = (pid_t)syscall(SYS_gettid);
  atomic_fetch_add(&started, 1);
  compute_loop();
  return NULL;
}

static void *nested_main(void *arg)
{
  (void)arg;
  nested_tid = (pid_t)syscall(SYS_gettid);
  atomic_fetch_add(&started, 1);
  other_loop();
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

int main(void)
{
  if (pipe(pipefd) != 0)
    return 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_usr1;
  sa.sa_flags = SA_ONSTACK;
  sigaction(SIGUSR1, &sa, NULL);
  sa.sa_handler = on_usr2;
  sa.sa_flags = 0;
  sigaction(SIGUSR2, &sa, NULL);
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigaddset(&block, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &block, NULL);
  pthread_t a, b;
  /* Threads inherit the mask; they unblock in their loops' callers below. */
  pthread_sigmask(SIG_UNBLOCK, &block, NULL);
  pthread_create(&a, NULL, waiter_main, NULL);
  pthread_setname_np(a, "sigwaiter");
  pthread_create(&b, NULL, nested_main, NULL);
  pthread_setname_np(b, "nested");
  pthread_sigmask(SIG_BLOCK, &block, NULL);
  while (atomic_load(&started) < 2)
    usleep(1000);
  syscall(SYS_tgkill, getpid(), waiter_tid, SIGUSR1);
  syscall(SYS_tgkill, getpid(), nested_tid, SIGUSR2);
  while (atomic_load(&in_handler) < 2 || !in_read(waiter_tid) || !in_read(nested_tid))
    usleep(1000);
  printf("ready %d %d %d\n", (int)getpid(), (int)waiter_tid, (int)nested_tid);
  fflush(stdout);
  alarm(600);
  for (;;)
    pause();
}
