/* SPDX-License-Identifier: Apache-2.0 */
/* Host driver: places a model in the accelerator's memories and lowers every layer to the command words
 * of docs/accelerator.md, on any fx_backend (the C model here, the Verilated RTL in csim/). */
#include "flexor/driver.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t ceil_div(uint32_t a, uint32_t b) { return (uint32_t)(((uint64_t)a + b - 1) / b); }

/* GEMM columns of a layer: output positions of a conv (before pooling), 1 for FC. */
static uint32_t layer_cols(const fx_layer *l)
{
    if (l->type != FX_LAYER_CONV) return 1;
    return (l->in_h - l->kh + 1) * (l->in_w - l->kw + 1);
}

/* Weight words per lane: G groups × q planes × S slices (S = CH, or CH + 1 for the straddle shift). */
static uint64_t layer_wwords(const fx_layer *l, const fx_hwcfg *cfg)
{
    uint32_t CH = ceil_div(l->K, cfg->n_out), S = CH + ((l->flags & FX_F_STRADDLE) ? 1 : 0);
    return (uint64_t)ceil_div(l->M, cfg->lanes) * l->q * S;
}

/* Words a dense HWC tensor of c×h×w bytes occupies in an activation buffer. */
static uint64_t tensor_words(uint32_t c, uint32_t h, uint32_t w, uint32_t n_out)
{
    return ((uint64_t)c * h * w + n_out - 1) / n_out;
}

/* What the driver lowers of a version-2 model today: a chain of RUNX commands (docs/run.md). Every
 * layer reads the previous one's output (the first the image), without residual, pool 0 or 2, its
 * geometry inside the RUNX fields, its input and output tensors inside one activation buffer. */
static int plan_v2_chain(const fx_hwcfg *cfg, const fx_model *m, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < m->n_layers; i++) {
        const fx_layer *l = &m->layers[i];
        uint32_t oh, ow, c, h, w;
        fx_layer_conv_out(l, &oh, &ow);
        fx_layer_out_shape(l, &c, &h, &w);
        if (l->src != i) {
            char what[48] = "the image";
            if (l->src) snprintf(what, sizeof what, "the output of layer %u", l->src - 1);
            snprintf(err, errlen, "layer %u: reads %s, not the previous layer's output: the accelerator runs only "
                     "chains of layers yet", i, what);
            return -1;
        }
        const char *no = l->res_kind ? "a residual add" : l->pool == FX_POOL_AVG ? "global average pooling"
                         : l->pool != FX_POOL_NONE && l->pool != FX_POOL_MAX2 ? "this pooling" : NULL;
        if (no) {
            snprintf(err, errlen, "layer %u: %s is not supported on the accelerator yet (version-2 models: chains of "
                     "layers without residual, pool 0 or 2)", i, no);
            return -1;
        }
        if (l->in_h > 0xFFFF || l->in_w > 0xFFFF || oh > 0xFFFF || ow > 0xFFFF || l->kh > 0xFF || l->kw > 0xFF ||
            l->stride > 0xFF || l->pad > 0xFF) {
            snprintf(err, errlen, "layer %u: a dimension exceeds the RUNX fields (in/out 16 bits, kernel/stride/padding "
                     "8 bits)", i);
            return -1;
        }
        const uint64_t in_words = tensor_words(l->in_c, l->in_h, l->in_w, cfg->n_out);
        const uint64_t out_words = tensor_words(c, h, w, cfg->n_out);
        if (in_words > cfg->amem_depth || (uint64_t)oh * ow > cfg->amem_depth ||
            (i + 1 < m->n_layers && out_words > cfg->amem_depth)) {
            snprintf(err, errlen, "layer %u: input tensor %ux%ux%u (%llu words), %ux%u output positions or output tensor "
                     "%ux%ux%u (%llu words): more than an activation buffer holds (amem_depth %u)", i, l->in_c, l->in_h,
                     l->in_w, (unsigned long long)in_words, oh, ow, c, h, w, (unsigned long long)out_words,
                     cfg->amem_depth);
            return -1;
        }
    }
    return 0;
}

