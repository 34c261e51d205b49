/* SPDX-License-Identifier: Apache-2.0 */
/* The FleXOR trainer: one training job (network, bit setting) from data to an exported integer model.
 * `flexor train` runs one job; `flexor sweep` runs many; both go through fx_train_job(). */
#ifndef FLEXOR_TRAINER_H
#define FLEXOR_TRAINER_H
#include "flexor/hwcfg.h"
#include "flexor/netdesc.h"
#include <stddef.h>
#include <stdint.h>

#define FXT_MAX_LAYERS 64 /* conv/fc layers of a network (the model format's FX_MAX_LAYERS) */
#define FXT_MAX_STEPS 8

typedef struct {
    char net[1024];        /* --net: a preset name ("mlp", "lenet"), a description file or a spec (docs/net.md) */
    char bits[128];        /* "0.8" (middle layers), "fp", "binary", or a per-layer comma list */
    char edge[16];         /* first/last layers: "q4" (default), "binary", "fp", ... */
    int q;                 /* planes of FleXOR layers; 0 = ceil(bits) */
    int act_quant;         /* 1: uint8 activations (QAT), 0: float activations */
    int straddle;          /* 1: straddle slice layout, 0: aligned (default) */
    int unsimplified;      /* 1: tanh in the product of the XOR backward */
    int analog;            /* 1: tanh in the forward too (ablation only, not exportable) */
    int bn;                /* batch norm after conv layers (folded at export) */
    int epochs, batch;
    char optim[8];         /* "adam" | "sgd" */
    float lr, momentum, beta1, beta2, wd;
    float warmup;          /* LR linear warm-up, epochs */
    int sched_step;        /* 0: cosine to 0 after warm-up; 1: step decays at step_at */
    float step_at[FXT_MAX_STEPS];
    int n_steps;
    float step_gamma;      /* LR factor at each step decay */
    float stanh0, stanh, stanh_warmup, stanh_mult;
    float clip_k;          /* clip x_e to ±clip_k/S_tanh; 0 = off */
    float xe_init;         /* x_e ~ U(±xe_init) */
    float qat_start;       /* epochs of float activations before uint8 activations (calibration) */
    uint32_t val, train_limit, test_limit;
    uint64_t seed;
    char data[512], out[512], ckpt[512], csv[512];
    char json[512];        /* --json: the result as one JSON object (flexor train only; "" = none) */
    int resume;
    int stop_after;        /* stop after this many epochs of this invocation (tests: simulated kill) */
    int quiet;
    int no_export;
    int threads;           /* 1 or 2 data-parallel workers (default 2); results depend on it */
    int conv_gemm;         /* 1: convolutions by im2col + OpenBLAS GEMM, 0: oneDNN's (default); results differ in rounding */
    int format;            /* model format (contract version) trained for and exported: 0 = the smallest that
                            * expresses the network (1 unless it needs 2), 1, 2 (docs/trainer.md) */
    char config[512];      /* --config as given ("" = the built-in configuration); cfg holds what it names */
    fx_hwcfg cfg;          /* the hardware configuration of quantizers, M-xor, export and reference check */
} fx_train_opts;

typedef struct {
    double float_acc, int_acc, ref_acc; /* test accuracy %, -1 when not available */
    double val_acc;
    double float_fact_acc;    /* the same weights evaluated with float activations (-1 if they are float anyway) */
    double bits_per_weight;   /* FleXOR/binary layers (middle), as stored */
    double avg_bits;          /* all weights of the network (float = 32) */
    long model_bytes;         /* .fxm size, -1 if not exported */
    long ref_mismatch;        /* test images whose logits differ between own integer eval and fx_ref_infer */
    double train_seconds, train_img_s;
    int epochs_done;
    char note[256];
} fx_train_result;

void fx_train_defaults(fx_train_opts *o);
/* The comparison setting of docs/trainer.md (first/last float, float activations, straddle layout). */
void fx_train_paper(fx_train_opts *o);
/* Run one job. Returns 0, 2 on bad input (message printed), 1 on a failed check. */
int fx_train_job(const fx_train_opts *o, fx_train_result *r);
/* What --net names (a preset, file or spec, docs/net.md) read into nd (file: as fx_netdesc_resolve) and checked against what the trainer
 * can build and export as an integer model (contract v1; run and sweep-hw need that model): 0, or -1 with one line
 * "FILE:LINE: ..." in err. Every command that trains calls it or fx_train_net_float before any work, so a
 * network the trainer cannot build fails at once. */
int fx_train_net(const char *net, fx_netdesc *nd, char *file, size_t filelen, char *err, size_t errlen);
/* The same for what the trainer can train in floating point (contract v2 layer kinds too: stride, padding,
 * branches, residual adds, average pooling); train and sweep, which report float results for those. */
int fx_train_net_float(const char *net, fx_netdesc *nd, char *file, size_t filelen, char *err, size_t errlen);
/* Where --config NAME finds rtl/config/NAME.cfg: the CLI sets it to its fx_rtl_dir() (an installed flexor
 * has its own copy); NULL: the source tree's rtl/. */
extern const char *fx_train_rtl_dir;
/* Parse `flexor train` options into o (after fx_train_defaults); returns 0, 1 for --help, 2 bad input. */
int fx_train_parse(int argc, char **argv, fx_train_opts *o);
#endif
