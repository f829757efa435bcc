/* The C side of threadprof: every call Swift cannot make safely or at all
 * (variadic ptrace, libunwind's macro-named API, libdw, zlib) lives behind
 * the small functions declared in the headers included here. */
#ifndef CTHREADPROF_H
#define CTHREADPROF_H

#include "tp_demangle.h"
#include "tp_gzip.h"
#include "tp_symbols.h"
#include "tp_trace.h"
#include "tp_unwind.h"

#endif
