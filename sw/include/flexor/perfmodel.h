/* SPDX-License-Identifier: Apache-2.0 */
/* Performance model of the whole accelerator (rtl/flexor_top.v and its blocks, docs/perf.md): the cycles
 * of every command the host driver sends, from the layer's shape and the configuration, for a host that
 * never stalls either stream. It is not a block's C twin (sw/src/accel/ holds those, one per RTL block):
 * it models the engine as a whole, so it lives beside the driver whose command stream it follows. */
#ifndef FLEXOR_PERFMODEL_H
#define FLEXOR_PERFMODEL_H
#include "flexor/hwcfg.h"
#include "flexor/model.h"
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Cycles of the fixed parts (docs/perf.md): a command word is accepted per cycle; a RUN spends 1 cycle
 * to start, 2 check cycles, 5 stages after S0 to its first result, 1 cycle R -> O, and 2 cycles after its
 * last output word before the next command word is accepted. */
enum {
    FX_PERF_LOAD_HDR = 3,  /* LOAD_x: opcode, addr, count */
    FX_PERF_RUN_WORDS = 9, /* RUN: opcode + 8 arguments */
    FX_PERF_ID = 3,        /* ID: its word, then the two reply words */
    FX_PERF_RUN_HEAD = 4,  /* last argument word -> first token issued (start, check 1, check 2) */
    FX_PERF_RUN_TAIL = 2   /* last output word -> next command word accepted (drained, done) */
};

/* One RUN's geometry: what its 8 argument words say about timing. */
typedef struct {
    uint32_t K, M, N, q;
    int straddle;   /* one priming slice per (column, group, plane) */
    int dst_stream; /* results on the out stream (else bytes into an activation buffer) */
} fx_perf_shape;

/* One RUN. busy is what cnt_busy counts (RUN start to done), stall what cnt_stall counts. */
typedef struct {
    uint64_t issue;  /* N·G·q·S: cycles in which S0 issues a token */
    uint64_t stall;  /* cycles the pipeline waits for the serialiser (output-bound layers) */
    uint64_t busy;   /* the whole RUN: issue + stall + fixed */
    uint64_t fixed;  /* busy − issue − stall: start, checks, pipeline fill, last group's serialisation, done */
    uint64_t slices; /* cnt_slices: active lanes × chunks = N·q·CH·M */
    uint64_t words;  /* result words (dst_stream) or destination bytes written */
} fx_perf_run;

/* The cycles of one RUN. Exact for the RTL when nothing stalls the out stream. */
void fx_perf_run_cycles(const fx_hwcfg *cfg, const fx_perf_shape *s, fx_perf_run *r);

/* One RUNX (docs/accelerator.md "RUNX"): its geometry. */
typedef struct {
    uint32_t K, M, q, C, in_h, in_w, kh, kw, s, p, out_h, out_w;
    int straddle;   /* one priming slice per (column, group, plane) */
    int pool;       /* 2x2 max-pooling */
    int dst_stream; /* results on the out stream (else the output tensor into a buffer) */
} fx_perf_xshape;

enum { FX_PERF_RUNX_WORDS = 12, /* RUNX: opcode + 11 arguments */
       FX_PERF_RUNX_HEAD = 14 }; /* last argument word -> the gather's first cycle (start, check 1, 10 × check X, check 2) */

/* The cycles of one RUNX, exact for the RTL when nothing stalls the out stream (docs/rtl.md "RUNX
 * timing"): a cycle-by-cycle transcription of flexor_gather, flexor_seq and flexor_writer, O(cycles).
 * r->issue counts the tokens (N·G·q·S), r->stall the cycles the pipeline waits (adv low); the cycles S0
 * waits for the gather are in r->fixed. 0, or -1 for a shape RUNX refuses (K != C·kh·kw, zero sizes). */
int fx_perf_runx_cycles(const fx_hwcfg *cfg, const fx_perf_xshape *s, fx_perf_run *r);

/* One layer of fx_driver_infer, as the host sees it: the cycles from the previous layer's last result
 * word to this layer's last result word (chained FC layers: to its RUN's end), by phase. */
typedef struct {
    fx_perf_shape shape;
    fx_perf_run run;
    uint32_t seg_first; /* first layer of this layer's driver segment (the chained FC run it belongs to) */
    uint64_t wait;      /* waiting for the previous RUN to finish (FX_PERF_RUN_TAIL after a RUN, else 0) */
    uint64_t load;      /* LOAD_A of the input (0 inside a chained FC run) */
    uint64_t args;      /* the RUN's 9 words */
    uint64_t exec;      /* last argument word to the last result word: busy − FX_PERF_RUN_TAIL, or the whole
                           busy inside a chain where the next RUN's words wait for it */
    uint64_t total;     /* wait + load + args + exec */
    double mac_bound;   /* slices / LANES: the cycles with every lane busy on a real channel */
} fx_perf_layer;

/* Predicts every layer of m as fx_driver_infer runs it (chain_fc as there); after_run = 1 when a RUN ran
 * before the image (every image but the first after the model load). 0, or -1 for a model the driver
 * refuses (version 2). */
int fx_perf_model(const fx_hwcfg *cfg, const fx_model *m, int chain_fc, int after_run, fx_perf_layer *out);
/* The same for a version-2 chain as fx_driver_infer runs it (docs/run.md): the image once (LOAD_A of its
 * HWC tensor, layer 0's load), then one RUNX per layer, each waiting for the previous one's done; the last
 * streams the logits (exec ends at its last word). shape.N is the layer's out_h·out_w; seg_first is 0 (one
 * driver segment; flexor cosim shows the chain as one row, inspect --perf does not use it yet). 0, or -1
 * for a version-1 model or a layer RUNX refuses. */
int fx_perf_model_v2(const fx_hwcfg *cfg, const fx_model *m, int after_run, fx_perf_layer *out);
/* Cycles of fx_driver_load (ID, LOAD_W and LOAD_P of every layer and lane). */
uint64_t fx_perf_load_cycles(const fx_hwcfg *cfg, const fx_model *m);
#ifdef __cplusplus
}
#endif
#endif
