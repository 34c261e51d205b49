/* SPDX-License-Identifier: Apache-2.0 */
/* Export -> fx_ref_infer reproduces the trainer's own integer evaluation exactly (every logit of every
 * test image), across models, layouts, q, batch norm, per-layer settings and model formats (--format 2 of
 * networks v1 runs); the file round trip too. */
#include "test_util.h"
#include "tr.h"
#include "flexor/idx.h"
#include "flexor/ref.h"
#include "flexor/decrypt.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static void one(const fx_dataset *tr, const fx_dataset *te, const char *model, const char *bits, int straddle, int bn, int format)
{
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    fx_train_opts o;
    fx_train_defaults(&o);
    snprintf(o.net, sizeof o.net, "%s", model);
    snprintf(o.bits, sizeof o.bits, "%s", bits);
    o.straddle = straddle; o.bn = bn; o.epochs = 1; o.format = format;
    tr_net net;
    char err[512];
    if (tr_net_build(&net, &o, cfg, 64, err, sizeof err)) { CHECK(0, "%s", err); tr_net_free(&net); return; }
    tr_param *ps[TR_MAX_PARAMS];
    uint32_t np = tr_net_params(&net, ps, TR_MAX_PARAMS);
    tr_opt opt = {1, 2e-3f, 0.9f, 0.9f, 0.999f, 0, 0};
    tr_xor_mode mode = {30.0f, 0, 0};
    const uint32_t steps = 40;
    for (uint32_t s = 0; s < steps; s++) {
        net.act_quant_on = s >= 10;
        tr_net_quantize(&net, &mode);
        tr_net_train_step(&net, tr->images + (size_t)(s * 64 % (tr->n - 64)) * 784, tr->labels + s * 64 % (tr->n - 64), 64,
                          &mode, NULL);
        tr_opt_step(&opt, ps, np);
    }
    tr_net_quantize(&net, &mode);
    double facc = tr_net_eval(&net, te->images, te->labels, te->n, &mode);
    fx_model m;
    if (tr_export(&net, &mode, &m, err, sizeof err)) { CHECK(0, "export: %s", err); tr_net_free(&net); return; }
    CHECK(fx_model_validate(&m, cfg, err, sizeof err) == 0, "validate: %s", err);
    CHECK((m.version == FX_FORMAT_V2) == (format == 2), "%s %s --format %d: model format version %u", model, bits, format,
          m.version);
    /* the exported bits, decrypted by the library, are the trained sign pattern of every plane */
    long badbits = 0;
    for (uint32_t li = 0; li < m.n_layers; li++) {
        const fx_layer *fl = &m.layers[li];
        const tr_wq *w = &net.L[li].wq;
        fx_mxor mx;
        CHECK(fx_layer_mxor(cfg, fl->flags, fl->n_in, &mx) == 0, "layer %u: no M-xor", li);
        for (uint32_t i = 0; i < fl->q; i++)
            for (uint32_t mm = 0; mm < fl->M; mm++)
                for (uint32_t k = 0; k < fl->K; k++) {
                    uint32_t t = tr_wq_pos(w, mm, k);
                    uint32_t y = fx_decrypt_slice(&mx, fl->slices[(size_t)i * fl->n_slices + t / cfg->n_out]);
                    int bit = (y >> (t % cfg->n_out)) & 1;
                    size_t at = (size_t)i * fl->M * fl->K + (size_t)mm * fl->K + k;
                    float sg = w->kind == TR_W_FLEXOR ? w->B[at] : (w->lat.v[at] >= 0 ? 1.0f : -1.0f);
                    badbits += bit != (sg > 0);
                }
    }
    CHECK(badbits == 0, "%s %s: %ld exported weight bits differ from the trained signs", model, bits, badbits);
    int32_t *own = malloc(sizeof(int32_t) * te->n * 10);
    double iacc = tr_int_eval(&m, cfg, te->images, te->labels, te->n, own);
    char path[64];
    snprintf(path, sizeof path, "test_export_%d.fxm", (int)getpid());
    fx_model rm;
    CHECK(fx_model_write(path, &m, err, sizeof err) == 0, "write: %s", err);
    CHECK(fx_model_read(path, cfg, &rm, err, sizeof err) == 0, "read: %s", err);
    unlink(path);
    long mism = 0, mism_file = 0, ok = 0;
    fx_ref_net rn, rf;
    CHECK(fx_ref_prepare(&rn, &m, cfg, err, sizeof err) == 0, "prepare: %s", err);
    CHECK(fx_ref_prepare(&rf, &rm, cfg, err, sizeof err) == 0, "prepare file: %s", err);
    int32_t lg[10], lf[10];
    for (uint32_t i = 0; i < te->n; i++) {
        int c = fx_ref_infer(&rn, te->images + (size_t)i * 784, lg, NULL, NULL);
        fx_ref_infer(&rf, te->images + (size_t)i * 784, lf, NULL, NULL);
        ok += c == te->labels[i];
        mism += memcmp(lg, own + (size_t)i * 10, sizeof lg) != 0;
        mism_file += memcmp(lg, lf, sizeof lg) != 0;
        if (mism == 1 && memcmp(lg, own + (size_t)i * 10, sizeof lg)) {
            fprintf(stderr, "image %u: ref %d %d %d, trainer %d %d %d\n", i, lg[0], lg[1], lg[2], own[i * 10], own[i * 10 + 1], own[i * 10 + 2]);
            mism++;
        }
    }
    printf("%-6s %-12s %-8s bn=%d v%d  float %.2f%%  integer %.2f%%  ref %.2f%%  mismatches %ld\n", model, bits,
           straddle ? "straddle" : "aligned", bn, format == 2 ? 2 : 1, facc, iacc, 100.0 * ok / te->n, mism);
    CHECK(mism == 0, "%s %s: %ld images differ between trainer integer eval and fx_ref_infer", model, bits, mism);
    CHECK(mism_file == 0, "%s %s: file round trip changes results", model, bits);
    CHECK(iacc > 30, "%s %s: integer accuracy %.2f%% after %u steps", model, bits, iacc, steps);
    fx_ref_free(&rn); fx_ref_free(&rf);
    fx_model_free(&rm); fx_model_free(&m);
    free(own);
    tr_net_free(&net);
}