int fx_driver_plan(const fx_hwcfg *cfg, const fx_model *m, fx_plan *plan, char *err, size_t errlen)
{
    uint64_t w = 0, p = 0;
    memset(plan, 0, sizeof *plan);
    if (m->n_layers == 0 || m->n_layers > FX_MAX_LAYERS) {
        snprintf(err, errlen, "model has %u layers (1..%u)", m->n_layers, FX_MAX_LAYERS);
        return -1;
    }
    if (fx_model_is_v2(m) && plan_v2_chain(cfg, m, err, errlen)) return -1;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        const fx_layer *l = &m->layers[i];
        if (l->K == 0 || l->K > cfg->k_max) {
            snprintf(err, errlen, "layer %u: fan-in K = %u outside 1..k_max (%u)", i, l->K, cfg->k_max);
            return -1;
        }
        if (l->M == 0 || l->q == 0 || l->q > cfg->q_max) {
            snprintf(err, errlen, "layer %u: M = %u, q = %u (q_max %u) not runnable", i, l->M, l->q, cfg->q_max);
            return -1;
        }
        uint64_t chunks = (uint64_t)layer_cols(l) * ceil_div(l->K, cfg->n_out);
        if (!fx_model_is_v2(m) && chunks > cfg->amem_depth) { /* v2: the tensors, checked above */
            snprintf(err, errlen, "layer %u: input needs %llu activation chunks (%u columns x %u), buffer holds %u",
                     i, (unsigned long long)chunks, layer_cols(l), ceil_div(l->K, cfg->n_out), cfg->amem_depth);
            return -1;
        }
        plan->w_base[i] = (uint32_t)w;
        plan->p_base[i] = (uint32_t)p;
        w += layer_wwords(l, cfg);
        p += ceil_div(l->M, cfg->lanes);
        if (w > cfg->wmem_depth) {
            snprintf(err, errlen, "layer %u: weights need %llu words per lane up to here, wmem_depth is %u", i,
                     (unsigned long long)w, cfg->wmem_depth);
            return -1;
        }
        if (p > cfg->pmem_depth) {
            snprintf(err, errlen, "layer %u: parameters need %llu entries per lane up to here, pmem_depth is %u", i,
                     (unsigned long long)p, cfg->pmem_depth);
            return -1;
        }
    }
    plan->w_words = (uint32_t)w;
    plan->p_entries = (uint32_t)p;
    return 0;
}

/* The per-lane weight words of one layer (docs/accelerator.md "Memory layout"); lanes beyond M get 0. */
static void lane_weights(const fx_hwcfg *cfg, const fx_layer *l, uint32_t lane, uint32_t *out)
{
    const uint32_t CH = ceil_div(l->K, cfg->n_out), straddle = (l->flags & FX_F_STRADDLE) != 0, S = CH + straddle;
    const uint32_t G = ceil_div(l->M, cfg->lanes);
    size_t k = 0;
    for (uint32_t g = 0; g < G; g++) {
        uint64_t m = (uint64_t)g * cfg->lanes + lane;
        for (uint32_t i = 0; i < l->q; i++) {
            const uint32_t *plane = l->slices + (size_t)i * l->n_slices;
            uint64_t first = straddle ? m * l->K / cfg->n_out : m * CH;
            for (uint32_t j = 0; j < S; j++, k++)
                out[k] = (m < l->M && first + j < l->n_slices) ? plane[first + j] : 0;
        }
    }
}

int fx_driver_identify(fx_backend *b, fx_hw_id *id, char *err, size_t errlen)
{
    const uint32_t cmd = (uint32_t)FX_OP_ID << 24;
    uint32_t w[FX_ID_WORDS];
    if (b->write(b, &cmd, 1) || b->read(b, w, FX_ID_WORDS)) {
        snprintf(err, errlen, "%s: no reply to the ID command (device error %u)", b->name, b->error(b));
        return -1;
    }
    *id = (fx_hw_id){.magic = w[0] >> 16, .major = w[0] >> 8 & 0xFF, .minor = w[0] & 0xFF, .cfg_hash = w[1]};
    if (id->magic != FX_ID_MAGIC || id->major != FX_IF_MAJOR) {
        snprintf(err, errlen, "%s: ID reply 0x%08X is not a flexor accelerator of interface version %d.x", b->name,
                 w[0], FX_IF_MAJOR);
        return -1;
    }
    return 0;
}

