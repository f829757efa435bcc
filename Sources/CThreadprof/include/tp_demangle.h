/* Demangling through the runtimes that already know how: libstdc++'s
 * __cxa_demangle and the Swift runtime's swift_demangle. */
#ifndef TP_DEMANGLE_H
#define TP_DEMANGLE_H

/* Demangles an Itanium C++ name. Returns a malloc'ed string or NULL. */
char *tp_demangle_cxx(const char *mangled);

/* Demangles a Swift name with swift_demangle found by dlsym. Returns a
 * malloc'ed string or NULL (not a Swift name, or no Swift runtime). */
char *tp_demangle_swift(const char *mangled);

#endif
