/* SPDX-License-Identifier: Apache-2.0 */
/* The performance model (sw/src/perfmodel.c, docs/perf.md): RUN cycles of hand-computed shapes (the
 * RTL-measured figures of docs/rtl.md among them), the recurrence against an independent cycle-by-cycle
 * transcription of flexor_seq's token pipeline and flexor_writer's double buffer on random shapes, and
 * the per-layer phases of a random MLP and LeNet-5 as the driver lowers them. The per-layer agreement
 * with the RTL itself is the cosim test csim_perf_model. */
#include "test_util.h"
#include "flexor/driver.h"
#include "flexor/model_random.h"
#include "flexor/perfmodel.h"
#include "flexor/rng.h"

static fx_perf_run run(const fx_hwcfg *c, uint32_t K, uint32_t M, uint32_t N, uint32_t q, int straddle, int stream)
{
    fx_perf_shape s = {.K = K, .M = M, .N = N, .q = q, .straddle = straddle, .dst_stream = stream};
    fx_perf_run r;
    fx_perf_run_cycles(c, &s, &r);
    return r;
}

/* The RUN cycle by cycle from the first token's issue: S0 issues when the pipeline advances, registers
 * S1..S5 shift on adv; a group's result is its last token (only result tokens are valid in S5); R takes
 * S5's result, O takes R when the serialiser is idle or sends its last word, one word per cycle. Returns
 * cnt_busy (4 cycles before the first issue, 2 after the drain), *stall = cycles with S5 held. */
static uint64_t simulate(const fx_hwcfg *c, uint32_t K, uint32_t M, uint32_t N, uint32_t q, int straddle, int stream,
                         uint64_t *stall)
{
    const uint64_t L = c->lanes, CH = (K + c->n_out - 1) / c->n_out, T = q * (CH + (straddle ? 1 : 0));
    const uint64_t G = (M + L - 1) / L, tokens = (uint64_t)N * G * T, col_bytes = (M + c->n_out - 1) / c->n_out * c->n_out;
    int64_t stage[6] = {-1, -1, -1, -1, -1, -1}; /* token index in S1..S5 (index 0 unused), -1 none */
    uint64_t issued = 0, cyc = 0, r_grp = 0, o_grp = 0, pos = 0;
    int r_full = 0, busy = 0;
    *stall = 0;
    for (;; cyc++) {
        int s5 = stage[5] >= 0 && (uint64_t)stage[5] % T == T - 1;
        uint64_t o_words = 0;
        if (busy) { /* this group's words: real channels on the stream, LANES bytes or up to the chunk end */
            uint64_t g = o_grp % G, first = g * L;
            o_words = stream ? (M - first < L ? M - first : L) : (g + 1 < G ? L : col_bytes - first);
        }
        int done_word = busy && pos == o_words - 1, take = r_full && (!busy || done_word);
        int adv = !s5 || !r_full || take;
        if (!adv) ++*stall;
        if (issued == tokens && !s5 && !r_full && !busy) {
            int empty = 1;
            for (int k = 1; k < 6; k++) empty &= stage[k] < 0;
            if (empty) return cyc + 5; /* drained this cycle: done next, then counted to the RUN start */
        }
        if (busy) { if (done_word) busy = 0; else pos++; }
        if (take) o_grp = r_grp, busy = 1, pos = 0, r_full = 0;
        if (adv) {
            if (s5) r_grp = (uint64_t)stage[5] / T, r_full = 1;
            for (int k = 5; k > 1; k--) stage[k] = stage[k - 1];
            stage[1] = issued < tokens ? (int64_t)issued++ : -1;
        }
    }
}

static uint32_t below(uint64_t *s, uint32_t n) { return (uint32_t)(fx_splitmix64(s) % n); }

