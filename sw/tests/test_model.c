/* SPDX-License-Identifier: Apache-2.0 */
/* The .fxm format: byte-identical round trips of random models, and a table of corrupted files each
 * rejected with its one-line message, by the library and (given the flexor binary as argv[1]) by
 * `flexor inspect` with exit status 2. Then random byte mutations must never crash the parser. */
#include "test_util.h"
#include "flexor/rng.h"
#include <cjson/cJSON.h>
#include "flexor/model.h"
#include "flexor/model_random.h"
#include <math.h>
#include <zlib.h>

static const fx_hwcfg *cfg;
static const char *flexor_bin;

static int same_bytes(const fx_model *a, const fx_model *b)
{
    uint8_t *x, *y;
    size_t lx, ly;
    if (fx_model_serialize(a, &x, &lx)) return 0;
    if (fx_model_serialize(b, &y, &ly)) { free(x); return 0; }
    int same = lx == ly && !memcmp(x, y, lx);
    free(x); free(y);
    return same;
}

static void round_trip(fx_model *m, const char *what)
{
    char err[512], path[256];
    snprintf(path, sizeof path, "%s/rt.fxm", t_tmpdir());
    CHECK(!fx_model_validate(m, cfg, err, sizeof err), "%s: validate: %s", what, err);
    CHECK(!fx_model_write(path, m, err, sizeof err), "%s: write: %s", what, err);
    fx_model r;
    if (fx_model_read(path, cfg, &r, err, sizeof err)) { CHECK(0, "%s: read back: %s", what, err); return; }
    CHECK(same_bytes(m, &r), "%s: write -> read -> write not byte-identical", what);
    for (uint32_t i = 0; i < m->n_layers; i++) {
        const fx_layer *a = &m->layers[i], *b = &r.layers[i];
        CHECK(a->n_slices == b->n_slices && !memcmp(a->slices, b->slices, (size_t)a->n_slices * a->q * 4) &&
                  !memcmp(a->alpha, b->alpha, (size_t)a->M * a->q * 2) && !memcmp(a->bias, b->bias, (size_t)a->M * 4) &&
                  a->shift == b->shift && a->flags == b->flags,
              "%s: layer %u contents differ after reading", what, i);
    }
    fx_model_free(&r);
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    CHECK(access(tmp, F_OK) != 0, "temporary file left behind");
}

/* ---- corruption table ---- */
static uint32_t get32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void fix_crc(uint8_t *b, size_t len) { put32(b + len - 4, (uint32_t)crc32(0L, b, (uInt)(len - 4))); }
#define LAYER(i, off) (64 + 64 * (i) + (off))

typedef struct {
    const char *name, *expect;
    /* edits buf (len may change, up to cap); returns 1 to recompute the CRC */
    int (*edit)(uint8_t *b, size_t *len, uintptr_t arg);
    uintptr_t arg;
} corruption;

