/* C++ and Swift demangling through the runtimes' own demanglers. */
#include "tp_demangle.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status);

char *tp_demangle_cxx(const char *mangled)
{
  int status = 0;
  char *out = __cxa_demangle(mangled, NULL, NULL, &status);
  if (status != 0) {
    free(out);
    return NULL;
  }
  return out;
}

typedef char *(*swift_demangle_fn)(const char *, size_t, char *, size_t *, unsigned);

char *tp_demangle_swift(const char *mangled)
{
  static swift_demangle_fn fn;
  static int looked;
  if (!__atomic_load_n(&looked, __ATOMIC_ACQUIRE)) {
    swift_demangle_fn found = (swift_demangle_fn)dlsym(RTLD_DEFAULT, "swift_demangle");
    __atomic_store_n(&fn, found, __ATOMIC_RELEASE);
    __atomic_store_n(&looked, 1, __ATOMIC_RELEASE);
  }
  swift_demangle_fn f = __atomic_load_n(&fn, __ATOMIC_ACQUIRE);
  if (f == NULL)
    return NULL;
  return f(mangled, strlen(mangled), NULL, NULL, 0);
}