int main(void)
{
    fx_hwcfg c = *fx_hwcfg_builtin();
    c.lanes = 16, c.n_out = 20; /* the default configuration's figures below */

    /* docs/rtl.md "Latency, throughput, fixed overhead": RTL cycles measured by rtl-bench */
    CHECK(run(&c, 784, 512, 1, 4, 0, 1).busy == 5147);
    CHECK(run(&c, 512, 512, 1, 1, 0, 1).busy == 859);
    CHECK(run(&c, 800, 64, 64, 2, 0, 1).busy == 20507);
    CHECK(run(&c, 800, 64, 64, 2, 1, 1).busy == 21019);
    CHECK(run(&c, 512, 10, 1, 4, 0, 1).busy == 125);
    fx_perf_run r = run(&c, 784, 512, 1, 4, 0, 1);
    CHECK(r.issue == 5120 && r.stall == 0 && r.fixed == 27 && r.slices == 81920 && r.words == 512);

    /* output-bound by hand: K = 25 (CH 2), M = 16, N = 4, q = 1: T = 2 < 16 words per group. Group k's
     * result reaches S5 at 6 + 2k, R -> O at 7 + 16k, the serialiser ends at 23 + 16k: busy 71 + 6. */
    r = run(&c, 25, 16, 4, 1, 0, 1);
    CHECK(r.busy == 77 && r.stall == 27 && r.issue == 8, "busy %llu stall %llu", (unsigned long long)r.busy,
          (unsigned long long)r.stall);
    /* a destination buffer: 32 groups of 16 bytes, the last one 24 (26 chunks of 20 bytes = 520) */
    r = run(&c, 20, 512, 1, 1, 0, 0);
    CHECK(r.busy == 1 + 31 * 16 + 24 + 11 && r.words == 520, "busy %llu", (unsigned long long)r.busy);

    /* the recurrence against the cycle-by-cycle transcription, random shapes */
    uint64_t rng = 13;
    for (int i = 0; i < 3000; i++) {
        uint32_t K = 1 + below(&rng, i % 3 ? 120 : 900), M = 1 + below(&rng, i % 2 ? 40 : 300);
        uint32_t N = 1 + below(&rng, 12), q = 1 + below(&rng, c.q_max);
        int straddle = (int)below(&rng, 2), stream = (int)below(&rng, 2);
        uint64_t stall;
        uint64_t want = simulate(&c, K, M, N, q, straddle, stream, &stall);
        r = run(&c, K, M, N, q, straddle, stream);
        CHECK(r.busy == want && r.stall == stall, "K %u M %u N %u q %u straddle %d stream %d: model %llu/%llu, "
              "simulated %llu/%llu", K, M, N, q, straddle, stream, (unsigned long long)r.busy,
              (unsigned long long)r.stall, (unsigned long long)want, (unsigned long long)stall);
        CHECK(r.busy == r.issue + r.stall + r.fixed);
    }

    /* per layer, as fx_driver_infer lowers a model: LOAD_A of N·CH chunks (5 words each), 9 RUN words, the
     * RUN up to its last result word; 2 cycles of the previous RUN's end before the first word */
    fx_model m;
    const fx_hwcfg *b = fx_hwcfg_builtin();
    CHECK(fx_model_random(&m, b, "mlp", 0, 1) == 0);
    fx_perf_layer p0[FX_MAX_LAYERS], p1[FX_MAX_LAYERS], pc[FX_MAX_LAYERS];
    CHECK(fx_perf_model(b, &m, 0, 0, p0) == 0 && fx_perf_model(b, &m, 0, 1, p1) == 0);
    CHECK(fx_perf_model(b, &m, 1, 1, pc) == 0);
    const uint32_t aw = fx_hwcfg_widths(b).a_words;
    for (uint32_t i = 0; i < m.n_layers; i++) {
        const fx_layer *l = &m.layers[i];
        const uint64_t CH = (l->K + b->n_out - 1) / b->n_out;
        CHECK(p1[i].wait == 2 && p0[i].wait == (i ? 2u : 0u));
        CHECK(p1[i].load == 3 + CH * aw && p1[i].args == 9 && p1[i].exec == p1[i].run.busy - 2);
        CHECK(p1[i].total == p1[i].wait + p1[i].load + 9 + p1[i].run.busy - 2);
        CHECK(p1[i].shape.N == 1 && p1[i].shape.dst_stream);
        /* chained: one LOAD_A, inner RUNs write a buffer and count whole */
        const int last = i + 1 == m.n_layers;
        CHECK(pc[i].seg_first == 0 && pc[i].shape.dst_stream == last && pc[i].load == (i ? 0 : p1[0].load));
        CHECK(pc[i].exec == pc[i].run.busy - (last ? 2u : 0u) && pc[i].wait == (i ? 0u : 2u));
    }
    fx_model_free(&m);
    CHECK(fx_model_random(&m, b, "lenet", 0, 1) == 0);
    CHECK(fx_perf_model(b, &m, 0, 1, p1) == 0);
    CHECK(m.layers[0].type == FX_LAYER_CONV && p1[0].shape.N == (m.in_h - m.layers[0].kh + 1) * (m.in_w - m.layers[0].kw + 1));
    CHECK(p1[0].mac_bound * b->lanes == (double)p1[0].run.slices);
    uint64_t words = FX_PERF_ID;
    for (uint32_t i = 0; i < m.n_layers; i++) {
        const fx_layer *l = &m.layers[i];
        const uint64_t G = (l->M + b->lanes - 1) / b->lanes, S = (l->K + b->n_out - 1) / b->n_out + !!(l->flags & FX_F_STRADDLE);
        words += b->lanes * (6 + G * l->q * S + G * fx_hwcfg_widths(b).p_words);
    }
    CHECK(fx_perf_load_cycles(b, &m) == words);
    fx_model_free(&m);
    return t_report("test_perfmodel");
}
