/* SPDX-License-Identifier: Apache-2.0 */
/* test_grad OP: the backward of the layer kind OP (conv stride/padding, rectangular kernels, batch norm,
 * identity and option-A residual adds, a 1x1 stride-2 projection shortcut (from=), global average pooling) equals
 * central finite differences of a linear probe of the logits, for sampled entries of every parameter
 * tensor of a small float network that uses it (train-mode forward: batch statistics). */
#include "test_util.h"
#include "tr.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B = 3, DIRS = 3 };
#define TOL 0.02

typedef struct { const char *op, *spec; } net_case;
/* no ReLU: its kinks would spoil finite differences (its backward, and max-pooling's, are contract v1's,
 * exercised by every training) */
static const net_case cases[] = {
    {"conv_stride_pad", "conv6k3s2p1,conv5k4s2p2,conv4k3s2p2,fc10"},
    {"conv_rect", "conv4k5x3s2p2,conv3k2x4p1,fc10"},
    {"bn", "conv6k3s2,bn,fc12,bn,fc10"},
    {"add_identity", "conv4k3s2p1:name=a,conv4k3p1,bn,conv4k3p1,bn,add:a,conv4k3p1,add:a,fc10"},
    {"add_pad", "conv3k3s2p1:name=a,conv6k3s2p1,bn,conv6k3p1,add:a:pad,avgpool,fc10"},
    {"shortcut_conv", "conv3k3s2p1:name=a,conv6k3s2p1,bn,conv6k3p1,bn:name=m,conv6k1s2:from=a,bn,add:m,fc10"},
    {"avgpool", "conv5k3p1,conv7k3s2,avgpool,fc10"},
};

/* L = sum of c * logits, in double */
static double absL; /* sum of |c * logit| of the last probe */
static double probe(tr_net *n, const uint8_t *img, const float *c)
{
    tr_xor_mode mode = {100.0f, 0, 0};
    tr_net_quantize(n, &mode);
    tr_net_forward(n, img, B, 1, &mode);
    double L = 0;
    absL = 0;
    for (uint32_t t = 0; t < B * TR_CLASSES; t++) { L += (double)c[t] * n->logits[t]; absL += fabs((double)c[t] * n->logits[t]); }
    return L;
}

