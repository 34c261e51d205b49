/* SPDX-License-Identifier: Apache-2.0 */
/* Random valid models: fixed architectures (benchmarks, csim), small random networks (tests, regressions)
 * and RUN-corner networks the driver can place (accelerator tests, test vectors). Each has its own stream. */
#ifndef FLEXOR_MODEL_RANDOM_H
#define FLEXOR_MODEL_RANDOM_H
#include "flexor/model.h"
#include "flexor/netdesc.h"
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* arch "mlp": FC 784-512-512-10; "lenet": conv 1->32 5x5 pool2, conv 32->64 5x5 pool2, FC 1024-512,
 * FC 512-10 (input 1x28x28). First and last layers unencrypted q=4, the others encrypted with N_in 16
 * (or the configuration's middle N_in when 16 is not in its set) q=1; the last layer is RAW;
 * "wide": one unencrypted q=1 FC 784-65536, the most classes a model can have.
 * flags_extra is OR-ed into every layer's flags (e.g. FX_F_STRADDLE; FX_F_ENCRYPTED also encrypts the
 * first and last layers). α, bias and shift are scaled so that activations stay in a useful range.
 * The same seed gives the same model. Returns 0, or -1 (unknown arch, configuration too small). */
int fx_model_random(fx_model *m, const fx_hwcfg *cfg, const char *arch, uint32_t flags_extra, uint64_t seed);

/* A small random network for tests and constrained-random regressions: 1..max_layers layers, a
 * random input shape (1..3 x 1..12 x 1..12), conv/FC, encrypted or not (random N_in of cfg), straddle
 * or aligned, q 1..q_max, M up to 2*lanes+3, pooling where legal, the last layer RAW or RELU_U8.
 * Returns 0, or -1 if cfg cannot hold it (k_max too small). */
int fx_model_random_net(fx_model *m, const fx_hwcfg *cfg, uint64_t seed, uint32_t max_layers);

/* A random valid model for cfg that the driver can place (fx_driver_plan succeeds): input c×h×w small,
 * 0..2 conv layers (some pooled), then 1..3 FC layers (a chainable run); q, N_in, encryption and layout
 * drawn per layer, M often not a multiple of lanes, K often not a multiple of N_out; the last layer RAW.
 * The same seed gives the same model. Returns 0, or -1 when no such model fits cfg. */
int fx_accel_random_model(fx_model *m, const fx_hwcfg *cfg, uint64_t seed);

/* Version-2 models (docs/contract.md §7). "resnet8": input 1x28x28, stem conv 16 3x3 p1; a block of two
 * 16-channel 3x3 convs with an identity shortcut; a stride-2 block to 32 channels with the option-A
 * shortcut; a stride-2 block to 64 channels with a 1x1 stride-2 projection layer as its shortcut and
 * global average pooling; fc 10 (RAW). First and last layers unencrypted q=4, the others encrypted q=1. */
int fx_model_random_resnet8(fx_model *m, const fx_hwcfg *cfg, uint64_t seed);
/* A random version-2 graph: 1..max_blocks blocks, each a random conv (any kernel up to 4x4, padding,
 * stride 1-2, sometimes 2x2 max-pooled) or a residual block (identity, option-A or 1x1 stride-2
 * projection shortcut), ending with global average pooling, a covering conv or nothing, then an FC
 * (reading HWC) with 2..12 classes. Input c×h×w random (1..3 x 3..12 x 3..12), or in_chw when not NULL.
 * Returns 0, or -1 if cfg cannot hold it. */
int fx_model_random_graph(fx_model *m, const fx_hwcfg *cfg, uint64_t seed, uint32_t max_blocks, const uint32_t *in_chw);

/* A random version-2 chain the accelerator runs as RUNX commands (fx_driver_plan succeeds): input
 * 1..3 x 3..14 x 3..14; 1..3 convs (kernel 1..4, padding, stride 1..4, M up to 2*lanes+3, sometimes 2x2
 * max-pooled), maybe a hidden FC, then the logits: an FC or a covering conv (RAW) or a conv to 2x2 pooled
 * to 1x1 (RELU_U8); encryption, N_in, q and layout drawn per layer. Returns 0, or -1 if cfg cannot hold it. */
int fx_model_random_chain(fx_model *m, const fx_hwcfg *cfg, uint64_t seed);

/* A network description as a version-2 model with random weights (fx_net_to_model for the graph): each
 * conv/fc line's bits=/q=/nin=/layout= where given, else the first and last layers unencrypted q = 4 and
 * the others encrypted with N_in 16 (or the configuration's middle N_in), q = 1. 0, or -1 with a one-line
 * "SOURCE:LINE: ..." message. */
int fx_model_random_from_net(fx_model *m, const fx_hwcfg *cfg, const fx_netdesc *nd, uint64_t seed, char *err, size_t errlen);

/* Fill an already shaped and allocated layer with random α, bias, slices and a fitting shift;
 * act_rms is the expected RMS of its input activations. */
void fx_layer_randomize(fx_layer *l, uint32_t n_out, double act_rms, uint64_t *rng);

#ifdef __cplusplus
}
#endif
#endif
