/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of rtl/flexor_top.v: the backend's ports (one input word per cycle, the out stream as a FIFO of
 * result words), the counters, the taps, and the construction of the blocks. */
#include "accel.h"
#include <stdlib.h>
#include <string.h>

void fxa_top_push(fxa_accel *a, uint32_t w)
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

static int m_write(fx_backend *b, const uint32_t *w, size_t n)
{
    fxa_accel *a = b->ctx;
    for (size_t i = 0; i < n; i++) {
        a->cnt.cycles++; /* one input word per cycle */
        fxa_cmd_word(a, w[i]);
    }
    return 0;
}

static int m_read(fx_backend *b, uint32_t *w, size_t n)
{
    fxa_accel *a = b->ctx;
    if (a->fifo_len < n) return -1; /* the device would never produce them: a deadlock */
    memcpy(w, a->fifo + a->fifo_head, n * sizeof *w);
    a->fifo_head += n;
    a->fifo_len -= n;
    if (!a->fifo_len) a->fifo_head = 0;
    return 0;
}

static void m_counters(fx_backend *b, fx_counters *c) { *c = ((fxa_accel *)b->ctx)->cnt; }
static uint32_t m_error(fx_backend *b) { return ((fxa_accel *)b->ctx)->err; }

static void m_set_taps(fx_backend *b, const fx_taps *t)
{
    fxa_accel *a = b->ctx;
    a->have_taps = t != NULL;
    if (t) a->taps = *t;
}

static void m_destroy(fx_backend *b)
{
    if (!b) return;
    fxa_accel *a = b->ctx;
    free(a->wmem.mem); free(a->pmem.mem); free(a->amem.mem); free(a->fifo);
    free(a->acc); free(a->plane); free(a->sum);
    free(a);
    free(b);
}

fx_backend *fx_accel_model_new(const fx_hwcfg *cfg)
{
    char err[128];
    if (fx_hwcfg_check(cfg, err, sizeof err)) return NULL;
    fx_backend *b = calloc(1, sizeof *b);
    fxa_accel *a = calloc(1, sizeof *a);
    if (!b || !a) { free(b); free(a); return NULL; }
    a->cfg = *cfg;
    a->wd = fx_hwcfg_widths(cfg);
    b->ctx = a;
    b->name = "accel-model";
    b->write = m_write; b->read = m_read; b->counters = m_counters; b->error = m_error;
    b->set_taps = m_set_taps; b->destroy = m_destroy;
    a->acc = calloc(cfg->lanes, sizeof *a->acc);
    a->plane = calloc((size_t)cfg->lanes * cfg->q_max, sizeof *a->plane);
    a->sum = calloc(cfg->lanes, sizeof *a->sum);
    int bad = fxa_ram_init(&a->wmem, cfg->lanes, cfg->wmem_depth, 1, cfg->n_out) |
              fxa_ram_init(&a->pmem, cfg->lanes, cfg->pmem_depth, a->wd.p_words, 32) |
              fxa_amem_init(&a->amem, cfg->amem_depth, cfg->n_out) | !a->acc | !a->plane | !a->sum;
    if (bad || fxa_decrypt_array_init(a)) { m_destroy(b); return NULL; }
    return b;
}
