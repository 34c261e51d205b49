/* SPDX-License-Identifier: Apache-2.0 */
#include "tapbook.h"
#include "flexor/recorder.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SEEN_REC = 1, SEEN_CHK = 2 };

void fx_tapbook_init(fx_tapbook *tb, uint32_t lanes)
{
    memset(tb, 0, sizeof *tb);
    tb->lanes = lanes;
}

void fx_tapbook_free(fx_tapbook *tb)
{
    for (size_t i = 0; i < tb->cap_runs; i++) {
        fx_tap_run *r = &tb->runs[i];
        free(r->dec), free(r->psum), free(r->acc), free(r->seen_c), free(r->seen_a);
        free(r->gat.ab), free(r->gat.bytes), free(r->wr.ab), free(r->wr.bytes);
    }
    free(tb->runs);
    memset(tb, 0, sizeof *tb);
}

int fx_tapbook_layer(const fx_tapbook *tb, const fx_run_desc *d)
{
    if (!tb->plan) return -1;
    for (uint32_t l = 0; l < tb->n_layers; l++)
        if (tb->plan->w_base[l] == d->w_base && tb->plan->p_base[l] == d->p_base) return (int)l;
    return -1;
}

static void diverge(fx_tapbook *tb, const char *what, uint32_t n, uint32_t m, uint32_t plane, uint32_t chunk,
                    int64_t expected, int64_t actual)
{
    if (tb->first.set) return;
    fx_divergence *d = &tb->first;
    d->set = 1;
    snprintf(d->what, sizeof d->what, "%s", what);
    size_t ri = tb->mode == FX_TB_CHECK ? (tb->cur ? tb->cur - 1 : 0) : (tb->n_runs ? tb->n_runs - 1 : 0);
    d->run = (uint32_t)ri;
    d->layer = ri < tb->n_runs ? fx_tapbook_layer(tb, &tb->runs[ri].d) : -1;
    d->n = n, d->m = m, d->plane = plane, d->chunk = chunk;
    d->cycle = tb->cycle && tb->mode == FX_TB_CHECK ? tb->cycle(tb->cycle_user) : UINT64_MAX;
    d->expected = expected, d->actual = actual;
}

void fx_tapbook_rewind(fx_tapbook *tb, int mode)
{
    tb->mode = mode;
    tb->cur = 0;
    if (mode == FX_TB_RECORD) tb->n_runs = 0;
}

static int grow(void **p, size_t *cap, size_t want, size_t elem)
{
    if (want <= *cap) return 0;
    void *q = realloc(*p, want * elem);
    if (!q) return -1;
    *p = q;
    *cap = want;
    return 0;
}

static void begin_run(fx_tapbook *tb, const fx_run_desc *d)
{
    size_t n_chunk = (size_t)d->N * d->M * d->q * d->ch, n_acc = (size_t)d->N * d->M * d->q;
    /* Only an erroneous RUN (which taps nothing) gets this large: record it as empty. */
    if (n_chunk > (1u << 27) || d->q > 64) n_chunk = n_acc = 0;
    if (tb->mode == FX_TB_CHECK) {
        if (tb->cur >= tb->n_runs) {
            tb->cur++;
            diverge(tb, "extra RUN", 0, 0, 0, UINT32_MAX, (int64_t)tb->n_runs, (int64_t)tb->cur);
            return;
        }
        fx_tap_run *r = &tb->runs[tb->cur++];
        if (memcmp(&r->d, d, sizeof *d)) diverge(tb, "RUN descriptor", 0, 0, 0, UINT32_MAX, r->d.M, d->M);
        for (size_t i = 0; i < r->n_chunk; i++) r->seen_c[i] &= SEEN_REC;
        for (size_t i = 0; i < r->n_acc; i++) r->seen_a[i] &= SEEN_REC;
        r->last_key_c = r->last_key_a = -1;
        r->gat.next = r->wr.next = 0;
        return;
    }
    if (tb->n_runs == tb->cap_runs) {
        size_t cap = tb->cap_runs ? 2 * tb->cap_runs : 16;
        fx_tap_run *nr = realloc(tb->runs, cap * sizeof *nr);
        if (!nr) return;
        memset(nr + tb->cap_runs, 0, (cap - tb->cap_runs) * sizeof *nr);
        tb->runs = nr, tb->cap_runs = cap;
    }
    fx_tap_run *r = &tb->runs[tb->n_runs];
    size_t cc = r->cap_chunk, ca = r->cap_acc;
    if (grow((void **)&r->dec, &cc, n_chunk, sizeof *r->dec) ||
        (cc = r->cap_chunk, grow((void **)&r->psum, &cc, n_chunk, sizeof *r->psum)) ||
        (cc = r->cap_chunk, grow((void **)&r->seen_c, &cc, n_chunk, 1)) ||
        grow((void **)&r->acc, &ca, n_acc, sizeof *r->acc) ||
        (ca = r->cap_acc, grow((void **)&r->seen_a, &ca, n_acc, 1))) {
        fprintf(stderr, "csim: out of memory recording taps\n");
        exit(2);
    }
    if (n_chunk > r->cap_chunk) r->cap_chunk = n_chunk;
    if (n_acc > r->cap_acc) r->cap_acc = n_acc;
    r->d = *d;
    r->n_chunk = n_chunk, r->n_acc = n_acc;
    r->gat.n = r->wr.n = r->gat.next = r->wr.next = 0;
    if (n_chunk) memset(r->seen_c, 0, n_chunk);
    if (n_acc) memset(r->seen_a, 0, n_acc);
    tb->n_runs++;
}

