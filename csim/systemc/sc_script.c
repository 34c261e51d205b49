#include "sc_script.h"
#include "../cosim_model.h"
#include "flexor/driver.h"
#include "flexor/ref.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A backend that forwards to the C model and records both directions. */
typedef struct {
    fx_backend *inner;
    fx_sc_script *s;
} rec_t;

static int push(uint32_t **v, size_t *n, size_t *cap, const uint32_t *w, size_t k)
{
    if (*n + k > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (c < *n + k) c *= 2;
        uint32_t *p = realloc(*v, c * sizeof *p);
        if (!p) return -1;
        *v = p, *cap = c;
    }
    memcpy(*v + *n, w, k * sizeof *w);
    *n += k;
    return 0;
}

static int r_write(fx_backend *b, const uint32_t *w, size_t n)
{
    rec_t *r = b->ctx;
    if (push(&r->s->in, &r->s->n_in, &r->s->cap_in, w, n)) return -1;
    return r->inner->write(r->inner, w, n);
}
static int r_read(fx_backend *b, uint32_t *w, size_t n)
{
    rec_t *r = b->ctx;
    if (r->inner->read(r->inner, w, n)) return -1;
    size_t cap = r->s->cap_out, at = r->s->n_out;
    if (push(&r->s->out, &r->s->n_out, &r->s->cap_out, w, n)) return -1;
    if (r->s->cap_out != cap) {
        uint8_t *l = realloc(r->s->last, r->s->cap_out);
        if (!l) return -1;
        r->s->last = l;
    }
    /* the driver reads each streaming RUN's N*M words, and the ID reply's two, in one call */
    memset(r->s->last + at, 0, n);
    if (n) r->s->last[at + n - 1] = 1;
    return 0;
}
static void r_counters(fx_backend *b, fx_counters *c) { ((rec_t *)b->ctx)->inner->counters(((rec_t *)b->ctx)->inner, c); }
static uint32_t r_error(fx_backend *b) { return ((rec_t *)b->ctx)->inner->error(((rec_t *)b->ctx)->inner); }
static void r_set_taps(fx_backend *b, const fx_taps *t) { ((rec_t *)b->ctx)->inner->set_taps(((rec_t *)b->ctx)->inner, t); }
static void r_destroy(fx_backend *b) { (void)b; }

int fx_sc_script_make(fx_sc_script *s, const char *spec, const char *data_dir, uint32_t images, uint64_t seed,
                      char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    fx_model m;
    int rc = fx_cosim_load_model(spec, cfg, fx_hwcfg_hash(cfg), &m, err, errlen);
    if (rc) return rc;
    fx_images im;
    if (fx_cosim_load_images(data_dir, &m, images, seed, &im, err, errlen)) {
        fx_model_free(&m);
        return 2;
    }
    fx_plan plan;
    fx_ref_net net;
    if (fx_driver_plan(cfg, &m, &plan, err, errlen) || fx_ref_prepare(&net, &m, cfg, err, errlen)) {
        fx_cosim_free_images(&im);
        fx_model_free(&m);
        return 2;
    }
    snprintf(s->name, sizeof s->name, "%s", spec);
    s->hash = fx_hwcfg_hash(cfg);
    s->images = im.n, s->n_classes = m.n_classes;
    s->logits_at = calloc(im.n, sizeof *s->logits_at);
    s->ref_logits = calloc((size_t)im.n * m.n_classes, sizeof *s->ref_logits);
    s->ref_class = calloc(im.n, sizeof *s->ref_class);
    int32_t *lg = calloc(m.n_classes, sizeof *lg);
    rec_t r = {.inner = fx_accel_model_new(cfg), .s = s};
    fx_backend rb = {.name = "recorder", .ctx = &r, .write = r_write, .read = r_read, .counters = r_counters,
                     .error = r_error, .set_taps = r_set_taps, .destroy = r_destroy};
    rc = (!s->logits_at || !s->ref_logits || !s->ref_class || !lg || !r.inner) ? 2 : 0;
    err[0] = 0;
    if (!rc && fx_driver_load(&rb, cfg, &m, &plan, err, errlen)) rc = 2; /* with its message in err */
    for (uint32_t i = 0; !rc && i < im.n; i++) {
        const uint8_t *x = im.images + (size_t)i * im.size;
        s->ref_class[i] = fx_ref_infer(&net, x, s->ref_logits + (size_t)i * m.n_classes, NULL, NULL);
        if (fx_driver_infer(&rb, cfg, &m, &plan, x, lg, 0, NULL, NULL) < 0) rc = 2;
        s->logits_at[i] = s->n_out - m.n_classes;
    }
    if (rc && !err[0]) snprintf(err, errlen, "%s: recording the command words through the C model failed", spec);
    if (r.inner) r.inner->destroy(r.inner);
    free(lg);
    fx_ref_free(&net);
    fx_cosim_free_images(&im);
    fx_model_free(&m);
    if (rc) fx_sc_script_free(s);
    return rc;
}

void fx_sc_script_free(fx_sc_script *s)
{
    free(s->in), free(s->out), free(s->last), free(s->logits_at), free(s->ref_logits), free(s->ref_class);
    memset(s, 0, sizeof *s);
}
