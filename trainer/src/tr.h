/* SPDX-License-Identifier: Apache-2.0 */
/* Trainer internals: parameters, weight quantizers, the network, optimiser, export. */
#ifndef FLEXOR_TR_H
#define FLEXOR_TR_H
#include "flexor/fsutil.h"
#include "flexor/hwcfg.h"
#include "flexor/idx.h"
#include "flexor/model.h"
#include "flexor/mxor.h"
#include "flexor/netdesc.h"
#include "flexor/trainer.h"
#include <stddef.h>
#include <stdint.h>

/* ---- deterministic RNG (splitmix64) ---- */
typedef struct { uint64_t s; } tr_rng;
uint64_t tr_rng_next(tr_rng *r);
float tr_rng_uniform(tr_rng *r, float lo, float hi);
void tr_shuffle(uint32_t *perm, uint32_t n, uint64_t seed);

/* ---- a trainable tensor with its gradient and optimiser state ---- */
typedef struct {
    float *v, *g, *m1, *m2;
    size_t n;
    int decay; /* weight decay applies */
    float clip; /* >0: clip values to ±clip after each step */
    float sgd_scale; /* SGD: step = lr * sgd_scale * momentum buffer (1; 1/fan-in for binary-code scales alpha) */
} tr_param;
int tr_param_init(tr_param *p, size_t n, int decay);
void tr_param_free(tr_param *p);

/* ---- weight quantizer: parameters -> effective weight matrix W[M][K] ---- */
enum { TR_W_FP = 0, TR_W_BIN = 1, TR_W_FLEXOR = 2 };
typedef struct {
    int kind, q, n_in, straddle;
    uint32_t M, K, n_out, n_tap, n_slices, CH;
    fx_mxor mx;
    tr_param lat;   /* FP: [M*K]; BIN: [q][M*K]; FLEXOR: [q][n_slices*n_in] */
    tr_param alpha; /* [M][q] (BIN, FLEXOR) */
    float *W, *dW;  /* [M][K] */
    float *B;       /* [q][M*K] decrypted planes (FLEXOR; binary planes are sign(lat)) */
    float *dB;      /* [M*K] scratch */
} tr_wq;

typedef struct { float S; int unsimplified, analog; } tr_xor_mode;

/* Stream position t of weight (m,k), and back (contract §3). */
uint32_t tr_wq_pos(const tr_wq *w, uint32_t m, uint32_t k);
int tr_wq_init(tr_wq *w, int kind, int q, int n_in, int straddle, uint32_t M, uint32_t K, const fx_hwcfg *cfg,
               float xe_init, tr_rng *rng);
void tr_wq_free(tr_wq *w);
void tr_wq_forward(tr_wq *w, const tr_xor_mode *mode);
void tr_wq_backward(tr_wq *w, const tr_xor_mode *mode);
/* XOR network of one slice in the sign domain: out[i] = (-1)^(ntap-1) prod_{j in row i} f(x_j). */
void tr_xor_slice_forward(const fx_mxor *mx, const float *x, float S, int analog, float *out);
/* Add to dx the gradient of sum_i g[i]*out[i] through the tanh(S x) surrogate. */
void tr_xor_slice_backward(const fx_mxor *mx, const float *x, float S, int unsimplified, const float *g, float *dx);

/* ---- the network ---- */
/* The trainer's networks read 28x28 images and end in TR_CLASSES logits (Fashion-MNIST); datasets are
 * checked against both (tr_check_dataset) before any label indexes a buffer. */
enum { TR_CLASSES = 10, TR_SIDE = 28 };
/* 0, or -1 with "DIR: ..." in err when d does not fit the networks. */
int tr_check_dataset(const fx_dataset *d, const char *dir, char *err, size_t errlen);

enum { TR_FC = 1, TR_CONV = 2 };
enum { TR_SRC_INPUT = -1, TR_NO_RES = -2 }; /* tr_layer.src / .res: the network input, no residual */
enum { TR_MAX_PARAMS = 5 * FXT_MAX_LAYERS }; /* tr_net_params: at most 5 tensors per layer */
/* tr_export's return for a diverged network (exit status 2: bad input, not a bug) */
enum { TR_EXPORT_NONFINITE = -2 };
/* One fused layer: conv/fc -> bias -> [bn] -> [+ residual] -> [relu (uint8 quantized)] -> [max-pool 2 | global
 * average pool]. A network is a list of them in description order (a topological order): each reads the
 * output of an earlier one (src) and may add the output of another (res). */