static int e_byte(uint8_t *b, size_t *len, uintptr_t off) { (void)len; b[off] ^= 0x40; return 0; }
static int e_magic(uint8_t *b, size_t *len, uintptr_t a) { (void)len; (void)a; b[0] = 'X'; return 1; }
static int e_trunc(uint8_t *b, size_t *len, uintptr_t keep) { (void)b; *len = keep < *len ? keep : *len - 1; return 0; }
static int e_trunc_frac(uint8_t *b, size_t *len, uintptr_t pct) { (void)b; *len = *len * pct / 100; return 0; }
/* set a u32 field: arg = offset << 32 | value */
static int e_set(uint8_t *b, size_t *len, uintptr_t a) { (void)len; put32(b + (a >> 32), (uint32_t)a); return 1; }
static int e_add(uint8_t *b, size_t *len, uintptr_t a) { (void)len; put32(b + (a >> 32), get32(b + (a >> 32)) + (uint32_t)a); return 1; }
static int e_append(uint8_t *b, size_t *len, uintptr_t a)
{
    (void)a;
    memmove(b + *len, b + *len - 4, 4); /* 4 extra bytes before the CRC */
    memset(b + *len - 4, 0, 4);
    *len += 4;
    put32(b + 56, (uint32_t)*len);
    return 1;
}
/* size field updated together with a truncation: the payload checks must catch it */
static int e_trunc_sized(uint8_t *b, size_t *len, uintptr_t a)
{
    (void)a;
    *len -= 8;
    put32(b + 56, (uint32_t)*len);
    return 1;
}
static int e_pad_alpha(uint8_t *b, size_t *len, uintptr_t a)
{
    (void)len; (void)a;
    /* layer 0 has M*q*2 bytes of alpha; the base model makes that ≡ 2 mod 4 */
    uint32_t off = get32(b + LAYER(0, 52)), M = get32(b + LAYER(0, 16)), q = get32(b + LAYER(0, 8));
    b[off + 2 * M * q] = 1;
    return 1;
}
static int e_pad_plane(uint8_t *b, size_t *len, uintptr_t a)
{
    (void)a;
    /* last layer: the byte before its end (the CRC follows) is plane padding in the base model */
    b[*len - 5] |= 0x80;
    return 1;
}
static int e_bad_cfg(uint8_t *b, size_t *len, uintptr_t a) { (void)len; (void)a; put32(b + 8, get32(b + 8) ^ 1); return 1; }
#define F(off, v) (((uintptr_t)(off) << 32) | (uint32_t)(v))

/* The base model: conv 2x8x8 k3 (M 3, q 3, plain) pool2 -> FC 27->5 (encrypted straddle, q 1) -> FC 5->3 RAW. */
static void base_model(fx_model *m)
{
    memset(m, 0, sizeof *m);
    m->cfg_hash = fx_hwcfg_hash(cfg); m->n_out = cfg->n_out; m->n_tap = cfg->n_tap; m->seed = cfg->seed;
    m->in_c = 2; m->in_h = 8; m->in_w = 8; m->n_classes = 3; m->n_layers = 3;
    fx_layer *l = m->layers;
    l[0] = (fx_layer){.type = FX_LAYER_CONV, .flags = FX_F_RELU_U8, .q = 3, .n_in = cfg->n_out, .M = 3, .K = 18,
                      .in_c = 2, .in_h = 8, .in_w = 8, .kh = 3, .kw = 3, .pool = 2, .shift = 5};
    l[1] = (fx_layer){.type = FX_LAYER_FC, .flags = FX_F_RELU_U8 | FX_F_ENCRYPTED | FX_F_STRADDLE, .q = 1,
                      .n_in = cfg->n_in[0], .M = 5, .K = 27, .in_c = 3, .in_h = 3, .in_w = 3, .kh = 1, .kw = 1, .shift = 3};
    l[2] = (fx_layer){.type = FX_LAYER_FC, .flags = 0, .q = 2, .n_in = cfg->n_out, .M = 3, .K = 5,
                      .in_c = 5, .in_h = 1, .in_w = 1, .kh = 1, .kw = 1};
    uint64_t rng = 99;
    for (int i = 0; i < 3; i++) {
        if (fx_layer_alloc(&l[i], m->n_out)) exit(2);
        uint32_t sh = l[i].shift;
        fx_layer_randomize(&l[i], m->n_out, 50, &rng);
        l[i].shift = sh;
    }
}

