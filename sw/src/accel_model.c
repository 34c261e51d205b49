/* SPDX-License-Identifier: Apache-2.0 */
/* The command-level C model of the accelerator (docs/accelerator.md): the same word stream, memories,
 * errors, results, taps and counters as the RTL top, one command at a time. It deliberately shares no
 * arithmetic with the reference (ref.c): decryption, realignment and requantization are written again
 * here from the documents, so comparing the two checks both. */
#include "flexor/driver.h"
#include "flexor/mxor.h"
#include <stdlib.h>
#include <string.h>

enum { ST_CMD, ST_HDR, ST_DATA };
enum { ERR_OPCODE = 1, ERR_RUN_SHAPE = 2, ERR_RUN_NIN = 3, ERR_RUN_ADDR = 4, ERR_RUN_FLAGS = 5, ERR_LOAD = 6 };

typedef struct {
    fx_hwcfg cfg;
    fx_widths wd;
    uint32_t nout_mask;
    uint32_t *wmem; /* [lanes][wmem_depth], N_out bits each */
    uint32_t *pmem; /* [lanes][pmem_depth][p_words] */
    uint8_t *amem;  /* [2][amem_depth][n_out] */
    fx_mxor mx[FX_MAX_NIN_SET], ident;
    /* M⊕ is linear over GF(2): dec(x) = XOR of dtab[byte k of x] over the 4 bytes (one set per matrix) */
    uint32_t dtab[FX_MAX_NIN_SET + 1][4][256];

    /* word-stream parser */
    int state;
    uint32_t op, target, hdr[8], nhdr, need;
    uint64_t data_left, data_idx; /* data words still expected / already taken */
    int drop;                     /* LOAD failed its checks: consume and discard its data */

    uint32_t *fifo; /* result words not yet read */
    size_t fifo_head, fifo_len, fifo_cap;

    uint32_t err;
    fx_counters cnt;
    fx_taps taps;
    int have_taps;

    int64_t *acc; /* RUN scratch: [lanes][q_max] */
} accel;

static void set_err(accel *a, uint32_t code)
{
    if (!a->err) a->err = code; /* sticky: the first error's code */
}

static uint32_t parity32(uint32_t v) { return (uint32_t)__builtin_parity(v); }

/* Decrypted bit i = parity(row[i] & stored) (contract §2). */
static uint32_t decrypt(const fx_mxor *mx, uint32_t stored, uint32_t n_out)
{
    uint32_t y = 0;
    for (uint32_t i = 0; i < n_out; i++) y |= parity32(mx->row[i] & stored) << i;
    return y;
}

/* Two's complement wrap of v to `bits` bits (the RTL registers' natural overflow). */
static int64_t wrap(int64_t v, uint32_t bits)
{
    if (bits >= 64) return v;
    uint64_t m = (1ull << bits) - 1, u = (uint64_t)v & m;
    if (u >> (bits - 1)) u |= ~m;
    return (int64_t)u;
}

static int32_t requant(int64_t t, uint32_t shift, int relu_u8, uint32_t sum_w)
{
    int64_t r;
    if (shift >= sum_w) r = 0; /* |t| <= 2^(SUM_W-1): the rounded quotient is 0 (docs/accelerator.md) */
    else r = (t + (shift ? (int64_t)1 << (shift - 1) : 0)) >> shift;
    if (relu_u8) return (int32_t)(r < 0 ? 0 : r > 255 ? 255 : r);
    return (int32_t)(r < INT32_MIN ? INT32_MIN : r > INT32_MAX ? INT32_MAX : r);
}

static void fifo_push(accel *a, uint32_t w)
{
    if (a->fifo_head + a->fifo_len == a->fifo_cap) {
        if (a->fifo_head) { /* compact before growing */
            memmove(a->fifo, a->fifo + a->fifo_head, a->fifo_len * sizeof *a->fifo);
            a->fifo_head = 0;
        }
        if (a->fifo_len == a->fifo_cap) {
            size_t cap = a->fifo_cap ? 2 * a->fifo_cap : 1024;
            uint32_t *f = realloc(a->fifo, cap * sizeof *f);
            if (!f) abort(); /* out of memory in a simulator: nothing sensible to continue with */
            a->fifo = f;
            a->fifo_cap = cap;
        }
    }
    a->fifo[a->fifo_head + a->fifo_len++] = w;
}

