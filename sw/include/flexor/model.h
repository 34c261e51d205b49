/* SPDX-License-Identifier: Apache-2.0 */
/* The model file (.fxm, format versions 1 and 2, docs/contract.md §6 and §7) as an in-memory structure. */
#ifndef FLEXOR_MODEL_H
#define FLEXOR_MODEL_H
#include "flexor/hwcfg.h"
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define FX_FORMAT_VERSION 1u /* a chain of stride-1 unpadded layers, CHW (contract §6) */
#define FX_FORMAT_V2 2u      /* the graph: stride, padding, residual, global average pool, HWC (contract §7) */
#define FX_MAX_LAYERS 64u

enum { FX_LAYER_FC = 1, FX_LAYER_CONV = 2 };
enum { FX_F_ENCRYPTED = 1u << 0, FX_F_STRADDLE = 1u << 1, FX_F_RELU_U8 = 1u << 2 };
#define FX_F_ALL (FX_F_ENCRYPTED | FX_F_STRADDLE | FX_F_RELU_U8)
enum { FX_POOL_NONE = 0, FX_POOL_MAX2 = 2, FX_POOL_AVG = 3 /* global average, v2 */ };
enum { FX_RES_NONE = 0, FX_RES_IDENTITY = 1, FX_RES_OPTION_A = 2 };

typedef struct {
    uint32_t type, flags, q, n_in;
    uint32_t M, K;
    uint32_t in_c, in_h, in_w, kh, kw, pool, shift;
    int16_t *alpha;   /* [M][q] */
    int32_t *bias;    /* [M] */
    uint32_t *slices; /* [q][n_slices]: stored slice s of plane i at slices[i*n_slices + s], bits [n_in-1:0] */
    uint32_t n_slices;
    /* version 2 only (a version-1 model leaves them 0: stride 1, no padding, reads the previous layer) */
    uint32_t stride, pad;
    uint32_t src;      /* input: 0 = the image, L+1 = the output of layer L */
    uint32_t res_kind; /* FX_RES_*; res_src encoded as src */
    uint32_t res_src;
    uint32_t avg_mult, avg_shift; /* pool FX_POOL_AVG */
    int16_t *beta;     /* [M] when res_kind != 0 */
} fx_layer;

typedef struct {
    uint32_t version; /* FX_FORMAT_VERSION or FX_FORMAT_V2; 0 (a zeroed structure) means version 1 */
    uint32_t cfg_hash;
    uint32_t in_c, in_h, in_w, n_classes;
    uint32_t n_out, n_tap;
    uint64_t seed;
    uint32_t n_layers;
    fx_layer layers[FX_MAX_LAYERS];
} fx_model;

/* Slices per plane for a layer's shape and layout (contract §3). */
uint32_t fx_layer_nslices(const fx_layer *l, uint32_t n_out);
/* Chunks per column CH = ceil(K / n_out). */
uint32_t fx_layer_chunks(const fx_layer *l, uint32_t n_out);
/* 1 for a version-2 model. */
int fx_model_is_v2(const fx_model *m);
/* Output positions before pooling (conv: stride and padding applied; FC 1x1). */
void fx_layer_conv_out(const fx_layer *l, uint32_t *h, uint32_t *w);
/* Output geometry: channels, height, width after the layer and its pooling. */
void fx_layer_out_shape(const fx_layer *l, uint32_t *c, uint32_t *h, uint32_t *w);
/* Bits actually stored per weight (q*n_in/n_out amortised over the real slice count). */
double fx_layer_bits_per_weight(const fx_layer *l, uint32_t n_out);

/* Bytes of a layer's payload in the file: α, bias, β (v2 residual), planes, each padded (contract §6/§7.4). */
uint64_t fx_layer_payload_bytes(const fx_layer *l, uint32_t n_out);
/* Allocate a layer's arrays (zeroed) for its shape fields (beta when res_kind != 0); -1 when out of memory. */
int fx_layer_alloc(fx_layer *l, uint32_t n_out);
void fx_model_free(fx_model *m);

/* Read and fully validate a model file against cfg. Returns 0, or -1 with a one-line message
 * "PATH: problem" in err. On failure *m holds nothing to free. */
int fx_model_read(const char *path, const fx_hwcfg *cfg, fx_model *m, char *err, size_t errlen);
/* Same from memory (used by the fuzzer); name is used in messages. */
int fx_model_parse(const uint8_t *buf, size_t len, const char *name, const fx_hwcfg *cfg, fx_model *m,
                   char *err, size_t errlen);
/* Validate an in-memory model (the same rules as the reader). */
int fx_model_validate(const fx_model *m, const fx_hwcfg *cfg, char *err, size_t errlen);
/* Serialise; write atomically (temp file + rename). */
int fx_model_serialize(const fx_model *m, uint8_t **buf, size_t *len);
int fx_model_write(const char *path, const fx_model *m, char *err, size_t errlen);
#ifdef __cplusplus
}
#endif
#endif
