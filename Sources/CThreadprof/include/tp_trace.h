/* Polite ptrace: seize, interrupt, wait and detach one thread at a time,
 * plus a signal-safe record of attached threads that SIGINT, SIGTERM and
 * SIGHUP handlers release before threadprof goes away. */
#ifndef TP_TRACE_H
#define TP_TRACE_H

#include <stdint.h>
#include <sys/types.h>

/* What tp_attach found. */
enum tp_attach_outcome {
  TP_ATTACH_STOPPED = 0, /* the thread is stopped and ours until tp_detach */
  TP_ATTACH_GONE = 1,    /* the thread exited (ESRCH, exiting EPERM, waitpid exit) */
  TP_ATTACH_FAILED = 2,  /* PTRACE_SEIZE or PTRACE_INTERRUPT failed; see err */
  TP_ATTACH_TIMEOUT = 3, /* seized, but no stop came in time (D state) */
};

typedef struct tp_attach_result {
  int outcome;
  /* errno of the failing ptrace request for TP_ATTACH_FAILED. */
  int err;
  /* 1 when the thread was in (or entered) a group-stop: it stays stopped
   * after tp_detach. */
  int group_stopped;
  /* A signal caught in a signal-delivery-stop; tp_detach passes it on. */
  int pending_signal;
} tp_attach_result;

/* Makes the calling thread the tracer: only it may call tp_attach and
 * tp_detach until tp_tracer_end. Interrupt handlers running on another
 * thread forward the signal to it with tgkill. Returns 0 or -errno. */
int tp_tracer_begin(void);
void tp_tracer_end(void);

/* PTRACE_SEIZE + PTRACE_INTERRUPT + waitpid(__WALL) on thread `tid` of
 * process `pid`, waiting at most `timeout_ns` for the stop. Never sends
 * SIGSTOP. */
void tp_attach(pid_t pid, pid_t tid, uint64_t timeout_ns, tp_attach_result *result);

/* PTRACE_DETACH, passing `signal` (0 for none) back to the thread.
 * Returns 0 or -errno (ESRCH for a thread that died meanwhile). */
int tp_detach(pid_t tid, int signal);

/* Waits up to `timeout_ns` in all for threads whose stop did not come in time
 * (TP_ATTACH_TIMEOUT) and detaches them. Returns how many remain seized;
 * the kernel releases those when threadprof exits. */
int tp_release_pending(uint64_t timeout_ns);

/* Installs SIGINT, SIGTERM and SIGHUP handlers that detach every attached
 * thread. Not graceful: then _exit(128 + signal). Graceful: set the flag
 * tp_interrupted() reports and return (a second signal exits). */
void tp_install_signal_handlers(int graceful);

/* The signal that interrupted a graceful run, or 0. */
int tp_interrupted(void);

/* The thread's state letter from /proc/<pid>/task/<tid>/stat, or 0 when
 * the file is gone. */
char tp_thread_state(pid_t pid, pid_t tid);

/* Returns the errno of a harmless ptrace request on a thread we do not
 * trace (PTRACE_GETREGS): ESRCH normally, EPERM or ENOSYS when a seccomp
 * filter forbids ptrace. */
int tp_ptrace_probe(pid_t tid);

/* process_vm_readv of one byte at `addr`: 0, or the errno. */
int tp_read_probe(pid_t pid, uint64_t addr);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t tp_now_ns(void);

#endif
