/* SPDX-License-Identifier: Apache-2.0 */
/* The .fxm model file (docs/contract.md §6, version 2 §7): layout, validation, reader and atomic writer.
 * Every size is computed in 64 bits after the fields it depends on have been range-checked. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/model.h"
#include "flexor/fsutil.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define HDR_SIZE 64u
#define LAYER_SIZE 64u    /* version 1 */
#define LAYER_SIZE_V2 96u /* version 2: the v1 fields, then stride, pad, src, residual, average pool */
#define MAX_M 65536u
/* Largest activation (input, output, or im2col matrix) a layer may need: rejects absurd shapes
 * before anything is allocated from them. */
#define MAX_ACT (1ull << 26)

static uint64_t pad4(uint64_t v) { return (v + 3) & ~3ull; }

static uint64_t nslices64(const fx_layer *l, uint32_t n_out)
{
    if (l->flags & FX_F_STRADDLE) return ((uint64_t)l->M * l->K + n_out - 1) / n_out;
    return (uint64_t)l->M * (((uint64_t)l->K + n_out - 1) / n_out);
}

uint32_t fx_layer_nslices(const fx_layer *l, uint32_t n_out) { return (uint32_t)nslices64(l, n_out); }
uint32_t fx_layer_chunks(const fx_layer *l, uint32_t n_out) { return (l->K + n_out - 1) / n_out; }

int fx_model_is_v2(const fx_model *m) { return m->version == FX_FORMAT_V2; }

/* A version-1 layer has stride 0 or 1 and pad 0 in memory: both give the v1 geometry. */
void fx_layer_conv_out(const fx_layer *l, uint32_t *h, uint32_t *w)
{
    const uint64_t s = l->stride > 1 ? l->stride : 1, p = l->pad;
    if (l->type == FX_LAYER_CONV && l->kh && l->kw && l->kh <= l->in_h + 2 * p && l->kw <= l->in_w + 2 * p) {
        *h = (uint32_t)((l->in_h + 2 * p - l->kh) / s + 1);
        *w = (uint32_t)((l->in_w + 2 * p - l->kw) / s + 1);
    } else {
        *h = *w = 1;
    }
}

void fx_layer_out_shape(const fx_layer *l, uint32_t *c, uint32_t *h, uint32_t *w)
{
    fx_layer_conv_out(l, h, w);
    if (l->pool == FX_POOL_MAX2) { *h /= 2; *w /= 2; }
    if (l->pool == FX_POOL_AVG) *h = *w = 1;
    *c = l->M;
}

double fx_layer_bits_per_weight(const fx_layer *l, uint32_t n_out)
{
    double weights = (double)l->M * l->K;
    return weights > 0 ? (double)l->q * l->n_in * (double)nslices64(l, n_out) / weights : 0.0;
}

typedef struct { uint64_t alpha, bias, beta, plane, total; } layout;

static layout layer_layout(const fx_layer *l, uint32_t n_out)
{
    layout y;
    y.alpha = pad4(2ull * l->M * l->q);
    y.bias = 4ull * l->M;
    y.beta = l->res_kind ? pad4(2ull * l->M) : 0;
    y.plane = pad4((nslices64(l, n_out) * l->n_in + 7) / 8);
    y.total = y.alpha + y.bias + y.beta + l->q * y.plane;
    return y;
}

uint64_t fx_layer_payload_bytes(const fx_layer *l, uint32_t n_out) { return layer_layout(l, n_out).total; }