static const fx_mxor *nin_matrix(const accel *a, uint32_t n_in)
{
    for (uint32_t i = 0; i < a->cfg.n_in_count; i++)
        if (a->cfg.n_in[i] == n_in) return &a->mx[i];
    return NULL;
}

static void build_dtab(uint32_t t[4][256], const fx_mxor *mx, uint32_t n_out)
{
    for (uint32_t k = 0; k < 4; k++)
        for (uint32_t v = 0; v < 256; v++) t[k][v] = decrypt(mx, v << (8 * k), n_out);
}

static uint32_t decrypt_fast(const uint32_t t[4][256], uint32_t x)
{
    return t[0][x & 255] ^ t[1][x >> 8 & 255] ^ t[2][x >> 16 & 255] ^ t[3][x >> 24];
}

/* ---- RUN ---------------------------------------------------------------------------------------- */

typedef struct {
    uint32_t K, M, N, q, n_in, enc, straddle, relu, dst_stream, src, dst, shift;
    uint32_t w_base, p_base, src_base, dst_base;
    uint32_t CH, S, G, CH_out;
} run_desc;

/* Checks of docs/accelerator.md "Errors"; when several apply the lowest code is reported. */
static uint32_t run_check(const accel *a, const uint32_t h[8], run_desc *r)
{
    const fx_hwcfg *c = &a->cfg;
    uint32_t fl = h[3];
    r->K = h[0]; r->M = h[1]; r->N = h[2];
    r->q = fl & 0xF; r->n_in = (fl >> 4) & 0x3F; r->enc = (fl >> 10) & 1; r->straddle = (fl >> 11) & 1;
    r->relu = (fl >> 12) & 1; r->dst_stream = (fl >> 13) & 1; r->src = (fl >> 14) & 1; r->dst = (fl >> 15) & 1;
    r->shift = (fl >> 16) & 0x3F;
    r->w_base = h[4]; r->p_base = h[5]; r->src_base = h[6]; r->dst_base = h[7];
    if (r->q == 0 || r->q > c->q_max || r->K == 0 || r->K > c->k_max || r->M == 0 || r->N == 0) return ERR_RUN_SHAPE;
    if (r->enc ? !nin_matrix(a, r->n_in) : r->n_in != c->n_out) return ERR_RUN_NIN;
    r->CH = (r->K + c->n_out - 1) / c->n_out;
    r->S = r->CH + r->straddle;
    r->G = (uint32_t)(((uint64_t)r->M + c->lanes - 1) / c->lanes);
    r->CH_out = (uint32_t)(((uint64_t)r->M + c->n_out - 1) / c->n_out);
    if ((uint64_t)r->w_base + (uint64_t)r->G * r->q * r->S > c->wmem_depth ||
        (uint64_t)r->p_base + r->G > c->pmem_depth ||
        (uint64_t)r->src_base + (uint64_t)r->N * r->CH > c->amem_depth ||
        (!r->dst_stream && (uint64_t)r->dst_base + (uint64_t)r->N * r->CH_out > c->amem_depth))
        return ERR_RUN_ADDR;
    if ((!r->dst_stream && (!r->relu || r->src == r->dst)) || (fl >> 22)) return ERR_RUN_FLAGS;
    return 0;
}