typedef struct {
    int type;
    uint32_t in_c, in_h, in_w, kh, kw, pool;
    uint32_t stride, pad;         /* conv: stride 1..4, zero padding on every side */
    int kpos;                     /* conv K order: 0 contract v1's (c*kh + dy)*kw + dx, 1 contract v2's (dy*kw + dx)*C + c */
    uint32_t fc_c;                /* FC of a v2 network reading C x H x W with H*W > 1: C (it flattens HWC, §7.1); else 0 */
    float pad_val;                /* the padded value: 0, or for the network input the normalised pixel 0 */
    int src, res, res_pad;        /* input and residual layers (index, TR_SRC_INPUT, TR_NO_RES); res_pad: option A */
    int relu, avgpool;            /* relu after bn/add; global average pooling at the end */
    uint32_t out_c, out_h, out_w; /* before pooling (FC: M,1,1) */
    uint32_t po_h, po_w;          /* after pooling: the layer's output is out_c x po_h x po_w */
    uint32_t K, N;                /* fan-in, columns per image */
    int last, act_quant, bn;
    tr_wq wq;
    tr_param bias;
    tr_param gamma, beta;         /* BN */
    float *bn_mean, *bn_var;      /* running statistics */
    float *bn_bmean, *bn_binv;    /* batch statistics of the last forward */
    float act_ema;                /* running max of the ReLU output (activation scale = act_ema/255) */
    float bmax;                   /* max of z in the last training forward (merged into act_ema after the step) */
    /* buffers for one batch (im2col columns and other scratch are the network's, shared by its layers) */
    float *z;     /* pre-activation [B][M][N] (after bias / BN / residual) */
    float *zn;    /* BN: normalised [B][M][N] */
    float *y;     /* after ReLU/quant [B][M][N] */
    float *out;   /* after pool [B][M][po_h][po_w]; == y when no pool */
    float *dout;  /* gradient w.r.t. out, summed over the layers reading it */
    int dout_set; /* dout holds a contribution of this backward pass */
    uint32_t *pidx; /* pool argmax */
    int use_dnn;            /* conv through oneDNN where it can (tr_dnn_usable), else im2col + GEMM */
    struct tr_dnn *dnn;     /* its primitives (dnnconv.c), built on first use */
} tr_layer;

typedef struct tr_net {
    uint32_t n_layers, in_c, in_h, in_w, n_classes, batch;
    tr_layer L[FXT_MAX_LAYERS];
    float *in, *logits, *dlogits; /* input [C][B][H][W]; logits and their gradient [B][classes] */
    float *cols, *dcols, *tmp, *dz; /* scratch of one layer's forward/backward, sized for the largest */
    const fx_hwcfg *cfg;
    int act_quant_on; /* QAT active */
    /* data parallelism: a replica sharing every parameter value and the effective weights, with its
     * own buffers and gradients, trains the second half of each batch on the second core */
    struct tr_net *rep;
    /* batch norm over the whole batch with two workers: their per-channel sums meet at a barrier */
    struct tr_bnsync *sync; /* shared by the network and its replica; NULL with one worker */
    int wid;                /* 0: the network, 1: its replica */
    unsigned sync_gen;      /* reductions done in this step (selects the buffer) */
    double *red;            /* per-channel sums of one BN layer [2*M+1] */
    char net_name[64], net_digest[17]; /* the description it was built from (fx_netdesc_digest) */
    char v1_why[256]; /* "" when contract v1 (the integer export) runs the network, else the line that needs v2 */
    int v2;           /* trained for model format v2 (needed, or --format 2): its K order and HWC flattening, FXM2 export */
} tr_net;

#define TR_MEAN 0.2860f
#define TR_STD 0.3530f

