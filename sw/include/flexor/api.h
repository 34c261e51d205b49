/* SPDX-License-Identifier: Apache-2.0 */
/* A flat C API over libflexor for foreign-function interfaces (the Python module sw/python/flexor uses it
 * through ctypes): opaque handles, plain integer arrays, errors as one line in a caller's buffer. Every
 * function returning int returns 0 on success or -1 with err set. cfg_path NULL means the built-in
 * configuration, otherwise the path of a .cfg file (docs/contract.md §1). */
#ifndef FLEXOR_API_H
#define FLEXOR_API_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct fx_api_model fx_api_model;

enum { FX_API_CFG_INFO = 8, FX_API_MODEL_INFO = 8, FX_API_LAYER_INFO = 14 };

/* info: n_out, n_tap, lanes, q_max, k_max, n_in_count, hash, 0; n_in: n_in_count values (at most 8);
 * seed: the M⊕ seed; name: the configuration's name. */
int fx_api_config(const char *cfg_path, uint32_t info[FX_API_CFG_INFO], uint32_t n_in[8], uint64_t *seed, char *name,
                  size_t namelen, char *err, size_t errlen);
/* M⊕ for n_in as an (n_out, n_in) 0/1 matrix, row-major: out[r*n_in + j] = stored bit j feeds bit r. */
int fx_api_mxor(const char *cfg_path, uint32_t n_in, uint8_t *out, char *err, size_t errlen);

fx_api_model *fx_api_load(const char *path, const char *cfg_path, char *err, size_t errlen);
/* An empty model for the configuration: input c×h×w, n_classes; layers are added in order. */
fx_api_model *fx_api_new(const char *cfg_path, uint32_t in_c, uint32_t in_h, uint32_t in_w, uint32_t n_classes,
                         char *err, size_t errlen);
/* f: type (1 FC, 2 conv), flags, q, n_in, M, K, in_c, in_h, in_w, kh, kw, pool, shift (contract §6);
 * alpha int16 [M][q], bias int32 [M], slices uint32 [q][n_slices] (n_slices per contract §3, see
 * fx_api_layer_info after adding). The arrays are copied. */
int fx_api_add_layer(fx_api_model *m, const uint32_t f[13], const int16_t *alpha, const int32_t *bias,
                     const uint32_t *slices, uint64_t n_slices, char *err, size_t errlen);
/* Validates (every rule of the reader) and writes atomically. */
int fx_api_save(fx_api_model *m, const char *path, char *err, size_t errlen);
void fx_api_free(fx_api_model *m);

uint32_t fx_api_n_layers(const fx_api_model *m);
/* in_c, in_h, in_w, n_classes, n_out, n_tap, cfg_hash, n_layers */
void fx_api_model_info(const fx_api_model *m, uint32_t info[FX_API_MODEL_INFO]);
/* The 13 fields of fx_api_add_layer, then n_slices. */
int fx_api_layer_info(const fx_api_model *m, uint32_t layer, uint32_t info[FX_API_LAYER_INFO], char *err, size_t errlen);
/* Any pointer may be NULL. weights: the decrypted signs ±1, int8 [q][M][K]. */
int fx_api_layer_arrays(fx_api_model *m, uint32_t layer, int8_t *weights, int16_t *alpha, int32_t *bias,
                        uint32_t *slices, char *err, size_t errlen);
/* The integer reference on n images (uint8, in_c·in_h·in_w each, CHW): logits [n][n_classes] and the
 * classes [n] (either may be NULL). */
int fx_api_infer(fx_api_model *m, const uint8_t *images, uint64_t n, int32_t *logits, int32_t *classes, char *err,
                 size_t errlen);
#ifdef __cplusplus
}
#endif
#endif
