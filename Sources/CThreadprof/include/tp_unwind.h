/* Remote stack unwinding with libunwind: one address space per target
 * process, cached memory reads and unwind tables, raw instruction pointers
 * out. libunwind's own headers stay inside tp_unwind.c. */
#ifndef TP_UNWIND_H
#define TP_UNWIND_H

#include <stdint.h>
#include <sys/types.h>

typedef struct tp_unwinder tp_unwinder;

/* One frame: the instruction pointer and how to look it up. */
typedef struct tp_frame {
  uint64_t ip;
  /* 1 for the kernel's signal-return trampoline frame. */
  uint8_t signal_frame;
  /* 1 when `ip` is an exact PC (innermost frame, or the frame a signal
   * interrupted); 0 for a return address. */
  uint8_t exact_pc;
} tp_frame;

enum tp_thread_status {
  TP_THREAD_OK = 0,          /* frames were read (maybe truncated) */
  TP_THREAD_GONE = 1,        /* the thread exited before or while read */
  TP_THREAD_FAILED = 2,      /* could not attach or read registers; see err */
  TP_THREAD_TIMEOUT = 3,     /* the thread never stopped within the bound */
  TP_THREAD_INTERRUPTED = 4, /* a graceful interrupt arrived */
};

typedef struct tp_thread_result {
  int status;
  int err;
  int nframes;
  /* 1 when the thread was group-stopped (it stays stopped). */
  int group_stopped;
  /* Seize-to-detach time of this thread, in nanoseconds. */
  uint64_t pause_ns;
  /* Why the stack ends early ("max-depth", "timeout", "loop", "no-cfi", or
   * a libunwind error); empty when it ends normally. */
  char truncated[64];
} tp_thread_result;

/* Creates an unwinder for process `pid`: a libunwind remote address space
 * with global caching. NULL with errno set on failure. */
tp_unwinder *tp_unwinder_create(pid_t pid);
void tp_unwinder_destroy(tp_unwinder *u);

/* Starts a new collection: /proc/<pid>/maps is read again on first need,
 * and unwind data of modules that went away is dropped. */
void tp_unwinder_begin(tp_unwinder *u);

/* Stops thread `tid` (tp_attach), unwinds at most `max_depth` frames into
 * `frames`, and releases it (tp_detach). `timeout_ns` bounds the whole
 * thread. Must run on the tracer thread (tp_tracer_begin). */
void tp_unwind_thread(tp_unwinder *u, pid_t tid, int max_depth, uint64_t timeout_ns,
                      tp_frame *frames, tp_thread_result *r);

/* Unwinds a thread that is already stopped by tp_attach; the caller
 * detaches it. Stops at `deadline_ns` (tp_now_ns clock). */
void tp_unwind_stopped(tp_unwinder *u, pid_t tid, int max_depth, uint64_t deadline_ns,
                       tp_frame *frames, tp_thread_result *r);

#endif
