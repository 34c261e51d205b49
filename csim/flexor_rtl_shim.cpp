/* SPDX-License-Identifier: Apache-2.0 */
// The thinnest C++ layer over the Verilated flexor_top: clocking, stream driving, tap sampling and an
// FST window, exported as the C API of flexor_rtl.h. Cycle protocol: inputs are set while clk is low and
// settled (eval), the handshakes and taps are sampled there, then the rising edge is evaluated.
#include "flexor_rtl.h"
#include "flexor/rng.h"

#include "Vflexor_top.h"
#include "verilated.h"
#if VM_TRACE_FST
#include "verilated_fst_c.h"
#endif
#include <cstdint>
#include <cstring>
#include <string>

extern "C" {
#include "flexor_config.h"
}

#ifndef FX_RTL_VARGS
#define FX_RTL_VARGS "?"
#endif

static_assert(FXC_LANES <= 64, "tap buffers hold at most 64 lanes");

struct fx_rtl {
    VerilatedContext *ctx;
    Vflexor_top *top;
    uint64_t cycle = 0, last_progress = 0;
    bool offering = false;
    uint64_t rng = 1;
    uint32_t thr_in = 0, thr_out = 0; // stall when rand32 < threshold
    fx_rtl_chunk_fn chunk_fn = nullptr;
    fx_rtl_acc_fn acc_fn = nullptr;
    fx_rtl_gather_fn gather_fn = nullptr;
    fx_rtl_write_fn write_fn = nullptr;
    void *user = nullptr;
#if VM_TRACE_FST
    VerilatedFstC *fst = nullptr;
#endif
    std::string wave_path;
    uint64_t wave_from = 1, wave_to = 0; // empty window: no wave
};

// Wide ports arrive as CData/SData/IData/QData or VlWide<N>: flatten any of them into 32-bit words (an
// overload per type; those no tap of this configuration uses are unused, which clang would flag).
[[maybe_unused]] static inline void words_of(uint8_t v, uint32_t *w) { w[0] = v; }
[[maybe_unused]] static inline void words_of(uint16_t v, uint32_t *w) { w[0] = v; }
[[maybe_unused]] static inline void words_of(uint32_t v, uint32_t *w) { w[0] = v; }
[[maybe_unused]] static inline void words_of(uint64_t v, uint32_t *w)
{
    w[0] = (uint32_t)v;
    w[1] = (uint32_t)(v >> 32);
}
template <std::size_t N> static inline void words_of(const VlWide<N> &v, uint32_t *w)
{
    for (std::size_t i = 0; i < N; i++) w[i] = v[i];
}

static inline uint32_t field(const uint32_t *w, unsigned pos, unsigned width)
{
    uint64_t lo = w[pos / 32], hi = (pos % 32 + width > 32) ? w[pos / 32 + 1] : 0;
    uint64_t v = ((hi << 32) | lo) >> (pos % 32);
    return (uint32_t)(width >= 32 ? v : v & ((1ull << width) - 1));
}
static inline int32_t sext(uint32_t v, unsigned width)
{
    return width >= 32 ? (int32_t)v : (int32_t)(v << (32 - width)) >> (32 - width);
}

// An N_out-byte tap port as bytes (byte b at bits [8b +: 8]).
template <typename T> static void bytes_of(const T &v, uint8_t *out)
{
    uint32_t w[(FXC_N_OUT * 8 + 63) / 32];
    std::memset(w, 0, sizeof w);
    words_of(v, w);
    for (unsigned b = 0; b < FXC_N_OUT; b++) out[b] = (uint8_t)field(w, 8 * b, 8);
}

static inline uint32_t rand32(fx_rtl *r)
{ // cheap and seeded; the stall pattern is part of a replayable run
    return fx_xorshift64star_u32(&r->rng);
}

static void wave_tick(fx_rtl *r, uint64_t t)
{
#if VM_TRACE_FST
    if (r->wave_from > r->wave_to) return;
    if (!r->fst && r->cycle >= r->wave_from && r->cycle <= r->wave_to) {
        r->fst = new VerilatedFstC;
        r->top->trace(r->fst, 99);
        r->fst->open(r->wave_path.c_str());
    }
    if (r->fst) {
        r->fst->dump(t);
        if (r->cycle > r->wave_to) {
            r->fst->close();
            delete r->fst;
            r->fst = nullptr;
            r->wave_from = 1, r->wave_to = 0;
        }
    }
#else
    (void)r, (void)t;
#endif
}