/* A diverged network (NaN / inf in a scale, a bias or a latent weight) is refused, naming the layer. */
static void nonfinite(void)
{
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    fx_train_opts o;
    fx_train_defaults(&o);
    snprintf(o.bits, sizeof o.bits, "0.8");
    for (int what = 0; what < 3; what++) {
        tr_net net;
        char err[512] = "";
        if (tr_net_build(&net, &o, cfg, 8, err, sizeof err)) { CHECK(0, "%s", err); tr_net_free(&net); return; }
        tr_xor_mode mode = {30.0f, 0, 0};
        for (uint32_t l = 0; l < net.n_layers; l++) net.L[l].act_ema = 1.0f; /* an activation range, as after training */
        if (what == 0) net.L[1].bias.v[3] = NAN;
        if (what == 1) net.L[2].wq.alpha.v[0] = INFINITY;
        if (what == 2) net.L[1].wq.lat.v[5] = NAN;
        fx_model m;
        memset(&m, 0, sizeof m);
        int r = tr_export(&net, &mode, &m, err, sizeof err);
        const char *want = what == 1 ? "layer 2 " : "layer 1 ";
        CHECK(r == TR_EXPORT_NONFINITE && strstr(err, want) && strstr(err, "non-finite"), "case %d: r=%d '%s'", what, r, err);
        fx_model_free(&m);
        tr_net_free(&net);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : FX_DEFAULT_DATA_DIR;
    nonfinite();
    fx_dataset tr, te;
    char err[512];
    if (fx_dataset_load(dir, "train", 3000, &tr, err, sizeof err) || fx_dataset_load(dir, "t10k", 500, &te, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    one(&tr, &te, "mlp", "0.8", 0, 0, 0);
    one(&tr, &te, "mlp", "q2,1.6,q3", 1, 0, 0);
    one(&tr, &te, "mlp", "binary", 1, 0, 0);
    one(&tr, &te, "lenet", "0.6", 0, 0, 0);
    one(&tr, &te, "lenet", "0.4", 1, 1, 0);
    one(&tr, &te, "lenet", "q1,binary,1.0,q4", 0, 1, 0);
    /* --format 2 on networks v1 runs: the trainer's HWC evaluation against the library's graph reference */
    one(&tr, &te, "lenet", "0.6", 0, 0, 2);
    one(&tr, &te, "lenet", "0.8", 1, 1, 2);
    one(&tr, &te, "mlp", "0.8", 0, 0, 2);
    fx_dataset_free(&tr); fx_dataset_free(&te);
    if (t_report("test_export")) return 1;
    printf("ok\n");
    return 0;
}
