/* SPDX-License-Identifier: Apache-2.0 */
#include "sc_script.h"
#include "../cosim_model.h"
#include "flexor/driver.h"
#include "flexor/recorder.h"
#include "flexor/ref.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    /* the driver's words on the C model, recorded */
    fx_backend *model = fx_accel_model_new(cfg);
    fx_recorder r;
    fx_recorder_init(&r, model);
    fx_backend *rb = &r.wrap.be;
    rc = (!s->logits_at || !s->ref_logits || !s->ref_class || !lg || !model) ? 2 : 0;
    err[0] = 0;
    if (!rc && fx_driver_load(rb, cfg, &m, &plan, err, errlen)) rc = 2; /* with its message in err */
    for (uint32_t i = 0; !rc && i < im.n; i++) {
        const uint8_t *x = im.images + (size_t)i * im.size;
        s->ref_class[i] = fx_ref_infer(&net, x, s->ref_logits + (size_t)i * m.n_classes, NULL, NULL);
        if (fx_driver_infer(rb, cfg, &m, &plan, x, lg, 0, NULL, NULL) < 0) rc = 2;
        s->logits_at[i] = r.out.n - m.n_classes;
    }
    if (rc) snprintf(err, errlen, "%s: recording the command words through the C model failed", spec);
    if (model) model->destroy(model);
    /* the script owns the recordings */
    s->in = r.cmd.w, s->n_in = r.cmd.n;
    s->out = r.out.w, s->last = r.last.w, s->n_out = r.out.n;
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
