/* Remote unwinding with libunwind: accessors over process_vm_readv with a
 * page cache, registers from one PTRACE_GETREGS, and the bounded walk. */
#include "tp_unwind_internal.h"
#include "tp_trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>

const uint8_t *tp_page_get(tp_unwinder *u, uint64_t page_addr)
{
  tp_page *e = &u->pages[(page_addr / TP_PAGE) % TP_NPAGES];
  if (e->valid && e->addr == page_addr && (e->persistent || e->gen == u->gen))
    return e->data;
  struct iovec local = {e->data, TP_PAGE};
  struct iovec remote = {(void *)(uintptr_t)page_addr, TP_PAGE};
  if (process_vm_readv(u->pid, &local, 1, &remote, 1, 0) != (ssize_t)TP_PAGE) {
    e->valid = 0;
    return NULL;
  }
  /* Read-only file-backed pages (code, .eh_frame) stay valid across
   * threads; stacks and anything writable are read again per thread. */
  const tp_map *m = tp_map_for(u, page_addr);
  e->persistent = m && !m->writable && m->path && m->inode != 0;
  e->addr = page_addr;
  e->gen = u->gen;
  e->valid = 1;
  return e->data;
}

/* Serves reads of a module's converted .debug_frame from tracer memory. */
static int synth_read(tp_unwinder *u, uint64_t addr, unw_word_t *val)
{
  if (u->nsynth == 0)
    return 0;
  for (size_t i = 0; i < u->nmods; i++) {
    tp_module *m = &u->mods[i];
    if (m->synth && addr >= m->synth_addr && addr - m->synth_addr < m->synth_len) {
      uint64_t off = addr - m->synth_addr;
      *val = 0;
      size_t n = m->synth_len - off < 8 ? m->synth_len - off : 8;
      memcpy(val, m->synth + off, n);
      return 1;
    }
  }
  return 0;
}

static int acc_mem(unw_addr_space_t as, unw_word_t addr, unw_word_t *val, int write,
                   void *arg)
{
  (void)as;
  tp_unwinder *u = arg;
  if (write)
    return -UNW_EREADONLYREG;
  if (synth_read(u, addr, val))
    return 0;
  uint64_t off = addr % TP_PAGE, base = addr - off;
  const uint8_t *p = tp_page_get(u, base);
  if (!p)
    return -UNW_EINVAL;
  if (off <= TP_PAGE - sizeof *val) {
    memcpy(val, p + off, sizeof *val);
    return 0;
  }
  /* The word straddles two pages. */
  uint8_t tmp[sizeof *val];
  size_t first = TP_PAGE - off;
  memcpy(tmp, p + off, first);
  const uint8_t *q = tp_page_get(u, base + TP_PAGE);
  if (!q)
    return -UNW_EINVAL;
  memcpy(tmp + first, q, sizeof tmp - first);
  memcpy(val, tmp, sizeof tmp);
  return 0;
}

static int acc_reg(unw_addr_space_t as, unw_regnum_t reg, unw_word_t *val, int write,
                   void *arg)
{
  (void)as;
  const struct user_regs_struct *r = &((tp_unwinder *)arg)->regs;
  if (write)
    return -UNW_EREADONLYREG;
  switch (reg) {
  case UNW_X86_64_RAX: *val = r->rax; break;
  case UNW_X86_64_RDX: *val = r->rdx; break;
  case UNW_X86_64_RCX: *val = r->rcx; break;
  case UNW_X86_64_RBX: *val = r->rbx; break;
  case UNW_X86_64_RSI: *val = r->rsi; break;
  case UNW_X86_64_RDI: *val = r->rdi; break;
  case UNW_X86_64_RBP: *val = r->rbp; break;
  case UNW_X86_64_RSP: *val = r->rsp; break;
  case UNW_X86_64_R8: *val = r->r8; break;
  case UNW_X86_64_R9: *val = r->r9; break;
  case UNW_X86_64_R10: *val = r->r10; break;
  case UNW_X86_64_R11: *val = r->r11; break;
  case UNW_X86_64_R12: *val = r->r12; break;
  case UNW_X86_64_R13: *val = r->r13; break;
  case UNW_X86_64_R14: *val = r->r14; break;
  case UNW_X86_64_R15: *val = r->r15; break;
  case UNW_X86_64_RIP: *val = r->rip; break;
  default: return -UNW_EBADREG;
  }
  return 0;
}

