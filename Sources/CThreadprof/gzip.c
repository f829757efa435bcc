/* gzip compression and decompression through zlib. */
#include "tp_gzip.h"

#include <stdlib.h>
#include <zlib.h>

int tp_gzip(const uint8_t *in, size_t len, uint8_t **out, size_t *out_len)
{
    z_stream zs = {0};
    /* 15 window bits + 16 selects the gzip wrapper instead of zlib's. */
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    size_t cap = deflateBound(&zs, (uLong)len) + 32;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        deflateEnd(&zs);
        return -1;
    }
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)len;
    zs.next_out = buf;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    if (rc != Z_STREAM_END) {
        deflateEnd(&zs);
        free(buf);
        return -1;
    }
    *out_len = zs.total_out;
    *out = buf;
    deflateEnd(&zs);
    return 0;
}

int tp_gunzip(const uint8_t *in, size_t len, size_t limit, uint8_t **out, size_t *out_len)
{
    z_stream zs = {0};
    if (inflateInit2(&zs, 15 + 16) != Z_OK)
        return -1;
    size_t cap = len * 4 + 64, used = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        inflateEnd(&zs);
        return -1;
    }
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)len;
    for (;;) {
        zs.next_out = buf + used;
        zs.avail_out = (uInt)(cap - used);
        int rc = inflate(&zs, Z_NO_FLUSH);
        used = cap - zs.avail_out;
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            goto fail;
        if (zs.avail_in == 0 && rc == Z_BUF_ERROR)
            goto fail; /* truncated input */
        if (zs.avail_out == 0) {
            if (cap >= limit)
                goto fail;
            size_t ncap = cap * 2 > limit ? limit : cap * 2;
            uint8_t *nbuf = realloc(buf, ncap);
            if (!nbuf)
                goto fail;
            buf = nbuf;
            cap = ncap;
        }
    }
    inflateEnd(&zs);
    *out = buf;
    *out_len = used;
    return 0;
fail:
    inflateEnd(&zs);
    free(buf);
    return -1;
}