static void check_case(const net_case *nc)
{
    fx_train_opts o;
    fx_train_defaults(&o);
    snprintf(o.net, sizeof o.net, "%s", nc->spec);
    snprintf(o.bits, sizeof o.bits, "fp");
    o.threads = 1;
    tr_net n;
    char err[512];
    if (tr_net_build(&n, &o, fx_hwcfg_builtin(), B, err, sizeof err)) { CHECK(0, "%s: %s", nc->op, err); tr_net_free(&n); return; }
    tr_rng rng = {0x9e3779b9u};
    uint8_t img[B * 784];
    float c[B * TR_CLASSES];
    for (int i = 0; i < B * 784; i++) img[i] = (uint8_t)(tr_rng_next(&rng) & 255);
    for (int i = 0; i < B * TR_CLASSES; i++) c[i] = tr_rng_uniform(&rng, -1, 1);
    /* BN's gamma and beta away from 1 and 0, so that their gradients are not special */
    tr_param *ps[TR_MAX_PARAMS];
    const uint32_t np = tr_net_params(&n, ps, TR_MAX_PARAMS);
    for (uint32_t l = 0; l < n.n_layers; l++)
        if (n.L[l].bn)
            for (uint32_t m = 0; m < n.L[l].out_c; m++) {
                n.L[l].gamma.v[m] = tr_rng_uniform(&rng, 0.5f, 1.5f);
                n.L[l].beta.v[m] = tr_rng_uniform(&rng, -0.3f, 0.3f);
            }
    for (uint32_t p = 0; p < np; p++) memset(ps[p]->g, 0, ps[p]->n * sizeof(float));
    probe(&n, img, c);
    memcpy(n.dlogits, c, sizeof c);
    tr_net_backward(&n, B);
    tr_xor_mode mode = {100.0f, 0, 0};
    tr_net_wq_backward(&n, &mode);
    /* directional derivatives: along a random direction of each tensor, so that ReLU kinks met by single
     * entries average out, and a wrong gradient of any part of the tensor shows */
    int checked = 0, bad = 0;
    double worst = 0;
    for (uint32_t p = 0; p < np; p++) {
        tr_param *t = ps[p];
        float *v0 = malloc(t->n * sizeof(float)), *d = malloc(t->n * sizeof(float));
        if (!v0 || !d) { free(v0); free(d); CHECK(0, "out of memory"); break; }
        memcpy(v0, t->v, t->n * sizeof(float));
        double vmax = 0.1;
        for (size_t i = 0; i < t->n; i++) vmax = fmax(vmax, fabs(v0[i]));
        for (int dir = 0; dir < DIRS; dir++) {
            double ana = 0, gnorm = 0;
            for (size_t i = 0; i < t->n; i++) {
                d[i] = tr_rng_uniform(&rng, -1, 1);
                ana += (double)d[i] * t->g[i];
                gnorm += fabs((double)d[i] * t->g[i]);
            }
            const float h = 3e-3f * (float)vmax;
            double L[2];
            for (int sg = 0; sg < 2; sg++) {
                for (size_t i = 0; i < t->n; i++) t->v[i] = v0[i] + (sg ? -h : h) * d[i];
                L[sg] = probe(&n, img, c);
            }
            memcpy(t->v, v0, t->n * sizeof(float));
            const double num = (L[0] - L[1]) / (2.0 * h);
            /* relative to the derivative, to a part of the sum of |terms| (a derivative that cancels), and to the
             * rounding of the float forward (a few ulp, amplified by BN, of the probe's terms over h: a gradient that is 0, a
             * bias before BN, differs from its difference quotient by that much) */
            const double e = fabs(num - ana) / (fabs(ana) + 0.05 * gnorm + 1e-5 * absL / h);
            if (getenv("GRAD_DEBUG")) fprintf(stderr, "  tensor %u n=%zu: numeric %.6g analytic %.6g sum|terms| %.3g error %.3g\n", p, t->n, num, ana, gnorm, e);
            worst = fmax(worst, e);
            checked++;
            bad += e > TOL;
        }
        free(v0); free(d);
    }
    printf("%s (%s): %d directional derivatives of %u tensors, %d beyond %.0f%%, worst relative error %.3g\n", nc->op,
           nc->spec, checked, np, bad, 100 * TOL, worst);
    CHECK(bad == 0, "%s: %d of %d directional derivatives differ from finite differences", nc->op, bad, checked);
    CHECK(checked == DIRS * (int)np && np >= 6, "%s: %d checked of %u tensors", nc->op, checked, np);
    tr_net_free(&n);
}

/* Two networks of spec and bits, alike but for what tweak sets in network w's options (w = 0, 1). */
static int build_pair(const char *spec, const char *bits, uint32_t nb, void (*tweak)(fx_train_opts *, int), tr_net n[2],
                      tr_param *ps[2][TR_MAX_PARAMS], uint32_t np[2])
{
    char err[512];
    for (int w = 0; w < 2; w++) {
        fx_train_opts o;
        fx_train_defaults(&o);
        snprintf(o.net, sizeof o.net, "%s", spec);
        snprintf(o.bits, sizeof o.bits, "%s", bits);
        tweak(&o, w);
        if (tr_net_build(&n[w], &o, fx_hwcfg_builtin(), nb, err, sizeof err)) {
            CHECK(0, "%s", err);
            if (w) tr_net_free(&n[0]);
            return -1;
        }
        np[w] = tr_net_params(&n[w], ps[w], TR_MAX_PARAMS);
    }
    return 0;
}

/* The largest difference between the two networks' gradients, relative to the first's largest gradient (a
 * bias before BN has a gradient of 0 up to rounding). */
