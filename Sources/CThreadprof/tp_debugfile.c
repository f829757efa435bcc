/* Separate debug files: found by build-id or .gnu_debuglink, accepted only
 * when their build-id (or, without one, the debuglink CRC) matches. */
#include "tp_symfile_internal.h"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

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
void tp_elf_build_id(Elf *elf, char *out, size_t cap)
{
  const void *bits = NULL;
  ssize_t len = dwelf_elf_gnu_build_id(elf, &bits);
  out[0] = 0;
  if (len > 0)
    hex(bits, (int)len, out, cap);
}

/* Which symbol tables the file itself carries. */
const char *tp_own_symbols(Elf *elf)
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
    tp_elf_build_id(elf, id, sizeof id);
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

void tp_find_debug(struct tp_symfile *sf, Elf *elf, const struct stat *main_st,
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


/* The build-id (hex) in a .gnu_debugaltlink section: a file name, NUL,
 * then the build-id bytes. "" when there is none. */
static void altlink_build_id(Elf *elf, char *out, size_t cap)
{
  size_t shstrndx;
  out[0] = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0)
    return;
  for (Elf_Scn *scn = elf_nextscn(elf, NULL); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == NULL)
      continue;
    const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
    if (name == NULL || strcmp(name, ".gnu_debugaltlink") != 0)
      continue;
    Elf_Data *data = elf_getdata(scn, NULL);
    if (data == NULL || data->d_buf == NULL)
      return;
    const unsigned char *bytes = data->d_buf;
    const unsigned char *nul = memchr(bytes, 0, data->d_size);
    if (nul == NULL || (size_t)(nul + 1 - bytes) >= data->d_size)
      return;
    size_t len = data->d_size - (size_t)(nul + 1 - bytes);
    static const char digits[] = "0123456789abcdef";
    size_t n = 0;
    for (size_t i = 0; i < len && n + 2 < cap; i++) {
      out[n++] = digits[nul[1 + i] >> 4];
      out[n++] = digits[nul[1 + i] & 15];
    }
    out[n] = 0;
    return;
  }
}

int tp_altlink_matches(const char *debug_path, int alt_fd)
{
  char want[160], have[160];
  int fd = open(debug_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return 0;
  Elf *debug = elf_begin(fd, ELF_C_READ_MMAP, NULL);
  want[0] = 0;
  if (debug != NULL) {
    altlink_build_id(debug, want, sizeof want);
    elf_end(debug);
  }
  close(fd);
  Elf *alt = elf_begin(alt_fd, ELF_C_READ_MMAP, NULL);
  have[0] = 0;
  if (alt != NULL) {
    tp_elf_build_id(alt, have, sizeof have);
    elf_end(alt);
  }
  return want[0] != 0 && strcmp(want, have) == 0;
}
