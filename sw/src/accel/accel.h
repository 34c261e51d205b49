/* SPDX-License-Identifier: Apache-2.0 */
/* The command-level C model of the accelerator (docs/accelerator.md), private to sw/src/accel/. Each
 * file here is the C twin of the RTL block with the same stem (sw/src/accel/lane.c <-> rtl/flexor_lane.v,
 * docs/rtl.md "Blocks"), so a divergence at a block points at both files at once. This header holds the
 * shared state and, as static inline functions, the per-chunk arithmetic of the twins (decryptor table
 * look-up, lane chunk sum and accumulate, memory addressing): the build has no LTO, and a call across
 * files per chunk would slow the model down. The model deliberately shares no arithmetic with the
 * reference (ref.c): decryption, realignment and requantization are written again from the documents,
 * so comparing the two checks both. */
#ifndef FLEXOR_ACCEL_PRIVATE_H
#define FLEXOR_ACCEL_PRIVATE_H
#include "flexor/driver.h"
#include "flexor/mxor.h"
#include <stddef.h>
#include <stdint.h>

enum { FXA_ST_CMD, FXA_ST_HDR, FXA_ST_DATA };
enum {
    FXA_ERR_OPCODE = 1,
    FXA_ERR_RUN_SHAPE = 2,
    FXA_ERR_RUN_NIN = 3,
    FXA_ERR_RUN_ADDR = 4,
    FXA_ERR_RUN_FLAGS = 5,
    FXA_ERR_LOAD = 6
};

/* ram.c: `units` memories of `depth` entries of `words` 32-bit words; a stored word keeps `mask` bits
 * (a RAM narrower than 32 bits drops the high ones). */
typedef struct {
    uint32_t *mem;
    uint32_t depth, words, mask;
} fxa_ram;

/* amem.c: the two activation buffers, `depth` chunks of n_out bytes each; a LOAD_A word carries 4 bytes. */
typedef struct {
    uint8_t *mem;
    uint32_t depth, n_out, a_words;
} fxa_amem;

/* The decoded RUN / RUNX arguments (argchk.c) and the loop bounds derived from them. */
typedef struct {
    uint32_t K, M, N, q, n_in, enc, straddle, relu, dst_stream, src, dst, shift;
    uint32_t w_base, p_base, src_base, dst_base;
    uint32_t CH, S, G, CH_out;
    /* RUNX only (x = 1): the input tensor C×in_h×in_w, kernel, stride s, padding p, the output positions
     * out_h×out_w (N = out_h·out_w) before the pool (0 or 2), and the output tensor's out_h2×out_w2 */
    uint32_t x, C, in_h, in_w, kh, kw, s, p, out_h, out_w, pool, out_h2, out_w2;
} fxa_run;

typedef struct {
    fx_hwcfg cfg;
    fx_widths wd;
    fxa_ram wmem; /* [lanes][wmem_depth], N_out bits each */
    fxa_ram pmem; /* [lanes][pmem_depth][p_words]: bias, α pairs, o_m in the last word */
    fxa_amem amem;
    fx_mxor mx[FX_MAX_NIN_SET], ident;
    /* M⊕ is linear over GF(2): dec(x) = XOR of dtab[byte k of x] over the 4 bytes (one set per matrix,
     * the bypass last) */
    uint32_t dtab[FX_MAX_NIN_SET + 1][4][256];

    /* cmd.c: the word-stream parser */
    int state;
    uint32_t op, target, hdr[FX_RUNX_ARGS], nhdr, need;
    uint64_t data_left, data_idx; /* data words still expected / already taken */
    int drop;                     /* LOAD failed its checks: consume and discard its data */
    uint32_t err;                 /* sticky: the first error's code */

    /* top.c: result words not yet read, counters, taps */
    uint32_t *fifo;
    size_t fifo_head, fifo_len, fifo_cap;
    fx_counters cnt;
    fx_taps taps;
    int have_taps;

    /* RUN scratch (lane.c), per lane: running accumulator, plane-end values [lanes][q_max], plane sum */
    int64_t *acc, *plane, *sum;
} fxa_accel;

/* top.c */
void fxa_top_push(fxa_accel *a, uint32_t w);

/* cmd.c */
void fxa_cmd_word(fxa_accel *a, uint32_t w);
void fxa_cmd_error(fxa_accel *a, uint32_t code);

/* ctrl.c, argchk.c, seq.c: x = 0 a RUN (8 argument words), x = 1 a RUNX (FX_RUNX_ARGS words) */
void fxa_ctrl_run(fxa_accel *a, const uint32_t *h, int x);
uint32_t fxa_argchk(const fxa_accel *a, const uint32_t h[8], fxa_run *r);
uint32_t fxa_argchk_runx(const fxa_accel *a, const uint32_t h[FX_RUNX_ARGS], fxa_run *r);
void fxa_seq_run(fxa_accel *a, const fxa_run *r);

