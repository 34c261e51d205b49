/* SPDX-License-Identifier: Apache-2.0 */
/* fx_driver_plan limits (weights, parameters, activations, K), the RUN descriptor fields, LOAD layout
 * details, and driver failure paths. */
#include "dtest.h"
#include "flexor/model_random.h"
#include <stdlib.h>
#include <string.h>

static uint32_t cdiv(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

static void expect_plan_error(const fx_hwcfg *cfg, const fx_model *m, const char *needle, const char *what)
{
    fx_plan p;
    char err[256] = "";
    int rc = fx_driver_plan(cfg, m, &p, err, sizeof err);
    CHECK(rc == -1 && strstr(err, needle), "%s: rc %d, message '%s' (expected '%s')", what, rc, err, needle);
}

static void test_lenet_plan(void)
{
    fx_hwcfg cfg = *fx_hwcfg_builtin();
    fx_model m;
    CHECK(fx_model_random(&m, &cfg, "lenet", FX_F_STRADDLE, 1) == 0, "lenet model");
    fx_plan p;
    char err[256] = "";
    CHECK(fx_driver_plan(&cfg, &m, &p, err, sizeof err) == 0, "lenet plan: %s", err);
    uint32_t w = 0, e = 0;
    for (uint32_t i = 0; i < m.n_layers; i++) {
        const fx_layer *l = &m.layers[i];
        CHECK(p.w_base[i] == w && p.p_base[i] == e, "layer %u bases %u %u, expected %u %u", i, p.w_base[i], p.p_base[i], w, e);
        w += cdiv(l->M, cfg.lanes) * l->q * (cdiv(l->K, cfg.n_out) + 1);
        e += cdiv(l->M, cfg.lanes);
    }
    CHECK(p.w_words == w && p.p_entries == e, "totals %u %u, expected %u %u", p.w_words, p.p_entries, w, e);

    /* activations: conv1 has 576 columns × 2 chunks = 1152, conv2 64 × 40 = 2560 */
    fx_hwcfg c = cfg;
    c.amem_depth = 2559;
    expect_plan_error(&c, &m, "activation", "conv2 input one chunk too big");
    c.amem_depth = 2560;
    CHECK(fx_driver_plan(&c, &m, &p, err, sizeof err) == 0, "2560 chunks fit: %s", err);
    c = cfg;
    c.wmem_depth = w - 1;
    expect_plan_error(&c, &m, "wmem_depth", "weights one word too many");
    c.wmem_depth = w;
    CHECK(fx_driver_plan(&c, &m, &p, err, sizeof err) == 0, "weights exactly full: %s", err);
    c = cfg;
    c.pmem_depth = e - 1;
    expect_plan_error(&c, &m, "pmem_depth", "parameters one entry too many");
    c = cfg;
    c.k_max = 1000; /* FC 1024 -> 512 */
    expect_plan_error(&c, &m, "k_max", "K above k_max");

    /* a failing plan end to end: too little weight memory for the same model on a smaller configuration */
    c = cfg;
    c.wmem_depth = 1024;
    expect_plan_error(&c, &m, "wmem_depth", "small weight memory");

    /* the RUN descriptor of the straddle, unencrypted, RAW last layer */
    uint32_t rw[9];
    const uint32_t L = m.n_layers - 1;
    const fx_layer *l = &m.layers[L];
    fx_driver_run_words(&cfg, &m, &p, L, 1, 1, 1, 0, 7, 9, rw);
    CHECK(rw[0] == (uint32_t)FX_OP_RUN << 24 && rw[1] == l->K && rw[2] == l->M && rw[3] == 1 && rw[5] == p.w_base[L] &&
              rw[6] == p.p_base[L] && rw[7] == 7 && rw[8] == 9,
          "RUN words");
    uint32_t f = rw[4];
    CHECK((f & 0xF) == l->q && (f >> 4 & 0x3F) == cfg.n_out && !(f >> 10 & 1) && (f >> 11 & 1) && !(f >> 12 & 1) &&
              (f >> 13 & 1) && (f >> 14 & 1) && !(f >> 15 & 1) && (f >> 16 & 0x3F) == l->shift && !(f >> 22),
          "RUN flags %08x", f);
    const fx_layer *l1 = &m.layers[1]; /* encrypted, RELU */
    fx_driver_run_words(&cfg, &m, &p, 1, 64, 0, 0, 1, 0, 0, rw);
    f = rw[4];
    CHECK((f >> 4 & 0x3F) == l1->n_in && (f >> 10 & 1) && (f >> 12 & 1) && !(f >> 13 & 1) && (f >> 15 & 1), "RUN flags %08x", f);
    fx_model_free(&m);
}

/* Driver failure paths: a backend with a sticky error makes every layer fail cleanly. */
static void test_failures(void)
{
    fx_hwcfg cfg = *fx_hwcfg_builtin();
    fx_model m;
    CHECK(fx_model_random(&m, &cfg, "mlp", 0, 3) == 0, "mlp model");
    fx_plan p;
    char err[256];
    CHECK(fx_driver_plan(&cfg, &m, &p, err, sizeof err) == 0, "plan: %s", err);
    fx_backend *b = fx_accel_model_new(&cfg);
    CHECK(fx_driver_load(b, &cfg, &m, &p, err, sizeof err) == 0, "load: %s", err);
    uint8_t img[784];
    for (int i = 0; i < 784; i++) img[i] = (uint8_t)(i * 7);
    int32_t logits[10], out[512];
    int cls = fx_driver_infer(b, &cfg, &m, &p, img, logits, 1, NULL, NULL);
    CHECK(cls >= 0 && cls < 10, "class %d", cls);
    uint32_t bad = 0xEE000000u;
    b->write(b, &bad, 1);
    CHECK(fx_driver_run_layer(b, &cfg, &m, &p, 0, img, out) == -1, "run_layer after an error");
    CHECK(fx_driver_infer(b, &cfg, &m, &p, img, logits, 0, NULL, NULL) == -1, "infer after an error");
    CHECK(fx_driver_infer(b, &cfg, &m, &p, img, logits, 1, NULL, NULL) == -1, "chained infer after an error");
    b->destroy(b);
    fx_model_free(&m);
}

int main(void)
{
    test_lenet_plan();
    test_failures();
    if (t_report("test_driver_plan")) return 1;
    printf("test_driver_plan: ok\n");
    return 0;
}
