/* gzip compression through zlib, for pprof's profile.proto.gz. */
#ifndef TP_GZIP_H
#define TP_GZIP_H

#include <stddef.h>
#include <stdint.h>

/* Compresses `len` bytes at `in` into a gzip member. On success returns 0
 * and sets *out (free it with free()) and *out_len; returns -1 when zlib or
 * malloc fails. */
int tp_gzip(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len);

/* Inflates a gzip member. Returns 0 and sets *out / *out_len, or -1 for
 * data that is not gzip, is corrupt, or inflates past `limit` bytes. */
int tp_gunzip(const uint8_t *in, size_t len, size_t limit, uint8_t **out, size_t *out_len);

#endif