static inline void half(fx_rtl *r, int clk)
{
    r->top->clk_i = clk;
    r->top->eval();
    wave_tick(r, r->cycle * 2 + (clk ? 1 : 0));
}

extern "C" {

void fx_rtl_get_info(fx_rtl_info *info)
{
    info->hash = FXC_HASH;
    info->lanes = FXC_LANES;
    info->n_out = FXC_N_OUT;
    info->psum_w = FXC_PSUM_W;
    info->acc_w = FXC_ACC_W;
    info->cfg_name = FXC_NAME;
    info->verilator_args = FX_RTL_VARGS;
}

fx_rtl *fx_rtl_new(uint64_t xseed)
{
    fx_rtl *r = new fx_rtl;
    r->ctx = new VerilatedContext;
    r->ctx->randReset(xseed ? 2 : 0);
    // Verilator's seed is an int; fold the 64-bit seed so different seeds stay different.
    r->ctx->randSeed((int)((xseed ^ (xseed >> 31)) & 0x7fffffff) | (xseed ? 1 : 0));
#if VM_TRACE_FST
    r->ctx->traceEverOn(true);
#endif
    Verilated::threadContextp(r->ctx);
    r->top = new Vflexor_top(r->ctx, "flexor_top");
    r->top->clk_i = 0;
    r->top->rst_ni = 0;
    r->top->in_valid_i = 0;
    r->top->in_data_i = 0;
    r->top->out_ready_i = 0;
    r->top->eval();
    return r;
}

void fx_rtl_free(fx_rtl *r)
{
    if (!r) return;
#if VM_TRACE_FST
    if (r->fst) {
        r->fst->close();
        delete r->fst;
    }
#endif
    r->top->final();
    delete r->top;
    delete r->ctx;
    delete r;
}

void fx_rtl_reset(fx_rtl *r, uint32_t cycles)
{
    r->top->rst_ni = 0;
    r->top->in_valid_i = 0;
    r->top->out_ready_i = 0;
    r->offering = false;
    for (uint32_t i = 0; i < cycles; i++) {
        half(r, 0);
        half(r, 1);
        r->cycle++;
    }
    r->top->rst_ni = 1;
    half(r, 0);
    r->last_progress = r->cycle;
}

void fx_rtl_set_stalls(fx_rtl *r, double p_in, double p_out, uint64_t seed)
{
    auto thr = [](double p) { return p <= 0 ? 0u : p >= 1 ? 0xffffffffu : (uint32_t)(p * 4294967296.0); };
    r->thr_in = thr(p_in);
    r->thr_out = thr(p_out);
    r->rng = seed * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    if (!r->rng) r->rng = 1;
}

void fx_rtl_set_taps(fx_rtl *r, fx_rtl_chunk_fn chunk, fx_rtl_acc_fn acc, void *user)
{
    r->chunk_fn = chunk;
    r->acc_fn = acc;
    r->user = user;
}

void fx_rtl_set_xtaps(fx_rtl *r, fx_rtl_gather_fn gather, fx_rtl_write_fn write)
{
    r->gather_fn = gather;
    r->write_fn = write;
}

static void sample_xtaps(fx_rtl *r)
{
    Vflexor_top *t = r->top;
    uint8_t bytes[FXC_N_OUT];
    if (t->tap_gat_valid_o) {
        r->last_progress = r->cycle;
        if (r->gather_fn) {
            bytes_of(t->tap_gat_data_o, bytes);
            r->gather_fn(r->user, r->cycle, t->tap_gat_col_o, t->tap_gat_chunk_o, bytes);
        }
    }
    if (t->tap_wr_valid_o) {
        r->last_progress = r->cycle;
        if (r->write_fn) {
            bytes_of(t->tap_wr_data_o, bytes);
            r->write_fn(r->user, r->cycle, t->tap_wr_addr_o, bytes);
        }
    }
}

static void sample_taps(fx_rtl *r)
{
    Vflexor_top *t = r->top;
    sample_xtaps(r);
    if (t->tap_valid_o) {
        r->last_progress = r->cycle;
        if (r->chunk_fn) {
            uint32_t dw[(FXC_LANES * FXC_N_OUT + 63) / 32], pw[(FXC_LANES * FXC_PSUM_W + 63) / 32];
            uint32_t dec[FXC_LANES];
            int32_t psum[FXC_LANES];
            std::memset(dw, 0, sizeof dw);
            std::memset(pw, 0, sizeof pw);
            words_of(t->tap_dec_o, dw);
            words_of(t->tap_psum_o, pw);
            for (unsigned l = 0; l < FXC_LANES; l++) {
                dec[l] = field(dw, l * FXC_N_OUT, FXC_N_OUT);
                psum[l] = sext(field(pw, l * FXC_PSUM_W, FXC_PSUM_W), FXC_PSUM_W);
            }
            r->chunk_fn(r->user, r->cycle, t->tap_col_o, t->tap_grp_o, t->tap_plane_o, t->tap_chunk_o, dec, psum);
        }
    }
    if (t->tap_acc_valid_o) {
        r->last_progress = r->cycle;
        if (r->acc_fn) {
            uint32_t aw[(FXC_LANES * FXC_ACC_W + 63) / 32];
            int32_t acc[FXC_LANES];
            std::memset(aw, 0, sizeof aw);
            words_of(t->tap_acc_o, aw);
            for (unsigned l = 0; l < FXC_LANES; l++) acc[l] = sext(field(aw, l * FXC_ACC_W, FXC_ACC_W), FXC_ACC_W);
            r->acc_fn(r->user, r->cycle, t->tap_acc_col_o, t->tap_acc_grp_o, t->tap_acc_plane_o, acc);
        }
    }
}

uint64_t fx_rtl_run(fx_rtl *r, fx_rtl_io *io, int until, uint64_t max_cycles)
{
    Vflexor_top *t = r->top;
    if (io->in_done >= io->n_in) r->offering = false;
    uint64_t n = 0;
    for (; n < max_cycles; n++) {
        if ((until & FX_RTL_UNTIL_IN) && io->in_done == io->n_in) break;
        if ((until & FX_RTL_UNTIL_OUT) && io->out_done == io->out_cap) break;
        // A producer never withdraws a word it offered: only a new offer can be stalled.
        if (!r->offering && io->in_done < io->n_in) r->offering = !(r->thr_in && rand32(r) < r->thr_in);
        bool ready = io->out_done < io->out_cap && !(r->thr_out && rand32(r) < r->thr_out);
        t->in_valid_i = r->offering;
        t->in_data_i = r->offering ? io->in[io->in_done] : 0;
        t->out_ready_i = ready;
        half(r, 0);
        bool in_fire = r->offering && t->in_ready_o;
        bool out_fire = ready && t->out_valid_o;
        if (out_fire) {
            io->out[io->out_done] = t->out_data_o;
            if (io->out_last) io->out_last[io->out_done] = t->out_last_o;
        }
        sample_taps(r);
        half(r, 1);
        if (in_fire) io->in_done++, r->offering = false;
        if (out_fire) io->out_done++;
        if (in_fire || out_fire) r->last_progress = r->cycle;
        r->cycle++;
    }
    // Leave the inputs idle and settled between calls (the next call re-offers a pending word).
    t->in_valid_i = r->offering;
    t->out_ready_i = 0;
    return n;
}

uint64_t fx_rtl_cycle(const fx_rtl *r) { return r->cycle; }
uint64_t fx_rtl_last_progress(const fx_rtl *r) { return r->last_progress; }

void fx_rtl_counters(fx_rtl *r, uint64_t c[4])
{
    c[0] = r->top->cnt_cycles_o;
    c[1] = r->top->cnt_busy_o;
    c[2] = r->top->cnt_stall_o;
    c[3] = r->top->cnt_slices_o;
}

uint32_t fx_rtl_error(fx_rtl *r) { return (r->top->err_o ? 0x100u : 0u) | (uint32_t)r->top->err_code_o; }
int fx_rtl_busy(fx_rtl *r) { return r->top->busy_o ? 1 : 0; }

int fx_rtl_wave(fx_rtl *r, const char *path, uint64_t from, uint64_t to)
{
#if VM_TRACE_FST
    r->wave_path = path;
    r->wave_from = from;
    r->wave_to = to;
    return 0;
#else
    (void)r, (void)path, (void)from, (void)to;
    return -1;
#endif
}
}