static void run(accel *a, const uint32_t h[8])
{
    run_desc r;
    uint32_t e = run_check(a, h, &r);
    if (e) { set_err(a, e); return; } /* a failing RUN produces nothing */
    const fx_hwcfg *c = &a->cfg;
    const uint32_t L = c->lanes, NO = c->n_out, PW = a->wd.p_words;
    const fx_mxor *mx = r.enc ? nin_matrix(a, r.n_in) : &a->ident;
    const uint32_t(*dt)[256] = a->dtab[r.enc ? (uint32_t)(mx - a->mx) : a->cfg.n_in_count];
    const uint32_t NG = (NO + 3) / 4; /* 4-bit weight groups per chunk */
    /* The memories do not change during a RUN, so the weight bits of (group, plane, chunk, lane) are
     * decrypted and realigned once here instead of once per column. */
    uint32_t *wbits = malloc((size_t)r.G * r.q * r.CH * L * sizeof *wbits);
    int32_t *tab = malloc((size_t)r.CH * NG * 16 * sizeof *tab);
    uint8_t *dst_col = r.dst_stream ? NULL : calloc((size_t)r.CH_out * NO, 1); /* bytes >= M stay 0 */
    if (!wbits || !tab || (!r.dst_stream && !dst_col)) abort(); /* a simulator out of memory cannot go on */
    for (uint32_t g = 0; g < r.G; g++)
        for (uint32_t l = 0; l < L && g * L + l < r.M; l++) {
            uint32_t o_m = a->pmem[((size_t)l * c->pmem_depth + r.p_base + g) * PW + PW - 1] & 0x1F;
            for (uint32_t i = 0; i < r.q; i++) {
                const uint32_t *wl = a->wmem + (size_t)l * c->wmem_depth + r.w_base + ((size_t)g * r.q + i) * r.S;
                for (uint32_t j = 0; j < r.CH; j++) {
                    uint32_t bits = decrypt_fast(dt, wl[j]);
                    if (r.straddle) { /* bits [o_m +: N_OUT] of {dec(slice j+1), dec(slice j)} */
                        uint64_t cat = ((uint64_t)decrypt_fast(dt, wl[j + 1]) << NO) | bits;
                        bits = (uint32_t)(cat >> o_m) & a->nout_mask;
                    }
                    wbits[(((size_t)g * r.q + i) * r.CH + j) * L + l] = bits;
                }
            }
        }

    for (uint32_t n = 0; n < r.N; n++) {
        const uint8_t *act = a->amem + ((size_t)r.src * c->amem_depth + r.src_base + (size_t)n * r.CH) * NO;
        /* chunk sums per 4-bit weight pattern: tab[(j·NG + k)·16 + v] = Σ_b (bit b of v ? +a : -a) */
        for (uint32_t j = 0; j < r.CH; j++)
            for (uint32_t k = 0; k < NG; k++) {
                int32_t x[4] = {0, 0, 0, 0}, *t = tab + ((size_t)j * NG + k) * 16;
                for (uint32_t b = 0; b < 4 && 4 * k + b < NO; b++) x[b] = act[(size_t)j * NO + 4 * k + b];
                t[0] = -(x[0] + x[1] + x[2] + x[3]); /* all four weights -1; each set bit turns one to +1 */
                for (uint32_t v = 1; v < 16; v++) {
                    uint32_t low = (uint32_t)__builtin_ctz(v);
                    t[v] = t[v & (v - 1)] + 2 * x[low];
                }
            }
        for (uint32_t g = 0; g < r.G; g++) {
            uint32_t lanes_on = r.M - g * L < L ? r.M - g * L : L;
            for (uint32_t i = 0; i < r.q; i++) {
                for (uint32_t l = 0; l < lanes_on; l++) a->acc[l] = 0;
                for (uint32_t j = 0; j < r.CH; j++) {
                    const int32_t *tj = tab + (size_t)j * NG * 16;
                    const uint32_t *wj = wbits + (((size_t)g * r.q + i) * r.CH + j) * L;
                    for (uint32_t l = 0; l < lanes_on; l++) {
                        int32_t psum = 0;
                        for (uint32_t k = 0; k < NG; k++) psum += tj[k * 16 + (wj[l] >> (4 * k) & 15)];
                        a->acc[l] = wrap(a->acc[l] + psum, a->wd.acc_w);
                        if (a->have_taps && a->taps.chunk) a->taps.chunk(a->taps.user, n, g * L + l, i, j, wj[l], psum);
                    }
                }
                for (uint32_t l = 0; l < lanes_on; l++) {
                    a->acc[L + (size_t)l * c->q_max + i] = a->acc[l];
                    if (a->have_taps && a->taps.acc)
                        a->taps.acc(a->taps.user, n, g * L + l, i, (int32_t)a->acc[l]);
                }
            }
            for (uint32_t l = 0; l < lanes_on; l++) {
                const uint32_t *p = a->pmem + ((size_t)l * c->pmem_depth + r.p_base + g) * PW;
                int64_t t = (int32_t)p[0];
                for (uint32_t i = 0; i < r.q; i++) {
                    int16_t alpha = (int16_t)(uint16_t)(p[1 + i / 2] >> (16 * (i & 1)));
                    t = wrap(t + (int64_t)alpha * a->acc[L + (size_t)l * c->q_max + i], a->wd.sum_w);
                }
                int32_t y = requant(t, r.shift, (int)r.relu, a->wd.sum_w);
                uint32_t m = g * L + l;
                if (dst_col) dst_col[m] = (uint8_t)y;
                else fifo_push(a, (uint32_t)y);
            }
        }
        if (dst_col)
            memcpy(a->amem + ((size_t)r.dst * c->amem_depth + r.dst_base + (size_t)n * r.CH_out) * NO, dst_col,
                   (size_t)r.CH_out * NO);
    }
    free(dst_col);
    free(wbits);
    free(tab);
    /* Timing: the documented bound, one chunk per lane per cycle, one priming slice per plane in straddle. */
    uint64_t busy = (uint64_t)r.N * r.G * r.q * r.S;
    a->cnt.busy += busy;
    a->cnt.cycles += busy;
    a->cnt.slices += (uint64_t)r.N * r.q * r.CH * r.M;
}

