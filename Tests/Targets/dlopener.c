/*
 * dlopener: loads a shared object only when asked, for symbolizer refresh.
 *
 * usage: dlopener LIBRARY
 *   Prints "ready <pid>", then on SIGUSR2 dlopens LIBRARY and prints
 *   "loaded <hex address of dlib_work>". Ends itself after ten minutes.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t asked;

static void on_usr2(int sig) { (void)sig; asked = 1; }

int main(int argc, char **argv)
{
  if (argc < 2)
    return 2;
  /* Wait with an empty mask: the parent's blocked signals are inherited. */
  sigset_t block, none;
  sigemptyset(&block);
  sigemptyset(&none);
  sigaddset(&block, SIGUSR2);
  sigprocmask(SIG_BLOCK, &block, NULL);
  signal(SIGUSR2, on_usr2);
  printf("ready %d\n", (int)getpid());
  fflush(stdout);
  alarm(600);
  while (!asked)
    sigsuspend(&none);
  void *lib = dlopen(argv[1], RTLD_NOW);
  void *fn = lib ? dlsym(lib, "dlib_work") : NULL;
  printf("loaded %lx\n", (unsigned long)(uintptr_t)fn);
  fflush(stdout);
  for (;;)
    pause();
}