static fx_tap_run *active(fx_tapbook *tb)
{
    if (tb->mode == FX_TB_CHECK) return tb->cur && tb->cur <= tb->n_runs ? &tb->runs[tb->cur - 1] : NULL;
    return tb->n_runs ? &tb->runs[tb->n_runs - 1] : NULL;
}

static void on_chunk(void *user, uint32_t col, uint32_t m, uint32_t plane, uint32_t chunk, uint32_t dec, int32_t psum)
{
    fx_tapbook *tb = user;
    fx_tap_run *r = active(tb);
    const char *who = tb->mode == FX_TB_CHECK ? "" : " (C model)";
    char what[48];
    if (!r) {
        snprintf(what, sizeof what, "psum tap outside a RUN%s", who);
        diverge(tb, what, col, m, plane, chunk, 0, psum);
        return;
    }
    const fx_run_desc *d = &r->d;
    if (col >= d->N || m >= d->M || plane >= d->q || chunk >= d->ch) {
        snprintf(what, sizeof what, "psum tap index out of range%s", who);
        diverge(tb, what, col, m, plane, chunk, 0, psum);
        return;
    }
    size_t i = (((size_t)col * d->M + m) * d->q + plane) * d->ch + chunk;
    if (tb->mode == FX_TB_RECORD) {
        if (r->seen_c[i]) diverge(tb, "duplicate psum tap (C model)", col, m, plane, chunk, r->psum[i], psum);
        r->dec[i] = dec, r->psum[i] = psum, r->seen_c[i] = SEEN_REC;
        return;
    }
    uint32_t L = tb->lanes, G = (d->M + L - 1) / L;
    const uint64_t rank = fx_run_desc_col_rank(d, col); /* a RUNX with pool 2 walks the 2x2 windows */
    int64_t key = (int64_t)((((rank * G + m / L) * d->q + plane) * d->ch + chunk) * L + m % L);
    if (key <= r->last_key_c) diverge(tb, "psum tap out of order", col, m, plane, chunk, r->last_key_c, key);
    r->last_key_c = key;
    tb->compared++;
    if (!(r->seen_c[i] & SEEN_REC)) diverge(tb, "unexpected psum tap", col, m, plane, chunk, 0, psum);
    else if (r->seen_c[i] & SEEN_CHK) diverge(tb, "duplicate psum tap", col, m, plane, chunk, r->psum[i], psum);
    else if (r->dec[i] != dec) diverge(tb, "dec (decrypted bits)", col, m, plane, chunk, r->dec[i], dec);
    else if (r->psum[i] != psum) diverge(tb, "psum (chunk partial sum)", col, m, plane, chunk, r->psum[i], psum);
    r->seen_c[i] |= SEEN_CHK;
}

