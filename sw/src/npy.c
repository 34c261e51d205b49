/* SPDX-License-Identifier: Apache-2.0 */
/* See npy.h. Format: numpy/lib/format.py (magic, version 1.0, little-endian u16 header length, a Python
 * dict literal padded with spaces to a multiple of 64 bytes and ended by '\n', then the raw data). */
#include "flexor/npy.h"
#include "flexor/fsutil.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "fx_npy_write writes the host's bytes as little-endian data"
#endif

static size_t elem_size(const char *descr)
{
    static const char *const d[] = {"|u1", "|i1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8"};
    static const size_t sz[] = {1, 1, 2, 2, 4, 4, 8, 8};
    for (size_t i = 0; i < sizeof d / sizeof *d; i++)
        if (!strcmp(descr, d[i])) return sz[i];
    return 0;
}

int fx_npy_write(const char *path, const char *descr, const uint64_t *shape, int ndim, const void *data, char *err,
                 size_t errlen)
{
    const size_t esz = elem_size(descr);
    if (!esz || ndim < 0 || ndim > FX_NPY_MAX_DIMS) {
        snprintf(err, errlen, "%s: unsupported array type %s or %d dimensions", path, descr, ndim);
        return -1;
    }
    char dict[512];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    uint64_t count = 1;
    for (int i = 0; i < ndim; i++) {
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%" PRIu64 "%s", shape[i], ndim == 1 || i + 1 < ndim ? ", " : "");
        count *= shape[i];
    }
    n += snprintf(dict + n, sizeof dict - (size_t)n, "), }");
    /* 10 bytes of preamble + dict + padding + '\n' is a multiple of 64 */
    const size_t total = ((10 + (size_t)n + 1 + 63) / 64) * 64, hlen = total - 10;
    unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};
    fx_out o;
    FILE *f = fx_out_open(&o, path, err, errlen);
    if (!f) return -1;
    fwrite(pre, 1, sizeof pre, f);
    fwrite(dict, 1, (size_t)n, f);
    for (size_t i = 10 + (size_t)n; i + 1 < total; i++) fputc(' ', f);
    fputc('\n', f);
    if (count) fwrite(data, esz, count, f);
    return fx_out_commit(&o, err, errlen); /* a short fwrite shows as ferror there */
}
