/* SPDX-License-Identifier: Apache-2.0 */
/* See digest.h. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/digest.h"
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

void fx_digest_init(fx_digest *d)
{
    d->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    d->adler = (uint32_t)adler32(0L, Z_NULL, 0);
    d->size = 0;
}

void fx_digest_add(fx_digest *d, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n) { /* zlib takes uInt lengths */
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        d->crc = (uint32_t)crc32(d->crc, b, k);
        d->adler = (uint32_t)adler32(d->adler, b, k);
        d->size += k;
        b += k;
        n -= k;
    }
}

void fx_digest_add_str(fx_digest *d, const char *s) { fx_digest_add(d, s, strlen(s) + 1); }

int fx_digest_add_file(fx_digest *d, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    unsigned char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) fx_digest_add(d, buf, n);
    int bad = ferror(f);
    int e = errno;
    fclose(f);
    if (bad) { errno = e ? e : EIO; return -1; }
    return 0;
}

void fx_digest_hex(const fx_digest *d, char out[17])
{
    /* the size is folded in so that equal CRC and Adler of different lengths still differ */
    uint32_t hi = d->crc ^ (uint32_t)(d->size * 0x9E3779B1u), lo = d->adler ^ (uint32_t)(d->size >> 32);
    snprintf(out, 17, "%08x%08x", hi, lo);
}

int fx_digest_add_named_file(fx_digest *d, const char *name, const char *path)
{
    fx_digest f;
    char hex[17];
    fx_digest_init(&f);
    if (fx_digest_add_file(&f, path)) return -1;
    fx_digest_hex(&f, hex);
    fx_digest_add_str(d, name);
    fx_digest_add_str(d, hex);
    return 0;
}

void fx_digest_file_hex(const char *path, char out[17])
{
    fx_digest d;
    fx_digest_init(&d);
    if (fx_digest_add_file(&d, path)) snprintf(out, 17, "missing");
    else fx_digest_hex(&d, out);
}

int fx_digest_rtl(const char *dir, char out[17], char *bad, size_t badlen)
{
    static const char *const pat[] = {"*.v", "*.sv", "config/*.cfg"};
    fx_digest d;
    fx_digest_init(&d);
    size_t files = 0;
    for (size_t p = 0; p < sizeof pat / sizeof pat[0]; p++) {
        char g[4096];
        if (snprintf(g, sizeof g, "%s/%s", dir, pat[p]) >= (int)sizeof g) { snprintf(bad, badlen, "%s", dir); return -1; }
        glob_t gl;
        int rc = glob(g, 0, NULL, &gl);
        if (rc == GLOB_NOMATCH) continue;
        if (rc) { snprintf(bad, badlen, "%s", g); return -1; }
        size_t skip = strlen(dir) + 1;
        for (size_t i = 0; i < gl.gl_pathc; i++) {
            if (fx_digest_add_named_file(&d, gl.gl_pathv[i] + skip, gl.gl_pathv[i])) {
                snprintf(bad, badlen, "%s", gl.gl_pathv[i]);
                globfree(&gl);
                return -1;
            }
            files++;
        }
        globfree(&gl);
    }
    if (!files) { snprintf(bad, badlen, "%s: no RTL sources", dir); return -1; }
    fx_digest_hex(&d, out);
    return 0;
}