static void corruption_table(void)
{
    fx_model m;
    base_model(&m);
    char err[512];
    CHECK(!fx_model_validate(&m, cfg, err, sizeof err), "base model invalid: %s", err);
    uint8_t *good;
    size_t glen;
    if (fx_model_serialize(&m, &good, &glen)) { CHECK(0, "serialize base"); return; }
    fx_model_free(&m);
    const uint32_t L0 = 64, L1 = 128, L2 = 192;
    const corruption table[] = {
        {"empty file", "file too short", e_trunc, 0},
        {"half header", "file too short", e_trunc, 40},
        {"header only", "file too short", e_trunc, 64},
        {"inside layer table", "file too short", e_trunc, 64 + 64 * 3 - 1},
        {"truncated at 90%", "does not match the actual size", e_trunc_frac, 90},
        {"truncated by a byte", "does not match the actual size", e_trunc, (uintptr_t)-1},
        {"truncated, size fixed", "payload", e_trunc_sized, 0},
        {"trailing bytes", "payloads end at", e_append, 0},
        {"bad magic", "bad magic", e_magic, 0},
        {"version 2", "unsupported format version 2", e_set, F(4, 2)},
        {"CRC (payload byte)", "CRC mismatch", e_byte, 300},
        {"CRC (header byte)", "CRC mismatch", e_byte, 21},
        {"size field", "file size field", e_add, F(56, 4)},
        {"config hash", "config hash", e_bad_cfg, 0},
        {"header size", "header size", e_set, F(12, 32)},
        {"n_layers 0", "n_layers 0 outside", e_set, F(16, 0)},
        {"n_layers 65", "n_layers 65 outside", e_set, F(16, 65)},
        {"n_layers huge", "n_layers", e_set, F(16, 0xFFFFFFFFu)},
        {"N_out", "N_out 16 differs", e_set, F(36, 16)},
        {"N_tap", "N_tap", e_add, F(40, 1)},
        {"seed", "seed", e_add, F(48, 1)},
        {"generator id", "generator id 2", e_set, F(44, 2)},
        {"reserved header", "reserved", e_set, F(60, 1)},
        {"n_classes", "n_classes 4", e_set, F(32, 4)},
        {"absurd input shape", "absurd input shape", e_set, F(24, 0x40000000)},
        {"zero input", "absurd input shape", e_set, F(20, 0)},
        {"layer type 3", "layer 0: unknown type 3", e_set, F(L0 + 0, 3)},
        {"flag bit 3", "layer 1: unknown flag bits 0x8", e_add, F(L1 + 4, 8)},
        {"q 0", "layer 0: q 0 outside", e_set, F(L0 + 8, 0)},
        {"q 5", "layer 2: q 5 outside", e_set, F(L2 + 8, cfg->q_max + 1)},
        {"N_in without decryptor", "no decryptor", e_set, F(L1 + 12, cfg->n_out + 1)},
        {"plain N_in != N_out", "N_in = N_out", e_set, F(L2 + 12, cfg->n_in[0])},
        {"M zero", "layer 2: M is zero", e_set, F(L2 + 16, 0)},
        {"K zero", "layer 2: K is zero", e_set, F(L2 + 20, 0)},
        {"K > k_max", "exceeds k_max", e_set, F(L2 + 20, cfg->k_max + 1)},
        {"M 2^32-1", "exceeds 65536", e_set, F(L2 + 16, 0xFFFFFFFFu)},
        {"M 65537", "exceeds 65536", e_set, F(L1 + 16, 65537)},
        /* M*K near 2^32 and beyond: the per-field limits stop it before any size is computed */
        {"M 65536 (M*K ok, chaining)", "does not match the previous layer's output", e_set, F(L1 + 16, 65536)},
        {"M 2^20 (M*K = 2^32 with K 4096)", "exceeds 65536", e_set, F(L1 + 16, 1u << 20)},
        {"K 2^20", "exceeds k_max", e_set, F(L1 + 20, 1u << 20)},
        {"FC K", "layer 1: FC K 28", e_set, F(L1 + 20, 28)},
        {"CONV K", "layer 0: CONV K 19", e_set, F(L0 + 20, 19)},
        {"FC kernel", "FC layer needs kh = kw = 1", e_set, F(L1 + 36, 2)},
        {"kernel too large", "larger than the input", e_set, F(L0 + 36, 9)},
        {"first layer input", "does not match the model's input", e_set, F(L0 + 24, 3)},
        {"chaining", "does not match the previous layer's output", e_set, F(L1 + 28, 6)},
        {"chaining channels", "does not match the previous layer's output", e_set, F(L2 + 24, 6)},
        {"pool 3", "pool 3 is not 0 or 2", e_set, F(L0 + 44, 3)},
        {"pool odd", "odd size", e_set, F(L1 + 44, 2)},
        {"shift 40", "shift 40 exceeds 39", e_set, F(L0 + 48, 40)},
        {"RAW not last", "RAW (int32) output on a layer other than the last", e_set, F(L1 + 4, FX_F_ENCRYPTED)},
        {"payload offset", "payload offset", e_add, F(L1 + 52, 4)},
        {"payload size", "payload size", e_add, F(L0 + 56, 4)},
        {"payload size 2^32-1", "payload size", e_set, F(L2 + 56, 0xFFFFFFFFu)},
        {"reserved layer", "reserved", e_set, F(L2 + 60, 7)},
        {"alpha padding", "nonzero padding after alpha", e_pad_alpha, 0},
        {"plane padding", "nonzero padding after plane", e_pad_plane, 0},
    };
    const size_t cap = glen + 64;
    uint8_t *b = malloc(cap);
    char path[300];
    snprintf(path, sizeof path, "%s/bad.fxm", t_tmpdir());
    int cli_cases = 0;
    for (size_t c = 0; c < sizeof table / sizeof table[0]; c++) {
        const corruption *k = &table[c];
        memcpy(b, good, glen);
        size_t len = glen;
        if (k->edit(b, &len, k->arg) && len >= 4) fix_crc(b, len);
        fx_model out;
        int r = fx_model_parse(b, len, "bad.fxm", cfg, &out, err, sizeof err);
        CHECK(r == -1, "%s: accepted", k->name);
        if (r) {
            CHECK(!strncmp(err, "bad.fxm: ", 9) && strstr(err, k->expect) && !strchr(err, '\n'),
                  "%s: message '%s' lacks '%s'", k->name, err, k->expect);
        } else {
            fx_model_free(&out);
        }
        if (!flexor_bin) continue;
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(b, 1, len, f) != len || fclose(f)) { CHECK(0, "cannot write %s", path); continue; }
        char *argv[] = {(char *)flexor_bin, "inspect", path, NULL};
        char cli_err[1024];
        int st = t_run(argv, cli_err, sizeof cli_err);
        char *nl = strchr(cli_err, '\n');
        CHECK(st == 2, "%s: flexor inspect exited %d (stderr: %s)", k->name, st, cli_err);
        CHECK(nl && nl[1] == 0 && strstr(cli_err, path) && strstr(cli_err, k->expect), "%s: CLI message '%s'", k->name,
              cli_err);
        cli_cases++;
    }
    printf("corruption table: %zu cases, %d also through the CLI\n", sizeof table / sizeof table[0], cli_cases);

    /* the unmodified base model passes the CLI (exit 0) */
    if (flexor_bin) {
        FILE *f = fopen(path, "wb");
        if (f) { fwrite(good, 1, glen, f); fclose(f); }
        char *argv[] = {(char *)flexor_bin, "inspect", path, NULL};
        char cli_err[1024];
        CHECK(t_run(argv, cli_err, sizeof cli_err) == 0, "valid model: flexor inspect failed: %s", cli_err);
        char *argv2[] = {(char *)flexor_bin, "inspect", "/nonexistent/x.fxm", NULL};
        CHECK(t_run(argv2, cli_err, sizeof cli_err) == 2 && strstr(cli_err, "/nonexistent/x.fxm: cannot open"),
              "missing file: %s", cli_err);
        char *argv3[] = {(char *)flexor_bin, "inspect", NULL};
        CHECK(t_run(argv3, cli_err, sizeof cli_err) == 2, "no argument must exit 2");
        char *argv4[] = {(char *)flexor_bin, "infer", path, "--threads", "zero", NULL};
        CHECK(t_run(argv4, cli_err, sizeof cli_err) == 2, "bad --threads must exit 2");
        remove(path);
    }

    /* random mutations (with and without a fixed CRC): reject or accept, never crash (ASan watches) */
    uint64_t rng = 7;
    int accepted = 0;
    for (int it = 0; it < 3000; it++) {
        memcpy(b, good, glen);
        size_t len = glen;
        int flips = 1 + (int)(fx_splitmix64(&rng) % 4);
        for (int f = 0; f < flips; f++) {
            size_t off = (size_t)(fx_splitmix64(&rng) % len);
            if (fx_splitmix64(&rng) & 1) b[off] ^= (uint8_t)(1u << (fx_splitmix64(&rng) % 8));
            else b[off & ~(size_t)3] = (uint8_t)fx_splitmix64(&rng); /* field-sized damage */
        }
        if (fx_splitmix64(&rng) % 4) fix_crc(b, len);
        fx_model out;
        if (!fx_model_parse(b, len, "mut", cfg, &out, err, sizeof err)) {
            accepted++;
            CHECK(!fx_model_validate(&out, cfg, err, sizeof err), "mutation %d: parsed but invalid: %s", it, err);
            uint8_t *again;
            size_t alen;
            CHECK(!fx_model_serialize(&out, &again, &alen) && alen == len && !memcmp(again, b, len),
                  "mutation %d: accepted file does not re-serialise to itself", it);
            free(again);
            fx_model_free(&out);
        } else {
            CHECK(!strchr(err, '\n') && !strncmp(err, "mut: ", 5), "mutation message '%s'", err);
        }
    }
    printf("mutations: 3000 tried, %d accepted (changed payload values), none crashed\n", accepted);
    free(b);
    free(good);
}

