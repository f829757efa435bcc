/* Private to the unwinder's C files: the unwinder's state, the memory
 * maps and modules it caches, and libunwind's unexported DWARF helpers. */
#ifndef TP_UNWIND_INTERNAL_H
#define TP_UNWIND_INTERNAL_H

#include <libunwind.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "tp_unwind.h"

#define TP_PAGE 4096u
#define TP_NPAGES 1024u

/* One line of /proc/<pid>/maps. */
typedef struct tp_map {
  uint64_t start, end, offset, inode;
  char readable, writable, executable;
  char *path; /* NULL for anonymous mappings */
} tp_map;

/* A private mirror of libunwind 1.6's struct elf_dyn_info on x86_64 (an
 * image pointer and size, then two unw_dyn_info_t), with room to spare. */
typedef struct tp_edi {
  void *image;
  size_t size;
  unw_dyn_info_t di_cache;
  unw_dyn_info_t di_debug;
  char spare[256];
} tp_edi;

enum { TP_MOD_UNLOADED = 0, TP_MOD_TABLE = 1, TP_MOD_NONE = 2 };

/* An executable mapping of a file (or the vDSO) and its unwind table. */
typedef struct tp_module {
  uint64_t start, end, offset, inode;
  char *path;
  int state;
  int mapped;    /* image is an mmap of the file (else malloc'd) */
  int seen;      /* present in the latest maps */
  void *image;
  size_t size;
  tp_edi edi;
  /* A converted .debug_frame served from tracer memory (tp_debugframe.c). */
  uint8_t *synth;
  size_t synth_len;
  uint64_t synth_addr;
} tp_module;

typedef struct tp_page {
  uint64_t addr;
  uint64_t gen;
  int valid;
  int persistent; /* read-only file-backed: valid across threads */
  uint8_t data[TP_PAGE];
} tp_page;

struct tp_unwinder {
  pid_t pid;
  unw_addr_space_t as;
  tp_map *maps;
  size_t nmaps;
  tp_module *mods;
  size_t nmods, capmods;
  tp_page *pages;
  uint64_t gen;
  uint64_t reload_gen; /* the thread generation of the last maps reload */
  struct user_regs_struct regs;
  int noinfo; /* find_proc_info found no unwind info in this step */
  int nsynth; /* modules with a converted .debug_frame */
  uint64_t *sps;
  int capsps;
};

/* libunwind 1.6.2 exports these from libunwind-x86_64 but declares them in
 * no installed header. */
extern int _Ux86_64_dwarf_find_unwind_table(tp_edi *edi, unw_addr_space_t as, char *path,
                                            unw_word_t segbase, unw_word_t mapoff,
                                            unw_word_t ip);
extern int _Ux86_64_dwarf_search_unwind_table(unw_addr_space_t as, unw_word_t ip,
                                              unw_dyn_info_t *di, unw_proc_info_t *pi,
                                              int need_unwind_info, void *arg);

/* tp_modules.c */
int tp_maps_load(tp_unwinder *u);
void tp_maps_free(tp_unwinder *u);
const tp_map *tp_map_for(const tp_unwinder *u, uint64_t addr);
tp_module *tp_module_for_ip(tp_unwinder *u, uint64_t ip);
void tp_modules_free(tp_unwinder *u);
int tp_find_proc_info(tp_unwinder *u, uint64_t ip, unw_proc_info_t *pi, int need);

/* tp_debugframe.c: builds an .eh_frame-style copy of a module's
 * .debug_frame and its search table; 1 on success. */
int tp_debugframe_build(tp_unwinder *u, tp_module *m);

/* tp_unwind.c */
const uint8_t *tp_page_get(tp_unwinder *u, uint64_t page_addr);

#endif
