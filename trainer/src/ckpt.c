/* SPDX-License-Identifier: Apache-2.0 */
/* Checkpoints: every parameter with its optimiser state, running statistics, the epoch and the CSV
 * history, written atomically (fx_write_file: temp + fsync + rename) with a CRC, so a kill -9 loses at most one epoch. */
#include "tr.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

typedef struct { uint8_t *b; size_t n, cap; int oom; } buf_t;
static void put(buf_t *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        size_t c = b->cap ? b->cap : 1 << 16;
        while (c < b->n + n) c *= 2;
        uint8_t *nb = realloc(b->b, c);
        if (!nb) { b->oom = 1; return; }
        b->b = nb; b->cap = c;
    }
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
static void put_u64(buf_t *b, uint64_t v) { put(b, &v, 8); }
static void put_str(buf_t *b, const char *s) { put_u64(b, strlen(s)); put(b, s, strlen(s)); }

typedef struct { const uint8_t *b; size_t n, at; int bad; } rd_t;
static void get(rd_t *r, void *p, size_t n)
{
    if (r->bad || r->at + n > r->n) { r->bad = 1; memset(p, 0, n); return; }
    memcpy(p, r->b + r->at, n);
    r->at += n;
}
static uint64_t get_u64(rd_t *r) { uint64_t v; get(r, &v, 8); return v; }

#define CK_MAGIC 0x4B435846u /* "FXCK" */

int tr_ckpt_save(const char *path, tr_net *n, const tr_opt *opt, uint32_t epoch, const char *fingerprint,
                 const char *history, char *err, size_t errlen)
{
    buf_t b = {0};
    tr_param *ps[TR_MAX_PARAMS];
    uint32_t np = tr_net_params(n, ps, TR_MAX_PARAMS);
    uint32_t hdr[2] = {CK_MAGIC, 1};
    put(&b, hdr, sizeof hdr);
    put_u64(&b, epoch); put_u64(&b, opt->t);
    put_str(&b, fingerprint); put_str(&b, history);
    put_u64(&b, np);
    for (uint32_t i = 0; i < np; i++) {
        put_u64(&b, ps[i]->n);
        put(&b, ps[i]->v, ps[i]->n * 4); put(&b, ps[i]->m1, ps[i]->n * 4); put(&b, ps[i]->m2, ps[i]->n * 4);
    }
    for (uint32_t i = 0; i < n->n_layers; i++) {
        put(&b, &n->L[i].act_ema, 4);
        if (n->L[i].bn) { put(&b, n->L[i].bn_mean, n->L[i].out_c * 4); put(&b, n->L[i].bn_var, n->L[i].out_c * 4); }
    }
    uint32_t crc = (uint32_t)crc32(0, b.b, (uInt)b.n);
    put(&b, &crc, 4);
    if (b.oom) { free(b.b); snprintf(err, errlen, "%s: out of memory", path); return -1; }
    int rc = fx_write_file(path, b.b, b.n, err, errlen);
    free(b.b);
    return rc;
}

int tr_ckpt_load(const char *path, tr_net *n, tr_opt *opt, uint32_t *epoch, const char *fingerprint, char *history,
                 size_t histlen, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) { snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno)); return -1; }
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = len > 4 ? malloc((size_t)len) : NULL;
    if (!data || fread(data, 1, (size_t)len, f) != (size_t)len) {
        fclose(f); free(data);
        snprintf(err, errlen, "%s: truncated or unreadable checkpoint", path);
        return -1;
    }
    fclose(f);
    uint32_t crc;
    memcpy(&crc, data + len - 4, 4);
    rd_t r = {data, (size_t)len - 4, 0, 0};
    uint32_t hdr[2];
    get(&r, hdr, sizeof hdr);
    if (crc != (uint32_t)crc32(0, data, (uInt)(len - 4)) || hdr[0] != CK_MAGIC || hdr[1] != 1) {
        free(data);
        snprintf(err, errlen, "%s: not a trainer checkpoint (bad magic, version or CRC)", path);
        return -1;
    }
    *epoch = (uint32_t)get_u64(&r);
    opt->t = get_u64(&r);
    uint64_t fl = get_u64(&r);
    if (r.bad || fl > r.n - r.at || (fingerprint && (fl != strlen(fingerprint) || memcmp(r.b + r.at, fingerprint, fl)))) {
        free(data);
        snprintf(err, errlen, "%s: checkpoint is of a different run (options differ); remove it or change --ckpt", path);
        return -1;
    }
    r.at += fl;
    uint64_t hl = get_u64(&r);
    if (r.bad || hl > r.n - r.at || hl >= histlen) { free(data); snprintf(err, errlen, "%s: corrupt history", path); return -1; }
    memcpy(history, r.b + r.at, hl);
    history[hl] = 0;
    r.at += hl;
    tr_param *ps[TR_MAX_PARAMS];
    uint32_t np = tr_net_params(n, ps, TR_MAX_PARAMS);
    if (get_u64(&r) != np) r.bad = 1;
    for (uint32_t i = 0; i < np && !r.bad; i++) {
        if (get_u64(&r) != ps[i]->n) { r.bad = 1; break; }
        get(&r, ps[i]->v, ps[i]->n * 4); get(&r, ps[i]->m1, ps[i]->n * 4); get(&r, ps[i]->m2, ps[i]->n * 4);
    }
    for (uint32_t i = 0; i < n->n_layers && !r.bad; i++) {
        get(&r, &n->L[i].act_ema, 4);
        if (n->L[i].bn) { get(&r, n->L[i].bn_mean, n->L[i].out_c * 4); get(&r, n->L[i].bn_var, n->L[i].out_c * 4); }
    }
    free(data);
    if (r.bad || r.at != r.n) { snprintf(err, errlen, "%s: checkpoint does not match the network", path); return -1; }
    return 0;
}

/* The same without the options check (tests compare checkpoints of identical runs). */
int tr_ckpt_load_any(const char *path, tr_net *n, tr_opt *opt, uint32_t *epoch, char *history, size_t histlen, char *err,
                     size_t errlen)
{
    return tr_ckpt_load(path, n, opt, epoch, NULL, history, histlen, err, errlen);
}
