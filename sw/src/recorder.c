/* SPDX-License-Identifier: Apache-2.0 */
/* Forwarding and recording backends (see flexor/recorder.h). */
#include "flexor/recorder.h"
#include <stdlib.h>
#include <string.h>

int fx_words_push(fx_words *v, const uint32_t *w, size_t k)
{
    if (v->n + k > v->cap) {
        size_t c = v->cap ? v->cap : 4096;
        while (c < v->n + k) c *= 2;
        uint32_t *p = realloc(v->w, c * sizeof *p);
        if (!p) return -1;
        v->w = p, v->cap = c;
    }
    if (k) memcpy(v->w + v->n, w, k * sizeof *w);
    v->n += k;
    return 0;
}

void fx_words_free(fx_words *v)
{
    free(v->w);
    memset(v, 0, sizeof *v);
}

static fx_backend *inner_of(fx_backend *b) { return ((fx_wrap *)b->ctx)->inner; }
static int w_write(fx_backend *b, const uint32_t *w, size_t n) { return inner_of(b)->write(inner_of(b), w, n); }
static int w_read(fx_backend *b, uint32_t *w, size_t n) { return inner_of(b)->read(inner_of(b), w, n); }
static void w_counters(fx_backend *b, fx_counters *c) { inner_of(b)->counters(inner_of(b), c); }
static uint32_t w_error(fx_backend *b) { return inner_of(b)->error(inner_of(b)); }
static void w_set_taps(fx_backend *b, const fx_taps *t) { inner_of(b)->set_taps(inner_of(b), t); }
static void w_destroy(fx_backend *b) { (void)b; }

void fx_wrap_init(fx_wrap *w, const char *name, fx_backend *inner)
{
    w->inner = inner;
    w->be = (fx_backend){.name = name, .ctx = w, .write = w_write, .read = w_read, .counters = w_counters,
                         .error = w_error, .set_taps = w_set_taps, .destroy = w_destroy};
}

static int r_write(fx_backend *b, const uint32_t *w, size_t n)
{
    fx_recorder *r = b->ctx;
    if (fx_words_push(&r->cmd, w, n)) { r->failed = 1; return -1; }
    return r->wrap.inner->write(r->wrap.inner, w, n);
}

static int r_read(fx_backend *b, uint32_t *w, size_t n)
{
    fx_recorder *r = b->ctx;
    if (r->wrap.inner->read(r->wrap.inner, w, n)) return -1;
    if (fx_words_push(&r->out, w, n)) { r->failed = 1; return -1; }
    for (size_t i = 0; i < n; i++) {
        const uint32_t end = i + 1 == n;
        if (fx_words_push(&r->last, &end, 1)) { r->failed = 1; return -1; }
    }
    if (n) r->reads++;
    return 0;
}

void fx_recorder_init(fx_recorder *r, fx_backend *inner)
{
    memset(r, 0, sizeof *r);
    fx_wrap_init(&r->wrap, "recorder", inner);
    r->wrap.be.write = r_write;
    r->wrap.be.read = r_read;
}

void fx_recorder_free(fx_recorder *r)
{
    fx_words_free(&r->cmd);
    fx_words_free(&r->out);
    fx_words_free(&r->last);
}
