/* SPDX-License-Identifier: Apache-2.0 */
#define _POSIX_C_SOURCE 200809L
#include "cosim_model.h"
#include "flexor/rng.h"
#include "flexor/driver.h"
#include "flexor/idx.h"
#include "flexor/model_random.h"
#include "flexor/opt.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fx_cosim_load_model(const char *spec, const fx_hwcfg *cfg, uint32_t rtl_hash, fx_model *m, char *err,
                        size_t errlen)
{
    if (!strncmp(spec, "random:", 7)) {
        /* random:ARCH[:SEED[:straddle]], every field whole: "random:mlp:abc" is an error, not seed 1 */
        char buf[128];
        char *f[4] = {buf};
        int n = 1, bad = strlen(spec + 7) >= sizeof buf;
        uint64_t seed = 1;
        snprintf(buf, sizeof buf, "%s", spec + 7);
        for (char *c = buf; *c && n < 4; c++) /* split at ':' keeping empty fields, which are errors */
            if (*c == ':') { *c = 0; f[n++] = c + 1; }
        for (int i = 0; i < n; i++) bad |= !*f[i];
        const int chain = !strcmp(f[0], "chain"); /* a format-2 chain: it draws its layouts itself */
        if (bad || n > 3 || (n >= 2 && fx_parse_u64(f[1], 0, UINT64_MAX, &seed)) || (n == 3 && strcmp(f[2], "straddle")) ||
            (chain && n == 3)) {
            snprintf(err, errlen, "%s: expected random:ARCH[:SEED[:straddle]] with ARCH mlp or lenet, or random:chain[:SEED]",
                     spec);
            return 2;
        }
        if (chain ? fx_model_random_chain(m, cfg, seed) : fx_model_random(m, cfg, f[0], n == 3 ? FX_F_STRADDLE : 0, seed)) {
            snprintf(err, errlen, "%s: unknown architecture or configuration too small", spec);
            return 2;
        }
        return 0;
    }
    /* Check the hash against the RTL's before anything else: a model for another M⊕ cannot match. */
    FILE *f = fopen(spec, "rb");
    unsigned char h[12];
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", spec);
        return 2;
    }
    size_t got = fread(h, 1, sizeof h, f);
    fclose(f);
    if (got == sizeof h && (!memcmp(h, "FXM1", 4) || !memcmp(h, "FXM2", 4))) {
        uint32_t hash = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
        if (hash != rtl_hash) {
            snprintf(err, errlen, "%s: config hash 0x%08X differs from the RTL's 0x%08X (rebuild with its config)",
                     spec, hash, rtl_hash);
            return 2;
        }
    }
    /* a version-2 model the driver cannot lower yet is refused by fx_driver_plan, naming the layer */
    return fx_model_read(spec, cfg, m, err, errlen) ? 2 : 0;
}

int fx_cosim_load_images(const char *data_dir, const fx_model *m, uint32_t limit, uint64_t seed, fx_images *im,
                         char *err, size_t errlen)
{
    memset(im, 0, sizeof *im);
    im->size = m->in_c * m->in_h * m->in_w;
    if (!data_dir) {
        im->n = limit ? limit : 100;
        im->images = malloc((size_t)im->n * im->size);
        if (!im->images) return snprintf(err, errlen, "out of memory"), 2;
        uint64_t s = seed ^ 0x1A2B3C4D5E6F7788ull;
        for (size_t i = 0; i < (size_t)im->n * im->size; i++) {
            uint32_t r = (uint32_t)(fx_splitmix64(&s) >> 32);
            /* like real images: mostly background 0, some saturated 255 */
            im->images[i] = r % 8 < 4 ? 0 : r % 8 < 5 ? 255 : (uint8_t)(r >> 8);
        }
        return 0;
    }
    fx_dataset d;
    if (fx_dataset_load(data_dir, "t10k", limit, &d, err, errlen)) return 2;
    if (m->in_c != 1 || d.rows != m->in_h || d.cols != m->in_w) {
        snprintf(err, errlen, "%s: images are 1x%ux%u, the model wants %ux%ux%u (use --random-images)", data_dir,
                 d.rows, d.cols, m->in_c, m->in_h, m->in_w);
        fx_dataset_free(&d);
        return 2;
    }
    im->n = d.n;
    im->images = d.images;
    im->labels = d.labels;
    return 0;
}

void fx_cosim_free_images(fx_images *im)
{
    free(im->images);
    free(im->labels);
    memset(im, 0, sizeof *im);
}
