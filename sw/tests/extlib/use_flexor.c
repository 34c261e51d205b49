/* SPDX-License-Identifier: Apache-2.0 */
/* An outside program built against an installed libflexor (test_install_lib.sh): reads a model and
 * prints its layer count and the class and logits of an all-zero image. */
#include <flexor/hwcfg.h>
#include <flexor/model.h>
#include <flexor/ref.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 2) return 2;
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    fx_model m;
    fx_ref_net net;
    char err[512];
    if (fx_model_read(argv[1], cfg, &m, err, sizeof err) || fx_ref_prepare(&net, &m, cfg, err, sizeof err)) {
        fprintf(stderr, "use_flexor: %s\n", err);
        return 2;
    }
    uint8_t *img = calloc((size_t)m.in_c * m.in_h * m.in_w, 1);
    int32_t *logits = calloc(m.n_classes, sizeof *logits);
    const int cls = img && logits ? fx_ref_infer(&net, img, logits, NULL, NULL) : -1;
    printf("layers %u class %d logits", m.n_layers, cls);
    for (uint32_t c = 0; c < m.n_classes; c++) printf(" %d", logits ? logits[c] : 0);
    printf("\n");
    free(img), free(logits);
    fx_ref_free(&net);
    fx_model_free(&m);
    return cls < 0;
}
