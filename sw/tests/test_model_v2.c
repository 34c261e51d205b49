/* SPDX-License-Identifier: Apache-2.0 */
/* Format and contract version 2 (docs/contract.md §7): a network computed by hand (stride 2, zero
 * padding, the channel-minor K order, an option-A and an identity residual, global average pooling);
 * every graph and field rule of the validator with its one-line message; the file round trip and its
 * byte-level refusals; v1 models keep refusing v2 settings; the v2 generators give valid models. */
#include "test_util.h" /* first: it sets _POSIX_C_SOURCE */
#include "flexor/model_random.h"
#include "flexor/netmodel.h"
#include "flexor/ref.h"
#include <zlib.h>

static const fx_hwcfg *cfg;

static void start(fx_model *m, uint32_t c, uint32_t h, uint32_t w, uint32_t n_layers, uint32_t classes)
{
    memset(m, 0, sizeof *m);
    m->version = FX_FORMAT_V2;
    m->cfg_hash = fx_hwcfg_hash(cfg); m->n_out = cfg->n_out; m->n_tap = cfg->n_tap; m->seed = cfg->seed;
    m->in_c = c; m->in_h = h; m->in_w = w; m->n_layers = n_layers; m->n_classes = classes;
}

/* Weight (m, k) of an unencrypted aligned q=1 layer: the stored bits are the weights (contract §3). */
static void set_w(fx_layer *l, uint32_t m, uint32_t k, int s)
{
    const uint64_t t = (uint64_t)m * fx_layer_chunks(l, cfg->n_out) * cfg->n_out + k;
    uint32_t *sl = &l->slices[t / cfg->n_out];
    if (s > 0) *sl |= 1u << (t % cfg->n_out);
    else *sl &= ~(1u << (t % cfg->n_out));
}

/* image 2x3x3 (CHW): channel 0 = 1..9, channel 1 = 10..90.
 * L0 conv 2->1, 2x2, stride 2, pad 1, w = +1 on channel 0, -1 on channel 1 (k = (dy*2+dx)*2 + c), bias 400,
 *    shift 1: windows (0,0) 1-10, (0,1) 5-50, (1,0) 11-110, (1,1) 28-280 -> t 391 355 301 148 -> 196 178 151 74.
 * L1 conv 1->2, 1x1, option-A residual from the image, beta (2, -1), bias (0, 300): r0 = 1 3 7 9, r1 = 10 30 70 90
 *    -> ch0 198 184 165 92, ch1 94 92 79 136; global average pool mult 3 shift 4: (639*3+8)>>4 = 120,
 *    (401*3+8)>>4 = 75.
 * L2 fc 2->2 RAW, class 0 = (+1,-1), class 1 = (-1,+1), identity residual from L1 with beta (1, 1):
 *    logits 45+120 = 165, -45+75 = 30. */
static void build_hand(fx_model *m)
{
    start(m, 2, 3, 3, 3, 2);
    fx_layer *l = m->layers;
    l[0] = (fx_layer){.type = FX_LAYER_CONV, .flags = FX_F_RELU_U8, .q = 1, .n_in = cfg->n_out, .M = 1, .K = 8, .in_c = 2,
                      .in_h = 3, .in_w = 3, .kh = 2, .kw = 2, .stride = 2, .pad = 1, .shift = 1, .src = 0};
    l[1] = (fx_layer){.type = FX_LAYER_CONV, .flags = FX_F_RELU_U8, .q = 1, .n_in = cfg->n_out, .M = 2, .K = 1, .in_c = 1,
                      .in_h = 2, .in_w = 2, .kh = 1, .kw = 1, .stride = 1, .src = 1, .res_kind = FX_RES_OPTION_A,
                      .res_src = 0, .pool = FX_POOL_AVG, .avg_mult = 3, .avg_shift = 4};
    l[2] = (fx_layer){.type = FX_LAYER_FC, .flags = 0, .q = 1, .n_in = cfg->n_out, .M = 2, .K = 2, .in_c = 2, .in_h = 1,
                      .in_w = 1, .kh = 1, .kw = 1, .stride = 1, .src = 2, .res_kind = FX_RES_IDENTITY, .res_src = 2};
    for (int i = 0; i < 3; i++)
        if (fx_layer_alloc(&l[i], cfg->n_out)) exit(2);
    for (uint32_t k = 0; k < 8; k++) set_w(&l[0], 0, k, k % 2 ? -1 : 1);
    l[0].alpha[0] = 1; l[0].bias[0] = 400;
    set_w(&l[1], 0, 0, 1); set_w(&l[1], 1, 0, -1);
    l[1].alpha[0] = l[1].alpha[1] = 1; l[1].bias[1] = 300; l[1].beta[0] = 2; l[1].beta[1] = -1;
    set_w(&l[2], 0, 0, 1); set_w(&l[2], 0, 1, -1); set_w(&l[2], 1, 0, -1); set_w(&l[2], 1, 1, 1);
    l[2].alpha[0] = l[2].alpha[1] = 1; l[2].beta[0] = l[2].beta[1] = 1;
}

