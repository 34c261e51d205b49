/* SPDX-License-Identifier: Apache-2.0 */
/* The design-space sweep: N_in/N_out 20,16,12,8 /20 × N_tap 2,3 × lanes 16,8 × hardwired/programmable
 * M⊕, plus the reduced iCE40 config for Fmax. Writes sweep.md, sweep.csv, sweep.svg (gnuplot) and one
 * report per config under out/. */
#ifndef SX_SWEEP_H
#define SX_SWEEP_H
int sx_sweep(const char *out, const char *device, double freq);
#endif
