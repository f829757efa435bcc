/*
 * tracer: plays "another debugger" for permission tests. Seizes thread TID
 * with PTRACE_SEIZE (which does not stop it), prints "ready <pid>" and
 * waits to be killed; the kernel then detaches it.
 *
 * usage: tracer TID
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <unistd.h>

int main(int argc, char **argv)
{
  if (argc != 2)
    return 64;
  pid_t tid = (pid_t)atoi(argv[1]);
  if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) != 0) {
    perror("tracer: PTRACE_SEIZE");
    return 1;
  }
  printf("ready %d\n", (int)getpid());
  fflush(stdout);
  alarm(600);
  for (;;)
    pause();
}