int fx_layer_alloc(fx_layer *l, uint32_t n_out)
{
    uint64_t ns = nslices64(l, n_out);
    l->n_slices = (uint32_t)ns;
    l->alpha = calloc((size_t)l->M * l->q + 1, sizeof *l->alpha);
    l->bias = calloc((size_t)l->M + 1, sizeof *l->bias);
    l->slices = calloc((size_t)(ns * l->q) + 1, sizeof *l->slices);
    l->beta = l->res_kind ? calloc((size_t)l->M + 1, sizeof *l->beta) : NULL;
    if (!l->alpha || !l->bias || !l->slices || (l->res_kind && !l->beta)) {
        free(l->alpha); free(l->bias); free(l->slices); free(l->beta);
        l->alpha = NULL; l->bias = NULL; l->slices = NULL; l->beta = NULL;
        return -1;
    }
    return 0;
}

void fx_model_free(fx_model *m)
{
    if (!m) return;
    for (uint32_t i = 0; i < FX_MAX_LAYERS; i++) {
        free(m->layers[i].alpha); free(m->layers[i].bias); free(m->layers[i].slices); free(m->layers[i].beta);
    }
    memset(m, 0, sizeof *m);
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen) vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* a*b*c <= limit without overflow (each factor < 2^32). */
static int prod_ok(uint64_t a, uint64_t b, uint64_t c, uint64_t limit, uint64_t *out)
{
    if (a > limit || b > limit || c > limit) return 0;
    uint64_t ab = a * b; /* < 2^52 */
    if (ab > limit) return 0;
    if (c && ab > limit / c) return 0;
    *out = ab * c;
    return *out <= limit;
}

typedef struct { uint32_t c, h, w; } shape3;

/* What names a tensor in messages: the image, the previous layer or layer L. */
static const char *tensor_name(uint32_t ref, uint32_t i, char *buf, size_t len)
{
    if (!ref) return "the model's input";
    if (ref == i) return "the previous layer's output";
    snprintf(buf, len, "layer %u's output", ref - 1);
    return buf;
}

/* Version-2 fields of layer i (contract §7): stride, padding, pooling parameters, the residual. */
static int check_v2_fields(const fx_layer *l, uint32_t i, const shape3 *shp, char *err, size_t errlen)
{
    if (l->type == FX_LAYER_FC && (l->stride != 1 || l->pad))
        return fail(err, errlen, "layer %u: FC layer needs stride 1 and padding 0 (has %u, %u)", i, l->stride, l->pad);
    if (l->stride < 1 || l->stride > 4) return fail(err, errlen, "layer %u: stride %u outside 1..4", i, l->stride);
    if (l->type == FX_LAYER_CONV && (l->pad >= l->kh || l->pad >= l->kw))
        return fail(err, errlen, "layer %u: padding %u not smaller than the %ux%u kernel", i, l->pad, l->kh, l->kw);
    if (l->pool == FX_POOL_AVG) {
        if (l->avg_mult < 1 || l->avg_mult > 65535) return fail(err, errlen, "layer %u: avg_mult %u outside 1..65535", i, l->avg_mult);
        if (l->avg_shift > 39) return fail(err, errlen, "layer %u: avg_shift %u exceeds 39", i, l->avg_shift);
    } else if (l->avg_mult || l->avg_shift) {
        return fail(err, errlen, "layer %u: avg_mult/avg_shift set without global average pooling", i);
    }
    if (l->res_kind > FX_RES_OPTION_A) return fail(err, errlen, "layer %u: unknown residual kind %u", i, l->res_kind);
    if (!l->res_kind) return l->res_src ? fail(err, errlen, "layer %u: residual source %u without a residual kind", i, l->res_src) : 0;
    if (l->res_src > i) return fail(err, errlen, "layer %u: residual source %u is not the image or an earlier layer", i, l->res_src);
    uint32_t oh, ow;
    fx_layer_conv_out(l, &oh, &ow);
    const shape3 r = shp[l->res_src];
    char nb[48];
    if (l->res_kind == FX_RES_IDENTITY && (r.c != l->M || r.h != oh || r.w != ow))
        return fail(err, errlen, "layer %u: identity shortcut %ux%ux%u (%s) differs from the output %ux%ux%u", i, r.c, r.h, r.w,
                    tensor_name(l->res_src, ~0u, nb, sizeof nb), l->M, oh, ow);
    if (l->res_kind == FX_RES_OPTION_A && (r.c > l->M || (r.h + 1) / 2 != oh || (r.w + 1) / 2 != ow))
        return fail(err, errlen, "layer %u: option-A shortcut %ux%ux%u (%s) does not subsample to the output %ux%ux%u", i, r.c,
                    r.h, r.w, tensor_name(l->res_src, ~0u, nb, sizeof nb), l->M, oh, ow);
    return 0;
}

