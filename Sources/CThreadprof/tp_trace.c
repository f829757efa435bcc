/* Polite ptrace attaching and the signal-safe record of attached threads. */
#include "tp_trace.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The record of attached threads. Only the tracer thread writes it, and the
 * interrupt handlers read it on that same thread (other threads forward the
 * signal), so a handler can only interrupt, never race, an update. */
enum { SLOT_FREE = 0, SLOT_STOPPED = 1, SLOT_PENDING = 2 };
typedef struct {
  volatile pid_t tid;
  volatile int state;
} slot;

#define MAX_SLOTS 65536
static slot slots[MAX_SLOTS];
static volatile int nslots; /* high-water mark of used slots */
static _Atomic pid_t tracer_tid;
static _Atomic int graceful_mode;
static _Atomic int interrupted_sig;

/* The wait timeout: a per-thread POSIX timer that interrupts waitpid. */
#define TIMER_SIG (SIGRTMAX - 3)
static timer_t wait_timer;
static int have_timer;
static volatile sig_atomic_t timer_fired;

uint64_t tp_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static pid_t my_tid(void) { return (pid_t)syscall(SYS_gettid); }

static void on_timer(int sig)
{
  (void)sig;
  timer_fired = 1;
}

int tp_tracer_begin(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_timer; /* no SA_RESTART: waitpid must see EINTR */
  sigemptyset(&sa.sa_mask);
  if (sigaction(TIMER_SIG, &sa, NULL) != 0)
    return -errno;
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = TIMER_SIG;
  sev._sigev_un._tid = my_tid();
  if (timer_create(CLOCK_MONOTONIC, &sev, &wait_timer) != 0)
    return -errno;
  have_timer = 1;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, TIMER_SIG);
  pthread_sigmask(SIG_UNBLOCK, &set, NULL);
  atomic_store(&tracer_tid, my_tid());
  return 0;
}

void tp_tracer_end(void)
{
  atomic_store(&tracer_tid, 0);
  if (have_timer) {
    timer_delete(wait_timer);
    have_timer = 0;
  }
}

static int slot_add(pid_t tid)
{
  for (int i = 0; i < nslots; i++)
    if (slots[i].state == SLOT_FREE) {
      slots[i].tid = tid;
      slots[i].state = SLOT_PENDING;
      return i;
    }
  if (nslots == MAX_SLOTS)
    return -1;
  int i = nslots;
  slots[i].tid = tid;
  slots[i].state = SLOT_PENDING;
  nslots = i + 1;
  return i;
}

static int slot_find(pid_t tid)
{
  for (int i = nslots - 1; i >= 0; i--)
    if (slots[i].state != SLOT_FREE && slots[i].tid == tid)
      return i;
  return -1;
}

static void slot_clear(int i)
{
  if (i < 0)
    return;
  slots[i].state = SLOT_FREE;
  while (nslots > 0 && slots[nslots - 1].state == SLOT_FREE)
    nslots = nslots - 1;
}

char tp_thread_state(pid_t pid, pid_t tid)
{
  char path[64], buf[512];
  snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0)
    return 0;
  buf[n] = 0;
  char *rp = strrchr(buf, ')');
  if (!rp || rp[1] != ' ')
    return 0;
  return rp[2];
}

/* True when an EPERM or ESRCH means the thread is exiting or gone rather
 * than that we may not trace it. */
static int thread_gone(pid_t pid, pid_t tid)
{
  char s = tp_thread_state(pid, tid);
  return s == 0 || s == 'Z' || s == 'X' || s == 'x';
}

/* Waits for the stop (or exit) of a seized thread; 1 stopped, 0 exited,
 * -1 timed out, -2 not our child any more. */
static int wait_stop(pid_t tid, uint64_t timeout_ns, tp_attach_result *r)
{
  int armed = 0;
  timer_fired = 0;
  for (;;) {
    int st = 0;
    pid_t w = waitpid(tid, &st, __WALL | (armed || !have_timer ? 0 : WNOHANG));
    if (w == 0) {
      /* Not stopped yet: arm the timer and block. */
      struct itimerspec its;
      memset(&its, 0, sizeof its);
      its.it_value.tv_sec = (time_t)(timeout_ns / 1000000000ull);
      its.it_value.tv_nsec = (long)(timeout_ns % 1000000000ull);
      if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
        its.it_value.tv_nsec = 1;
      timer_settime(wait_timer, 0, &its, NULL);
      armed = 1;
      continue;
    }
    if (w < 0) {
      if (errno == EINTR) {
        if (timer_fired)
          return -1;
        continue;
      }
      return -2;
    }
    if (armed) {
      struct itimerspec off;
      memset(&off, 0, sizeof off);
      timer_settime(wait_timer, 0, &off, NULL);
    }
    if (WIFEXITED(st) || WIFSIGNALED(st))
      return 0;
    if (!WIFSTOPPED(st))
      continue;
    int sig = WSTOPSIG(st);
    int event = st >> 16;
    if (event == PTRACE_EVENT_STOP) {
      if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
        r->group_stopped = 1;
    } else if (event == 0 && sig != SIGTRAP) {
      /* A signal-delivery-stop: the signal was on its way; hand it back. */
      r->pending_signal = sig;
    }
    return 1;
  }
}

