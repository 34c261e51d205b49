/* SPDX-License-Identifier: Apache-2.0 */
/* Host driver: lowers a model into accelerator commands (docs/accelerator.md) and runs them on a
 * backend: the command-level C model (sw/) or the Verilated RTL (csim/), through the same calls. */
#ifndef FLEXOR_DRIVER_H
#define FLEXOR_DRIVER_H
#include "flexor/model.h"
#include "flexor/ref.h"
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

enum { FX_OP_LOAD_W = 1, FX_OP_LOAD_P = 2, FX_OP_LOAD_A = 3, FX_OP_RUN = 4, FX_OP_CLEAR_COUNTERS = 5, FX_OP_ID = 6,
       FX_OP_RUNX = 7 };
/* Argument words of RUNX (docs/accelerator.md "RUNX"): K, M, flags, w_base, p_base, a_src_base, a_dst_base,
 * C, in_hw, kernel, out_hw. */
enum { FX_RUNX_ARGS = 11 };

/* The ID reply (docs/accelerator.md): word 0 = magic "FX" << 16 | major << 8 | minor, word 1 = config hash. */
enum { FX_ID_WORDS = 2, FX_ID_MAGIC = 0x4658, FX_IF_MAJOR = 1, FX_IF_MINOR = 2 };
/* The interface minor version that has RUNX (a version-2 model needs it). */
enum { FX_IF_MINOR_RUNX = 2 };
typedef struct {
    uint32_t magic, major, minor, cfg_hash;
} fx_hw_id;

typedef struct {
    uint64_t cycles, busy, stall, slices;
} fx_counters;

typedef struct fx_backend fx_backend;
struct fx_backend {
    const char *name;
    void *ctx;
    /* Push command/data words; returns when all are accepted (0) or on failure (-1). */
    int (*write)(fx_backend *b, const uint32_t *w, size_t n);
    /* Pop n result words (running the device as needed); -1 on timeout/deadlock. */
    int (*read)(fx_backend *b, uint32_t *w, size_t n);
    void (*counters)(fx_backend *b, fx_counters *c);
    /* Sticky error code, 0 if none. */
    uint32_t (*error)(fx_backend *b);
    /* Internal taps (NULL to disable). */
    void (*set_taps)(fx_backend *b, const fx_taps *t);
    void (*destroy)(fx_backend *b);
};

/* Where each layer lives in the accelerator's memories. */
typedef struct {
    uint32_t w_base[FX_MAX_LAYERS], p_base[FX_MAX_LAYERS];
    uint32_t w_words, p_entries; /* per lane, used */
} fx_plan;

/* Places the model in the accelerator's memories; -1 with a one-line message. A version-2 model must be a
 * chain (each layer reads the previous one's output, the first the image) without residual, pool 0 or 2,
 * its tensors within an activation buffer: anything else is refused naming the layer. */
int fx_driver_plan(const fx_hwcfg *cfg, const fx_model *m, fx_plan *plan, char *err, size_t errlen);
/* The RUNX command (1 + FX_RUNX_ARGS words) of a layer of a version-2 model: its HWC input tensor at word
 * src_base of buffer a_src, its output tensor to a_dst from dst_base (or streamed). */
void fx_driver_runx_words(const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, uint32_t layer, int dst_stream,
                          uint32_t a_src, uint32_t a_dst, uint32_t src_base, uint32_t dst_base,
                          uint32_t w[1 + FX_RUNX_ARGS]);
/* Sends ID and reads the reply; -1 with a message if the backend fails or the reply is not a flexor
 * accelerator of interface major version FX_IF_MAJOR. */
int fx_driver_identify(fx_backend *b, fx_hw_id *id, char *err, size_t errlen);
/* Identifies the hardware, refuses one whose config hash differs from the model's (or, for a version-2
 * model, whose interface has no RUNX: minor < FX_IF_MINOR_RUNX), then LOAD_W /
 * LOAD_P of every layer: the check comes before the first RUN. 0, or -1 with a one-line message. */
int fx_driver_load(fx_backend *b, const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, char *err,
                   size_t errlen);
/* The RUN descriptor (9 words) of a layer. */
void fx_driver_run_words(const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, uint32_t layer, uint32_t N,
                         int dst_stream, uint32_t a_src, uint32_t a_dst, uint32_t src_base, uint32_t dst_base,
                         uint32_t w[9]);
/* One layer: im2col on the host, LOAD_A, RUN with results streamed back; out [N][M]. Returns N or -1. */
int fx_driver_run_layer(fx_backend *b, const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, uint32_t layer,
                        const uint8_t *in_chw, int32_t *out);
/* Last layer of the driver segment starting at layer `first`: the end of the on-chip FC run with chain_fc
 * (consecutive FC layers), else first itself. fx_driver_infer reads results once per segment. */
uint32_t fx_driver_segment_end(const fx_model *m, uint32_t first, int chain_fc);
/* Whole network on one image; chain_fc = 1 keeps consecutive FC layers on chip (activation
 * buffers), 0 streams every layer's output back. Returns the class, -1 on failure. A version-2 model runs
 * entirely on chip (one LOAD_A of the image, one RUNX per layer; chain_fc is ignored) and cb sees only
 * the last layer's output, when that layer is not pooled. */
int fx_driver_infer(fx_backend *b, const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, const uint8_t *image,
                    int32_t *logits, int chain_fc, fx_layer_cb cb, void *user);

/* The command-level C model of the accelerator (bit-exact with the RTL, docs/accelerator.md). */
fx_backend *fx_accel_model_new(const fx_hwcfg *cfg);
#ifdef __cplusplus
}
#endif
#endif