static void record(void *user, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M)
{
    if (layer < 2 && N * M <= 8) memcpy((int32_t *)user + 8 * layer, out, sizeof(int32_t) * N * M);
}

static void hand_network(void)
{
    fx_model m;
    build_hand(&m);
    char err[256];
    fx_ref_net net;
    if (fx_ref_prepare(&net, &m, cfg, err, sizeof err)) { CHECK(0, "hand model: %s", err); fx_model_free(&m); return; }
    const uint8_t img[18] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90};
    int32_t outs[16] = {0}, lg[2];
    int cls = fx_ref_infer(&net, img, lg, record, outs);
    CHECK(outs[0] == 196 && outs[1] == 178 && outs[2] == 151 && outs[3] == 74, "L0 (stride 2, pad 1): %d %d %d %d, expected 196 178 151 74",
          outs[0], outs[1], outs[2], outs[3]);
    const int32_t want1[8] = {198, 94, 184, 92, 165, 79, 92, 136}; /* [n][m] */
    CHECK(!memcmp(outs + 8, want1, sizeof want1), "L1 (option-A residual): %d %d %d %d %d %d %d %d", outs[8], outs[9],
          outs[10], outs[11], outs[12], outs[13], outs[14], outs[15]);
    CHECK(lg[0] == 165 && lg[1] == 30 && cls == 0, "logits (avg pool, identity residual): %d %d class %d, expected 165 30 0",
          lg[0], lg[1], cls);
    fx_ref_free(&net);
    /* the same model through the file and back: identical bytes, identical logits */
    uint8_t *b1, *b2;
    size_t n1, n2;
    fx_model r;
    CHECK(!fx_model_serialize(&m, &b1, &n1), "serialize");
    CHECK(!memcmp(b1, "FXM2", 4) && b1[4] == 2, "magic FXM2, version 2");
    CHECK(!fx_model_parse(b1, n1, "hand", cfg, &r, err, sizeof err), "parse back: %s", err);
    CHECK(!fx_model_serialize(&r, &b2, &n2) && n1 == n2 && !memcmp(b1, b2, n1), "round trip differs");
    if (!fx_ref_prepare(&net, &r, cfg, err, sizeof err)) {
        CHECK(fx_ref_infer(&net, img, lg, NULL, NULL) == 0 && lg[0] == 165 && lg[1] == 30, "read-back logits %d %d", lg[0], lg[1]);
        fx_ref_free(&net);
    }
    free(b1); free(b2);
    fx_model_free(&r);
    fx_model_free(&m);
}

typedef struct {
    const char *what, *expect;
    void (*edit)(fx_model *m);
} rule;

static void e_fwd_src(fx_model *m) { m->layers[1].src = 3; }
static void e_self_src(fx_model *m) { m->layers[1].src = 2; }
static void e_unread(fx_model *m) { m->layers[2].src = 1; m->layers[2].in_c = 1; m->layers[2].in_h = 2; m->layers[2].in_w = 2;
                                    m->layers[2].K = 4; m->layers[2].res_kind = 0; m->layers[2].res_src = 0; }