typedef struct { int kind, q, n_in; } tr_layer_spec;
/* Parse a layer spec ("fp", "binary", "q4", "0.8") -> spec; returns -1 with a message. */
int tr_parse_spec(const char *s, int q_flexor, const fx_hwcfg *cfg, tr_layer_spec *sp, char *err, size_t errlen);
/* One fused layer of a description as the trainer builds it (netmap.c). */
typedef struct {
    int type;                 /* TR_FC, TR_CONV */
    uint32_t c, kh, kw, pool; /* outputs, kernel, 2 = max-pool after the ReLU */
    uint32_t stride, pad;
    int src, res, res_pad;    /* as tr_layer: indices of earlier fused layers, TR_SRC_INPUT, TR_NO_RES */
    int bn, relu, avgpool;
    const fx_net_layer *src_line; /* its conv/fc line: per-layer settings, messages */
} tr_arch;
/* The fused layers of nd (at most FXT_MAX_LAYERS), BN on every conv layer if bn_conv; -1 with
 * "SOURCE:LINE: ..." for what the trainer cannot build. */
int tr_net_map(const fx_netdesc *nd, int bn_conv, tr_arch *arch, uint32_t *nl, char *err, size_t errlen);
/* 0 when contract v1 (today's model format and integer export) runs the mapped network, else -1 with
 * "SOURCE:LINE: ... needs contract v2 (the trainer exports v1 only, so far)". */
int tr_net_v1(const fx_netdesc *nd, const tr_arch *arch, uint32_t nl, char *err, size_t errlen);
/* workers: 1, or 2 (a replica on a second thread; OpenBLAS then runs single-threaded in each). */
/* The network of o->net (a preset, file or spec: fx_netdesc_resolve). */
int tr_net_build(tr_net *n, const fx_train_opts *o, const fx_hwcfg *cfg, uint32_t batch, char *err, size_t errlen);
/* Batch statistics of both workers: vals[0..k) of each summed (worker 0's first, so both get the same bits);
 * no-op with one worker. */
void tr_net_allreduce(tr_net *n, double *vals, uint32_t k);
/* One training step's gradients: forward, loss, backward on B images (split over the workers), gradients
 * reduced into n's parameters, activation statistics updated. Returns the summed loss. */
double tr_net_train_step(tr_net *n, const uint8_t *img, const uint8_t *lab, uint32_t B, const tr_xor_mode *mode,
                         uint32_t *correct);
void tr_net_free(tr_net *n);
/* Images per im2col chunk of a convolution with fan-in K and N output positions (about 1 MiB of columns,
 * so that the GEMMs read them from cache); sizes the scratch. */
uint32_t tr_conv_chunk(uint32_t K, uint32_t N, uint32_t B);
/* Forward a batch of B images (uint8). train=1 keeps what backward needs and updates running stats. */
void tr_net_forward(tr_net *n, const uint8_t *img, uint32_t B, int train, const tr_xor_mode *mode);
/* Softmax cross-entropy; returns summed loss, counts correct; fills dlogits (mean over B). */
double tr_net_loss(tr_net *n, const uint8_t *labels, uint32_t B, uint32_t norm, uint32_t *correct);
/* Layer gradients (dW, bias, BN) from the logits' gradient in n->dlogits [B][classes]; tr_net_wq_backward
 * then maps dW to the quantizers' parameters. */
void tr_net_backward(tr_net *n, uint32_t B);
void tr_net_wq_backward(tr_net *n, const tr_xor_mode *mode);
void tr_net_quantize(tr_net *n, const tr_xor_mode *mode); /* weight quantizers' forward */
/* Every parameter, in a fixed order (optimiser, checkpoint). */
uint32_t tr_net_params(tr_net *n, tr_param **out, uint32_t max);
int tr_net_exportable(const tr_net *n, char *why, size_t len);
/* 0 when model format v2 (contract §7) expresses the network, else -1 with "layer N: ..." in why. */
int tr_net_v2_why(const tr_net *n, char *why, size_t len);
/* Float evaluation: accuracy % over n images. */
double tr_net_eval(tr_net *n, const uint8_t *img, const uint8_t *lab, uint32_t count, const tr_xor_mode *mode);

/* ---- fused element-wise passes of a layer (actfuse.c) ---- */
/* A hot loop compiled twice, for AVX2 and the x86-64 baseline, the clone picked at load time (the binary
 * stays portable); off under AddressSanitizer, whose builds need no speed. */
#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define TR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define TR_CLONES
#endif
/* A channel's constants: BN's batch (or running) mean and 1/sqrt(var + eps), gamma, beta; the bias (no BN);
 * the activation step s (uint8 quantization) and 1/s */