/* A version-1 model must not carry version-2 settings that its file could not hold. */
static int check_v1_fields(const fx_layer *l, uint32_t i, char *err, size_t errlen)
{
    if (l->stride > 1 || l->pad || l->res_kind || l->res_src || l->avg_mult || l->avg_shift)
        return fail(err, errlen, "layer %u: stride, padding, residual or average pooling need format version 2", i);
    return 0;
}

/* The graph after every layer is checked (contract §7.3): each layer but the last feeds a later one, and
 * the last one's output is the n_classes logits. */
static int check_graph_end(const fx_model *m, const uint8_t *read, const shape3 *shp, char *err, size_t errlen)
{
    for (uint32_t i = 0; i + 1 < m->n_layers; i++)
        if (!read[i]) return fail(err, errlen, "layer %u: output never read (only the last layer may be the output)", i);
    const shape3 o = shp[m->n_layers];
    if (o.h != 1 || o.w != 1)
        return fail(err, errlen, "layer %u: the last layer's output %ux%ux%u is not n_classes x 1 x 1", m->n_layers - 1, o.c, o.h, o.w);
    return 0;
}

/* Header-level and per-layer shape rules shared by the reader and fx_model_validate. */
static int check_structure(const fx_model *m, const fx_hwcfg *cfg, char *err, size_t errlen)
{
    if (m->version > FX_FORMAT_V2) return fail(err, errlen, "unsupported format version %u", m->version);
    uint32_t hash = fx_hwcfg_hash(cfg);
    if (m->cfg_hash != hash)
        return fail(err, errlen, "config hash 0x%08x differs from this build's 0x%08x (model made for another hardware configuration)",
                    m->cfg_hash, hash);
    if (m->n_out != cfg->n_out) return fail(err, errlen, "N_out %u differs from the configuration's %u", m->n_out, cfg->n_out);
    if (m->n_tap != cfg->n_tap) return fail(err, errlen, "N_tap %u differs from the configuration's %u", m->n_tap, cfg->n_tap);
    if (m->seed != cfg->seed)
        return fail(err, errlen, "M-xor seed 0x%llx differs from the configuration's 0x%llx", (unsigned long long)m->seed,
                    (unsigned long long)cfg->seed);
    if (m->n_layers < 1 || m->n_layers > FX_MAX_LAYERS) return fail(err, errlen, "n_layers %u outside 1..%u", m->n_layers, FX_MAX_LAYERS);
    uint64_t elems;
    if (!m->in_c || !m->in_h || !m->in_w || !prod_ok(m->in_c, m->in_h, m->in_w, MAX_ACT, &elems))
        return fail(err, errlen, "absurd input shape %ux%ux%u", m->in_c, m->in_h, m->in_w);
    const int v2 = fx_model_is_v2(m);
    shape3 shp[FX_MAX_LAYERS + 1]; /* shp[0] the image, shp[L+1] layer L's output */
    uint8_t read[FX_MAX_LAYERS] = {0};
    shp[0] = (shape3){m->in_c, m->in_h, m->in_w};
    const uint32_t n_out = cfg->n_out;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        const fx_layer *l = &m->layers[i];
        const int last = i + 1 == m->n_layers;
        if (l->type != FX_LAYER_FC && l->type != FX_LAYER_CONV) return fail(err, errlen, "layer %u: unknown type %u", i, l->type);
        if (l->flags & ~FX_F_ALL) return fail(err, errlen, "layer %u: unknown flag bits 0x%x", i, l->flags & ~FX_F_ALL);
        if (l->q < 1 || l->q > cfg->q_max) return fail(err, errlen, "layer %u: q %u outside 1..%u", i, l->q, cfg->q_max);
        if (l->flags & FX_F_ENCRYPTED) {
            int found = 0;
            for (uint32_t k = 0; k < cfg->n_in_count; k++) found |= cfg->n_in[k] == l->n_in;
            if (!found) return fail(err, errlen, "layer %u: N_in %u has no decryptor in this configuration", i, l->n_in);
        } else if (l->n_in != n_out) {
            return fail(err, errlen, "layer %u: unencrypted layer needs N_in = N_out = %u, has %u", i, n_out, l->n_in);
        }
        if (!l->M) return fail(err, errlen, "layer %u: M is zero", i);
        if (!l->K) return fail(err, errlen, "layer %u: K is zero", i);
        if (l->M > MAX_M) return fail(err, errlen, "layer %u: M %u exceeds %u", i, l->M, MAX_M);
        if (l->K > cfg->k_max) return fail(err, errlen, "layer %u: K %u exceeds k_max %u", i, l->K, cfg->k_max);
        const uint32_t from = v2 ? l->src : i;
        if (from > i) return fail(err, errlen, "layer %u: input %u is not the image or an earlier layer", i, from);
        const uint32_t c = shp[from].c, h = shp[from].h, w = shp[from].w, p = v2 ? l->pad : 0;
        char nb[48];
        if (l->in_c != c || l->in_h != h || l->in_w != w)
            return fail(err, errlen, "layer %u: input shape %ux%ux%u does not match %s %ux%ux%u", i, l->in_c, l->in_h,
                        l->in_w, tensor_name(from, i, nb, sizeof nb), c, h, w);
        if (v2 ? check_v2_fields(l, i, shp, err, errlen) : check_v1_fields(l, i, err, errlen)) return -1;
        if (l->type == FX_LAYER_FC) {
            if (l->kh != 1 || l->kw != 1) return fail(err, errlen, "layer %u: FC layer needs kh = kw = 1 (has %ux%u)", i, l->kh, l->kw);
            if ((uint64_t)l->K != (uint64_t)c * h * w)
                return fail(err, errlen, "layer %u: FC K %u != in_c*in_h*in_w = %llu", i, l->K, (unsigned long long)((uint64_t)c * h * w));
        } else {
            if (!l->kh || !l->kw || l->kh > (uint64_t)h + 2 * p || l->kw > (uint64_t)w + 2 * p)
                return fail(err, errlen, "layer %u: kernel %ux%u larger than the input %ux%u%s (or zero)", i, l->kh, l->kw, h, w,
                            p ? " plus padding" : "");
            if ((uint64_t)l->K != (uint64_t)c * l->kh * l->kw)
                return fail(err, errlen, "layer %u: CONV K %u != in_c*kh*kw = %llu", i, l->K,
                            (unsigned long long)((uint64_t)c * l->kh * l->kw));
        }
        uint32_t oh, ow;
        fx_layer_conv_out(l, &oh, &ow);
        uint64_t n_cols = (uint64_t)oh * ow, ch = (l->K + n_out - 1) / n_out, tmp;
        if (!prod_ok(n_cols, l->M, 1, MAX_ACT, &tmp) || !prod_ok(n_cols, ch, n_out, MAX_ACT, &tmp))
            return fail(err, errlen, "layer %u: absurd size (%llu output columns x M %u)", i, (unsigned long long)n_cols, l->M);
        if (l->pool != FX_POOL_NONE && l->pool != FX_POOL_MAX2 && !(v2 && l->pool == FX_POOL_AVG))
            return fail(err, errlen, "layer %u: pool %u is not 0 or 2%s", i, l->pool, v2 ? " or 3" : "");
        if (l->pool == FX_POOL_MAX2 && ((oh | ow) & 1)) return fail(err, errlen, "layer %u: 2x2 pooling of an odd size %ux%u", i, oh, ow);
        if (l->pool && !(l->flags & FX_F_RELU_U8)) return fail(err, errlen, "layer %u: pooling a RAW (int32) layer", i);
        if (l->shift > 39) return fail(err, errlen, "layer %u: shift %u exceeds 39", i, l->shift);
        if (!(l->flags & FX_F_RELU_U8) && !last) return fail(err, errlen, "layer %u: RAW (int32) output on a layer other than the last", i);
        if (from) read[from - 1] = 1;
        if (v2 && l->res_kind && l->res_src) read[l->res_src - 1] = 1;
        fx_layer_out_shape(l, &shp[i + 1].c, &shp[i + 1].h, &shp[i + 1].w);
    }
    if (m->n_classes != m->layers[m->n_layers - 1].M)
        return fail(err, errlen, "n_classes %u != M of the last layer (%u)", m->n_classes, m->layers[m->n_layers - 1].M);
    return v2 ? check_graph_end(m, read, shp, err, errlen) : 0;
}

