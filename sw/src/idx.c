/* SPDX-License-Identifier: Apache-2.0 */
/* IDX datasets (IDX3 images, IDX1 labels), gzip or plain: zlib's gzread reads both. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/idx.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define IDX3_MAGIC 0x00000803u
#define IDX1_MAGIC 0x00000801u

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
    snprintf(err, errlen, "%s: %s", path, what);
    return -1;
}

/* Reads exactly len bytes; returns the number actually read (short on EOF), -1 on a zlib error. */
static long long read_full(gzFile f, uint8_t *dst, size_t len)
{
    size_t got = 0;
    while (got < len) {
        unsigned chunk = len - got > (1u << 30) ? (1u << 30) : (unsigned)(len - got);
        int r = gzread(f, dst + got, chunk);
        if (r < 0) return -1;
        if (r == 0) break;
        got += (size_t)r;
    }
    return (long long)got;
}

/* Reads want bytes into a buffer that grows with what actually arrives (doubling from 1 MiB), so a header
 * claiming 2^32 images in a 100-byte file costs 1 MiB, not 3 TiB. 0 with *got bytes (short on EOF),
 * -1 on a zlib error, -2 out of memory. */
static int read_grow(gzFile f, size_t want, uint8_t **out, size_t *got)
{
    size_t cap = 0, n = 0;
    uint8_t *b = NULL;
    *out = NULL;
    *got = 0;
    while (n < want) {
        if (n == cap) {
            size_t nc = cap ? cap * 2 : (1u << 20);
            if (nc > want) nc = want;
            uint8_t *nb = realloc(b, nc + 1);
            if (!nb) { free(b); return -2; }
            b = nb; cap = nc;
        }
        long long r = read_full(f, b + n, cap - n);
        if (r < 0) { free(b); return -1; }
        n += (size_t)r;
        if (n < cap) break; /* end of file */
    }
    if (!b && !(b = malloc(1))) return -2;
    *out = b;
    *got = n;
    return 0;
}

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static gzFile open_idx(const char *path, char *err, size_t errlen)
{
    gzFile f = gzopen(path, "rb");
    if (!f) snprintf(err, errlen, "%s: cannot open: %s", path, errno ? strerror(errno) : "out of memory");
    return f;
}

static const char *gz_problem(gzFile f)
{
    int code;
    const char *msg = gzerror(f, &code);
    return code ? msg : "read error";
}

int fx_dataset_load_files(const char *images, const char *labels, uint32_t limit, fx_dataset *d, char *err,
                          size_t errlen)
{
    memset(d, 0, sizeof *d);
    char msg[256];
    uint8_t h[16];
    gzFile f = open_idx(images, err, errlen);
    if (!f) return -1;
    long long r = read_full(f, h, 16);
    if (r < 0) { snprintf(msg, sizeof msg, "%s", gz_problem(f)); gzclose(f); return fail(err, errlen, images, msg); }
    if (r < 16) { gzclose(f); return fail(err, errlen, images, "truncated IDX3 header"); }
    if (be32(h) != IDX3_MAGIC) {
        gzclose(f);
        snprintf(msg, sizeof msg, "bad magic 0x%08x (expected IDX3 images 0x%08x)", be32(h), IDX3_MAGIC);
        return fail(err, errlen, images, msg);
    }
    uint32_t n = be32(h + 4), rows = be32(h + 8), cols = be32(h + 12);
    if (!rows || !cols || rows > 4096 || cols > 4096) {
        gzclose(f);
        snprintf(msg, sizeof msg, "absurd image size %ux%u", rows, cols);
        return fail(err, errlen, images, msg);
    }
    if (n == 0) { gzclose(f); return fail(err, errlen, images, "no images (the IDX3 header says 0)"); }
    uint32_t use = limit && limit < n ? limit : n;
    size_t bytes = (size_t)use * rows * cols, got;
    int rr = read_grow(f, bytes, &d->images, &got);
    if (rr || got < bytes) {
        if (rr == -1) snprintf(msg, sizeof msg, "%s", gz_problem(f));
        else if (rr == -2) snprintf(msg, sizeof msg, "out of memory");
        else snprintf(msg, sizeof msg, "truncated: header says %u images of %ux%u, data ends after %zu bytes", n, rows, cols, got);
        gzclose(f); fx_dataset_free(d);
        return fail(err, errlen, images, msg);
    }
    gzclose(f);

    f = open_idx(labels, err, errlen);
    if (!f) { fx_dataset_free(d); return -1; }
    r = read_full(f, h, 8);
    if (r < 8 || be32(h) != IDX1_MAGIC || be32(h + 4) != n) {
        if (r < 0) snprintf(msg, sizeof msg, "%s", gz_problem(f));
        else if (r < 8) snprintf(msg, sizeof msg, "truncated IDX1 header");
        else if (be32(h) != IDX1_MAGIC) snprintf(msg, sizeof msg, "bad magic 0x%08x (expected IDX1 labels 0x%08x)", be32(h), IDX1_MAGIC);
        else snprintf(msg, sizeof msg, "label count %u does not match the image count %u of %s", be32(h + 4), n, images);
        gzclose(f); fx_dataset_free(d);
        return fail(err, errlen, labels, msg);
    }
    rr = read_grow(f, use, &d->labels, &got);
    if (rr || got < use) {
        if (rr == -1) snprintf(msg, sizeof msg, "%s", gz_problem(f));
        else if (rr == -2) snprintf(msg, sizeof msg, "out of memory");
        else snprintf(msg, sizeof msg, "truncated: header says %u labels, data ends after %zu", n, got);
        gzclose(f); fx_dataset_free(d);
        return fail(err, errlen, labels, msg);
    }
    gzclose(f);
    d->n = use; d->rows = rows; d->cols = cols;
    for (uint32_t i = 0; i < use; i++)
        if (d->labels[i] >= d->n_classes) d->n_classes = d->labels[i] + 1u;
    return 0;
}

/* DIR/NAME.gz if it exists, else DIR/NAME. */
static void pick(char *out, size_t len, const char *dir, const char *split, const char *kind)
{
    snprintf(out, len, "%s/%s-%s-ubyte.gz", dir, split, kind);
    if (access(out, R_OK) == 0) return;
    snprintf(out, len, "%s/%s-%s-ubyte", dir, split, kind);
}

int fx_dataset_load(const char *dir, const char *split, uint32_t limit, fx_dataset *d, char *err, size_t errlen)
{
    char im[4096], lb[4096];
    if (!dir) dir = FX_DEFAULT_DATA_DIR;
    if (strcmp(split, "train") && strcmp(split, "t10k")) {
        memset(d, 0, sizeof *d);
        snprintf(err, errlen, "%s: unknown split '%s' (train or t10k)", dir, split);
        return -1;
    }
    pick(im, sizeof im, dir, split, "images-idx3");
    pick(lb, sizeof lb, dir, split, "labels-idx1");
    return fx_dataset_load_files(im, lb, limit, d, err, errlen);
}

void fx_dataset_free(fx_dataset *d)
{
    free(d->images);
    free(d->labels);
    memset(d, 0, sizeof *d);
}