static void e_stride5(fx_model *m) { m->layers[0].stride = 5; }
static void e_stride0(fx_model *m) { m->layers[0].stride = 0; }
static void e_pad(fx_model *m) { m->layers[0].pad = 2; }
static void e_fc_stride(fx_model *m) { m->layers[2].stride = 2; }
static void e_fc_pad(fx_model *m) { m->layers[2].pad = 1; }
static void e_kernel(fx_model *m) { m->layers[0].kh = 6; m->layers[0].K = 2 * 6 * 2; }
static void e_kind(fx_model *m) { m->layers[1].res_kind = 3; }
static void e_src_nokind(fx_model *m) { m->layers[0].res_src = 1; }
static void e_res_fwd(fx_model *m) { m->layers[1].res_src = 2; }
static void e_identity(fx_model *m) { m->layers[2].res_src = 1; }
static void e_optA(fx_model *m) { m->layers[1].res_src = 1; } /* L0's 1x2x2 does not subsample to 2x2 */
static void e_optA_chan(fx_model *m) { m->layers[1].M = 1; m->layers[2].in_c = 1; m->layers[2].K = 1; }
static void e_avg_mult(fx_model *m) { m->layers[1].avg_mult = 0; }
static void e_avg_mult_big(fx_model *m) { m->layers[1].avg_mult = 65536; }
static void e_avg_shift(fx_model *m) { m->layers[1].avg_shift = 40; }
static void e_avg_nopool(fx_model *m) { m->layers[0].avg_mult = 1; }
static void e_pool4(fx_model *m) { m->layers[0].pool = 4; }
static void e_last_not1(fx_model *m) { m->n_layers = 1; m->n_classes = 1; m->layers[0].flags = 0; }
static void e_in_shape(fx_model *m) { m->layers[1].in_h = 3; }
static void e_raw_mid(fx_model *m) { m->layers[0].flags = 0; }
static void e_v1_stride(fx_model *m) { m->version = 1; }

static void rules(void)
{
    const rule table[] = {
        {"input a later layer", "layer 1: input 3 is not the image or an earlier layer", e_fwd_src},
        {"input itself", "layer 1: input 2 is not the image or an earlier layer", e_self_src},
        {"output never read", "layer 1: output never read", e_unread},
        {"stride 5", "layer 0: stride 5 outside 1..4", e_stride5},
        {"stride 0", "layer 0: stride 0 outside 1..4", e_stride0},
        {"padding = kernel", "layer 0: padding 2 not smaller than the 2x2 kernel", e_pad},
        {"FC stride", "layer 2: FC layer needs stride 1 and padding 0", e_fc_stride},
        {"FC padding", "layer 2: FC layer needs stride 1 and padding 0", e_fc_pad},
        {"kernel beyond the padding", "layer 0: kernel 6x2 larger than the input 3x3 plus padding", e_kernel},
        {"residual kind 3", "layer 1: unknown residual kind 3", e_kind},
        {"residual source without kind", "layer 0: residual source 1 without a residual kind", e_src_nokind},
        {"residual source later", "layer 1: residual source 2 is not the image or an earlier layer", e_res_fwd},
        {"identity shape", "layer 2: identity shortcut 1x2x2 (layer 0's output) differs from the output 2x1x1", e_identity},
        {"option-A size", "layer 1: option-A shortcut 1x2x2 (layer 0's output) does not subsample", e_optA},
        {"option-A channels", "layer 1: option-A shortcut 2x3x3 (the model's input) does not subsample", e_optA_chan},
        {"avg_mult 0", "layer 1: avg_mult 0 outside 1..65535", e_avg_mult},
        {"avg_mult 65536", "layer 1: avg_mult 65536 outside 1..65535", e_avg_mult_big},
        {"avg_shift 40", "layer 1: avg_shift 40 exceeds 39", e_avg_shift},
        {"avg without pool", "layer 0: avg_mult/avg_shift set without global average pooling", e_avg_nopool},
        {"pool 4", "layer 0: pool 4 is not 0 or 2 or 3", e_pool4},
        {"last layer 1x2x2", "layer 0: the last layer's output 1x2x2 is not n_classes x 1 x 1", e_last_not1},
        {"input shape", "layer 1: input shape 1x3x2 does not match the previous layer's output 1x2x2", e_in_shape},
        {"RAW in the middle", "layer 0: RAW (int32) output on a layer other than the last", e_raw_mid},
        {"v1 with v2 settings", "layer 0: stride, padding, residual or average pooling need format version 2", e_v1_stride},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        fx_model m;
        build_hand(&m);
        table[i].edit(&m);
        char err[256] = "";
        const int rc = fx_model_validate(&m, cfg, err, sizeof err);
        CHECK(rc == -1 && strstr(err, table[i].expect) && !strchr(err, '\n'), "%s: got '%s', expected '%s'", table[i].what,
              rc ? err : "(accepted)", table[i].expect);
        /* the same model as a file: the reader gives the same message, prefixed with the file's name */
        uint8_t *b;
        size_t len;
        fx_model r;
        if (!fx_model_serialize(&m, &b, &len)) {
            char perr[320] = "";
            CHECK(fx_model_parse(b, len, "f.fxm", cfg, &r, perr, sizeof perr) == -1 && !strncmp(perr, "f.fxm: ", 7),
                  "%s: the reader accepted it or did not name the file (%s)", table[i].what, perr);
            free(b);
        }
        fx_model_free(&m);
        n++;
    }
    printf("%d version-2 validation rules refused with their message\n", n);
}

