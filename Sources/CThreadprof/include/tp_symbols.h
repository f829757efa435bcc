/* ELF symbol, line and inline lookup through elfutils' libdwfl, one ELF
 * file at a time, with separate debug files found by build-id or
 * .gnu_debuglink under caller-given directories (never debuginfod). */
#ifndef TP_SYMBOLS_H
#define TP_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

typedef struct tp_symfile tp_symfile;

/* One frame a lookup produced: inlined functions first, the function that
 * contains the address last. Strings stay valid until tp_symfile_close. */
typedef struct {
  const char *name; /* raw (mangled, maybe versioned) name, or NULL */
  uint64_t offset;  /* from the symbol's start, when has_offset */
  int has_offset;
  const char *file; /* source file, or NULL */
  int line;         /* 0 when unknown */
} tp_symframe;

/* Opens the ELF file behind `fd` (dup'ed; the caller keeps its fd).
 * `module_dir` is where sibling debuglink files may be (may be NULL);
 * `module_path` is the file's path as the target sees it, for
 * <debug_dir>/<dir of module_path>/<debuglink>. `debug_dirs` has `ndirs`
 * entries. Returns NULL when the file is not a readable ELF file. */
tp_symfile *tp_symfile_open(int fd, const char *module_dir, const char *module_path,
                            const char *const *debug_dirs, size_t ndirs);

/* Like tp_symfile_open for an ELF image in memory (the vdso). */
tp_symfile *tp_symfile_open_image(const uint8_t *image, size_t len, const char *name);

void tp_symfile_close(tp_symfile *sf);

/* The GNU build-id in lower-case hex, or NULL. */
const char *tp_symfile_build_id(const tp_symfile *sf);

/* Where names come from: "symtab", "dynsym", "minidebuginfo",
 * "debuglink:<path>", "build-id:<path>" or "none". */
const char *tp_symfile_source(const tp_symfile *sf);

/* A warning from opening (a rejected debug file), or NULL. */
const char *tp_symfile_warning(const tp_symfile *sf);

/* The virtual address the byte at file offset `off` is loaded at, for a
 * mapping of `len` bytes from `off` (executable or not), from the PT_LOAD
 * headers. Returns 0 and sets *vaddr, or -1. */
int tp_symfile_vaddr_of_offset(const tp_symfile *sf, uint64_t off, uint64_t len, int executable,
                               uint64_t *vaddr);

/* Looks up the ELF virtual address `vaddr`: up to `max` frames, inlined
 * ones first. Returns how many were filled (0: nothing known). Thread-safe. */
int tp_symfile_lookup(tp_symfile *sf, uint64_t vaddr, tp_symframe *out, int max);

#endif