/* ---- LOAD ---------------------------------------------------------------------------------------- */

/* Checks a LOAD header; on success the data words go to memory, else they are consumed and dropped. */
static void load_start(accel *a)
{
    const fx_hwcfg *c = &a->cfg;
    uint64_t addr = a->hdr[0], count = a->hdr[1], depth, units, per;
    switch (a->op) {
    case FX_OP_LOAD_W: units = c->lanes; depth = c->wmem_depth; per = 1; break;
    case FX_OP_LOAD_P: units = c->lanes; depth = c->pmem_depth; per = a->wd.p_words; break;
    default: units = 2; depth = c->amem_depth; per = a->wd.a_words; break;
    }
    a->drop = a->target >= units || addr + count > depth;
    if (a->drop) set_err(a, ERR_LOAD);
    a->data_left = count * per;
    a->data_idx = 0;
    a->state = a->data_left ? ST_DATA : ST_CMD;
}

static void load_word(accel *a, uint32_t w)
{
    const fx_hwcfg *c = &a->cfg;
    uint64_t k = a->data_idx++;
    if (--a->data_left == 0) a->state = ST_CMD;
    if (a->drop) return;
    uint64_t addr = a->hdr[0];
    switch (a->op) {
    case FX_OP_LOAD_W: a->wmem[(size_t)a->target * c->wmem_depth + addr + k] = w & a->nout_mask; break;
    case FX_OP_LOAD_P: a->pmem[((size_t)a->target * c->pmem_depth + addr) * a->wd.p_words + k] = w; break;
    default: {
        uint64_t chunk = addr + k / a->wd.a_words, b0 = 4 * (k % a->wd.a_words);
        uint8_t *dst = a->amem + ((size_t)a->target * c->amem_depth + chunk) * c->n_out;
        for (uint32_t b = 0; b < 4 && b0 + b < c->n_out; b++) dst[b0 + b] = (uint8_t)(w >> (8 * b));
    }
    }
}

/* ---- the word stream --------------------------------------------------------------------------- */

