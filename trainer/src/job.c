/* SPDX-License-Identifier: Apache-2.0 */
/* One training job: data, the epoch loop with schedules, progress, CSV log and checkpoints, then the
 * float evaluation, the integer export, the trainer's own integer evaluation and the sw reference. */
#include "flexor/clock.h"
#include "flexor/digest.h"
#include "flexor/progress.h"
#include "tr.h"
#include "flexor/idx.h"
#include "flexor/ref.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The configuration's content (every value, canonical; not its name or the file it came from): a config
 * file with other comments or another path trains the same, another M-xor or N_in set does not. */
static void config_digest(const fx_hwcfg *c, char out[17])
{
    char text[512];
    size_t k = (size_t)snprintf(text, sizeof text, "n_out=%u n_tap=%u seed=%llu n_in=", c->n_out, c->n_tap,
                                (unsigned long long)c->seed);
    for (uint32_t i = 0; i < c->n_in_count && k < sizeof text; i++) k += (size_t)snprintf(text + k, sizeof text - k, "%u,", c->n_in[i]);
    if (k < sizeof text)
        snprintf(text + k, sizeof text - k, " lanes=%u q_max=%u k_max=%u wmem=%u pmem=%u amem=%u", c->lanes, c->q_max,
                 c->k_max, c->wmem_depth, c->pmem_depth, c->amem_depth);
    fx_digest d;
    fx_digest_init(&d);
    fx_digest_add_str(&d, text);
    fx_digest_hex(&d, out);
}

/* Everything that decides the trained weights and the history a resumed run continues: every option,
 * the network (the digest of its canonical description, not the name or file it came from), the hardware
 * configuration's content (config_digest) and the content of the data (not its path). The code is not in it: resuming with a rebuilt trainer is
 * the user's call; flexor run and flexor stage key their checkpoints on the build id too. */
static void fingerprint(const fx_train_opts *o, const tr_net *net, const fx_dataset *tr, const fx_dataset *te, char *buf, size_t len)
{
    char steps[FXT_MAX_STEPS * 16 + 1] = "", data[2][17], cfg[17];
    /* the format only when it is not the network's own (v2 asked of a network v1 runs: another K order),
     * so that the checkpoints of every other run keep their fingerprint */
    const int v2_asked = net->v2 && !net->v1_why[0];
    config_digest(&o->cfg, cfg);
    size_t k = 0;
    for (int i = 0; i < o->n_steps; i++) k += (size_t)snprintf(steps + k, sizeof steps - k, "%s%g", i ? "," : "", o->step_at[i]);
    const fx_dataset *ds[2] = {tr, te};
    for (int i = 0; i < 2; i++) {
        fx_digest d;
        fx_digest_init(&d);
        fx_digest_add(&d, ds[i]->images, (size_t)ds[i]->n * ds[i]->rows * ds[i]->cols);
        fx_digest_add(&d, ds[i]->labels, ds[i]->n);
        fx_digest_hex(&d, data[i]);
    }
    snprintf(buf, len,
             "net=%s bits=%s edge=%s q=%d actq=%d straddle=%d unsimp=%d analog=%d bn=%d epochs=%d batch=%d opt=%s "
             "lr=%g mom=%g b1=%g b2=%g wd=%g warm=%g step=%d at=%s gamma=%g s=%g,%g,%g,%g clip=%g xe=%g "
             "qat=%g val=%u limit=%u test_limit=%u seed=%llu threads=%d conv=%s%s cfg=%s train=%s test=%s",
             net->net_digest, o->bits, o->edge, o->q, o->act_quant, o->straddle, o->unsimplified, o->analog, o->bn, o->epochs,
             o->batch, o->optim, o->lr, o->momentum, o->beta1, o->beta2, o->wd, o->warmup, o->sched_step, steps,
             o->step_gamma, o->stanh0, o->stanh, o->stanh_warmup, o->stanh_mult, o->clip_k, o->xe_init, o->qat_start,
             o->val, o->train_limit, o->test_limit, (unsigned long long)o->seed, o->threads, o->conv_gemm ? "gemm" : "dnnl", v2_asked ? " format=2" : "", cfg, data[0], data[1]);
}

