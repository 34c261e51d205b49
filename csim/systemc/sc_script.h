/* SPDX-License-Identifier: Apache-2.0 */
/* The word-level script the SystemC harness replays: every command word the host driver writes for a
 * model and a set of images (recorded through the C model), the output words it read back, and the
 * integer reference's logits per image. Plain C, so the C++ side stays a thin SystemC shell. */
#ifndef FLEXOR_CSIM_SC_SCRIPT_H
#define FLEXOR_CSIM_SC_SCRIPT_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t *in;   /* command + data words, in order */
    size_t n_in;
    uint32_t *out;  /* output words the C model produced, in order */
    uint32_t *last; /* out_last expected with each, 1/0 (the final word of each RUN's stream) */
    size_t n_out;
    uint32_t images, n_classes;
    size_t *logits_at;   /* [images]: index in out[] of image i's logits */
    int32_t *ref_logits; /* [images][n_classes] from fx_ref_infer */
    int32_t *ref_class;  /* [images] */
    uint32_t hash;
    char name[128];
} fx_sc_script;

/* spec: a .fxm path or random:ARCH[:SEED[:straddle]]; data_dir NULL for seeded random images.
 * Returns 0, or 2 with a one-line message. */
int fx_sc_script_make(fx_sc_script *s, const char *spec, const char *data_dir, uint32_t images, uint64_t seed,
                      char *err, size_t errlen);
void fx_sc_script_free(fx_sc_script *s);
#ifdef __cplusplus
}
#endif
#endif