static void fix_crc(uint8_t *b, size_t len)
{
    uint32_t crc = (uint32_t)crc32(0L, b, (uInt)(len - 4));
    for (int i = 0; i < 4; i++) b[len - 4 + i] = (uint8_t)(crc >> (8 * i));
}

/* Byte-level refusals of a v2 file: FXM2 with version 1, reserved offset 92, β padding. */
static void file_bytes(void)
{
    fx_model m;
    build_hand(&m);
    uint8_t *b;
    size_t len;
    char err[320];
    fx_model r;
    if (fx_model_serialize(&m, &b, &len)) { CHECK(0, "serialize"); fx_model_free(&m); return; }
    uint8_t *c = malloc(len);
    const struct { const char *what, *expect; size_t off; uint8_t v; } e[] = {
        {"FXM2 version 1", "unsupported format version 1 (this reader handles 2 for FXM2)", 4, 1},
        {"reserved 92", "layer 1: reserved field (offset 92) is not 0", 64 + 96 + 92, 1},
        {"magic FXM3", "bad magic", 3, '3'},
    };
    for (size_t i = 0; i < sizeof e / sizeof *e; i++) {
        memcpy(c, b, len);
        c[e[i].off] = e[i].v;
        fix_crc(c, len);
        CHECK(fx_model_parse(c, len, "x", cfg, &r, err, sizeof err) == -1 && strstr(err, e[i].expect), "%s: %s", e[i].what, err);
    }
    /* L1's payload: alpha 2*2 -> 4 bytes, bias 8, beta 2*2 = 4 (no padding); L2 the same. Use a model with
     * M = 1 on a residual layer instead: beta 2 bytes + 2 of padding. */
    fx_model_free(&m);
    free(b); free(c);
    fx_model g;
    uint64_t found = 0;
    for (uint64_t seed = 1; seed < 400 && !found; seed++) {
        if (fx_model_random_graph(&g, cfg, seed, 4, NULL)) continue;
        for (uint32_t i = 0; i < g.n_layers && !found; i++)
            if (g.layers[i].res_kind && g.layers[i].M % 2) {
                if (fx_model_serialize(&g, &b, &len)) break;
                uint64_t off = 64 + 96ull * g.n_layers;
                for (uint32_t k = 0; k < i; k++) off += fx_layer_payload_bytes(&g.layers[k], cfg->n_out);
                const fx_layer *l = &g.layers[i];
                off += ((2ull * l->M * l->q + 3) & ~3ull) + 4ull * l->M + 2ull * l->M;
                b[off] = 1;
                fix_crc(b, len);
                CHECK(fx_model_parse(b, len, "x", cfg, &r, err, sizeof err) == -1 && strstr(err, "nonzero padding after beta"),
                      "beta padding: %s", err);
                free(b);
                found = seed;
            }
        fx_model_free(&g);
    }
    CHECK(found, "no random graph with an odd-M residual layer");
}

/* The generators give valid v2 models that survive the file; each runs through the reference. */
static void generators(void)
{
    int n = 0, res = 0, s2 = 0, avg = 0;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        fx_model m;
        if (fx_model_random_graph(&m, cfg, seed, 5, NULL)) { CHECK(0, "graph %llu", (unsigned long long)seed); continue; }
        char err[256];
        CHECK(!fx_model_validate(&m, cfg, err, sizeof err), "graph %llu: %s", (unsigned long long)seed, err);
        for (uint32_t i = 0; i < m.n_layers; i++) {
            res += m.layers[i].res_kind != 0;
            s2 += m.layers[i].stride == 2;
            avg += m.layers[i].pool == FX_POOL_AVG;
        }
        fx_model_free(&m);
        n++;
    }
    fx_model m;
    CHECK(!fx_model_random_resnet8(&m, cfg, 3), "resnet8");
    fx_model_free(&m);
    CHECK(res > 10 && s2 > 10 && avg > 5, "random graphs: %d residual, %d stride-2, %d avg-pooled layers", res, s2, avg);
    printf("%d random graphs valid (%d residual, %d stride-2, %d average-pooled layers), resnet8 valid\n", n, res, s2, avg);
}

