/* What tp_symbols.c and tp_debugfile.c share: the symbol file record and
 * the separate debug file search. Private to CThreadprof. */
#ifndef TP_SYMFILE_INTERNAL_H
#define TP_SYMFILE_INTERNAL_H

#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <pthread.h>
#include <sys/stat.h>

#include "tp_symbols.h"

#define TP_MAX_LOADS 32
#define TP_TEXT 4200

struct tp_load {
  uint64_t offset, filesz, memsz, vaddr;
  uint32_t flags;
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

/* Writes the build-id of an open ELF in hex into out ("" when none). */
void tp_elf_build_id(Elf *elf, char *out, size_t cap);

/* Which symbol tables the file itself carries: "symtab", "minidebuginfo",
 * "dynsym" or "none". */
const char *tp_own_symbols(Elf *elf);

/* Finds a separate debug file for sf (whose build_id is set): by build-id
 * under each debug directory, then by .gnu_debuglink next to the module,
 * in its .debug/ and under each debug directory. Sets debug_path, source
 * and, for a rejected candidate, warning. */
void tp_find_debug(struct tp_symfile *sf, Elf *elf, const struct stat *main_st,
                   const char *module_dir, const char *module_path,
                   const char *const *dirs, size_t ndirs);

/* True when the ELF behind `alt_fd` has the build-id that the
 * .gnu_debugaltlink section of the file at `debug_path` names. */
int tp_altlink_matches(const char *debug_path, int alt_fd);

#endif
