/* Symbols, lines and inline chains for one ELF file through libdwfl. */
#include "tp_symfile_internal.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* libdwfl's find_debuginfo callback: hands over the debug file chosen in
 * tp_find_debug, or a dwz alternate file named by the debug file. Never
 * searches anywhere else and never asks debuginfod. */
static int give_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
                          GElf_Addr base, const char *file_name, const char *debuglink_file,
                          GElf_Word debuglink_crc, char **debuginfo_file_name)
{
  (void)mod, (void)modname, (void)base, (void)debuglink_crc;
  struct tp_symfile *sf = *userdata;
  if (sf == NULL)
    return -1;
  int alt = debuglink_file != NULL &&
            (sf->debuglink == NULL || strcmp(debuglink_file, sf->debuglink) != 0) &&
            file_name != NULL && (sf->debug_path == NULL || strcmp(file_name, sf->debug_path) == 0);
  const char *path = sf->debug_path;
  char altpath[PATH_MAX];
  if (alt) {
    if (debuglink_file[0] == '/') {
      path = debuglink_file;
    } else {
      const char *slash = strrchr(file_name, '/');
      if (slash == NULL)
        return -1;
      snprintf(altpath, sizeof altpath, "%.*s/%s", (int)(slash - file_name), file_name,
               debuglink_file);
      path = altpath;
    }
  }
  if (path == NULL)
    return -1;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  /* An alternate file with another build-id than the link names would
   * lend wrong names to inlined frames: refuse it (libdw then goes on
   * without it). */
  if (fd >= 0 && alt && !tp_altlink_matches(file_name, fd)) {
    close(fd);
    return -1;
  }
  if (fd >= 0 && debuginfo_file_name != NULL)
    *debuginfo_file_name = strdup(path);
  return fd;
}

static const Dwfl_Callbacks callbacks = {
  .find_elf = NULL,
  .find_debuginfo = give_debuginfo,
  .section_address = dwfl_offline_section_address,
  .debuginfo_path = NULL,
};

static void read_loads(struct tp_symfile *sf, Elf *elf)
{
  size_t n = 0;
  if (elf_getphdrnum(elf, &n) != 0)
    return;
  for (size_t i = 0; i < n && sf->nloads < TP_MAX_LOADS; i++) {
    GElf_Phdr ph;
    if (gelf_getphdr(elf, (int)i, &ph) == NULL || ph.p_type != PT_LOAD)
      continue;
    sf->loads[sf->nloads++] =
        (struct tp_load){ph.p_offset, ph.p_filesz, ph.p_memsz, ph.p_vaddr, ph.p_flags};
  }
}

tp_symfile *tp_symfile_open(int fd, const char *module_dir, const char *module_path,
                            const char *const *debug_dirs, size_t ndirs)
{
  elf_version(EV_CURRENT);
  struct stat st;
  if (fstat(fd, &st) != 0)
    return NULL;
  int own = dup(fd);
  if (own < 0)
    return NULL;
  Elf *elf = elf_begin(own, ELF_C_READ_MMAP, NULL);
  if (elf == NULL || elf_kind(elf) != ELF_K_ELF) {
    if (elf)
      elf_end(elf);
    close(own);
    return NULL;
  }
  struct tp_symfile *sf = calloc(1, sizeof *sf);
  if (sf == NULL) {
    elf_end(elf);
    close(own);
    return NULL;
  }
  pthread_mutex_init(&sf->mu, NULL);
  tp_elf_build_id(elf, sf->build_id, sizeof sf->build_id);
  read_loads(sf, elf);
  tp_find_debug(sf, elf, &st, module_dir, module_path, debug_dirs, ndirs);
  if (sf->debug_path == NULL)
    snprintf(sf->source, sizeof sf->source, "%s", tp_own_symbols(elf));
  elf_end(elf);

  sf->dwfl = dwfl_begin(&callbacks);
  if (sf->dwfl != NULL) {
    dwfl_report_begin(sf->dwfl);
    /* libdwfl owns `own` from here and closes it in dwfl_end. Base 0 with
     * add_p_vaddr: module addresses are the file's own virtual addresses. */
    sf->mod = dwfl_report_elf(sf->dwfl, module_path ? module_path : "module",
                              module_path ? module_path : "module", own, 0, true);
    dwfl_report_end(sf->dwfl, NULL, NULL);
  }
  if (sf->mod == NULL) {
    if (sf->dwfl)
      dwfl_end(sf->dwfl);
    else
      close(own);
    sf->dwfl = NULL;
    return sf;
  }
  void **slot = NULL;
  dwfl_module_info(sf->mod, &slot, NULL, NULL, NULL, NULL, NULL, NULL);
  if (slot)
    *slot = sf;
  return sf;
}

tp_symfile *tp_symfile_open_image(const uint8_t *image, size_t len, const char *name)
{
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0)
    return NULL;
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, image + done, len - done);
    if (n <= 0) {
      close(fd);
      return NULL;
    }
    done += (size_t)n;
  }
  tp_symfile *sf = tp_symfile_open(fd, NULL, name, NULL, 0);
  close(fd);
  return sf;
}

