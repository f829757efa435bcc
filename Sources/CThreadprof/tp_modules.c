/* The target's memory map and per-module unwind tables for the unwinder. */
#include "tp_unwind_internal.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* Reads a whole /proc file into a NUL-terminated malloc'd buffer. */
static char *read_all(const char *path, size_t *len)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (!buf)
      break;
    if (cap - n < 4096) {
      char *nb = realloc(buf, cap * 2);
      if (!nb) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = nb;
      cap *= 2;
    }
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    n += (size_t)r;
  }
  close(fd);
  if (buf) {
    buf[n] = 0;
    *len = n;
  }
  return buf;
}

void tp_maps_free(tp_unwinder *u)
{
  for (size_t i = 0; i < u->nmaps; i++)
    free(u->maps[i].path);
  free(u->maps);
  u->maps = NULL;
  u->nmaps = 0;
}

static void module_release(tp_unwinder *u, tp_module *m)
{
  if (m->synth)
    u->nsynth--;
  if (m->image) {
    if (m->mapped)
      munmap(m->image, m->size);
    else
      free(m->image);
  }
  free(m->synth);
  free(m->path);
  memset(m, 0, sizeof *m);
}

void tp_modules_free(tp_unwinder *u)
{
  for (size_t i = 0; i < u->nmods; i++)
    module_release(u, &u->mods[i]);
  free(u->mods);
  u->mods = NULL;
  u->nmods = u->capmods = 0;
}

/* Parses /proc/<pid>/maps lines: "start-end perms offset dev inode path". */
int tp_maps_load(tp_unwinder *u)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/maps", (int)u->pid);
  size_t len = 0;
  char *text = read_all(path, &len);
  if (!text)
    return -errno;
  tp_maps_free(u);
  size_t cap = 256;
  u->maps = calloc(cap, sizeof *u->maps);
  char *line = text;
  while (u->maps && line && *line) {
    char *next = strchr(line, '\n');
    if (next)
      *next++ = 0;
    unsigned long long s, e, off, ino;
    char perms[8];
    int pos = 0;
    if (sscanf(line, "%llx-%llx %7s %llx %*s %llu %n", &s, &e, perms, &off, &ino, &pos) >= 5) {
      if (u->nmaps == cap) {
        tp_map *nm = realloc(u->maps, cap * 2 * sizeof *nm);
        if (!nm)
          break;
        u->maps = nm;
        cap *= 2;
      }
      tp_map *m = &u->maps[u->nmaps++];
      memset(m, 0, sizeof *m);
      m->start = s;
      m->end = e;
      m->offset = off;
      m->inode = ino;
      m->readable = perms[0] == 'r';
      m->writable = perms[1] == 'w';
      m->executable = perms[2] == 'x';
      const char *p = pos > 0 ? line + pos : "";
      while (*p == ' ')
        p++;
      m->path = *p ? strdup(p) : NULL;
    }
    line = next;
  }
  free(text);
  /* Drop modules whose mapping went away (dlclose): their cached unwind
   * state and code pages are stale. */
  int changed = 0;
  for (size_t i = 0; i < u->nmods; i++) {
    tp_module *m = &u->mods[i];
    const tp_map *now = tp_map_for(u, m->start);
    m->seen = now && now->start == m->start && now->inode == m->inode &&
              now->offset == m->offset && now->executable;
    /* A converted .debug_frame sits at an address the target has since
     * mapped: rebuild it elsewhere. */
    for (size_t k = 0; m->synth && k < u->nmaps; k++)
      if (u->maps[k].start < m->synth_addr + m->synth_len && u->maps[k].end > m->synth_addr)
        m->seen = 0;
    if (!m->seen) {
      module_release(u, m);
      u->mods[i] = u->mods[--u->nmods];
      i--;
      changed = 1;
    }
  }
  if (changed) {
    unw_flush_cache(u->as, 0, 0);
    for (unsigned i = 0; i < TP_NPAGES; i++)
      u->pages[i].valid = 0;
  }
  return 0;
}

const tp_map *tp_map_for(const tp_unwinder *u, uint64_t addr)
{
  size_t lo = 0, hi = u->nmaps;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const tp_map *m = &u->maps[mid];
    if (addr < m->start)
      hi = mid;
    else if (addr >= m->end)
      lo = mid + 1;
    else
      return m;
  }
  return NULL;
}

static int enc_ok(uint8_t e)
{
  uint8_t app = e & 0x70, fmt = e & 0x0f;
  if (e == 0xff || (e & 0x80))
    return 0;
  if (app != 0x00 && app != 0x10 && app != 0x30)
    return 0;
  return fmt <= 0x04 || (fmt >= 0x09 && fmt <= 0x0c);
}

/* True when the image's .eh_frame_hdr has the one layout libunwind 1.6
 * handles; for any other table encoding it would abort() the process. */
