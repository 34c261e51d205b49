/* SPDX-License-Identifier: Apache-2.0 */
/* The bit-exact integer reference of the accelerator: the golden model (docs/contract.md §4). */
#ifndef FLEXOR_REF_H
#define FLEXOR_REF_H
#include "flexor/model.h"
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Internal taps, in the accelerator's order (docs/accelerator.md, "Debug taps"). Any may be NULL. */
typedef struct {
    void (*chunk)(void *user, uint32_t col, uint32_t m, uint32_t plane, uint32_t chunk, uint32_t dec_bits, int32_t psum);
    void (*acc)(void *user, uint32_t col, uint32_t m, uint32_t plane, int32_t acc);
    void *user;
    /* RUNX only (the accelerator, not the reference): chunk `chunk` of column `col` as the gather built it
     * (N_out bytes), and every activation-buffer word written (buffer, word address, N_out bytes). */
    void (*gather)(void *user, uint32_t col, uint32_t chunk, const uint8_t *bytes);
    void (*write)(void *user, uint32_t buf, uint32_t addr, const uint8_t *bytes);
} fx_taps;

/* A model prepared for inference: every layer's weight bits decrypted once, per channel, per plane,
 * per chunk (dec[((m*q)+i)*CH + j] = the N_out bits meeting chunk j). */
typedef struct {
    const fx_model *model;
    const fx_hwcfg *cfg;
    uint32_t *dec[FX_MAX_LAYERS];
    uint32_t ch[FX_MAX_LAYERS];
    size_t max_act; /* largest activation buffer (bytes) any layer needs */
} fx_ref_net;

int fx_ref_prepare(fx_ref_net *net, const fx_model *m, const fx_hwcfg *cfg, char *err, size_t errlen);
void fx_ref_free(fx_ref_net *net);

/* The decrypted weight signs of a prepared layer as int8 ±1, [q][M][K] (contract §3: bit 1 -> +1);
 * malloc'd, NULL when out of memory. */
int8_t *fx_ref_weight_signs(const fx_ref_net *net, uint32_t layer);

/* Requantization and output clamp of one scaled sum (contract §4). */
int32_t fx_requant(int64_t t, uint32_t shift, int relu_u8);

/* One GEMM layer. cols: N columns, column n at cols[n*CH*N_out], CH*N_out uint8 (padding zero).
 * out[n*M + m]: uint8 values (RELU_U8) or int32 (RAW). */
void fx_ref_gemm(const fx_ref_net *net, uint32_t layer, const uint8_t *cols, uint32_t N, int32_t *out,
                 const fx_taps *taps);

/* The same with a residual (contract §7.2): res[n*M + m] is the uint8 shortcut value r, added as
 * beta[m]*r to the scaled sum; res NULL for none. */
void fx_ref_gemm_res(const fx_ref_net *net, uint32_t layer, const uint8_t *cols, uint32_t N, const uint8_t *res,
                     int32_t *out, const fx_taps *taps);

/* im2col for a layer: input CHW uint8 -> columns in chunk layout; returns N. Also used for FC (N = 1). */
uint32_t fx_im2col(const fx_layer *l, uint32_t n_out, const uint8_t *in_chw, uint8_t *cols);
/* 2x2 stride-2 max-pool of a GEMM output [h*w][M] (uint8 values) into CHW (hwc 0) or HWC (hwc 1) uint8. */
void fx_maxpool2(const int32_t *out, uint32_t h, uint32_t w, uint32_t M, int hwc, uint8_t *dst);
/* GEMM output [N][M] (uint8 values) -> CHW uint8, then 2x2 max-pool if l->pool == 2. Returns bytes. */
size_t fx_layer_output_chw(const fx_layer *l, const int32_t *out, uint8_t *chw);

/* Whole network on one image (in_c*in_h*in_w uint8). logits: n_classes int32 (the last layer's first
 * column; an FC layer has only one). Returns the class (argmax, ties to the lowest index), -1 when out
 * of memory. Thread-safe: a prepared net may be shared by threads.
 * layer_out (may be NULL) is called with every layer's raw GEMM output [N][M]. */
typedef void (*fx_layer_cb)(void *user, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M);
int fx_ref_infer(const fx_ref_net *net, const uint8_t *image, int32_t *logits, fx_layer_cb cb, void *user);

/* Version 2 (contract §7, sw/src/ref_graph.c; fx_ref_infer calls it for a v2 model). Tensors are HWC.
 * im2col with stride and zero padding, k = (dy*kw+dx)*C + c (FC: the HWC input flattened); returns N. */
uint32_t fx_im2col_v2(const fx_layer *l, uint32_t n_out, const uint8_t *in_hwc, uint8_t *cols);
/* The shortcut tensor r [N][M] of a layer with a residual from its source tensor (HWC, shape c×h×w). */
void fx_residual_v2(const fx_layer *l, const uint8_t *src, uint32_t c, uint32_t h, uint32_t w, uint8_t *r);
/* GEMM output [N][M] -> the layer's HWC uint8 output after its pooling (none, 2x2 max, global average). */
size_t fx_layer_output_v2(const fx_layer *l, const int32_t *out, uint8_t *hwc);
/* The image (C,H,W order) as an HWC tensor. */
void fx_chw_to_hwc(const uint8_t *chw, uint32_t c, uint32_t h, uint32_t w, uint8_t *hwc);
/* The logits of a v2 model: the last layer's output (n_classes x 1 x 1). */
int fx_ref_infer_v2(const fx_ref_net *net, const uint8_t *image, int32_t *logits, fx_layer_cb cb, void *user);
#ifdef __cplusplus
}
#endif
#endif
