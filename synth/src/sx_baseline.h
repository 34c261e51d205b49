/* SPDX-License-Identifier: Apache-2.0 */
/* Area baselines per Yosys version (synth/baselines/yosys-<version>.json): named figures with a
 * relative tolerance each. Checked by a CTest; written only on request (target synth-update-baselines). */
#ifndef SX_BASELINE_H
#define SX_BASELINE_H
#include "sx_synth.h"

/* Steps a baseline needs. */
unsigned sx_baseline_steps(void);
/* 0 within tolerance, 1 outside (every difference printed), 2 unreadable file / other config,
 * 77 (CTest skip) when the file does not exist. */
int sx_baseline_check(const sx_result *r, const char *path);
int sx_baseline_update(const sx_result *r, const char *path);
#endif
