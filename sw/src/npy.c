/* SPDX-License-Identifier: Apache-2.0 */
/* See npy.h. Format: numpy/lib/format.py (magic, version 1.0, little-endian u16 header length, a Python
 * dict literal padded with spaces to a multiple of 64 bytes and ended by '\n', then the raw data). */
#include "flexor/npy.h"
#include "flexor/fsutil.h"
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
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

/* After "'key':" in the header dict h; NULL when the key is missing. */
static const char *after_key(const char *h, const char *key)
{
    char k[32];
    snprintf(k, sizeof k, "'%s'", key);
    const char *p = strstr(h, k);
    if (!p) return NULL;
    p += strlen(k);
    while (*p == ' ') p++;
    if (*p++ != ':') return NULL;
    while (*p == ' ') p++;
    return p;
}

/* The header's shape tuple "(a, b, )" into shape[]; the number of dimensions, or -1. */
static int parse_shape(const char *p, uint64_t *shape)
{
    if (!p || *p++ != '(') return -1;
    int n = 0;
    for (;;) {
        while (*p == ' ') p++;
        if (*p == ')') return n;
        if (!isdigit((unsigned char)*p) || n == FX_NPY_MAX_DIMS) return -1;
        char *end;
        errno = 0;
        unsigned long long v = strtoull(p, &end, 10);
        if (errno) return -1;
        shape[n++] = v;
        p = end;
        while (*p == ' ') p++;
        if (*p == ',') p++;
        else if (*p != ')') return -1;
    }
}

static int same_descr(const char *got, const char *want)
{
    if (!strcmp(got, want)) return 1;
    /* a one-byte type has no byte order: NumPy writes '|', other writers '<' */
    return elem_size(want) == 1 && got[0] == '<' && !strcmp(got + 1, want + 1);
}

/* Checks the header of an .npy image in buf; returns the data offset, or 0 with err set. */
static size_t check_header(const char *path, const unsigned char *buf, size_t len, const char *descr,
                           const uint64_t *shape, int ndim, char *err, size_t errlen)
{
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) || buf[6] < 1 || buf[6] > 3) {
        snprintf(err, errlen, "%s: not a NumPy .npy file", path);
        return 0;
    }
    const size_t pre = buf[6] == 1 ? 10 : 12;
    size_t hlen = buf[8] | (size_t)buf[9] << 8;
    if (pre == 12) hlen |= len >= 12 ? (size_t)buf[10] << 16 | (size_t)buf[11] << 24 : 0;
    if (len < pre || hlen > 65536 || pre + hlen > len) {
        snprintf(err, errlen, "%s: truncated .npy header", path);
        return 0;
    }
    char h[65537], got[16] = "";
    memcpy(h, buf + pre, hlen);
    h[hlen] = 0;
    const char *d = after_key(h, "descr"), *fo = after_key(h, "fortran_order");
    if (d && *d == '\'') sscanf(d + 1, "%15[^']", got);
    for (char *c = got; *c; c++) /* quoted in the message: keep it one printable line */
        if (!isprint((unsigned char)*c)) *c = '?';
    if (!same_descr(got, descr)) {
        snprintf(err, errlen, "%s: array type '%s', expected '%s'", path, got, descr);
        return 0;
    }
    if (!fo || strncmp(fo, "False", 5)) {
        snprintf(err, errlen, "%s: not a C-order array (fortran_order must be False)", path);
        return 0;
    }
    uint64_t sh[FX_NPY_MAX_DIMS];
    const int n = parse_shape(after_key(h, "shape"), sh);
    int same = n == ndim;
    for (int i = 0; same && i < n; i++) same = sh[i] == shape[i];
    if (!same) {
        char want[128] = "", have[128] = "";
        for (int i = 0; i < ndim; i++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%" PRIu64, i ? ", " : "", shape[i]);
        for (int i = 0; i < n; i++)
            snprintf(have + strlen(have), sizeof have - strlen(have), "%s%" PRIu64, i ? ", " : "", sh[i]);
        snprintf(err, errlen, "%s: shape (%s), expected (%s)", path, n < 0 ? "unreadable" : have, want);
        return 0;
    }
    return pre + hlen;
}

int fx_npy_read(const char *path, const char *descr, const uint64_t *shape, int ndim, void **data, char *err,
                size_t errlen)
{
    const size_t esz = elem_size(descr);
    uint64_t count = 1;
    for (int i = 0; i < ndim; i++) count = shape[i] && count > UINT64_MAX / shape[i] ? UINT64_MAX : count * shape[i];
    if (!esz || ndim < 0 || ndim > FX_NPY_MAX_DIMS || count > (SIZE_MAX - (1u << 18)) / esz) {
        snprintf(err, errlen, "%s: unsupported array type %s or size", path, descr);
        return -1;
    }
    /* never more than the header limit plus the expected data: a huge file is refused unread */
    size_t len = 0;
    unsigned char *buf = (unsigned char *)fx_read_file(path, 12 + 65536 + count * esz, &len);
    if (!buf) {
        snprintf(err, errlen, "%s: %s", path, errno == EFBIG ? "larger than the expected array" : strerror(errno));
        return -1;
    }
    const size_t off = check_header(path, buf, len, descr, shape, ndim, err, errlen);
    if (off && len - off != count * esz)
        snprintf(err, errlen, "%s: %zu data bytes, expected %" PRIu64, path, len - off, count * esz);
    if (!off || len - off != count * esz) {
        free(buf);
        return -1;
    }
    *data = malloc(count * esz + 1);
    if (!*data) {
        free(buf);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    memcpy(*data, buf + off, count * esz);
    free(buf);
    return 0;
}