int fx_driver_load(fx_backend *b, const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, char *err,
                   size_t errlen)
{
    fx_hw_id id;
    if (fx_driver_identify(b, &id, err, errlen)) return -1;
    if (id.cfg_hash != m->cfg_hash) {
        snprintf(err, errlen,
                 "%s: the hardware's config hash 0x%08X differs from the model's 0x%08X: the model was built for "
                 "another configuration", b->name, id.cfg_hash, m->cfg_hash);
        return -1;
    }
    if (fx_model_is_v2(m) && id.minor < FX_IF_MINOR_RUNX) {
        snprintf(err, errlen, "%s: the device has interface version %u.%u, a version-2 model needs RUNX (1.%d)", b->name,
                 id.major, id.minor, FX_IF_MINOR_RUNX);
        return -1;
    }
    const fx_widths wd = fx_hwcfg_widths(cfg);
    uint64_t most = 0;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        uint64_t w = layer_wwords(&m->layers[i], cfg), p = (uint64_t)ceil_div(m->layers[i].M, cfg->lanes) * wd.p_words;
        if (w > most) most = w;
        if (p > most) most = p;
    }
    uint32_t *buf = malloc((3 + most) * sizeof *buf);
    if (!buf) { snprintf(err, errlen, "out of memory"); return -1; }
    int rc = 0;
    for (uint32_t i = 0; i < m->n_layers && !rc; i++) {
        const fx_layer *l = &m->layers[i];
        const uint32_t G = ceil_div(l->M, cfg->lanes), nw = (uint32_t)layer_wwords(l, cfg);
        for (uint32_t lane = 0; lane < cfg->lanes && !rc; lane++) {
            buf[0] = (uint32_t)FX_OP_LOAD_W << 24 | lane;
            buf[1] = plan->w_base[i];
            buf[2] = nw;
            lane_weights(cfg, l, lane, buf + 3);
            rc = b->write(b, buf, 3 + (size_t)nw);
            if (rc) break;
            /* parameter entry g: bias, α pairs {α[2p+1], α[2p]}, straddle offset o_m */
            buf[0] = (uint32_t)FX_OP_LOAD_P << 24 | lane;
            buf[1] = plan->p_base[i];
            buf[2] = G;
            uint32_t *e = buf + 3;
            memset(e, 0, (size_t)G * wd.p_words * sizeof *e);
            for (uint32_t g = 0; g < G; g++, e += wd.p_words) {
                uint64_t mm = (uint64_t)g * cfg->lanes + lane;
                if (mm >= l->M) continue;
                e[0] = (uint32_t)l->bias[mm];
                for (uint32_t q = 0; q < l->q; q++)
                    e[1 + q / 2] |= (uint32_t)(uint16_t)l->alpha[mm * l->q + q] << (16 * (q & 1));
                if (l->flags & FX_F_STRADDLE) e[wd.p_words - 1] = (uint32_t)(mm * l->K % cfg->n_out);
            }
            rc = b->write(b, buf, 3 + (size_t)G * wd.p_words);
        }
    }
    free(buf);
    if (rc) snprintf(err, errlen, "%s: loading the model failed (device error %u)", b->name, b->error(b));
    return rc ? -1 : 0;
}

void fx_driver_run_words(const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, uint32_t layer, uint32_t N,
                         int dst_stream, uint32_t a_src, uint32_t a_dst, uint32_t src_base, uint32_t dst_base,
                         uint32_t w[9])
{
    const fx_layer *l = &m->layers[layer];
    const int enc = (l->flags & FX_F_ENCRYPTED) != 0;
    w[0] = (uint32_t)FX_OP_RUN << 24;
    w[1] = l->K;
    w[2] = l->M;
    w[3] = N;
    w[4] = (l->q & 0xF) | ((enc ? l->n_in : cfg->n_out) & 0x3F) << 4 | (uint32_t)enc << 10 |
           (uint32_t)((l->flags & FX_F_STRADDLE) != 0) << 11 | (uint32_t)((l->flags & FX_F_RELU_U8) != 0) << 12 |
           (uint32_t)(dst_stream != 0) << 13 | (a_src & 1) << 14 | (a_dst & 1) << 15 | (l->shift & 0x3F) << 16;
    w[5] = plan->w_base[layer];
    w[6] = plan->p_base[layer];
    w[7] = src_base;
    w[8] = dst_base;
}