static int eh_frame_hdr_ok(const uint8_t *img, size_t size)
{
  if (size < sizeof(Elf64_Ehdr) || memcmp(img, ELFMAG, SELFMAG) != 0)
    return 0;
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
  if (img[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
    return 0;
  if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > size ||
      (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
    return 0;
  const Elf64_Phdr *ph = (const Elf64_Phdr *)(img + eh->e_phoff);
  for (int i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != PT_GNU_EH_FRAME)
      continue;
    uint64_t off = ph[i].p_offset;
    if (off > size || size - off < 4)
      return 0;
    const uint8_t *h = img + off;
    return h[0] == 1 && enc_ok(h[1]) && enc_ok(h[2]) && h[3] == 0x3b;
  }
  return 0;
}

static int map_file(tp_unwinder *u, tp_module *m)
{
  char cand[3][4200];
  snprintf(cand[0], sizeof cand[0], "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)u->pid,
           m->start, m->end);
  snprintf(cand[1], sizeof cand[1], "/proc/%d/root%s", (int)u->pid, m->path);
  snprintf(cand[2], sizeof cand[2], "%s", m->path);
  for (int i = 0; i < 3; i++) {
    int fd = open(cand[i], O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      continue;
    struct stat st;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_ino != m->inode || st.st_size <= 0) {
      close(fd);
      continue;
    }
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
      continue;
    m->image = p;
    m->size = (size_t)st.st_size;
    m->mapped = 1;
    return 1;
  }
  return 0;
}

static int copy_vdso(tp_unwinder *u, tp_module *m)
{
  size_t len = (size_t)(m->end - m->start);
  void *buf = malloc(len);
  if (!buf)
    return 0;
  struct iovec local = {buf, len};
  struct iovec remote = {(void *)(uintptr_t)m->start, len};
  if (process_vm_readv(u->pid, &local, 1, &remote, 1, 0) != (ssize_t)len) {
    free(buf);
    return 0;
  }
  m->image = buf;
  m->size = len;
  m->mapped = 0;
  return 1;
}

static void module_load(tp_unwinder *u, tp_module *m, uint64_t ip)
{
  m->state = TP_MOD_NONE;
  int vdso = strcmp(m->path, "[vdso]") == 0;
  if (!(vdso ? copy_vdso(u, m) : map_file(u, m)))
    return;
  memset(&m->edi, 0, sizeof m->edi);
  m->edi.image = m->image;
  m->edi.size = m->size;
  m->edi.di_cache.format = -1;
  m->edi.di_debug.format = -1;
  if (eh_frame_hdr_ok(m->image, m->size) &&
      _Ux86_64_dwarf_find_unwind_table(&m->edi, u->as, m->path, m->start, m->offset, ip) > 0 &&
      m->edi.di_cache.format != -1) {
    m->state = TP_MOD_TABLE;
    return;
  }
  /* No usable .eh_frame_hdr: Debian's libunwind is built without
   * .debug_frame support, so convert that section ourselves. */
  memset(&m->edi.di_cache, 0, sizeof m->edi.di_cache);
  m->edi.di_cache.format = -1;
  if (tp_debugframe_build(u, m))
    m->state = TP_MOD_TABLE;
}

tp_module *tp_module_for_ip(tp_unwinder *u, uint64_t ip)
{
  const tp_map *map = tp_map_for(u, ip);
  if (!map && u->reload_gen != u->gen) {
    /* Code mapped after the last maps read (dlopen): read them again, at
     * most once per thread. */
    u->reload_gen = u->gen;
    tp_maps_load(u);
    map = tp_map_for(u, ip);
  }
  /* Anonymous executable memory (JIT code) has no CFI we can find: the
   * walk ends there with "no-cfi". */
  if (!map || !map->executable || !map->path)
    return NULL;
  if (map->path[0] == '[' && strcmp(map->path, "[vdso]") != 0)
    return NULL;
  for (size_t i = 0; i < u->nmods; i++) {
    tp_module *m = &u->mods[i];
    if (m->start == map->start && m->inode == map->inode && m->offset == map->offset)
      return m;
  }
  if (u->nmods == u->capmods) {
    size_t cap = u->capmods ? u->capmods * 2 : 32;
    tp_module *nm = realloc(u->mods, cap * sizeof *nm);
    if (!nm)
      return NULL;
    u->mods = nm;
    u->capmods = cap;
  }
  tp_module *m = &u->mods[u->nmods];
  memset(m, 0, sizeof *m);
  m->start = map->start;
  m->end = map->end;
  m->offset = map->offset;
  m->inode = map->inode;
  m->path = strdup(map->path);
  m->seen = 1;
  if (!m->path)
    return NULL;
  u->nmods++;
  return m;
}

int tp_find_proc_info(tp_unwinder *u, uint64_t ip, unw_proc_info_t *pi, int need)
{
  tp_module *m = tp_module_for_ip(u, ip);
  if (m && m->state == TP_MOD_UNLOADED)
    module_load(u, m, ip);
  if (!m || m->state != TP_MOD_TABLE) {
    u->noinfo = 1;
    return -UNW_ENOINFO;
  }
  int ret = _Ux86_64_dwarf_search_unwind_table(u->as, ip, &m->edi.di_cache, pi, need, u);
  if (ret == -UNW_ENOINFO)
    u->noinfo = 1;
  return ret;
}