int fx_model_validate(const fx_model *m, const fx_hwcfg *cfg, char *err, size_t errlen)
{
    if (check_structure(m, cfg, err, errlen)) return -1;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        const fx_layer *l = &m->layers[i];
        uint64_t ns = nslices64(l, cfg->n_out);
        if (!l->alpha || !l->bias || !l->slices || (l->res_kind && !l->beta))
            return fail(err, errlen, "layer %u: arrays not allocated", i);
        if (l->n_slices != ns) return fail(err, errlen, "layer %u: n_slices %u, expected %llu", i, l->n_slices, (unsigned long long)ns);
        const uint32_t hi = l->n_in >= 32 ? 0 : ~((1u << l->n_in) - 1u);
        for (uint64_t s = 0; s < ns * l->q; s++)
            if (l->slices[s] & hi) return fail(err, errlen, "layer %u: stored slice %llu has bits above N_in", i, (unsigned long long)s);
    }
    return 0;
}

static void put32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24); }
static uint32_t get32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

int fx_model_serialize(const fx_model *m, uint8_t **buf, size_t *len)
{
    *buf = NULL; *len = 0;
    if (m->n_layers < 1 || m->n_layers > FX_MAX_LAYERS || m->n_out < 1 || m->n_out > 32 || m->version > FX_FORMAT_V2) return -1;
    const int v2 = fx_model_is_v2(m);
    const uint32_t esize = v2 ? LAYER_SIZE_V2 : LAYER_SIZE;
    uint64_t off = HDR_SIZE + (uint64_t)esize * m->n_layers, offs[FX_MAX_LAYERS];
    for (uint32_t i = 0; i < m->n_layers; i++) {
        const fx_layer *l = &m->layers[i];
        /* bounds that keep the 64-bit layout arithmetic exact */
        if (l->M > MAX_M || l->K > (1u << 20) || l->q > 8 || l->n_in > 32 || !l->alpha || !l->bias || !l->slices ||
            l->n_slices != nslices64(l, m->n_out) || (l->res_kind && (!v2 || !l->beta)))
            return -1;
        offs[i] = off;
        off += layer_layout(l, m->n_out).total;
        if (off > 0xFFFFFFF0ull) return -1;
    }
    uint64_t total = off + 4;
    uint8_t *b = calloc(1, (size_t)total);
    if (!b) return -1;
    memcpy(b, v2 ? "FXM2" : "FXM1", 4);
    put32(b + 4, v2 ? FX_FORMAT_V2 : FX_FORMAT_VERSION); put32(b + 8, m->cfg_hash); put32(b + 12, HDR_SIZE); put32(b + 16, m->n_layers);
    put32(b + 20, m->in_c); put32(b + 24, m->in_h); put32(b + 28, m->in_w); put32(b + 32, m->n_classes);
    put32(b + 36, m->n_out); put32(b + 40, m->n_tap); put32(b + 44, FX_MXOR_GEN_SPLITMIX64_V1); put64(b + 48, m->seed);
    put32(b + 56, (uint32_t)total);
    for (uint32_t i = 0; i < m->n_layers; i++) {
        const fx_layer *l = &m->layers[i];
        layout y = layer_layout(l, m->n_out);
        uint8_t *e = b + HDR_SIZE + esize * i;
        const uint32_t f[15] = {l->type, l->flags, l->q, l->n_in, l->M, l->K, l->in_c, l->in_h, l->in_w, l->kh, l->kw,
                                l->pool, l->shift, (uint32_t)offs[i], (uint32_t)y.total};
        for (int k = 0; k < 15; k++) put32(e + 4 * k, f[k]);
        const uint32_t f2[7] = {l->stride, l->pad, l->src, l->res_kind, l->res_src, l->avg_mult, l->avg_shift};
        for (int k = 0; v2 && k < 7; k++) put32(e + 64 + 4 * k, f2[k]);
        uint8_t *p = b + offs[i];
        for (uint64_t k = 0; k < (uint64_t)l->M * l->q; k++) { p[2 * k] = (uint8_t)l->alpha[k]; p[2 * k + 1] = (uint8_t)((uint16_t)l->alpha[k] >> 8); }
        p += y.alpha;
        for (uint32_t k = 0; k < l->M; k++) put32(p + 4 * k, (uint32_t)l->bias[k]);
        p += y.bias;
        for (uint32_t k = 0; y.beta && k < l->M; k++) { p[2 * k] = (uint8_t)l->beta[k]; p[2 * k + 1] = (uint8_t)((uint16_t)l->beta[k] >> 8); }
        p += y.beta;
        const uint32_t mask = l->n_in >= 32 ? 0xFFFFFFFFu : (1u << l->n_in) - 1u;
        for (uint32_t pl = 0; pl < l->q; pl++, p += y.plane)
            for (uint64_t s = 0; s < l->n_slices; s++) {
                uint32_t v = l->slices[(uint64_t)pl * l->n_slices + s] & mask;
                for (uint64_t bit = s * l->n_in; v; v >>= 1, bit++)
                    if (v & 1) p[bit >> 3] |= (uint8_t)(1u << (bit & 7));
            }
    }
    put32(b + off, (uint32_t)crc32(0L, b, (uInt)off));
    *buf = b; *len = (size_t)total;
    return 0;
}