void fx_driver_runx_words(const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, uint32_t layer, int dst_stream,
                          uint32_t a_src, uint32_t a_dst, uint32_t src_base, uint32_t dst_base,
                          uint32_t w[1 + FX_RUNX_ARGS])
{
    const fx_layer *l = &m->layers[layer];
    uint32_t run[9], oh, ow;
    fx_driver_run_words(cfg, m, plan, layer, 1, dst_stream, a_src, a_dst, src_base, dst_base, run); /* the flags */
    fx_layer_conv_out(l, &oh, &ow);
    /* FC: C = K over a 1x1 input, so its column is the input tensor flattened in layout order */
    const int fc = l->type != FX_LAYER_CONV;
    w[0] = (uint32_t)FX_OP_RUNX << 24;
    w[1] = l->K;
    w[2] = l->M;
    w[3] = run[4] | (l->pool == FX_POOL_MAX2 ? 2u : 0u) << 22;
    w[4] = plan->w_base[layer];
    w[5] = plan->p_base[layer];
    w[6] = src_base;
    w[7] = dst_base;
    w[8] = fc ? l->K : l->in_c;
    w[9] = fc ? (1u | 1u << 16) : ((l->in_h & 0xFFFF) | l->in_w << 16);
    w[10] = fc ? (1u | 1u << 8 | 1u << 16) : ((l->kh & 0xFF) | (l->kw & 0xFF) << 8 | (l->stride & 0xFF) << 16 | l->pad << 24);
    w[11] = (oh & 0xFFFF) | ow << 16;
}

/* LOAD_A of `chunks` chunks of N_out bytes into buffer buf from address 0. */
static int load_acts(fx_backend *b, const fx_hwcfg *cfg, uint32_t buf, const uint8_t *bytes, uint32_t chunks)
{
    const uint32_t aw = fx_hwcfg_widths(cfg).a_words;
    uint32_t *w = calloc(3 + (size_t)chunks * aw, sizeof *w);
    if (!w) return -1;
    w[0] = (uint32_t)FX_OP_LOAD_A << 24 | buf;
    w[1] = 0;
    w[2] = chunks;
    for (uint32_t c = 0; c < chunks; c++)
        for (uint32_t k = 0; k < cfg->n_out; k++)
            w[3 + (size_t)c * aw + k / 4] |= (uint32_t)bytes[(size_t)c * cfg->n_out + k] << (8 * (k % 4));
    int rc = b->write(b, w, 3 + (size_t)chunks * aw);
    free(w);
    return rc;
}

/* Pops n result words; any backend error makes the whole layer fail. */
static int read_out(fx_backend *b, int32_t *out, size_t n)
{
    if (b->error(b)) return -1;
    uint32_t *w = malloc((n ? n : 1) * sizeof *w);
    if (!w) return -1;
    int rc = b->read(b, w, n);
    for (size_t i = 0; !rc && i < n; i++) out[i] = (int32_t)w[i];
    free(w);
    return rc || b->error(b) ? -1 : 0;
}

/* im2col the layer input and LOAD_A it into buffer 0. */
static int load_layer_input(fx_backend *b, const fx_hwcfg *cfg, const fx_layer *l, uint32_t layer,
                            const uint8_t *in_chw, uint32_t *N_out)
{
    const uint32_t N = layer_cols(l), CH = ceil_div(l->K, cfg->n_out);
    if ((uint64_t)N * CH > cfg->amem_depth) {
        fprintf(stderr, "flexor driver: layer %u: input needs %llu activation chunks, buffer holds %u\n", layer,
                (unsigned long long)N * CH, cfg->amem_depth);
        return -1;
    }
    uint8_t *cols = calloc((size_t)N * CH * cfg->n_out, 1);
    if (!cols) return -1;
    fx_im2col(l, cfg->n_out, in_chw, cols);
    int rc = load_acts(b, cfg, 0, cols, N * CH);
    free(cols);
    *N_out = N;
    return rc;
}

int fx_driver_run_layer(fx_backend *b, const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, uint32_t layer,
                        const uint8_t *in_chw, int32_t *out)
{
    const fx_layer *l = &m->layers[layer];
    uint32_t N, w[9];
    if (load_layer_input(b, cfg, l, layer, in_chw, &N)) return -1;
    fx_driver_run_words(cfg, m, plan, layer, N, 1, 0, 1, 0, 0, w);
    if (b->write(b, w, 9)) return -1;
    if (read_out(b, out, (size_t)N * l->M)) return -1;
    return (int)N;
}

uint32_t fx_driver_segment_end(const fx_model *m, uint32_t first, int chain_fc)
{
    uint32_t e = first;
    if (chain_fc && m->layers[first].type == FX_LAYER_FC)
        while (e + 1 < m->n_layers && m->layers[e + 1].type == FX_LAYER_FC) e++;
    return e;
}