void tp_symfile_close(tp_symfile *sf)
{
  if (sf == NULL)
    return;
  if (sf->dwfl)
    dwfl_end(sf->dwfl);
  free(sf->debug_path);
  free(sf->debuglink);
  pthread_mutex_destroy(&sf->mu);
  free(sf);
}

const char *tp_symfile_build_id(const tp_symfile *sf)
{
  return sf->build_id[0] ? sf->build_id : NULL;
}

const char *tp_symfile_source(const tp_symfile *sf) { return sf->source; }

const char *tp_symfile_warning(const tp_symfile *sf)
{
  return sf->warning[0] ? sf->warning : NULL;
}

int tp_symfile_vaddr_of_offset(const tp_symfile *sf, uint64_t off, uint64_t len, int executable,
                               uint64_t *vaddr)
{
  /* Linkers that do not pad segments to pages (lld) put one file page in
   * two segments, mapped twice; the mapping's length and permission pick
   * the segment it really maps. */
  int best = -1, best_score = -1;
  for (size_t i = 0; i < sf->nloads; i++) {
    const struct tp_load *l = &sf->loads[i];
    /* Mappings start page-aligned, so the mapping's offset may sit just
     * below the segment's p_offset. */
    uint64_t start = l->offset & ~(uint64_t)0xfff;
    if (off < start || off >= l->offset + l->filesz)
      continue;
    uint64_t room = (l->offset - start) + l->memsz;
    int fits = (off - start) + len <= ((room + 0xfff) & ~(uint64_t)0xfff);
    int same_x = ((l->flags & PF_X) != 0) == (executable != 0);
    int score = 2 * same_x + fits;
    if (score > best_score) {
      best = (int)i;
      best_score = score;
    }
  }
  if (best < 0)
    return -1;
  const struct tp_load *l = &sf->loads[best];
  *vaddr = l->vaddr - (l->offset - off);
  return 0;
}

/* The name of a function DIE, following abstract_origin/specification:
 * the linkage name when there is one (to demangle), else DW_AT_name. */
static const char *die_name(Dwarf_Die *die)
{
  Dwarf_Attribute attr;
  const char *name = NULL;
  if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) != NULL ||
      dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr) != NULL)
    name = dwarf_formstring(&attr);
  if (name == NULL && dwarf_attr_integrate(die, DW_AT_name, &attr) != NULL)
    name = dwarf_formstring(&attr);
  return name;
}

/* The call site of an inlined_subroutine DIE: DW_AT_call_file/line. */
static void call_site(Dwarf_Die *cu, Dwarf_Die *die, const char **file, int *line)
{
  Dwarf_Attribute attr;
  Dwarf_Word value;
  *file = NULL;
  *line = 0;
  if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &value) == 0)
    *line = (int)value;
  Dwarf_Files *files;
  size_t nfiles;
  if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &value) == 0 &&
      dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && value < nfiles)
    *file = dwarf_filesrc(files, value, NULL, NULL);
}

int tp_symfile_lookup(tp_symfile *sf, uint64_t vaddr, tp_symframe *out, int max)
{
  if (sf->mod == NULL || max < 1)
    return 0;
  pthread_mutex_lock(&sf->mu);
  GElf_Off off = 0;
  GElf_Sym sym;
  const char *name = dwfl_module_addrinfo(sf->mod, vaddr, &off, &sym, NULL, NULL, NULL);
  const char *file = NULL;
  int line = 0;
  /* The first line lookup loads the module's DWARF. elfutils 0.188
   * inflates every compressed debug section then, used or not: for
   * Debian's libc debug file that is ~16 MB and about a third of a
   * 1,000-thread --stacks run. Kept, since frames promise file and line. */
  Dwfl_Line *ln = dwfl_module_getsrc(sf->mod, vaddr);
  if (ln != NULL)
    file = dwfl_lineinfo(ln, NULL, &line, NULL, NULL, NULL);
  int n = 0;
  const char *subprogram = NULL;
  Dwarf_Addr bias = 0;
  Dwarf_Die *cup = dwfl_module_addrdie(sf->mod, vaddr, &bias);
  if (cup != NULL) {
    Dwarf_Die cu = *cup;
    Dwarf_Die *scopes = NULL;
    int ns = dwarf_getscopes(&cu, vaddr - bias, &scopes);
    for (int i = 0; i < ns && n < max - 1; i++) {
      int tag = dwarf_tag(&scopes[i]);
      if (tag == DW_TAG_subprogram) {
        subprogram = die_name(&scopes[i]);
        break;
      }
      if (tag != DW_TAG_inlined_subroutine)
        continue;
      out[n++] = (tp_symframe){die_name(&scopes[i]), 0, 0, file, line};
      call_site(&cu, &scopes[i], &file, &line);
    }
    free(scopes);
  }
  if (name != NULL || subprogram != NULL || file != NULL || n > 0) {
    out[n++] = (tp_symframe){name ? name : subprogram, off, name != NULL, file, line};
  }
  pthread_mutex_unlock(&sf->mu);
  return n;
}