static int acc_fpreg(unw_addr_space_t as, unw_regnum_t reg, unw_fpreg_t *val, int write,
                     void *arg)
{
  (void)as, (void)reg, (void)val, (void)write, (void)arg;
  return -UNW_EBADREG;
}

static int acc_find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t *pi,
                              int need, void *arg)
{
  (void)as;
  return tp_find_proc_info(arg, ip, pi, need);
}

/* DWARF table lookups hand out unwind_info from libunwind's own pool,
 * which libunwind frees itself; nothing of ours to release. */
static void acc_put_unwind_info(unw_addr_space_t as, unw_proc_info_t *pi, void *arg)
{
  (void)as, (void)pi, (void)arg;
}

static int acc_dyn_list(unw_addr_space_t as, unw_word_t *addr, void *arg)
{
  (void)as, (void)addr, (void)arg;
  return -UNW_ENOINFO;
}

static int acc_resume(unw_addr_space_t as, unw_cursor_t *c, void *arg)
{
  (void)as, (void)c, (void)arg;
  return -UNW_EINVAL;
}

static int acc_proc_name(unw_addr_space_t as, unw_word_t addr, char *buf, size_t len,
                         unw_word_t *off, void *arg)
{
  (void)as, (void)addr, (void)buf, (void)len, (void)off, (void)arg;
  return -UNW_ENOINFO;
}

static unw_accessors_t accessors = {
  .find_proc_info = acc_find_proc_info,
  .put_unwind_info = acc_put_unwind_info,
  .get_dyn_info_list_addr = acc_dyn_list,
  .access_mem = acc_mem,
  .access_reg = acc_reg,
  .access_fpreg = acc_fpreg,
  .resume = acc_resume,
  .get_proc_name = acc_proc_name,
};

tp_unwinder *tp_unwinder_create(pid_t pid)
{
  tp_unwinder *u = calloc(1, sizeof *u);
  if (!u)
    return NULL;
  u->pid = pid;
  u->pages = calloc(TP_NPAGES, sizeof *u->pages);
  u->as = unw_create_addr_space(&accessors, 0);
  if (!u->pages || !u->as) {
    tp_unwinder_destroy(u);
    errno = ENOMEM;
    return NULL;
  }
  /* A remote address space starts with caching off; global caching keeps
   * the register-state cache across threads (it is keyed by IP). */
  unw_set_caching_policy(u->as, UNW_CACHE_GLOBAL);
  unw_set_cache_size(u->as, 1024, 0);
  return u;
}

void tp_unwinder_destroy(tp_unwinder *u)
{
  if (!u)
    return;
  if (u->as)
    unw_destroy_addr_space(u->as);
  tp_modules_free(u);
  tp_maps_free(u);
  free(u->pages);
  free(u->sps);
  free(u);
}

void tp_unwinder_begin(tp_unwinder *u)
{
  /* Reading the maps here, before any thread is stopped, keeps the cost
   * out of every pause; a thread in newly mapped code reads them again. */
  u->gen++;
  tp_maps_load(u);
  u->reload_gen = u->gen;
}

/* True when `ip` is at x86_64 Linux's rt_sigreturn trampoline:
 * mov $15, %rax; syscall (48 c7 c0 0f 00 00 00 0f 05). */
static int at_sigreturn(tp_unwinder *u, uint64_t ip)
{
  unw_word_t w0 = 0, w1 = 0;
  if (acc_mem(u->as, ip, &w0, 0, u) < 0 || acc_mem(u->as, ip + 8, &w1, 0, u) < 0)
    return 0;
  return w0 == 0x0f0000000fc0c748ull && (w1 & 0xff) == 0x05;
}

static void set_reason(tp_thread_result *r, const char *text)
{
  snprintf(r->truncated, sizeof r->truncated, "%s", text);
}

