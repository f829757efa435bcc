/* .debug_frame fallback: Debian's libunwind is built without .debug_frame
 * support, so a module that has only .debug_frame (no .eh_frame_hdr) gets
 * its CIEs and FDEs rewritten in .eh_frame form, plus a sorted search
 * table, served to libunwind through access_mem from an unmapped address
 * near the module (a REMOTE_TABLE, the format .eh_frame_hdr lookups use). */
#include "tp_unwind_internal.h"

/* FIXME: only the module's own .debug_frame is read: not one in a separate
 * debug file (build-id or .gnu_debuglink), not a compressed section, not
 * 64-bit DWARF, and not an .eh_frame lacking .eh_frame_hdr; such modules
 * end stacks with "no-cfi". Reading them needs the symbolizer's debug-file
 * search and zlib here. */

#include <elf.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint8_t *p;
  size_t len, cap;
  int oom;
} buf;

static void put(buf *b, const void *src, size_t n)
{
  if (b->oom)
    return;
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 4096;
    while (cap < b->len + n)
      cap *= 2;
    uint8_t *np = realloc(b->p, cap);
    if (!np) {
      b->oom = 1;
      return;
    }
    b->p = np;
    b->cap = cap;
  }
  memcpy(b->p + b->len, src, n);
  b->len += n;
}

static void put_u8(buf *b, uint8_t v) { put(b, &v, 1); }
static void put_u32(buf *b, uint32_t v) { put(b, &v, 4); }
static void put_u64(buf *b, uint64_t v) { put(b, &v, 8); }

static void put_uleb(buf *b, uint64_t v)
{
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    put_u8(b, (uint8_t)(byte | (v ? 0x80 : 0)));
  } while (v);
}

static void put_sleb(buf *b, int64_t v)
{
  for (;;) {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    int done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    put_u8(b, (uint8_t)(byte | (done ? 0 : 0x80)));
    if (done)
      return;
  }
}

static int get_uleb(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
  uint64_t v = 0;
  for (int shift = 0; *p < end && shift < 64; shift += 7) {
    uint8_t byte = *(*p)++;
    v |= (uint64_t)(byte & 0x7f) << shift;
    if (!(byte & 0x80)) {
      *out = v;
      return 1;
    }
  }
  return 0;
}

static int get_sleb(const uint8_t **p, const uint8_t *end, int64_t *out)
{
  int64_t v = 0;
  int shift = 0;
  while (*p < end && shift < 64) {
    uint8_t byte = *(*p)++;
    v |= (int64_t)(byte & 0x7f) << shift;
    shift += 7;
    if (!(byte & 0x80)) {
      if (shift < 64 && (byte & 0x40))
        v |= -((int64_t)1 << shift);
      *out = v;
      return 1;
    }
  }
  return 0;
}

/* Pads an entry begun at `start` (its length word) to 8 bytes with
 * DW_CFA_nop and fills in the length. */
static void finish_entry(buf *b, size_t start)
{
  while ((b->len - start) % 8)
    put_u8(b, 0);
  if (!b->oom) {
    uint32_t len = (uint32_t)(b->len - start - 4);
    memcpy(b->p + start, &len, 4);
  }
}

typedef struct {
  uint64_t start;
  uint64_t fde; /* offset of the FDE in the output */
} entry;

static int by_start(const void *a, const void *b)
{
  uint64_t x = ((const entry *)a)->start, y = ((const entry *)b)->start;
  return x < y ? -1 : x > y;
}

static const Elf64_Shdr *find_section(const uint8_t *img, size_t size, const char *name)
{
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
  if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > size ||
      (size - eh->e_shoff) / sizeof(Elf64_Shdr) < eh->e_shnum || eh->e_shstrndx >= eh->e_shnum)
    return NULL;
  const Elf64_Shdr *sh = (const Elf64_Shdr *)(img + eh->e_shoff);
  const Elf64_Shdr *strs = &sh[eh->e_shstrndx];
  if (strs->sh_offset > size || size - strs->sh_offset < strs->sh_size)
    return NULL;
  for (int i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_name >= strs->sh_size)
      continue;
    const char *n = (const char *)img + strs->sh_offset + sh[i].sh_name;
    size_t room = strs->sh_size - sh[i].sh_name;
    if (strnlen(n, room) < room && strcmp(n, name) == 0)
      return &sh[i];
  }
  return NULL;
}