void tp_attach(pid_t pid, pid_t tid, uint64_t timeout_ns, tp_attach_result *r)
{
  memset(r, 0, sizeof *r);
  /* A listed thread that exited may have had its id reused by another
   * process: seize only ids still in the target's task directory. */
  char task[64];
  snprintf(task, sizeof task, "/proc/%d/task/%d", (int)pid, (int)tid);
  if (access(task, F_OK) != 0) {
    r->outcome = TP_ATTACH_GONE;
    return;
  }
  /* Record first, so an interrupt between seize and record cannot miss it. */
  int slot = slot_add(tid);
  if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) != 0) {
    int e = errno;
    slot_clear(slot);
    if ((e == ESRCH || e == EPERM) && thread_gone(pid, tid)) {
      r->outcome = TP_ATTACH_GONE;
    } else {
      r->outcome = TP_ATTACH_FAILED;
      r->err = e;
    }
    return;
  }
  /* ESRCH here means the thread is exiting; waitpid reports (and reaps) it.
   * A thread interrupted in nanosleep, clock_nanosleep or a timed futex
   * wait resumes through restart_syscall, which /proc/<tid>/syscall shows
   * from then on; its stack and remaining timeout are unchanged. */
  (void)ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
  int w = wait_stop(tid, timeout_ns, r);
  if (w == 1) {
    if (slot >= 0)
      slots[slot].state = SLOT_STOPPED;
    r->outcome = TP_ATTACH_STOPPED;
  } else if (w == -1) {
    /* Still seized (typically uninterruptible sleep, state D): it stops when
     * it leaves the kernel, and tp_release_pending detaches it. A ptrace
     * seize cannot be cancelled on a running thread, so one that stays in D
     * past that wait stays seized until the next collection or our exit. */
    r->outcome = TP_ATTACH_TIMEOUT;
  } else {
    slot_clear(slot);
    r->outcome = TP_ATTACH_GONE;
  }
}

int tp_detach(pid_t tid, int signal)
{
  int rc = 0;
  if (ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)signal) != 0) {
    rc = -errno;
    /* A thread killed while stopped: reap its exit if it is there. */
    int st;
    (void)waitpid(tid, &st, __WALL | WNOHANG);
  }
  slot_clear(slot_find(tid));
  return rc;
}

int tp_release_pending(uint64_t timeout_ns)
{
  /* One deadline for all of them, so many stuck threads cannot add up. */
  uint64_t end = tp_now_ns() + timeout_ns;
  int left = 0;
  for (int i = 0; i < nslots; i++) {
    if (slots[i].state != SLOT_PENDING)
      continue;
    pid_t tid = slots[i].tid;
    tp_attach_result r;
    memset(&r, 0, sizeof r);
    uint64_t now = tp_now_ns();
    int w = wait_stop(tid, now < end ? end - now : 0, &r);
    if (w == 1) {
      (void)ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)r.pending_signal);
      slot_clear(i);
    } else if (w == -1) {
      left++;
    } else {
      slot_clear(i);
    }
  }
  return left;
}

/* Async-signal-safe: ptrace and the slot array only. */
static void detach_all(void)
{
  for (int i = 0; i < nslots; i++)
    if (slots[i].state != SLOT_FREE) {
      (void)ptrace(PTRACE_DETACH, slots[i].tid, NULL, NULL);
      if (slots[i].state == SLOT_STOPPED)
        slots[i].state = SLOT_FREE;
    }
}

static void on_interrupt(int sig)
{
  int saved = errno;
  pid_t tracer = atomic_load(&tracer_tid);
  if (tracer != 0 && tracer != my_tid()) {
    /* ptrace requests work only from the tracer: let it handle this. */
    syscall(SYS_tgkill, getpid(), tracer, sig);
    errno = saved;
    return;
  }
  detach_all();
  if (atomic_load(&graceful_mode) && atomic_exchange(&interrupted_sig, sig) == 0) {
    errno = saved;
    return;
  }
  _exit(128 + sig);
}

void tp_install_signal_handlers(int graceful)
{
  atomic_store(&graceful_mode, graceful ? 1 : 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaddset(&sa.sa_mask, SIGHUP);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  /* A parent may have spawned us with these blocked (they would then stay
   * pending forever); threads created later inherit this mask. */
  pthread_sigmask(SIG_UNBLOCK, &sa.sa_mask, NULL);
}

int tp_interrupted(void) { return atomic_load(&interrupted_sig); }

int tp_ptrace_probe(pid_t tid)
{
  struct user_regs_struct regs;
  return ptrace(PTRACE_GETREGS, tid, NULL, &regs) == 0 ? 0 : errno;
}

int tp_read_probe(pid_t pid, uint64_t addr)
{
  char c;
  struct iovec local = {&c, 1};
  struct iovec remote = {(void *)(uintptr_t)addr, 1};
  return process_vm_readv(pid, &local, 1, &remote, 1, 0) == 1 ? 0 : errno;
}