typedef struct { float mean, inv, ga, be, bias, s, inv_s; } tr_chan;
enum { TR_F_BN = 1, TR_F_RES = 2, TR_F_RELU = 4, TR_F_QUANT = 8, TR_F_MAX = 16 };
/* Forward of one channel's n values (flags TR_F_*: BN, residual r, ReLU, uint8 quantization, track the max):
 * z <- the pre-activation, zn <- BN's normalised value, y <- the activation; returns max(0, z) with TR_F_MAX. */
float tr_act_forward_chan(int flags, const tr_chan *c, float *z, float *zn, const float *r, float *y, size_t n);
/* Backward of one channel: dz <- g masked by the ReLU (0 <= z < hi), rg (residual's gradient) <- or += it
 * (radd), s1 = sum of dz, s2 = sum of dz*zn (TR_F_BN). */
void tr_act_backward_chan(int flags, float hi, const float *z, const float *g, float *dz, float *rg, int radd,
                          const float *zn, double *s1, double *s2, size_t n);
/* BN's input gradient dz <- gi*(dz - a - zn*c); returns its sum (the bias's gradient). */
double tr_bn_backward_chan(float gi, float a, float c, const float *zn, float *dz, size_t n);

/* ---- oneDNN convolutions (dnnconv.c) ---- */
typedef struct tr_dnn tr_dnn;
/* A conv layer oneDNN runs: use_dnn set and zero padding (the network input pads with its own value). */
int tr_dnn_usable(const tr_layer *l);
/* z[M][B][oh][ow] = conv(x[C][B][H][W], W); 0, or -1 when oneDNN cannot (the caller uses im2col). */
int tr_dnn_forward(tr_layer *l, const float *x, uint32_t B, float *z);
/* dW = the weight gradient (written); dx (NULL: none) = the input gradient, written or added (dx_add). */
int tr_dnn_backward(tr_layer *l, const float *x, const float *dz, uint32_t B, float *dW, float *dx, int dx_add);
void tr_dnn_free(tr_layer *l);

/* ---- optimiser ---- */
typedef struct { int adam; float lr, momentum, beta1, beta2, wd; uint64_t t; } tr_opt;
void tr_opt_step(tr_opt *o, tr_param **p, uint32_t np);

/* ---- export and the trainer's own integer evaluation ---- */
int tr_export(tr_net *n, const tr_xor_mode *mode, fx_model *m, char *err, size_t errlen);
/* Integer evaluation of an exported model (own implementation of contract §4 for version 1 and for a
 * version-2 chain such as LeNet-5 with --format 2, in §7.1's HWC layout; a version-2 graph with residual
 * adds or average pooling runs on the library's reference, fx_ref_infer); logits [count][classes] may be NULL. Returns
 * accuracy %, -1 when out of memory. */
double tr_int_eval(const fx_model *m, const fx_hwcfg *cfg, const uint8_t *img, const uint8_t *lab, uint32_t count, int32_t *logits);

/* ---- benchmarks ---- */
/* Training images/s of a built network: `steps` timed batches (after 3 untimed) of ds, Adam. */
double tr_bench_steps(tr_net *net, const fx_dataset *ds, uint32_t batch, int steps);
typedef struct {
    const char *models, *python, *data;
    int batch, steps, rounds;
    int epochs;                          /* > 0: train this many epochs on the data, report test accuracy too */
    uint32_t train_images, test_images;  /* with epochs: the first N images only (0: all) */
} tr_compare_opts;
/* flexor bench --compare (bench_compare.c): 0, 1 a run failed, 2 bad input / no PyTorch. */
int tr_bench_compare(const tr_compare_opts *c, const fx_dataset *ds);

/* ---- checkpoint ---- */
int tr_ckpt_save(const char *path, tr_net *n, const tr_opt *opt, uint32_t epoch, const char *fingerprint,
                 const char *history, char *err, size_t errlen);
int tr_ckpt_load(const char *path, tr_net *n, tr_opt *opt, uint32_t *epoch, const char *fingerprint,
                 char *history, size_t histlen, char *err, size_t errlen);

int tr_ckpt_load_any(const char *path, tr_net *n, tr_opt *opt, uint32_t *epoch, char *history, size_t histlen, char *err,
                     size_t errlen);

#endif