/* The module's load bias: runtime address minus link-time address. */
static int load_bias(const tp_module *m, uint64_t *bias)
{
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)m->image;
  if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > m->size ||
      (m->size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
    return 0;
  const Elf64_Phdr *ph = (const Elf64_Phdr *)((const uint8_t *)m->image + eh->e_phoff);
  for (int i = 0; i < eh->e_phnum; i++)
    if (ph[i].p_type == PT_LOAD && ph[i].p_offset <= m->offset &&
        m->offset < ph[i].p_offset + ph[i].p_filesz) {
      *bias = m->start - (ph[i].p_vaddr + (m->offset - ph[i].p_offset));
      return 1;
    }
  return 0;
}

/* An unmapped, page-aligned address range of `len` bytes within 1 GiB of
 * `near`, or 0. */
static uint64_t free_range(const tp_unwinder *u, uint64_t near, size_t len)
{
  uint64_t need = (len + TP_PAGE * 2) & ~(uint64_t)(TP_PAGE - 1);
  for (size_t i = 0; i + 1 < u->nmaps; i++) {
    uint64_t lo = u->maps[i].end + TP_PAGE, hi = u->maps[i + 1].start;
    if (hi <= lo || hi - lo < need)
      continue;
    uint64_t dist = lo > near ? lo - near : near - lo;
    if (dist < (1ull << 30))
      return lo;
  }
  return 0;
}

/* Rewrites one CIE; returns its output offset or -1 when unusable. */
static long convert_cie(buf *out, const uint8_t *p, const uint8_t *end)
{
  uint8_t version = *p++;
  if (version != 1 && version != 3 && version != 4)
    return -1;
  const char *aug = (const char *)p;
  size_t room = (size_t)(end - p);
  if (strnlen(aug, room) >= room || aug[0] != 0)
    return -1; /* augmented .debug_frame CIEs are not produced by gcc/clang */
  p++;
  if (version == 4) {
    if (end - p < 2 || p[0] != 8 || p[1] != 0)
      return -1;
    p += 2;
  }
  uint64_t code_align, ra;
  int64_t data_align;
  if (!get_uleb(&p, end, &code_align) || !get_sleb(&p, end, &data_align))
    return -1;
  if (version == 1) {
    if (p >= end)
      return -1;
    ra = *p++;
  } else if (!get_uleb(&p, end, &ra) || ra > 255) {
    return -1;
  }
  size_t start = out->len;
  put_u32(out, 0);
  put_u32(out, 0); /* CIE id in .eh_frame */
  put_u8(out, 1);
  put(out, "zR", 3);
  put_uleb(out, code_align);
  put_sleb(out, data_align);
  put_u8(out, (uint8_t)ra);
  put_uleb(out, 1);
  put_u8(out, 0x04); /* DW_EH_PE_udata8, absolute */
  put(out, p, (size_t)(end - p));
  finish_entry(out, start);
  return (long)start;
}

