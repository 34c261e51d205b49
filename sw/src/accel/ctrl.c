/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of rtl/flexor_ctrl.v: one RUN or RUNX, orchestrated. The argument checker (argchk.c) accepts or refuses
 * it, the sequencer (seq.c) runs its loops through the lanes into the writer, and the counters advance
 * by the documented timing. */
#include "accel.h"

void fxa_ctrl_run(fxa_accel *a, const uint32_t *h, int x)
{
    fxa_run r;
    uint32_t e = x ? fxa_argchk_runx(a, h, &r) : fxa_argchk(a, h, &r);
    if (e) { fxa_cmd_error(a, e); return; } /* a failing RUN produces nothing */
    fxa_seq_run(a, &r);
    /* Timing: the documented bound, one chunk per lane per cycle, one priming slice per plane in straddle.
     * For RUNX the same engine bound stands in: its exact timing is the RTL's (not modelled yet). */
    uint64_t busy = (uint64_t)r.N * r.G * r.q * r.S;
    a->cnt.busy += busy;
    a->cnt.cycles += busy;
    a->cnt.slices += (uint64_t)r.N * r.q * r.CH * r.M;
}