/* Network descriptions as models: the presets map (resnet20: 20 layers, 9 residuals of which 2 option A,
 * average pooling before the fc) and run; what the contract cannot express is refused with its line. */
static void from_net(void)
{
    static fx_netdesc nd;
    char file[4096], err[512];
    fx_model m;
    if (fx_netdesc_resolve("resnet20", &nd, file, sizeof file, err, sizeof err)) { CHECK(0, "resnet20: %s", err); return; }
    int layer_of[FX_NET_MAX_LAYERS];
    CHECK(!fx_net_to_model(&nd, cfg, &m, layer_of, err, sizeof err), "resnet20: %s", err);
    int id = 0, a = 0, avg = -1, s2 = 0;
    for (uint32_t i = 0; i < m.n_layers; i++) {
        id += m.layers[i].res_kind == FX_RES_IDENTITY;
        a += m.layers[i].res_kind == FX_RES_OPTION_A;
        s2 += m.layers[i].stride == 2;
        if (m.layers[i].pool == FX_POOL_AVG) avg = (int)i;
    }
    CHECK(m.n_layers == 20 && id == 7 && a == 2 && s2 == 2 && avg == 18,
          "resnet20: %u layers, %d identity, %d option A, %d stride 2, avgpool on %d", m.n_layers, id, a, s2, avg);
    CHECK(m.layers[18].avg_shift == 21 && m.layers[18].avg_mult == 42799, "avg 1/49: mult %u shift %u", m.layers[18].avg_mult,
          m.layers[18].avg_shift);
    CHECK(layer_of[nd.n - 1] == 19 && !(m.layers[19].flags & FX_F_RELU_U8), "the fc is the RAW output");
    const char *presets[] = {"resnet20", "lenet", "mlp"};
    for (int p = 0; p < 3; p++) {
        if (fx_netdesc_resolve(presets[p], &nd, file, sizeof file, err, sizeof err)) { CHECK(0, "%s: %s", presets[p], err); continue; }
        if (fx_model_random_from_net(&m, cfg, &nd, 5, err, sizeof err)) { CHECK(0, "%s: %s", presets[p], err); continue; }
        fx_ref_net net;
        uint8_t img[784];
        for (int i = 0; i < 784; i++) img[i] = (uint8_t)(i * 7);
        int32_t lg[10];
        CHECK(!fx_ref_prepare(&net, &m, cfg, err, sizeof err), "%s: %s", presets[p], err);
        const int cls = fx_ref_infer(&net, img, lg, NULL, NULL);
        CHECK(cls >= 0 && cls < 10, "%s: class %d", presets[p], cls);
        fx_ref_free(&net);
        fx_model_free(&m);
    }
    const struct { const char *spec, *expect; } bad[] = {
        {"conv8k3,conv8k3,relu,fc10", "spec:2: conv reads line 1 before a relu"},
        {"relu,conv8k3,relu,fc10", "spec:1: relu of the input"},
        {"conv8k3,mp2,relu,fc10", "spec:2: maxpool needs a relu before it"},
        {"conv8k3p1,relu:name=a,conv8k3p1,relu,add:a,relu,fc10", "spec:5: add after line 4: contract v2 folds"},
        {"conv8k3p1,relu:name=a,conv8k3p1:name=c,conv8k3p1:from=a,relu:name=b,add:b:from=c,relu,fc10",
         "spec:6: add b: the shortcut's layer must come before the layer it adds to"},
        {"conv8k3p1:name=c,relu:name=a,conv8k3p1:from=c,add:a,relu,fc10",
         "spec:2: relu changes line 1's output, which another layer also reads"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        err[0] = 0;
        const int pr = fx_netdesc_parse(bad[i].spec, strlen(bad[i].spec), 1, "spec", &nd, err, sizeof err);
        const int rc = pr ? 0 : fx_net_to_model(&nd, cfg, &m, NULL, err, sizeof err);
        CHECK(!pr && rc == -1 && strstr(err, bad[i].expect) && !strchr(err, '\n'), "%s: got '%s' (parse %d), expected '%s'", bad[i].spec,
              err, pr, bad[i].expect);
    }
    printf("presets resnet20, lenet, mlp as v2 models run; %zu descriptions refused with their line\n", sizeof bad / sizeof *bad);
}

int main(void)
{
    cfg = fx_hwcfg_builtin();
    hand_network();
    from_net();
    rules();
    file_bytes();
    generators();
    return t_report("test_model_v2");
}