void tp_unwind_stopped(tp_unwinder *u, pid_t tid, int max_depth, uint64_t deadline_ns,
                       tp_frame *frames, tp_thread_result *r)
{
  r->nframes = 0;
  r->truncated[0] = 0;
  r->status = TP_THREAD_OK;
  if (ptrace(PTRACE_GETREGS, tid, NULL, &u->regs) != 0) {
    r->err = errno;
    r->status = errno == ESRCH ? TP_THREAD_GONE : TP_THREAD_FAILED;
    return;
  }
  if (max_depth < 1)
    return;
  if (u->capsps < max_depth) {
    uint64_t *n = realloc(u->sps, (size_t)max_depth * sizeof *n);
    if (!n) {
      r->err = ENOMEM;
      r->status = TP_THREAD_FAILED;
      return;
    }
    u->sps = n;
    u->capsps = max_depth;
  }
  u->gen++;
  unw_cursor_t c;
  int ret = unw_init_remote(&c, u->as, u);
  if (ret < 0) {
    snprintf(r->truncated, sizeof r->truncated, "libunwind: %s", unw_strerror(ret));
    return;
  }
  int n = 0;
  for (;;) {
    unw_word_t ip = 0, sp = 0;
    unw_get_reg(&c, UNW_REG_IP, &ip);
    unw_get_reg(&c, UNW_REG_SP, &sp);
    if (ip == 0 && n > 0)
      break;
    for (int j = n - 1; j >= 0; j--)
      if (frames[j].ip == ip && u->sps[j] == sp) {
        set_reason(r, "loop");
        goto done;
      }
    int sig = at_sigreturn(u, ip);
    frames[n].ip = ip;
    frames[n].signal_frame = (uint8_t)sig;
    /* The frame a signal interrupted holds an exact PC, not a return
     * address: it must be looked up as is, not at ip - 1. */
    frames[n].exact_pc = (uint8_t)(n == 0 || frames[n - 1].signal_frame);
    u->sps[n] = sp;
    n++;
    if (tp_now_ns() > deadline_ns) {
      set_reason(r, "timeout");
      break;
    }
    u->noinfo = 0;
    ret = unw_step(&c);
    /* Without CFI libunwind guesses the caller from the frame pointer (or
     * calls the stack ended); only a signal frame's fixed layout is
     * trusted there. */
    if (u->noinfo && !sig) {
      set_reason(r, "no-cfi");
      break;
    }
    if (ret == 0)
      break;
    if (ret < 0) {
      snprintf(r->truncated, sizeof r->truncated, "libunwind: %s", unw_strerror(ret));
      break;
    }
    /* libunwind reports a signal frame after stepping across it (from its
     * CFI's "S" augmentation); that covers trampolines other than glibc's. */
    if (unw_is_signal_frame(&c) > 0)
      frames[n - 1].signal_frame = 1;
    if (n == max_depth) {
      set_reason(r, "max-depth");
      break;
    }
  }
done:
  r->nframes = n;
}

void tp_unwind_thread(tp_unwinder *u, pid_t tid, int max_depth, uint64_t timeout_ns,
                      tp_frame *frames, tp_thread_result *r)
{
  memset(r, 0, sizeof *r);
  uint64_t t0 = tp_now_ns();
  tp_attach_result a;
  tp_attach(u->pid, tid, timeout_ns, &a);
  switch (a.outcome) {
  case TP_ATTACH_GONE: r->status = TP_THREAD_GONE; return;
  case TP_ATTACH_FAILED: r->status = TP_THREAD_FAILED; r->err = a.err; return;
  case TP_ATTACH_TIMEOUT: r->status = TP_THREAD_TIMEOUT; return;
  default: break;
  }
  r->group_stopped = a.group_stopped;
  if (tp_interrupted()) {
    tp_detach(tid, a.pending_signal);
    r->status = TP_THREAD_INTERRUPTED;
  } else {
    tp_unwind_stopped(u, tid, max_depth, t0 + timeout_ns, frames, r);
    tp_detach(tid, a.pending_signal);
    r->group_stopped = a.group_stopped;
  }
  r->pause_ns = tp_now_ns() - t0;
}