static void on_acc(void *user, uint32_t col, uint32_t m, uint32_t plane, int32_t acc)
{
    fx_tapbook *tb = user;
    fx_tap_run *r = active(tb);
    const char *who = tb->mode == FX_TB_CHECK ? "" : " (C model)";
    char what[48];
    if (!r || col >= r->d.N || m >= r->d.M || plane >= r->d.q) {
        snprintf(what, sizeof what, "acc tap %s%s", r ? "index out of range" : "outside a RUN", who);
        diverge(tb, what, col, m, plane, UINT32_MAX, 0, acc);
        return;
    }
    const fx_run_desc *d = &r->d;
    size_t i = ((size_t)col * d->M + m) * d->q + plane;
    if (tb->mode == FX_TB_RECORD) {
        if (r->seen_a[i]) diverge(tb, "duplicate acc tap (C model)", col, m, plane, UINT32_MAX, r->acc[i], acc);
        r->acc[i] = acc, r->seen_a[i] = SEEN_REC;
        return;
    }
    uint32_t L = tb->lanes, G = (d->M + L - 1) / L;
    const uint64_t rank = fx_run_desc_col_rank(d, col);
    int64_t key = (int64_t)(((rank * G + m / L) * d->q + plane) * L + m % L);
    if (key <= r->last_key_a) diverge(tb, "acc tap out of order", col, m, plane, UINT32_MAX, r->last_key_a, key);
    r->last_key_a = key;
    tb->compared++;
    if (!(r->seen_a[i] & SEEN_REC)) diverge(tb, "unexpected acc tap", col, m, plane, UINT32_MAX, 0, acc);
    else if (r->seen_a[i] & SEEN_CHK) diverge(tb, "duplicate acc tap", col, m, plane, UINT32_MAX, r->acc[i], acc);
    else if (r->acc[i] != acc) diverge(tb, "acc (plane accumulator)", col, m, plane, UINT32_MAX, r->acc[i], acc);
    r->seen_a[i] |= SEEN_CHK;
}

/* A gather (kind 0: a, b = column, chunk) or write tap (kind 1: a, b = buffer, word address): record mode
 * appends it to the RUN's stream, check mode compares it with the record's next entry. A divergence names
 * (gather) n = column, chunk, m = the first differing byte; (write) n = word address, plane = buffer, m =
 * the first differing byte; the value is that byte, or for a wrong index the recorded index. */
static void on_stream(fx_tapbook *tb, int kind, uint32_t a, uint32_t b, const uint8_t *bytes)
{
    fx_tap_run *r = active(tb);
    const char *name = kind ? "write" : "gather";
    const uint32_t nb = tb->n_out;
    char what[48];
    if (!r || !r->d.x) {
        snprintf(what, sizeof what, "%s tap outside a RUNX%s", name, tb->mode == FX_TB_CHECK ? "" : " (C model)");
        diverge(tb, what, kind ? b : a, 0, kind ? a : 0, kind ? UINT32_MAX : b, 0, bytes[0]);
        return;
    }
    fx_tap_stream *st = kind ? &r->wr : &r->gat;
    if (tb->mode == FX_TB_RECORD) {
        if (st->n == st->cap) {
            size_t cap = st->cap ? 2 * st->cap : 256;
            uint32_t *ab = realloc(st->ab, 2 * cap * sizeof *ab);
            if (ab) st->ab = ab;
            uint8_t *by = ab ? realloc(st->bytes, cap * nb) : NULL;
            if (!by) {
                fprintf(stderr, "csim: out of memory recording taps\n");
                exit(2);
            }
            st->bytes = by, st->cap = cap;
        }
        st->ab[2 * st->n] = a, st->ab[2 * st->n + 1] = b;
        memcpy(st->bytes + st->n * nb, bytes, nb);
        st->n++;
        return;
    }
    tb->compared++;
    const uint32_t n = kind ? b : a, plane = kind ? a : 0, chunk = kind ? UINT32_MAX : b;
    if (st->next >= st->n) {
        snprintf(what, sizeof what, "unexpected %s tap", name);
        diverge(tb, what, n, 0, plane, chunk, (int64_t)st->n, (int64_t)st->next + 1);
        return;
    }
    const size_t e = st->next++;
    const uint32_t ra = st->ab[2 * e], rb = st->ab[2 * e + 1];
    if (ra != a || rb != b) {
        snprintf(what, sizeof what, "%s tap index (%s)", name, kind ? (ra != a ? "buffer" : "address")
                                                               : (ra != a ? "column" : "chunk"));
        diverge(tb, what, n, 0, plane, chunk, ra != a ? ra : rb, ra != a ? a : b);
        return;
    }
    for (uint32_t i = 0; i < nb; i++)
        if (st->bytes[e * nb + i] != bytes[i]) {
            snprintf(what, sizeof what, kind ? "write (activation word byte)" : "gather (column chunk byte)");
            diverge(tb, what, n, i, plane, chunk, st->bytes[e * nb + i], bytes[i]);
            return;
        }
}

