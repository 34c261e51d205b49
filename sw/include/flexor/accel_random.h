/* Small random models that exercise every corner of the accelerator's RUN (tests, test vectors). */
#ifndef FLEXOR_ACCEL_RANDOM_H
#define FLEXOR_ACCEL_RANDOM_H
#include "flexor/model.h"
#include <stdint.h>

/* A random valid model for cfg that the driver can place (fx_driver_plan succeeds): input c×h×w small,
 * 0..2 conv layers (some pooled), then 1..3 FC layers (a chainable run); q, N_in, encryption and layout
 * drawn per layer, M often not a multiple of lanes, K often not a multiple of N_out; the last layer RAW.
 * The same seed gives the same model. Returns 0, or -1 when no such model fits cfg. */
int fx_accel_random_model(fx_model *m, const fx_hwcfg *cfg, uint64_t seed);
#endif