/* Learning rate and S_tanh at fractional epoch e. */
static void schedule(const fx_train_opts *o, double e, float *lr, float *S)
{
    int decays = 0;
    for (int i = 0; i < o->n_steps; i++) decays += e >= o->step_at[i];
    if (e < o->warmup) {
        *lr = (float)(o->lr * (e + 1e-3) / o->warmup);
        if (*lr > o->lr) *lr = o->lr;
    } else if (o->sched_step) {
        *lr = o->lr * powf(o->step_gamma, (float)decays);
    } else {
        double span = o->epochs - o->warmup;
        double p = span > 0 ? (e - o->warmup) / span : 1;
        *lr = (float)(o->lr * 0.5 * (1 + cos(M_PI * (p > 1 ? 1 : p))));
    }
    *S = e < o->stanh_warmup ? (float)(o->stanh0 + (o->stanh - o->stanh0) * e / o->stanh_warmup) : o->stanh;
    if (o->sched_step) *S *= powf(o->stanh_mult, (float)decays);
}

/* Stored bits per weight of the whole network, and of the middle layers (all but the first and the last;
 * the second layer of a two-layer network) in *mid_bits. */
static double net_bits(const tr_net *n, double *mid_bits)
{
    double bits = 0, weights = 0, mbits = 0, mweights = 0;
    for (uint32_t i = 0; i < n->n_layers; i++) {
        const tr_wq *w = &n->L[i].wq;
        double mk = (double)w->M * w->K;
        double b = w->kind == TR_W_FP ? 32.0 * mk : (double)w->q * w->n_in * w->n_slices;
        bits += b; weights += mk;
        if (i + 1 < n->n_layers ? i > 0 : n->n_layers == 2) { mbits += b; mweights += mk; }
    }
    *mid_bits = mweights > 0 ? mbits / mweights : -1;
    return bits / weights;
}

int tr_check_dataset(const fx_dataset *d, const char *dir, char *err, size_t errlen)
{
    if (d->rows != TR_SIDE || d->cols != TR_SIDE) {
        snprintf(err, errlen, "%s: images are %ux%u; the networks need %dx%d", dir, d->rows, d->cols, TR_SIDE, TR_SIDE);
        return -1;
    }
    if (d->n_classes > TR_CLASSES) {
        snprintf(err, errlen, "%s: label %u out of range (the networks have %d classes, labels 0..%d)", dir,
                 d->n_classes - 1, TR_CLASSES, TR_CLASSES - 1);
        return -1;
    }
    return 0;
}

