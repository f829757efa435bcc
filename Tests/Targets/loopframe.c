/*
 * loopframe: a thread whose unwind info sends the unwinder round a cycle,
 * so a naive unwinder would loop forever. loop_frame (assembly) blocks in
 * read(2); its CFI says the caller's frame has the same stack pointer and
 * its return address is in loop_partner, whose CFI in turn names
 * loop_frame's resume address as its caller: the walk revisits the same
 * (ip, sp) every second frame. Prints "ready <pid> <looping tid>" once
 * that thread sleeps in read; ends itself after ten minutes.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

void loop_frame(int fd, char *buf, long n);

__asm__(".text\n"
        ".globl loop_frame\n"
        ".type loop_frame, @function\n"
        "loop_frame:\n"
        ".cfi_startproc\n"
        ".cfi_def_cfa %rsp, 0\n"
        ".cfi_offset %rip, -8\n"
        "  leaq 1f(%rip), %rax\n"
        "  movq %rax, -16(%rsp)\n"
        "  leaq 2f(%rip), %rax\n"
        "  movq %rax, -8(%rsp)\n"
        "  xorl %eax, %eax\n" /* SYS_read */
        "  syscall\n"
        "1:\n"
        "  jmp loop_frame\n"
        ".cfi_endproc\n"
        ".size loop_frame, .-loop_frame\n"
        ".type loop_partner, @function\n"
        "loop_partner:\n"
        ".cfi_startproc\n"
        ".cfi_def_cfa %rsp, 0\n"
        ".cfi_offset %rip, -16\n"
        "  nop\n"
        "2:\n"
        "  nop\n"
        "  ret\n"
        ".cfi_endproc\n"
        ".size loop_partner, .-loop_partner\n");

static int pipefd[2];
static atomic_int tid;

static void *looper(void *arg)
{
  (void)arg;
  char buf[8];
  atomic_store(&tid, (int)syscall(SYS_gettid));
  loop_frame(pipefd[0], buf, 1);
  return NULL;
}

static int in_read(pid_t t)
{
  char path[64], buf[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)t);
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
  pthread_t t;
  pthread_create(&t, NULL, looper, NULL);
  pthread_setname_np(t, "looper");
  while (atomic_load(&tid) == 0 || !in_read((pid_t)atomic_load(&tid)))
    usleep(1000);
  printf("ready %d %d\n", (int)getpid(), atomic_load(&tid));
  fflush(stdout);
  alarm(600);
  for (;;)
    pause();
}