static double grad_diff(tr_param *ps[2][TR_MAX_PARAMS], const uint32_t np[2])
{
    double worst = 0, gmax = 1e-6;
    for (uint32_t p = 0; p < np[0] && np[0] == np[1]; p++)
        for (size_t i = 0; i < ps[0][p]->n; i++) gmax = fmax(gmax, fabs(ps[0][p]->g[i]));
    for (uint32_t p = 0; p < np[0] && np[0] == np[1]; p++)
        for (size_t i = 0; i < ps[0][p]->n; i++) worst = fmax(worst, fabs(ps[0][p]->g[i] - ps[1][p]->g[i]) / gmax);
    return worst;
}

static void by_threads(fx_train_opts *o, int w) { o->threads = w + 1; }
static void by_conv(fx_train_opts *o, int w) { o->conv_gemm = w; }

/* Two workers (half a batch each) with batch norm: the statistics are the whole batch's, so one training
 * step's gradients and running statistics equal one worker's up to the order of the sums. Per-half
 * statistics (no synchronisation) would differ by far more. */
static void bn_workers(void)
{
    const char *spec = "conv8k3s2p1,bn,relu:name=a,conv8k3p1,bn,add:a,relu,avgpool,fc10,bn";
    enum { NB = 16 };
    tr_net n[2];
    tr_param *ps[2][TR_MAX_PARAMS];
    uint32_t np[2];
    if (build_pair(spec, "fp", NB, by_threads, n, ps, np)) return;
    CHECK(n[0].rep == NULL && n[1].rep != NULL, "worker counts");
    tr_rng rng = {7};
    uint8_t img[NB * 784], lab[NB];
    for (int i = 0; i < NB * 784; i++) img[i] = (uint8_t)(tr_rng_next(&rng) & 255);
    for (int i = 0; i < NB; i++) lab[i] = (uint8_t)(tr_rng_next(&rng) % TR_CLASSES);
    tr_xor_mode mode = {100.0f, 0, 0};
    double loss[2];
    for (int w = 0; w < 2; w++) {
        tr_net_quantize(&n[w], &mode);
        loss[w] = tr_net_train_step(&n[w], img, lab, NB, &mode, NULL);
    }
    double worst = grad_diff(ps, np);
    for (uint32_t l = 0; l < n[0].n_layers; l++)
        for (uint32_t m = 0; n[0].L[l].bn && m < n[0].L[l].out_c; m++)
            worst = fmax(worst, fabs(n[0].L[l].bn_var[m] - n[1].L[l].bn_var[m]) + fabs(n[0].L[l].bn_mean[m] - n[1].L[l].bn_mean[m]));
    printf("bn_workers (%s): loss %.6f vs %.6f, largest gradient (of the largest) or statistics difference %.3g\n", spec,
           loss[0], loss[1], worst);
    CHECK(np[0] == np[1] && np[0] >= 10, "parameter tensors %u and %u", np[0], np[1]);
    CHECK(fabs(loss[0] - loss[1]) < 1e-4 * fabs(loss[0]), "loss %.8g (one worker) vs %.8g (two)", loss[0], loss[1]);
    CHECK(worst < 1e-4, "two workers' gradients differ from one worker's by %.3g", worst);
    tr_net_free(&n[0]); tr_net_free(&n[1]);
}

/* Direct convolution in double of layer l over in (C x H x W, pv outside), its weights read in the layer's K
 * order (contract v1's (c*kh + dy)*kw + dx, or v2's (dy*kw + dx)*C + c). */
static void direct_conv(const tr_layer *l, const double *in, double pv, double *out)
{
    const uint32_t C = l->in_c, H = l->in_h, W = l->in_w, KH = l->kh, KW = l->kw, S = l->stride, P = l->pad;
    for (uint32_t m = 0; m < l->out_c; m++)
        for (uint32_t oy = 0; oy < l->out_h; oy++)
            for (uint32_t ox = 0; ox < l->out_w; ox++) {
                double t = l->bias.v[m];
                for (uint32_t c = 0; c < C; c++)
                    for (uint32_t dy = 0; dy < KH; dy++)
                        for (uint32_t dx = 0; dx < KW; dx++) {
                            const int iy = (int)(oy * S + dy) - (int)P, ix = (int)(ox * S + dx) - (int)P;
                            const double v = iy < 0 || ix < 0 || iy >= (int)H || ix >= (int)W ? pv : in[(c * H + iy) * W + ix];
                            const size_t k = l->kpos ? (size_t)(dy * KW + dx) * C + c : (size_t)(c * KH + dy) * KW + dx;
                            t += (double)l->wq.W[(size_t)m * l->K + k] * v;
                        }
                out[(m * l->out_h + oy) * l->out_w + ox] = t;
            }
}

