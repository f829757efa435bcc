/*
 * libdeep: a three-deep call chain in a shared library, built three ways
 * by the CFI tests (with .eh_frame, with only .debug_frame, with no CFI).
 * deep_a -> deep_b -> deep_c, which blocks in read() on `fd`. Each level
 * keeps enough values live across its call that %rbp is used as a general
 * register when frame pointers are omitted.
 */
#include <unistd.h>

#define NOINLINE __attribute__((noinline, noclone))
#define KEEP_FRAME() __asm__ __volatile__("" ::: "memory")

volatile long deep_sink;

NOINLINE long deep_c(int fd)
{
  char c;
  long a = deep_sink, b = deep_sink * 3, d = deep_sink * 5, e = deep_sink * 7;
  long f = deep_sink * 11, g = deep_sink * 13;
  long r = read(fd, &c, 1);
  deep_sink = a + b + d + e + f + g;
  KEEP_FRAME();
  return r;
}

NOINLINE long deep_b(int fd)
{
  long a = deep_sink, b = deep_sink * 3, d = deep_sink * 5, e = deep_sink * 7;
  long f = deep_sink * 11, g = deep_sink * 13;
  long r = deep_c(fd);
  deep_sink = a + b + d + e + f + g;
  KEEP_FRAME();
  return r + 1;
}

NOINLINE long deep_a(int fd)
{
  long a = deep_sink, b = deep_sink * 3, d = deep_sink * 5, e = deep_sink * 7;
  long f = deep_sink * 11, g = deep_sink * 13;
  long r = deep_b(fd);
  deep_sink = a + b + d + e + f + g;
  KEEP_FRAME();
  return r + 1;
}