/* flexor inspect --json against numbers computed here from the model itself. */
static void inspect_json(void)
{
    if (!flexor_bin) return;
    fx_model m;
    char err[512], path[300], out[16384];
    snprintf(path, sizeof path, "%s/le\"net, 1.fxm", t_tmpdir()); /* a quote: escaped in the JSON */
    CHECK(!fx_model_random(&m, cfg, "lenet", FX_F_STRADDLE, 3) && !fx_model_write(path, &m, err, sizeof err), "lenet");
    double bits = 0, weights = 0;
    for (uint32_t i = 0; i < m.n_layers; i++) {
        const fx_layer *l = &m.layers[i];
        bits += (double)l->q * l->n_in * l->n_slices;
        weights += (double)l->M * l->K;
    }
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f) { fseek(f, 0, SEEK_END); size = ftell(f); fclose(f); }
    char *argv[] = {(char *)flexor_bin, "inspect", "--json", path, NULL};
    CHECK(t_run_out(argv, out, sizeof out) == 0, "inspect --json failed");
    cJSON *doc = cJSON_Parse(out);
    CHECK(doc != NULL, "inspect --json is not JSON: %s", out);
    if (!doc) { fx_model_free(&m); return; }
    const cJSON *avg = cJSON_GetObjectItem(doc, "avg_bits_per_weight"), *fb = cJSON_GetObjectItem(doc, "file_bytes"),
                *w = cJSON_GetObjectItem(doc, "weights"), *layers = cJSON_GetObjectItem(doc, "layers"),
                *file = cJSON_GetObjectItem(doc, "file");
    CHECK(cJSON_IsNumber(avg) && fabs(avg->valuedouble - bits / weights) < 1e-6, "avg bits/weight vs %.6f", bits / weights);
    CHECK(cJSON_IsNumber(fb) && fb->valuedouble == size, "file_bytes vs %ld", size);
    CHECK(cJSON_IsNumber(w) && w->valuedouble == weights, "total weights vs %.0f", weights);
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(doc, "matches_builtin")), "matches_builtin not true");
    CHECK(cJSON_IsString(file) && !strcmp(file->valuestring, path), "file name");
    CHECK(cJSON_GetArraySize(layers) == 4, "%d layers listed", cJSON_GetArraySize(layers));
    double payload = 0; /* header + table + payloads + CRC = the file */
    const cJSON *l;
    cJSON_ArrayForEach(l, layers) payload += cJSON_GetObjectItem(l, "payload_bytes")->valuedouble;
    CHECK(64 + 64 * 4 + payload + 4 == size, "payload bytes sum %.0f, file %ld", payload, size);
    cJSON_Delete(doc);
    char *argv2[] = {(char *)flexor_bin, "inspect", path, NULL};
    CHECK(t_run_out(argv2, out, sizeof out) == 0 && strstr(out, "matches the built-in configuration") && strstr(out, "straddle"),
          "inspect table: %s", out);
    fx_model_free(&m);
}