/* The forward of conv layers (stride, padding, rectangular kernels, the input padded with the normalised
 * pixel 0, either K order) = direct convolutions in double, through the fc layer after them. */
static void conv_forward(void)
{
    static const char *specs[] = {"conv4k3p1,fc10", "conv3k3s2p1,fc10", "conv2k5x3s2p2,fc10", "conv3k1s2,fc10",
                                  "conv2k4s3p3,fc10", "conv2k3,fc10", "conv3k3p1,conv2k3s2p1,fc10", "conv3k3,relu,conv2k3,relu,fc10"};
    enum { NB = 2, MAXV = 4096 };
    static double x[MAXV], z[2][MAXV];
    for (size_t si = 0; si < sizeof specs / sizeof specs[0]; si++) {
        fx_train_opts o;
        fx_train_defaults(&o);
        snprintf(o.net, sizeof o.net, "%s", specs[si]);
        snprintf(o.bits, sizeof o.bits, "fp");
        o.threads = 1;
        tr_net n;
        char err[512];
        if (tr_net_build(&n, &o, fx_hwcfg_builtin(), NB, err, sizeof err)) { CHECK(0, "%s", err); continue; }
        tr_rng rng = {11 + si};
        uint8_t img[NB * 784];
        for (int i = 0; i < NB * 784; i++) img[i] = (uint8_t)(tr_rng_next(&rng) & 255);
        tr_xor_mode mode = {100.0f, 0, 0};
        tr_net_quantize(&n, &mode);
        tr_net_forward(&n, img, NB, 0, &mode);
        const tr_layer *fc = &n.L[n.n_layers - 1];
        double worst = 0, big = 0;
        int fits = 1;
        for (uint32_t l = 0; l + 1 < n.n_layers; l++) fits &= n.L[l].out_c * n.L[l].out_h * n.L[l].out_w <= MAXV;
        CHECK(fits, "%s: layers too big for the test", specs[si]);
        for (uint32_t b = 0; b < NB && fits; b++) {
            for (int i = 0; i < 784; i++) x[i] = (img[b * 784 + i] / 255.0 - TR_MEAN) / TR_STD;
            const double *in = x;
            for (uint32_t l = 0; l + 1 < n.n_layers; l++) { /* float activations: a relu is max(0, .) */
                const tr_layer *L = &n.L[l];
                direct_conv(L, in, l ? 0.0 : -TR_MEAN / TR_STD, z[l & 1]);
                for (uint32_t i = 0; L->relu && i < L->out_c * L->out_h * L->out_w; i++) z[l & 1][i] = fmax(z[l & 1][i], 0);
                in = z[l & 1];
            }
            for (uint32_t k = 0; k < TR_CLASSES; k++) {
                double t = fc->bias.v[k];
                const uint32_t C = fc->fc_c ? fc->fc_c : 1, P = fc->K / C; /* v2: the fc reads HWC (k = p*C + c) */
                for (uint32_t j = 0; j < fc->K; j++)
                    t += (double)fc->wq.W[(size_t)k * fc->K + j] * in[fc->fc_c ? (j % C) * P + j / C : j];
                worst = fmax(worst, fabs(t - n.logits[b * TR_CLASSES + k]));
                big = fmax(big, fabs(t));
            }
        }
        printf("conv_forward %s: K order %s, largest logit %.3g, largest difference from direct convolutions %.3g\n",
               specs[si], n.L[0].kpos ? "v2" : "v1", big, worst);
        CHECK(worst < 1e-4 * (1 + big), "%s: logits differ by %.3g", specs[si], worst);
        tr_net_free(&n);
    }
}