int tp_debugframe_build(tp_unwinder *u, tp_module *m)
{
  uint64_t bias;
  if (m->size < sizeof(Elf64_Ehdr) || !load_bias(m, &bias))
    return 0;
  const Elf64_Shdr *sec = find_section(m->image, m->size, ".debug_frame");
  if (!sec || sec->sh_type == SHT_NOBITS || (sec->sh_flags & SHF_COMPRESSED) ||
      sec->sh_offset > m->size || m->size - sec->sh_offset < sec->sh_size)
    return 0;
  const uint8_t *base = (const uint8_t *)m->image + sec->sh_offset;
  size_t size = sec->sh_size;

  /* Output offsets of converted CIEs, by input offset (-1: unusable). */
  long *cie_at = malloc((size / 4 + 1) * sizeof *cie_at);
  entry *ents = malloc((size / 24 + 1) * sizeof *ents);
  buf eh = {0};
  size_t nents = 0;
  if (!cie_at || !ents)
    goto fail;
  for (size_t i = 0; i <= size / 4; i++)
    cie_at[i] = -2; /* not seen yet */

  /* Two passes: CIEs first, so FDEs can point back to them. */
  for (int pass = 0; pass < 2; pass++) {
    size_t off = 0;
    while (size - off >= 8) {
      uint32_t len, id;
      memcpy(&len, base + off, 4);
      if (len == 0xffffffffu || len < 4 || len > size - off - 4)
        break; /* 64-bit DWARF or damaged: stop here */
      memcpy(&id, base + off + 4, 4);
      const uint8_t *body = base + off + 8, *end = base + off + 4 + len;
      if (pass == 0 && id == 0xffffffffu) {
        cie_at[off / 4] = (off % 4 == 0) ? convert_cie(&eh, body, end) : -1;
      } else if (pass == 1 && id != 0xffffffffu && id % 4 == 0 && id < size &&
                 cie_at[id / 4] >= 0 && end - body >= 16) {
        uint64_t pc, range;
        memcpy(&pc, body, 8);
        memcpy(&range, body + 8, 8);
        if (range != 0) {
          size_t start = eh.len;
          put_u32(&eh, 0);
          put_u32(&eh, (uint32_t)(start + 4 - (size_t)cie_at[id / 4]));
          put_u64(&eh, pc + bias);
          put_u64(&eh, range);
          put_uleb(&eh, 0);
          put(&eh, body + 16, (size_t)(end - body - 16));
          finish_entry(&eh, start);
          ents[nents].start = pc + bias;
          ents[nents].fde = start;
          nents++;
        }
      }
      off += 4 + len;
    }
  }
  put_u32(&eh, 0); /* terminator */
  if (eh.oom || nents == 0)
    goto fail;
  qsort(ents, nents, sizeof *ents, by_start);

  size_t table_len = nents * 8;
  size_t total = table_len + eh.len;
  uint64_t at = free_range(u, m->start, total);
  if (!at)
    goto fail;
  uint8_t *synth = malloc(total);
  if (!synth)
    goto fail;
  uint64_t lo = ents[0].start, hi = 0;
  for (size_t i = 0; i < nents; i++) {
    int64_t ip_off = (int64_t)(ents[i].start - at);
    int64_t fde_off = (int64_t)(table_len + ents[i].fde);
    if (ip_off < INT32_MIN || ip_off > INT32_MAX) {
      free(synth);
      goto fail;
    }
    int32_t pair[2] = {(int32_t)ip_off, (int32_t)fde_off};
    memcpy(synth + i * 8, pair, 8);
    uint64_t range;
    memcpy(&range, eh.p + ents[i].fde + 16, 8);
    if (ents[i].start + range > hi)
      hi = ents[i].start + range;
  }
  memcpy(synth + table_len, eh.p, eh.len);
  m->synth = synth;
  m->synth_len = total;
  m->synth_addr = at;
  u->nsynth++;
  memset(&m->edi.di_cache, 0, sizeof m->edi.di_cache);
  m->edi.di_cache.format = UNW_INFO_FORMAT_REMOTE_TABLE;
  m->edi.di_cache.start_ip = lo;
  m->edi.di_cache.end_ip = hi;
  m->edi.di_cache.gp = 0;
  m->edi.di_cache.u.rti.segbase = at;
  m->edi.di_cache.u.rti.table_data = at;
  m->edi.di_cache.u.rti.table_len = table_len / sizeof(unw_word_t);
  free(eh.p);
  free(ents);
  free(cie_at);
  return 1;
fail:
  free(eh.p);
  free(ents);
  free(cie_at);
  return 0;
}
