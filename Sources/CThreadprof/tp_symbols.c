/* Symbols, lines and inline chains for one ELF file through libdwfl. */
#include "tp_symbols.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
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
#include <zlib.h>

#define TP_MAX_LOADS 32
#define TP_TEXT 4200

struct tp_load {
  uint64_t offset, filesz, vaddr;
};

struct tp_symfile {
  pthread_mutex_t mu;
  Dwfl *dwfl;
  Dwfl_Module *mod;
  char build_id[160];
  char source[TP_TEXT];
  char warning[TP_TEXT];
  char *debug_path;      /* accepted separate debug file, or NULL */
  char *debuglink;       /* the .gnu_debuglink name, or NULL */
  size_t nloads;
  struct tp_load loads[TP_MAX_LOADS];
};

static void hex(const unsigned char *bits, int len, char *out, size_t cap)
{
  static const char digits[] = "0123456789abcdef";
  size_t n = 0;
  for (int i = 0; i < len && n + 2 < cap; i++) {
    out[n++] = digits[bits[i] >> 4];
    out[n++] = digits[bits[i] & 15];
  }
  out[n] = 0;
}

/* The build-id of an open ELF in hex ("" when it has none). */
static void elf_build_id(Elf *elf, char *out, size_t cap)
{
  const void *bits = NULL;
  ssize_t len = dwelf_elf_gnu_build_id(elf, &bits);
  out[0] = 0;
  if (len > 0)
    hex(bits, (int)len, out, cap);
}

/* Which symbol tables the file itself carries. */
static const char *own_symbols(Elf *elf)
{
  size_t shstrndx;
  int symtab = 0, dynsym = 0, mini = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0)
    return "none";
  for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == NULL)
      continue;
    const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
    if (sh.sh_type == SHT_SYMTAB && sh.sh_size > 0)
      symtab = 1;
    else if (sh.sh_type == SHT_DYNSYM && sh.sh_size > 0)
      dynsym = 1;
    else if (name && strcmp(name, ".gnu_debugdata") == 0 && sh.sh_type != SHT_NOBITS)
      mini = 1;
  }
  return symtab ? "symtab" : mini ? "minidebuginfo" : dynsym ? "dynsym" : "none";
}

static uint32_t file_crc(int fd)
{
  unsigned char buf[65536];
  uLong crc = crc32(0L, Z_NULL, 0);
  ssize_t n;
  off_t pos = 0;
  while ((n = pread(fd, buf, sizeof buf, pos)) > 0) {
    crc = crc32(crc, buf, (uInt)n);
    pos += n;
  }
  return (uint32_t)crc;
}

/* Checks a candidate debug file. Returns 1 when it belongs to the module
 * (same build-id, or the debuglink CRC when the module has no build-id),
 * 0 when there is no such file, -1 (with a warning) when it is the wrong one. */
static int check_debug(struct tp_symfile *sf, const char *path, const struct stat *main_st,
                       int use_crc, uint32_t crc)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  struct stat st;
  if (fstat(fd, &st) != 0 || (st.st_dev == main_st->st_dev && st.st_ino == main_st->st_ino)) {
    close(fd);
    return 0;
  }
  int ok = 0;
  char id[sizeof sf->build_id];
  Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
  if (elf != NULL && elf_kind(elf) == ELF_K_ELF) {
    elf_build_id(elf, id, sizeof id);
    if (sf->build_id[0] != 0) {
      ok = strcmp(id, sf->build_id) == 0 ? 1 : -1;
      if (ok < 0 && sf->warning[0] == 0)
        snprintf(sf->warning, sizeof sf->warning,
                 "debug file %s has build-id %s, not the module's %s; ignored", path,
                 id[0] ? id : "(none)", sf->build_id);
    } else if (use_crc) {
      ok = file_crc(fd) == crc ? 1 : -1;
      if (ok < 0 && sf->warning[0] == 0)
        snprintf(sf->warning, sizeof sf->warning,
                 "debug file %s does not match the module's debuglink checksum; ignored", path);
    }
  }
  if (elf)
    elf_end(elf);
  close(fd);
  return ok;
}

static int accept_debug(struct tp_symfile *sf, const char *kind, const char *path)
{
  sf->debug_path = strdup(path);
  snprintf(sf->source, sizeof sf->source, "%s:%s", kind, path);
  return 1;
}

/* Finds a separate debug file: by build-id under each debug directory,
 * then by .gnu_debuglink next to the module, in its .debug/ and under each
 * debug directory. */
static void find_debug(struct tp_symfile *sf, Elf *elf, const struct stat *main_st,
                       const char *module_dir, const char *module_path,
                       const char *const *dirs, size_t ndirs)
{
  char path[PATH_MAX];
  size_t idlen = strlen(sf->build_id);
  if (idlen > 2)
    for (size_t i = 0; i < ndirs; i++) {
      snprintf(path, sizeof path, "%s/.build-id/%.2s/%s.debug", dirs[i], sf->build_id,
               sf->build_id + 2);
      if (check_debug(sf, path, main_st, 0, 0) > 0 && accept_debug(sf, "build-id", path))
        return;
    }
  GElf_Word crc = 0;
  const char *link = dwelf_elf_gnu_debuglink(elf, &crc);
  if (link == NULL || link[0] == 0 || strchr(link, '/') != NULL)
    return;
  sf->debuglink = strdup(link);
  if (module_dir) {
    snprintf(path, sizeof path, "%s/%s", module_dir, link);
    if (check_debug(sf, path, main_st, 1, crc) > 0 && accept_debug(sf, "debuglink", path))
      return;
    snprintf(path, sizeof path, "%s/.debug/%s", module_dir, link);
    if (check_debug(sf, path, main_st, 1, crc) > 0 && accept_debug(sf, "debuglink", path))
      return;
  }
  if (module_path == NULL || module_path[0] != '/')
    return;
  const char *slash = strrchr(module_path, '/');
  int dirlen = (int)(slash - module_path);
  for (size_t i = 0; i < ndirs; i++) {
    snprintf(path, sizeof path, "%s%.*s/%s", dirs[i], dirlen, module_path, link);
    if (check_debug(sf, path, main_st, 1, crc) > 0 && accept_debug(sf, "debuglink", path))
      return;
  }
}

/* libdwfl's find_debuginfo callback: hands over the debug file chosen in
 * find_debug, or a dwz alternate file named by the debug file. Never
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
    sf->loads[sf->nloads++] = (struct tp_load){ph.p_offset, ph.p_filesz, ph.p_vaddr};
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
  elf_build_id(elf, sf->build_id, sizeof sf->build_id);
  read_loads(sf, elf);
  find_debug(sf, elf, &st, module_dir, module_path, debug_dirs, ndirs);
  if (sf->debug_path == NULL)
    snprintf(sf->source, sizeof sf->source, "%s", own_symbols(elf));
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

int tp_symfile_vaddr_of_offset(const tp_symfile *sf, uint64_t off, uint64_t *vaddr)
{
  for (size_t i = 0; i < sf->nloads; i++) {
    const struct tp_load *l = &sf->loads[i];
    /* Mappings start page-aligned, so the mapping's offset may sit just
     * below the segment's p_offset. */
    uint64_t start = l->offset & ~(uint64_t)0xfff;
    if (off >= start && off < l->offset + l->filesz) {
      *vaddr = l->vaddr - (l->offset - off);
      return 0;
    }
  }
  return -1;
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
