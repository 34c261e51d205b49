/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of rtl/flexor_cmd.v: the command parser. LOAD_W/P/A headers are checked when their count word
 * arrives and their data words go to memory (or are consumed and dropped); RUN and RUNX arguments go to ctrl;
 * CLEAR_COUNTERS; the ID reply; the sticky error register (codes 1 and 6 here, 2-5 from the RUN / RUNX). */
#include "accel.h"

void fxa_cmd_error(fxa_accel *a, uint32_t code)
{
    if (!a->err) a->err = code; /* sticky: the first error's code */
}

/* Checks a LOAD header; on success the data words go to memory, else they are consumed and dropped. */
static void load_start(fxa_accel *a)
{
    const fx_hwcfg *c = &a->cfg;
    uint64_t addr = a->hdr[0], count = a->hdr[1], depth, units, per;
    switch (a->op) {
    case FX_OP_LOAD_W: units = c->lanes; depth = c->wmem_depth; per = 1; break;
    case FX_OP_LOAD_P: units = c->lanes; depth = c->pmem_depth; per = a->wd.p_words; break;
    default: units = 2; depth = c->amem_depth; per = a->wd.a_words; break;
    }
    a->drop = a->target >= units || addr + count > depth;
    if (a->drop) fxa_cmd_error(a, FXA_ERR_LOAD);
    a->data_left = count * per;
    a->data_idx = 0;
    a->state = a->data_left ? FXA_ST_DATA : FXA_ST_CMD;
}

/* Data word k of a LOAD: the entries of one memory are contiguous, so word k lands at addr's k-th word. */
static void load_word(fxa_accel *a, uint32_t w)
{
    uint64_t k = a->data_idx++;
    if (--a->data_left == 0) a->state = FXA_ST_CMD;
    if (a->drop) return;
    uint64_t addr = a->hdr[0];
    switch (a->op) {
    case FX_OP_LOAD_W: fxa_ram_write(&a->wmem, a->target, addr, k, w); break;
    case FX_OP_LOAD_P: fxa_ram_write(&a->pmem, a->target, addr, k, w); break;
    default: fxa_amem_load_word(&a->amem, a->target, addr, k, w); break;
    }
}

void fxa_cmd_word(fxa_accel *a, uint32_t w)
{
    switch (a->state) {
    case FXA_ST_CMD:
        a->op = w >> 24;
        a->target = w & 0xFFFFFF;
        a->nhdr = 0;
        switch (a->op) {
        case FX_OP_LOAD_W: case FX_OP_LOAD_P: case FX_OP_LOAD_A: a->need = 2; a->state = FXA_ST_HDR; break;
        case FX_OP_RUN: a->need = 8; a->state = FXA_ST_HDR; break;
        case FX_OP_RUNX: a->need = FX_RUNX_ARGS; a->state = FXA_ST_HDR; break;
        case FX_OP_CLEAR_COUNTERS: a->cnt.busy = a->cnt.stall = a->cnt.slices = 0; break;
        case FX_OP_ID:
            fxa_top_push(a, (uint32_t)FX_ID_MAGIC << 16 | FX_IF_MAJOR << 8 | FX_IF_MINOR);
            fxa_top_push(a, fx_hwcfg_hash(&a->cfg));
            break;
        default: fxa_cmd_error(a, FXA_ERR_OPCODE); break; /* consumes only its own word */
        }
        break;
    case FXA_ST_HDR:
        a->hdr[a->nhdr++] = w;
        if (a->nhdr < a->need) break;
        a->state = FXA_ST_CMD;
        if (a->op == FX_OP_RUN || a->op == FX_OP_RUNX) fxa_ctrl_run(a, a->hdr, a->op == FX_OP_RUNX);
        else load_start(a);
        break;
    default: load_word(a, w); break;
    }
}