static void validate_in_memory(void)
{
    fx_model m;
    char err[512];
    base_model(&m);
    m.layers[1].slices[0] |= 1u << m.layers[1].n_in;
    CHECK(fx_model_validate(&m, cfg, err, sizeof err) && strstr(err, "bits above N_in"), "stray slice bit: %s", err);
    m.layers[1].slices[0] &= (1u << m.layers[1].n_in) - 1;
    m.layers[1].n_slices++;
    CHECK(fx_model_validate(&m, cfg, err, sizeof err) && strstr(err, "n_slices"), "n_slices: %s", err);
    m.layers[1].n_slices--;
    CHECK(!fx_model_validate(&m, cfg, err, sizeof err), "restored model invalid: %s", err);
    char path[300];
    snprintf(path, sizeof path, "/nonexistent-dir/x.fxm");
    CHECK(fx_model_write(path, &m, err, sizeof err) == -1 && strstr(err, path), "write to a missing dir: %s", err);
    fx_model_free(&m);
}

int main(int argc, char **argv)
{
    cfg = fx_hwcfg_builtin();
    flexor_bin = argc > 1 ? argv[1] : NULL;
    int n = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        fx_model m;
        if (fx_model_random_net(&m, cfg, seed, 4)) continue;
        char what[64];
        snprintf(what, sizeof what, "random net %llu", (unsigned long long)seed);
        round_trip(&m, what);
        fx_model_free(&m);
        n++;
    }
    CHECK(n >= 190, "only %d of 200 random nets generated", n);
    const char *arch[] = {"mlp", "lenet"};
    for (int a = 0; a < 2; a++)
        for (int st = 0; st < 2; st++) {
            fx_model m;
            CHECK(!fx_model_random(&m, cfg, arch[a], st ? FX_F_STRADDLE : 0, 5 + st), "%s", arch[a]);
            round_trip(&m, arch[a]);
            fx_model_free(&m);
        }
    fx_model m, m2;
    CHECK(fx_model_random(&m, cfg, "resnet", 0, 1) == -1, "unknown arch accepted");
    /* other parts (csim, RTL vectors) rely on a seed naming one model */
    CHECK(!fx_model_random(&m, cfg, "lenet", 0, 42) && !fx_model_random(&m2, cfg, "lenet", 0, 42) && same_bytes(&m, &m2),
          "the same seed gave different models");
    fx_model_free(&m2);
    CHECK(!fx_model_random(&m2, cfg, "lenet", 0, 43) && !same_bytes(&m, &m2), "different seeds gave the same model");
    fx_model_free(&m); fx_model_free(&m2);
    CHECK(!fx_model_random_net(&m, cfg, 9, 4) && !fx_model_random_net(&m2, cfg, 9, 4) && same_bytes(&m, &m2),
          "random net not deterministic");
    fx_model_free(&m); fx_model_free(&m2);
    printf("round trips: %d random nets + 4 fixed architectures\n", n);
    corruption_table();
    validate_in_memory();
    inspect_json();
    t_rmtmp();
    return t_report("test_model");
}