/* oneDNN's convolutions (--conv dnnl) = im2col + GEMM (--conv gemm): the same training steps of a residual
 * net with stride, padding, BN and FleXOR weights, two workers, batch sizes alternating (each worker keeps
 * primitives for two sizes and rebuilds for a third): losses and every gradient agree up to rounding, and
 * the layers oneDNN can run (every conv but the first, padded with the input's own 0) did run on it. */
static void dnnl_gemm(void)
{
    const char *spec = "conv16k3p1,bn,relu:name=a,conv16k3p1,bn,relu,conv16k3p1,bn,add:a,relu:name=b,"
                       "conv32k3s2p1,bn,relu,conv32k3p1,bn,add:b:pad,relu,conv8k5,relu,avgpool,fc10";
    enum { NB = 16 };
    static const uint32_t sizes[] = {16, 6, 16, 9, 3};
    tr_net n[2];
    tr_param *ps[2][TR_MAX_PARAMS];
    uint32_t np[2];
    if (build_pair(spec, "0.8", NB, by_conv, n, ps, np)) return;
    tr_rng rng = {5};
    uint8_t img[NB * 784], lab[NB];
    tr_xor_mode mode = {100.0f, 0, 0};
    double worst = 0, lworst = 0;
    for (size_t st = 0; st < sizeof sizes / sizeof sizes[0]; st++) {
        const uint32_t B = sizes[st];
        for (uint32_t i = 0; i < B * 784; i++) img[i] = (uint8_t)(tr_rng_next(&rng) & 255);
        for (uint32_t i = 0; i < B; i++) lab[i] = (uint8_t)(tr_rng_next(&rng) % TR_CLASSES);
        double loss[2];
        for (int w = 0; w < 2; w++) {
            for (uint32_t p = 0; p < np[w]; p++) memset(ps[w][p]->g, 0, ps[w][p]->n * sizeof(float));
            tr_net_quantize(&n[w], &mode);
            loss[w] = tr_net_train_step(&n[w], img, lab, B, &mode, NULL);
        }
        worst = fmax(worst, grad_diff(ps, np));
        lworst = fmax(lworst, fabs(loss[0] - loss[1]) / fabs(loss[1]));
    }
    int ran = 0, can = 0;
    for (uint32_t l = 0; l < n[0].n_layers; l++) {
        can += tr_dnn_usable(&n[0].L[l]);
        ran += n[0].L[l].dnn != NULL && n[0].rep->L[l].dnn != NULL;
        CHECK(!tr_dnn_usable(&n[1].L[l]) && n[1].L[l].dnn == NULL, "layer %u of the gemm network used oneDNN", l);
    }
    printf("dnnl_gemm (%s): %d of %u layers on oneDNN, loss difference %.3g, gradient difference %.3g (of the largest)\n",
           spec, ran, n[0].n_layers, lworst, worst);
    CHECK(can == 5 && ran == can, "%d layers oneDNN can run, %d ran on it in both workers", can, ran);
    CHECK(lworst < 1e-4, "losses differ by %.3g", lworst);
    CHECK(worst < 1e-3, "gradients differ by %.3g", worst);
    tr_net_free(&n[0]); tr_net_free(&n[1]);
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: test_grad OP|all\n"); return 2; }
    int found = 0;
    if (!strcmp(argv[1], "bn_workers") || !strcmp(argv[1], "all")) { bn_workers(); found = 1; }
    if (!strcmp(argv[1], "conv_forward") || !strcmp(argv[1], "all")) { conv_forward(); found = 1; }
    if (!strcmp(argv[1], "dnnl_gemm") || !strcmp(argv[1], "all")) { dnnl_gemm(); found = 1; }
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!strcmp(argv[1], "all") || !strcmp(argv[1], cases[i].op)) { check_case(&cases[i]); found = 1; }
    if (!found) { fprintf(stderr, "test_grad: unknown op %s\n", argv[1]); return 2; }
    return t_report("test_grad");
}