/* gather.c: RUNX column order (the idx-th column computed is column n) and the CH chunks of column n
 * gathered from the input tensor into col (CH·n_out bytes), each reported to the gather tap. */
uint32_t fxa_gather_col(const fxa_run *r, uint32_t idx);
void fxa_gather_column(fxa_accel *a, const fxa_run *r, uint32_t n, uint8_t *col);

/* writer.c: the result buffer and serialiser of one RUN */
typedef struct {
    fxa_accel *a;
    const fxa_run *r;
    uint8_t *col; /* RUN, destination-buffer mode: one column of CH_out·n_out bytes, bytes >= M stay 0 */
    int32_t *y;   /* a group's requantized results */
    /* RUNX: the output word being filled (n_out bytes, fill of them), its address, the window's running
     * maxima per channel (pool 2) and the columns done */
    uint8_t *word, *pmax;
    uint32_t fill, addr, cols;
} fxa_writer;
int fxa_writer_begin(fxa_writer *w, fxa_accel *a, const fxa_run *r);
void fxa_writer_group(fxa_writer *w, uint32_t m0, const int64_t *t, uint32_t lanes_on);
void fxa_writer_column_end(fxa_writer *w, uint32_t n);
void fxa_writer_end(fxa_writer *w);

/* requant.c */
void fxa_requant_results(const int64_t *t, uint32_t n, uint32_t shift, int relu_u8, uint32_t sum_w, int32_t *y);

/* decrypt_array.c, decryptor.c */
int fxa_decrypt_array_init(fxa_accel *a);
int fxa_decrypt_array_index(const fxa_accel *a, uint32_t n_in);
const uint32_t (*fxa_decrypt_array_select(const fxa_accel *a, const fxa_run *r))[256];
void fxa_decrypt_array_plane(const uint32_t dt[4][256], const uint32_t *slices, const fxa_run *r, uint32_t o_m,
                             uint32_t n_out, uint32_t mask, uint32_t *out, size_t stride);
void fxa_decryptor_table(uint32_t t[4][256], const fx_mxor *mx, uint32_t n_out);

/* lane.c */
void fxa_lane_chunk_table(const uint8_t *act, uint32_t n_out, uint32_t CH, int32_t *tab);
void fxa_lane_plane_sums(fxa_accel *a, const fxa_run *r, uint32_t g, uint32_t lanes_on);

/* ram.c, amem.c */
int fxa_ram_init(fxa_ram *m, uint32_t units, uint32_t depth, uint32_t words, uint32_t bits);
void fxa_ram_write(fxa_ram *m, uint32_t unit, uint64_t addr, uint64_t k, uint32_t w);
int fxa_amem_init(fxa_amem *m, uint32_t depth, uint32_t n_out);
void fxa_amem_load_word(fxa_amem *m, uint32_t buf, uint64_t addr, uint64_t k, uint32_t w);
uint8_t *fxa_amem_chunk(const fxa_amem *m, uint32_t buf, uint64_t addr);

/* ---- per-chunk arithmetic, inline -------------------------------------------------------------- */

/* ram.c: entry `addr` of memory `unit` (its `words` words are contiguous; so are consecutive entries). */
static inline uint32_t *fxa_ram_at(const fxa_ram *m, uint32_t unit, uint64_t addr)
{
    return m->mem + ((size_t)unit * m->depth + addr) * m->words;
}

/* decryptor.c, its table form: XOR of the four byte tables. */
static inline uint32_t fxa_decryptor_fast(const uint32_t t[4][256], uint32_t x)
{
    return t[0][x & 255] ^ t[1][x >> 8 & 255] ^ t[2][x >> 16 & 255] ^ t[3][x >> 24];
}

/* lane.c: two's complement wrap of v to `bits` bits (the RTL registers' natural overflow). */
static inline int64_t fxa_lane_wrap(int64_t v, uint32_t bits)
{
    if (bits >= 64) return v;
    uint64_t m = (1ull << bits) - 1, u = (uint64_t)v & m;
    if (u >> (bits - 1)) u |= ~m;
    return (int64_t)u;
}

/* lane.c: the add/sub over one chunk, as one look-up per 4-bit weight group in the chunk's table
 * (fxa_lane_chunk_table: tj[k·16 + v] = Σ_b (bit b of v ? +a : −a) over group k). */
static inline int32_t fxa_lane_chunk_sum(const int32_t *tj, uint32_t bits, uint32_t ng)
{
    int32_t psum = 0;
    for (uint32_t k = 0; k < ng; k++) psum += tj[k * 16 + (bits >> (4 * k) & 15)];
    return psum;
}
#endif