static void on_gather(void *user, uint32_t col, uint32_t chunk, const uint8_t *bytes)
{
    on_stream(user, 0, col, chunk, bytes);
}

static void on_write(void *user, uint32_t buf, uint32_t addr, const uint8_t *bytes)
{
    on_stream(user, 1, buf, addr, bytes);
}

/* The first recorded entry of a RUNX stream that never came (check mode). */
static void stream_missing(fx_tapbook *tb, const fx_tap_stream *st, int kind)
{
    if (tb->first.set || st->next >= st->n) return;
    const uint32_t a = st->ab[2 * st->next], b = st->ab[2 * st->next + 1];
    diverge(tb, kind ? "missing write tap" : "missing gather tap", kind ? b : a, 0, kind ? a : 0,
            kind ? UINT32_MAX : b, (int64_t)st->n, (int64_t)st->next);
}

int fx_tapbook_finish(fx_tapbook *tb)
{
    if (tb->mode != FX_TB_CHECK || tb->first.set) return tb->first.set;
    if (tb->cur < tb->n_runs) diverge(tb, "missing RUN", 0, 0, 0, UINT32_MAX, (int64_t)tb->n_runs, (int64_t)tb->cur);
    for (size_t ri = 0; ri < tb->n_runs && !tb->first.set; ri++) {
        fx_tap_run *r = &tb->runs[ri];
        const fx_run_desc *d = &r->d;
        tb->cur = ri + 1; /* so the divergence names this RUN */
        for (size_t i = 0; i < r->n_chunk; i++)
            if (r->seen_c[i] == SEEN_REC) {
                size_t j = i % d->ch, p = i / d->ch % d->q, m = i / d->ch / d->q % d->M, n = i / d->ch / d->q / d->M;
                diverge(tb, "missing psum tap", (uint32_t)n, (uint32_t)m, (uint32_t)p, (uint32_t)j, r->psum[i], 0);
                break;
            }
        for (size_t i = 0; i < r->n_acc && !tb->first.set; i++)
            if (r->seen_a[i] == SEEN_REC) {
                size_t p = i % d->q, m = i / d->q % d->M, n = i / d->q / d->M;
                diverge(tb, "missing acc tap", (uint32_t)n, (uint32_t)m, (uint32_t)p, UINT32_MAX, r->acc[i], 0);
                break;
            }
        stream_missing(tb, &r->gat, 0);
        stream_missing(tb, &r->wr, 1);
    }
    return tb->first.set;
}

/* ---- the spy backend ---- */
typedef struct {
    fx_wrap wrap; /* first: forwards everything but write and destroy */
    fx_tapbook *tb;
    fx_cmdstream cs;
} spy_t;

static int s_write(fx_backend *b, const uint32_t *w, size_t n)
{
    spy_t *s = b->ctx;
    while (n) {
        fx_run_desc d;
        int got;
        size_t k = fx_cmdstream_feed(&s->cs, w, n, &d, &got);
        if (got != FX_CS_RUN) { /* no RUN in these k words: forward them as they are */
            if (s->wrap.inner->write(s->wrap.inner, w, k)) return -1;
            w += k, n -= k;
            continue;
        }
        /* Everything before the RUN's last word first: a previous RUN still executing in the RTL
         * finishes (and taps) before the new one is announced. */
        if (k > 1 && s->wrap.inner->write(s->wrap.inner, w, k - 1)) return -1;
        begin_run(s->tb, &d);
        if (s->wrap.inner->write(s->wrap.inner, w + k - 1, 1)) return -1;
        w += k, n -= k;
    }
    return 0;
}
static void s_destroy(fx_backend *b) { free(b->ctx); }

fx_backend *fx_tap_spy_new(fx_backend *inner, fx_tapbook *tb, const fx_hwcfg *cfg)
{
    spy_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    fx_wrap_init(&s->wrap, inner->name, inner);
    s->wrap.be.write = s_write;
    s->wrap.be.destroy = s_destroy;
    s->tb = tb;
    fx_cmdstream_init(&s->cs, cfg);
    tb->n_out = cfg->n_out;
    fx_taps t = {.chunk = on_chunk, .acc = on_acc, .user = tb, .gather = on_gather, .write = on_write};
    inner->set_taps(inner, &t);
    return &s->wrap.be;
}