int fx_model_write(const char *path, const fx_model *m, char *err, size_t errlen)
{
    uint8_t *buf;
    size_t len;
    if (fx_model_serialize(m, &buf, &len)) return fail(err, errlen, "%s: cannot serialise the model (inconsistent sizes)", path);
    int r = fx_write_file(path, buf, len, err, errlen);
    free(buf);
    return r;
}

int fx_model_parse(const uint8_t *buf, size_t len, const char *name, const fx_hwcfg *cfg, fx_model *m, char *err,
                   size_t errlen)
{
    char msg[384];
    memset(m, 0, sizeof *m);
#define BAD(...) do { snprintf(msg, sizeof msg, __VA_ARGS__); goto bad; } while (0)
    if (len < HDR_SIZE + LAYER_SIZE + 4) BAD("file too short (%zu bytes) for a header, a layer and the CRC", len);
    const int v2 = !memcmp(buf, "FXM2", 4);
    if (memcmp(buf, "FXM1", 4) && !v2) BAD("bad magic (not an FXM1 or FXM2 model file)");
    uint32_t version = get32(buf + 4), want = v2 ? FX_FORMAT_V2 : FX_FORMAT_VERSION;
    if (version != want) BAD("unsupported format version %u (this reader handles %u for %.4s)", version, want, (const char *)buf);
    m->version = version;
    const uint32_t esize = v2 ? LAYER_SIZE_V2 : LAYER_SIZE;
    if (get32(buf + 12) != HDR_SIZE) BAD("header size %u, expected %u", get32(buf + 12), HDR_SIZE);
    m->n_layers = get32(buf + 16);
    if (m->n_layers < 1 || m->n_layers > FX_MAX_LAYERS) BAD("n_layers %u outside 1..%u", m->n_layers, FX_MAX_LAYERS);
    uint64_t table_end = HDR_SIZE + (uint64_t)esize * m->n_layers;
    if (len < table_end + 4) BAD("file too short (%zu bytes) for %u layers", len, m->n_layers);
    uint32_t size_field = get32(buf + 56);
    if ((uint64_t)len != size_field) BAD("file size field %u does not match the actual size %zu (truncated?)", size_field, len);
    uint32_t crc = (uint32_t)crc32(0L, buf, (uInt)(len - 4)), stored = get32(buf + len - 4);
    if (crc != stored) BAD("CRC mismatch (stored 0x%08x, computed 0x%08x)", stored, crc);
    if (get32(buf + 44) != FX_MXOR_GEN_SPLITMIX64_V1) BAD("unknown M-xor generator id %u", get32(buf + 44));
    if (get32(buf + 60)) BAD("reserved header field is not 0");
    m->cfg_hash = get32(buf + 8);
    m->in_c = get32(buf + 20); m->in_h = get32(buf + 24); m->in_w = get32(buf + 28);
    m->n_classes = get32(buf + 32); m->n_out = get32(buf + 36); m->n_tap = get32(buf + 40); m->seed = get64(buf + 48);
    uint32_t offs[FX_MAX_LAYERS], sizes[FX_MAX_LAYERS];
    for (uint32_t i = 0; i < m->n_layers; i++) {
        const uint8_t *e = buf + HDR_SIZE + esize * i;
        fx_layer *l = &m->layers[i];
        l->type = get32(e); l->flags = get32(e + 4); l->q = get32(e + 8); l->n_in = get32(e + 12);
        l->M = get32(e + 16); l->K = get32(e + 20); l->in_c = get32(e + 24); l->in_h = get32(e + 28); l->in_w = get32(e + 32);
        l->kh = get32(e + 36); l->kw = get32(e + 40); l->pool = get32(e + 44); l->shift = get32(e + 48);
        offs[i] = get32(e + 52); sizes[i] = get32(e + 56);
        if (get32(e + 60)) BAD("layer %u: reserved field is not 0", i);
        if (!v2) continue;
        l->stride = get32(e + 64); l->pad = get32(e + 68); l->src = get32(e + 72); l->res_kind = get32(e + 76);
        l->res_src = get32(e + 80); l->avg_mult = get32(e + 84); l->avg_shift = get32(e + 88);
        if (get32(e + 92)) BAD("layer %u: reserved field (offset 92) is not 0", i);
    }
    if (check_structure(m, cfg, msg, sizeof msg)) goto bad;
    uint64_t off = table_end;
    for (uint32_t i = 0; i < m->n_layers; i++) {
        layout y = layer_layout(&m->layers[i], m->n_out);
        if (offs[i] != off) BAD("layer %u: payload offset %u, expected %llu", i, offs[i], (unsigned long long)off);
        if (sizes[i] != y.total) BAD("layer %u: payload size %u, expected %llu", i, sizes[i], (unsigned long long)y.total);
        off += y.total;
    }
    if (off + 4 != len) BAD("payloads end at %llu but the CRC is at %zu", (unsigned long long)off, len - 4);
    for (uint32_t i = 0; i < m->n_layers; i++) {
        fx_layer *l = &m->layers[i];
        layout y = layer_layout(l, m->n_out);
        if (fx_layer_alloc(l, m->n_out)) BAD("out of memory");
        const uint8_t *p = buf + offs[i];
        for (uint64_t k = 0; k < (uint64_t)l->M * l->q; k++) l->alpha[k] = (int16_t)(uint16_t)(p[2 * k] | p[2 * k + 1] << 8);
        for (uint64_t k = 2ull * l->M * l->q; k < y.alpha; k++)
            if (p[k]) BAD("layer %u: nonzero padding after alpha", i);
        p += y.alpha;
        for (uint32_t k = 0; k < l->M; k++) l->bias[k] = (int32_t)get32(p + 4 * k);
        p += y.bias;
        for (uint64_t k = 0; y.beta && k < l->M; k++) l->beta[k] = (int16_t)(uint16_t)(p[2 * k] | p[2 * k + 1] << 8);
        for (uint64_t k = 2ull * l->M; k < y.beta; k++)
            if (p[k]) BAD("layer %u: nonzero padding after beta", i);
        p += y.beta;
        for (uint32_t pl = 0; pl < l->q; pl++, p += y.plane) {
            for (uint64_t s = 0; s < l->n_slices; s++) {
                uint32_t v = 0;
                uint64_t bit = s * l->n_in;
                for (uint32_t j = 0; j < l->n_in; j++, bit++) v |= (uint32_t)((p[bit >> 3] >> (bit & 7)) & 1) << j;
                l->slices[(uint64_t)pl * l->n_slices + s] = v;
            }
            /* zero padding keeps the encoding canonical (a valid file re-serialises to itself) */
            for (uint64_t bit = (uint64_t)l->n_slices * l->n_in; bit < y.plane * 8; bit++)
                if ((p[bit >> 3] >> (bit & 7)) & 1) BAD("layer %u: nonzero padding after plane %u", i, pl);
        }
    }
    return 0;
#undef BAD
bad:
    fx_model_free(m);
    return fail(err, errlen, "%s: %s", name, msg);
}

