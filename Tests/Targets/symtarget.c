/*
 * symtarget: a target whose code addresses tests know, for symbolization.
 *
 * usage: symtarget
 *   Prints one line and then waits for a signal (at most ten minutes):
 *     ready <pid> alpha=<hex> beta=<hex> ret=<hex> tail=<hex> inline_pc=<hex>
 *       inline_line=<n> call_line=<n> anon=<hex> restorer=<hex>
 *   alpha, beta, tail: the addresses of sym_alpha, sym_beta, ends_in_call;
 *   ret: a return address just past ends_in_call's last instruction (a call
 *   to a noreturn function); inline_pc: a PC inside inner_helper, which is
 *   always inlined into outer_noinline at line call_line, inline_line being
 *   the line of that PC; anon: an anonymous executable page; restorer: the
 *   signal trampoline the C library installed for SIGUSR1.
 *   Built with -DVARIANT=<n>, the code (and so the build-id) differs.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef VARIANT
#define VARIANT 0
#endif

#define NOINLINE __attribute__((noinline, noclone))

static volatile uintptr_t inline_pc;
static volatile int inline_line;
static volatile int call_line;
static volatile int sink;
static jmp_buf back;
static void *volatile ret_addr;

NOINLINE int sym_alpha(int x)
{
  sink += x * 3 + VARIANT;
  return sink;
}

NOINLINE int sym_beta(int x)
{
  sink -= x + 1;
  return sink;
}

static inline __attribute__((always_inline)) int inner_helper(int x)
{
  uintptr_t pc;
  __asm__ __volatile__("lea 0(%%rip), %0" : "=r"(pc)); inline_line = __LINE__;
  inline_pc = pc;
  return x * 7 + sink;
}

NOINLINE int outer_noinline(int x)
{
  int r = inner_helper(x); call_line = __LINE__;
  sink += r;
  return r;
}

NOINLINE __attribute__((noreturn)) void jump_back(void)
{
  ret_addr = __builtin_return_address(0);
  longjmp(back, 1);
}

NOINLINE void ends_in_call(void)
{
  sink++;
  jump_back();
}

static void on_usr1(int sig) { (void)sig; }

int main(void)
{
  outer_noinline(sym_alpha(1) + sym_beta(2));
  if (setjmp(back) == 0)
    ends_in_call();
  void *anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (anon == MAP_FAILED)
    return 1;
  memset(anon, 0xc3, 4096); /* ret */
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  sigaction(SIGUSR1, NULL, &old);
  printf("ready %d alpha=%lx beta=%lx ret=%lx tail=%lx inline_pc=%lx inline_line=%d "
         "call_line=%d anon=%lx restorer=%lx\n",
         (int)getpid(), (unsigned long)(uintptr_t)sym_alpha,
         (unsigned long)(uintptr_t)sym_beta, (unsigned long)(uintptr_t)ret_addr,
         (unsigned long)(uintptr_t)ends_in_call, (unsigned long)inline_pc, inline_line,
         call_line, (unsigned long)(uintptr_t)anon, (unsigned long)(uintptr_t)old.sa_restorer);
  fflush(stdout);
  alarm(600);
  for (;;)
    pause();
}