int fx_train_job(const fx_train_opts *o, fx_train_result *r)
{
    char err[1024], fp[1024];
    memset(r, 0, sizeof *r);
    r->float_acc = r->int_acc = r->ref_acc = r->val_acc = r->float_fact_acc = -1;
    r->model_bytes = -1; r->ref_mismatch = -1;
    const fx_hwcfg *cfg = &o->cfg;
    fx_dataset tr = {0}, te = {0};
    tr_net net; /* built first: bad settings fail before the data is read */
    if (tr_net_build(&net, o, cfg, (uint32_t)o->batch, err, sizeof err)) {
        fprintf(stderr, "flexor train: %s\n", err);
        tr_net_free(&net);
        return 2;
    }
    /* a network that model format v2 cannot express trains in float only (said at once) */
    char v2why[256];
    const int no_v2 = net.v2 && tr_net_v2_why(&net, v2why, sizeof v2why);
    if (no_v2 && !o->no_export && !o->quiet)
        fprintf(stderr, "note: no integer export: %s; float results only%s\n", v2why, o->out[0] ? ", --out not written" : "");
    /* every output is probed before the first epoch: an unwritable --out must not cost a training */
    const char *outs[] = {o->no_export || no_v2 ? "" : o->out, o->csv, o->ckpt};
    for (int i = 0; i < 3; i++)
        if (outs[i][0] && fx_out_probe(outs[i], err, sizeof err)) {
            fprintf(stderr, "flexor train: %s\n", err);
            tr_net_free(&net);
            return 2;
        }
    if (fx_dataset_load(o->data, "train", o->train_limit, &tr, err, sizeof err) ||
        fx_dataset_load(o->data, "t10k", o->test_limit, &te, err, sizeof err)) {
        fprintf(stderr, "flexor train: %s\n", err);
        fx_dataset_free(&tr);
        tr_net_free(&net);
        return 2;
    }
    if (tr_check_dataset(&tr, o->data, err, sizeof err) || tr_check_dataset(&te, o->data, err, sizeof err)) {
        fprintf(stderr, "flexor train: %s\n", err);
        fx_dataset_free(&tr); fx_dataset_free(&te); tr_net_free(&net);
        return 2;
    }
    if (o->val >= tr.n) {
        fprintf(stderr, "flexor train: --val %u leaves no training images (%u)\n", o->val, tr.n);
        fx_dataset_free(&tr); fx_dataset_free(&te); tr_net_free(&net);
        return 2;
    }
    const size_t px = 784;
    /* validation split: a seeded permutation, the last val images are held out */
    uint32_t *perm = malloc(sizeof(uint32_t) * tr.n);
    uint8_t *ti = malloc(tr.n * px), *tl = malloc(tr.n);
    enum { HIST_CAP = 1 << 16 };
    char *history = malloc(HIST_CAP); /* per call, not static: fx_train_job keeps no state between calls */
    if (!perm || !ti || !tl || !history) {
        fprintf(stderr, "flexor train: out of memory\n");
        free(perm); free(ti); free(tl); free(history);
        fx_dataset_free(&tr); fx_dataset_free(&te); tr_net_free(&net);
        return 2;
    }
    tr_shuffle(perm, tr.n, o->seed ^ 0x56414C4944ull);
    for (uint32_t i = 0; i < tr.n; i++) { memcpy(ti + i * px, tr.images + (size_t)perm[i] * px, px); tl[i] = tr.labels[perm[i]]; }
    const uint32_t ntrain = tr.n - o->val;
    const uint8_t *vi = ti + (size_t)ntrain * px, *vl = tl + ntrain;

    tr_param *ps[TR_MAX_PARAMS];
    uint32_t np = tr_net_params(&net, ps, TR_MAX_PARAMS);
    tr_opt opt = {!strcmp(o->optim, "adam"), o->lr, o->momentum, o->beta1, o->beta2, o->wd, 0};
    fingerprint(o, &net, &tr, &te, fp, sizeof fp);
    snprintf(history, HIST_CAP, "epoch,seconds,img_per_s,lr,s_tanh,train_loss,train_acc,val_acc,test_acc\n");
    uint32_t start = 0;
    int rc = 0;
    double t_prev = 0;
    if (o->resume && o->ckpt[0] && access(o->ckpt, F_OK) == 0) {
        if (tr_ckpt_load(o->ckpt, &net, &opt, &start, fp, history, HIST_CAP, err, sizeof err)) {
            fprintf(stderr, "flexor train: %s\n", err);
            rc = 2;
            goto out;
        }
        if (!o->quiet) fprintf(stderr, "resuming %s after epoch %u\n", o->ckpt, start);
        /* training time of the earlier epochs, from the history's seconds column */
        for (const char *ln = strchr(history, '\n'); ln && ln[1]; ln = strchr(ln + 1, '\n')) {
            const char *c2 = strchr(ln + 1, ',');
            if (c2) t_prev += atof(c2 + 1);
        }
        r->epochs_done = (int)start;
    }
    const uint32_t B = (uint32_t)o->batch, spe = (ntrain + B - 1) / B;
    uint8_t *bi = malloc((size_t)B * px), *bl = malloc(B);
    const int bar_mode = o->quiet ? FX_PROGRESS_OFF : FX_PROGRESS_TTY_ONLY;
    tr_xor_mode mode = {o->stanh, o->unsimplified, o->analog};
    double t_train = 0;
    int ran = 0;
    for (uint32_t ep = start; ep < (uint32_t)o->epochs; ep++) {
        if (o->stop_after && ran >= o->stop_after) break;
        tr_shuffle(perm, ntrain, o->seed * 1000003ull + ep);
        char what[48];
        snprintf(what, sizeof what, "steps of epoch %u/%d", ep + 1, o->epochs);
        fx_progress bar;
        fx_progress_start(&bar, what, spe, bar_mode);
        double t0 = fx_wall_s(), tlast = t0, loss = 0;
        uint64_t ok = 0, seen = 0;
        float lr = 0, S = 0;
        for (uint32_t s = 0; s < spe; s++) {
            const uint32_t b0 = s * B, nb = ntrain - b0 < B ? ntrain - b0 : B;
            for (uint32_t i = 0; i < nb; i++) {
                memcpy(bi + (size_t)i * px, ti + (size_t)perm[b0 + i] * px, px);
                bl[i] = tl[perm[b0 + i]];
            }
            double e = ep + (double)s / spe;
            schedule(o, e, &lr, &S);
            opt.lr = lr; mode.S = S;
            net.act_quant_on = e >= o->qat_start;
            for (uint32_t li = 0; li < net.n_layers; li++)
                if (net.L[li].wq.kind == TR_W_FLEXOR) net.L[li].wq.lat.clip = o->clip_k > 0 ? o->clip_k / S : 0;
            tr_net_quantize(&net, &mode);
            uint32_t c;
            loss += tr_net_train_step(&net, bi, bl, nb, &mode, &c);
            ok += c; seen += nb;
            tr_opt_step(&opt, ps, np);
            double now = fx_wall_s();
            if (now - tlast > 0.5 || s + 1 == spe) {
                char extra[80];
                snprintf(extra, sizeof extra, "%.0f img/s loss %.4f acc %.2f%%", seen / (now - t0), loss / seen,
                         100.0 * ok / seen);
                fx_progress_update(&bar, s + 1, extra);
                tlast = now;
            }
        }
        double secs = fx_wall_s() - t0;
        t_train += secs;
        r->train_img_s = ntrain / secs;
        mode.S = S;
        tr_net_quantize(&net, &mode);
        double va = o->val ? tr_net_eval(&net, vi, vl, o->val, &mode) : -1;
        double ta = tr_net_eval(&net, te.images, te.labels, te.n, &mode);
        fx_progress_end(&bar);
        char vs[32] = "-";
        if (o->val) snprintf(vs, sizeof vs, "%.2f%%", va);
        if (!o->quiet)
            fprintf(stderr, "epoch %u/%d  %.1f s  %.0f img/s  lr %.2e  S_tanh %.1f  loss %.4f  train %.2f%%  val %s  test %.2f%%\n",
                    ep + 1, o->epochs, secs, ntrain / secs, lr, S, loss / seen, 100.0 * ok / seen, vs, ta);
        size_t hl = strlen(history);
        snprintf(history + hl, HIST_CAP - hl, "%u,%.2f,%.0f,%.6g,%.4g,%.5f,%.3f,%.3f,%.3f\n", ep + 1, secs,
                 ntrain / secs, lr, S, loss / seen, 100.0 * ok / seen, va, ta);
        if (o->csv[0] && fx_write_file(o->csv, history, strlen(history), err, sizeof err))
            fprintf(stderr, "flexor train: %s\n", err);
        if (o->ckpt[0] && tr_ckpt_save(o->ckpt, &net, &opt, ep + 1, fp, history, err, sizeof err)) {
            fprintf(stderr, "flexor train: %s\n", err);
            rc = 2;
            break;
        }
        ran++;
        r->epochs_done = (int)ep + 1;
    }
    free(bi); free(bl);
    if (rc) goto out;
    r->train_seconds = t_train + t_prev;
    if (ran == 0 && r->train_seconds > 0) r->train_img_s = (double)ntrain * r->epochs_done / r->train_seconds;
    schedule(o, (double)r->epochs_done, &opt.lr, &mode.S);
    if (r->epochs_done == 0) mode.S = o->stanh;
    net.act_quant_on = r->epochs_done >= o->qat_start;
    tr_net_quantize(&net, &mode);
    r->float_acc = tr_net_eval(&net, te.images, te.labels, te.n, &mode);
    r->float_fact_acc = -1;
    int any_aq = 0;
    for (uint32_t li = 0; li < net.n_layers; li++) any_aq |= net.L[li].act_quant;
    if (any_aq && net.act_quant_on) {
        net.act_quant_on = 0;
        r->float_fact_acc = tr_net_eval(&net, te.images, te.labels, te.n, &mode);
        net.act_quant_on = 1;
    }
    if (o->val) r->val_acc = tr_net_eval(&net, vi, vl, o->val, &mode);
    r->avg_bits = net_bits(&net, &r->bits_per_weight);
    if (o->stop_after && r->epochs_done < o->epochs) goto out; /* interrupted on purpose: no export */
    char why[256];
    if (o->no_export) {
        snprintf(r->note, sizeof r->note, "export skipped (--no-export)");
    } else if (no_v2) {
        snprintf(r->note, sizeof r->note, "no integer export: %.200s", v2why);
    } else if (!tr_net_exportable(&net, why, sizeof why) || o->analog) {
        snprintf(r->note, sizeof r->note, "no integer export: %.120s (the accelerator needs binary-code weights and uint8 "
                 "activations in every layer)", o->analog ? "analog XOR forward" : why);
        if (!o->quiet) fprintf(stderr, "note: %s (float results only)\n", r->note);
    } else {
        fx_model m;
        memset(&m, 0, sizeof m);
        int ex = tr_export(&net, &mode, &m, err, sizeof err);
        /* the logits below go to lg[TR_CLASSES] (this was a hidden lg[16]) */
        if (!ex && m.n_classes > TR_CLASSES) {
            snprintf(err, sizeof err, "%u classes, more than the %d the trainer evaluates", m.n_classes, TR_CLASSES);
            ex = -1;
        }
        if (ex || fx_model_validate(&m, cfg, err, sizeof err)) {
            fprintf(stderr, "flexor train: export failed: %s\n", err);
            fx_model_free(&m);
            rc = ex == TR_EXPORT_NONFINITE ? 2 : 1;
            goto out;
        }
        int32_t *own = malloc(sizeof(int32_t) * te.n * m.n_classes), lg[TR_CLASSES];
        r->int_acc = tr_int_eval(&m, cfg, te.images, te.labels, te.n, own);
        uint8_t *buf;
        size_t len;
        if (fx_model_serialize(&m, &buf, &len) == 0) { r->model_bytes = (long)len; free(buf); }
        fx_model rm;
        const fx_model *use = &m;
        int have_rm = 0;
        if (o->out[0]) {
            if (fx_model_write(o->out, &m, err, sizeof err) || fx_model_read(o->out, cfg, &rm, err, sizeof err)) {
                fprintf(stderr, "flexor train: %s\n", err);
                rc = 2;
            } else {
                use = &rm; have_rm = 1;
            }
        }
        fx_ref_net rn;
        if (!rc && fx_ref_prepare(&rn, use, cfg, err, sizeof err) == 0) {
            uint64_t ok = 0;
            long mism = 0;
            for (uint32_t i = 0; i < te.n; i++) {
                int cls = fx_ref_infer(&rn, te.images + (size_t)i * px, lg, NULL, NULL);
                ok += cls == te.labels[i];
                mism += memcmp(lg, own + (size_t)i * m.n_classes, m.n_classes * sizeof(int32_t)) != 0;
            }
            r->ref_acc = 100.0 * ok / te.n;
            r->ref_mismatch = mism;
            fx_ref_free(&rn);
            if (mism) { fprintf(stderr, "flexor train: %ld test images differ between the trainer's integer evaluation and fx_ref_infer\n", mism); rc = 1; }
        } else if (!rc) {
            fprintf(stderr, "flexor train: reference: %s\n", err);
            rc = 1;
        }
        free(own);
        if (have_rm) fx_model_free(&rm);
        fx_model_free(&m);
    }
out:
    tr_net_free(&net);
    free(perm); free(ti); free(tl); free(history);
    fx_dataset_free(&tr); fx_dataset_free(&te);
    return rc;
}