static void consume(accel *a, uint32_t w)
{
    a->cnt.cycles++; /* one input word per cycle */
    switch (a->state) {
    case ST_CMD:
        a->op = w >> 24;
        a->target = w & 0xFFFFFF;
        a->nhdr = 0;
        switch (a->op) {
        case FX_OP_LOAD_W: case FX_OP_LOAD_P: case FX_OP_LOAD_A: a->need = 2; a->state = ST_HDR; break;
        case FX_OP_RUN: a->need = 8; a->state = ST_HDR; break;
        case FX_OP_CLEAR_COUNTERS: a->cnt.busy = a->cnt.stall = a->cnt.slices = 0; break;
        case FX_OP_ID:
            fifo_push(a, (uint32_t)FX_ID_MAGIC << 16 | FX_IF_MAJOR << 8 | FX_IF_MINOR);
            fifo_push(a, fx_hwcfg_hash(&a->cfg));
            break;
        default: set_err(a, ERR_OPCODE); break; /* consumes only its own word */
        }
        break;
    case ST_HDR:
        a->hdr[a->nhdr++] = w;
        if (a->nhdr < a->need) break;
        a->state = ST_CMD;
        if (a->op == FX_OP_RUN) run(a, a->hdr);
        else load_start(a);
        break;
    default: load_word(a, w); break;
    }
}

static int m_write(fx_backend *b, const uint32_t *w, size_t n)
{
    accel *a = b->ctx;
    for (size_t i = 0; i < n; i++) consume(a, w[i]);
    return 0;
}

static int m_read(fx_backend *b, uint32_t *w, size_t n)
{
    accel *a = b->ctx;
    if (a->fifo_len < n) return -1; /* the device would never produce them: a deadlock */
    memcpy(w, a->fifo + a->fifo_head, n * sizeof *w);
    a->fifo_head += n;
    a->fifo_len -= n;
    if (!a->fifo_len) a->fifo_head = 0;
    return 0;
}

static void m_counters(fx_backend *b, fx_counters *c) { *c = ((accel *)b->ctx)->cnt; }
static uint32_t m_error(fx_backend *b) { return ((accel *)b->ctx)->err; }

static void m_set_taps(fx_backend *b, const fx_taps *t)
{
    accel *a = b->ctx;
    a->have_taps = t != NULL;
    if (t) a->taps = *t;
}

static void m_destroy(fx_backend *b)
{
    if (!b) return;
    accel *a = b->ctx;
    free(a->wmem); free(a->pmem); free(a->amem); free(a->fifo); free(a->acc);
    free(a);
    free(b);
}

fx_backend *fx_accel_model_new(const fx_hwcfg *cfg)
{
    char err[128];
    if (fx_hwcfg_check(cfg, err, sizeof err)) return NULL;
    fx_backend *b = calloc(1, sizeof *b);
    accel *a = calloc(1, sizeof *a);
    if (!b || !a) { free(b); free(a); return NULL; }
    a->cfg = *cfg;
    a->wd = fx_hwcfg_widths(cfg);
    a->nout_mask = cfg->n_out == 32 ? 0xFFFFFFFFu : (1u << cfg->n_out) - 1u;
    a->wmem = calloc((size_t)cfg->lanes * cfg->wmem_depth, sizeof *a->wmem);
    a->pmem = calloc((size_t)cfg->lanes * cfg->pmem_depth * a->wd.p_words, sizeof *a->pmem);
    a->amem = calloc((size_t)2 * cfg->amem_depth * cfg->n_out, 1);
    a->acc = calloc((size_t)cfg->lanes * (1 + cfg->q_max), sizeof *a->acc);
    b->ctx = a;
    b->name = "accel-model";
    b->write = m_write; b->read = m_read; b->counters = m_counters; b->error = m_error;
    b->set_taps = m_set_taps; b->destroy = m_destroy;
    int bad = !a->wmem || !a->pmem || !a->amem || !a->acc;
    for (uint32_t i = 0; !bad && i < cfg->n_in_count; i++)
        bad = fx_mxor_generate(cfg->seed, cfg->n_in[i], cfg->n_out, cfg->n_tap, &a->mx[i]) != 0;
    fx_mxor_identity(cfg->n_out, &a->ident);
    for (uint32_t i = 0; !bad && i < cfg->n_in_count; i++) build_dtab(a->dtab[i], &a->mx[i], cfg->n_out);
    build_dtab(a->dtab[cfg->n_in_count], &a->ident, cfg->n_out);
    if (bad) { m_destroy(b); return NULL; }
    return b;
}