/* A version-2 chain (fx_driver_plan has checked it): the image once as an HWC tensor into buffer 0, then one
 * RUNX per layer from base 0 of one buffer to base 0 of the other, the last streaming the logits. */
/* The logits copied out (if asked) and the class: their argmax, ties to the lowest index. */
static int class_of(const int32_t *out, uint32_t n, int32_t *logits)
{
    int cls = 0;
    for (uint32_t k = 0; k < n; k++) {
        if (logits) logits[k] = out[k];
        if (out[k] > out[cls]) cls = (int)k;
    }
    return cls;
}

static int infer_v2(fx_backend *b, const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, const uint8_t *image,
                    int32_t *logits, fx_layer_cb cb, void *user)
{
    const uint32_t words = (uint32_t)tensor_words(m->in_c, m->in_h, m->in_w, cfg->n_out), nc = m->n_classes;
    uint8_t *t = calloc((size_t)words * cfg->n_out, 1); /* the bytes after the last element stay 0 */
    int32_t *out = malloc((size_t)nc * sizeof *out);
    int cls = -1;
    if (!t || !out) goto done;
    fx_chw_to_hwc(image, m->in_c, m->in_h, m->in_w, t);
    if (load_acts(b, cfg, 0, t, words)) goto done;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        uint32_t w[1 + FX_RUNX_ARGS];
        fx_driver_runx_words(cfg, m, plan, i, i + 1 == m->n_layers, i & 1, (i & 1) ^ 1, 0, 0, w);
        if (b->write(b, w, 1 + FX_RUNX_ARGS)) goto done;
    }
    /* the last layer's output is n_classes x 1 x 1 (contract §7.3), streamed in channel order */
    if (read_out(b, out, nc)) goto done;
    const fx_layer *ll = &m->layers[m->n_layers - 1];
    if (cb && ll->pool == FX_POOL_NONE) cb(user, m->n_layers - 1, out, 1, nc); /* the GEMM output itself */
    cls = class_of(out, nc, logits);
done:
    free(t);
    free(out);
    return cls;
}

int fx_driver_infer(fx_backend *b, const fx_hwcfg *cfg, const fx_model *m, const fx_plan *plan, const uint8_t *image,
                    int32_t *logits, int chain_fc, fx_layer_cb cb, void *user)
{
    if (fx_model_is_v2(m)) return infer_v2(b, cfg, m, plan, image, logits, cb, user);
    size_t act_max = (size_t)m->in_c * m->in_h * m->in_w, out_max = 0;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        const fx_layer *l = &m->layers[i];
        size_t o = (size_t)layer_cols(l) * l->M;
        if (o > out_max) out_max = o;
        if (o > act_max) act_max = o;
    }
    uint8_t *act = malloc(act_max);
    int32_t *out = malloc(out_max * sizeof *out);
    int cls = -1;
    if (!act || !out) goto done;
    memcpy(act, image, (size_t)m->in_c * m->in_h * m->in_w);
    for (uint32_t i = 0; i < m->n_layers;) {
        const fx_layer *l = &m->layers[i];
        const uint32_t last = fx_driver_segment_end(m, i, chain_fc);
        uint32_t N, w[9];
        if (last == i) {
            int n = fx_driver_run_layer(b, cfg, m, plan, i, act, out);
            if (n < 0) goto done;
            N = (uint32_t)n;
        } else {
            /* FC run: input once, then ping-pong between the buffers; only the last layer streams out */
            if (load_layer_input(b, cfg, l, i, act, &N)) goto done;
            uint32_t src = 0;
            for (uint32_t k = i; k <= last; k++, src ^= 1) {
                fx_driver_run_words(cfg, m, plan, k, 1, k == last, src, src ^ 1, 0, 0, w);
                if (b->write(b, w, 9)) goto done;
            }
            if (read_out(b, out, m->layers[last].M)) goto done;
            N = 1;
        }
        const fx_layer *ll = &m->layers[last];
        if (cb) cb(user, last, out, N, ll->M);
        if (last + 1 < m->n_layers) fx_layer_output_chw(ll, out, act);
        i = last + 1;
    }
    cls = class_of(out, m->layers[m->n_layers - 1].M, logits);
done:
    free(act);
    free(out);
    return cls;
}