int fx_model_read(const char *path, const fx_hwcfg *cfg, fx_model *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "rb");
    if (!f) return fail(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    /* Sized up front: a device, FIFO or directory has no size to check (/dev/zero would be read until
     * memory runs out), and the header's 32-bit size field must agree before anything is allocated. */
    struct stat st;
    uint8_t hdr[HDR_SIZE];
    if (fstat(fileno(f), &st)) { int e = errno; fclose(f); return fail(err, errlen, "%s: cannot stat: %s", path, strerror(e)); }
    if (!S_ISREG(st.st_mode)) { fclose(f); return fail(err, errlen, "%s: not a regular file", path); }
    if ((uint64_t)st.st_size > UINT32_MAX)
        { fclose(f); return fail(err, errlen, "%s: %lld bytes, more than a model file can hold (4 GiB)", path, (long long)st.st_size); }
    const size_t size = (size_t)st.st_size;
    /* (small files go straight to the parser, whose checks come in the order docs/contract.md lists) */
    if (size > (1u << 20) && fread(hdr, 1, HDR_SIZE, f) == HDR_SIZE && (!memcmp(hdr, "FXM1", 4) || !memcmp(hdr, "FXM2", 4)) &&
        get32(hdr + 56) != size) {
        fclose(f);
        return fail(err, errlen, "%s: file size field %u does not match the actual size %zu (truncated?)", path, get32(hdr + 56), size);
    }
    uint8_t *buf = malloc(size + 1);
    if (!buf) { fclose(f); return fail(err, errlen, "%s: out of memory", path); }
    rewind(f);
    size_t len = fread(buf, 1, size + 1, f); /* one more: a file that grew is caught by the size field */
    int rerr = ferror(f), e = errno;
    fclose(f);
    if (rerr) { free(buf); return fail(err, errlen, "%s: read error: %s", path, strerror(e)); }
    int r = fx_model_parse(buf, len, path, cfg, m, err, errlen);
    free(buf);
    return r;
}
