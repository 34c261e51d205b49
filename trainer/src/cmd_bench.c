/* SPDX-License-Identifier: Apache-2.0 */
/* `flexor bench`: training and inference throughput (images/s) of both models, float and FleXOR. */
#include "flexor/clock.h"
#include "flexor/opt.h"
#include "tr.h"
#include "flexor/idx.h"
#include "flexor/ref.h"
#include <cblas.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
"usage: flexor bench [options]\n"
"Training and inference images/s of the MLP and LeNet-5, float and FleXOR (default: q4 first/last,\n"
"uint8 activations), on Fashion-MNIST test images: training = forward + backward + Adam step per batch; float\n"
"inference = the trainer's forward in batches; integer = the trainer's integer model (GEMM on +-1 planes)\n"
"and the sw reference fx_ref_infer (one image at a time, single thread).\n\n"
"  --models LIST     networks: presets (mlp, lenet, resnet20) or description files (default mlp,lenet)\n"
"  --settings LIST   --bits values (default fp,0.8)\n"
"  --batch N         training batch (default 128)\n"
"  --steps N         timed training steps (default 30, after 3 untimed)\n"
"  --ref-images N    images for the fx_ref_infer measurement (default 500)\n"
"  --data DIR        IDX directory (default " FX_DEFAULT_DATA_DIR ")\n"
"  --threads 1|2     data-parallel training workers (default 2)\n"
"  --conv dnnl|gemm  convolutions by oneDNN (default) or im2col + OpenBLAS (flexor train --conv)\n"
"  --paper           comparison setting (float first/last layers and activations), as in\n"
"                    trainer/bench/torch_bench.py\n"
"  --compare         train the same models (--models among mlp, lenet, resnet20; default all three) in\n"
"                    the comparison setting in flexor and in PyTorch, interleaved, and print the median\n"
"                    images/s of each and their ratio (needs python3-torch)\n"
"  --rounds N        --compare rounds (default 3)\n"
"  --epochs N        --compare: instead of timed steps, train N epochs on the training set with the trainer's\n"
"                    schedule in both and print the test accuracy each reached next to the images/s\n"
"  --train-images N, --test-images N   --epochs: the first N images only (default all)\n"
"  --python PATH     --compare's Python with torch (default /usr/bin/python3)\n"
"  -h, --help        this text\n");
}

/* Training images/s of a built network over `steps` timed batches (after 3 untimed) of the dataset:
 * forward, backward and an Adam step each. */
double tr_bench_steps(tr_net *net, const fx_dataset *ds, uint32_t batch, int steps)
{
    tr_param *ps[TR_MAX_PARAMS];
    uint32_t np = tr_net_params(net, ps, TR_MAX_PARAMS);
    tr_opt opt = {1, 1e-3f, 0.9f, 0.9f, 0.999f, 0, 0};
    tr_xor_mode mode = {100.0f, 0, 0};
    net->act_quant_on = 1;
    const uint32_t nb = ds->n / batch;
    double t0 = 0;
    for (int st = 0; st < steps + 3; st++) {
        if (st == 3) t0 = fx_wall_s();
        const uint32_t b0 = (uint32_t)(st % nb) * batch;
        tr_net_quantize(net, &mode);
        tr_net_train_step(net, ds->images + (size_t)b0 * 784, ds->labels + b0, batch, &mode, NULL);
        tr_opt_step(&opt, ps, np);
    }
    return (double)steps * batch / (fx_wall_s() - t0);
}

int fx_cmd_bench(int argc, char **argv)
{
    static const struct option lo[] = {{"models", 1, 0, 'm'}, {"settings", 1, 0, 's'}, {"batch", 1, 0, 'b'},
                                       {"steps", 1, 0, 'n'},  {"ref-images", 1, 0, 'r'}, {"data", 1, 0, 'd'},
                                       {"paper", 0, 0, 'P'},  {"threads", 1, 0, 't'}, {"conv", 1, 0, 'V'},  {"compare", 0, 0, 'C'},
                                       {"rounds", 1, 0, 'R'}, {"python", 1, 0, 'Y'},
                                       {"epochs", 1, 0, 'E'}, {"train-images", 1, 0, 'I'}, {"test-images", 1, 0, 'J'},
                                       {"help", 0, 0, 'h'},   {0, 0, 0, 0}};
    char models[64] = "mlp,lenet", settings[64] = "fp,0.8", data[512] = FX_DEFAULT_DATA_DIR;
    int batch = 128, steps = 30, refn = 500, paper = 0, threads = 2, conv_gemm = 0, compare = 0, rounds = 3, models_set = 0, c;
    int epochs = 0, train_images = 0, test_images = 0;
    const char *python = "/usr/bin/python3";
    fx_opt_reset();
    while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        switch (c) {
        case 'm': models_set = 1; if (strlen(optarg) >= sizeof models) return fx_opt_bad_value("bench", "models", optarg, "mlp,lenet"); snprintf(models, sizeof models, "%s", optarg); break;
        case 's': if (strlen(optarg) >= sizeof settings) return fx_opt_bad_value("bench", "settings", optarg, "a shorter list"); snprintf(settings, sizeof settings, "%s", optarg); break;
        case 'b': if (fx_parse_int(optarg, 1, 4096, &batch)) return fx_opt_bad_value("bench", "batch", optarg, "1..4096"); break;
        case 'n': if (fx_parse_int(optarg, 1, 1000000, &steps)) return fx_opt_bad_value("bench", "steps", optarg, "1..1000000"); break;
        case 'r': if (fx_parse_int(optarg, 1, 10000, &refn)) return fx_opt_bad_value("bench", "ref-images", optarg, "1..10000"); break;
        case 'd': if (strlen(optarg) >= sizeof data) return fx_opt_bad_value("bench", "data", optarg, "a shorter path"); snprintf(data, sizeof data, "%s", optarg); break;
        case 'P': paper = 1; break;
        case 'V':
            if (strcmp(optarg, "dnnl") && strcmp(optarg, "gemm")) return fx_opt_bad_value("bench", "conv", optarg, "dnnl or gemm");
            conv_gemm = !strcmp(optarg, "gemm");
            break;
        case 'C': compare = 1; break;
        case 'R': if (fx_parse_int(optarg, 1, 15, &rounds)) return fx_opt_bad_value("bench", "rounds", optarg, "1..15"); break;
        case 'Y': python = optarg; break;
        case 'E': if (fx_parse_int(optarg, 1, 1000, &epochs)) return fx_opt_bad_value("bench", "epochs", optarg, "1..1000"); break;
        case 'I': if (fx_parse_int(optarg, 1, 60000, &train_images)) return fx_opt_bad_value("bench", "train-images", optarg, "1..60000"); break;
        case 'J': if (fx_parse_int(optarg, 1, 10000, &test_images)) return fx_opt_bad_value("bench", "test-images", optarg, "1..10000"); break;
        case 't': if (fx_parse_int(optarg, 1, 2, &threads)) return fx_opt_bad_value("bench", "threads", optarg, "1 or 2"); break;
        case 'h': usage(stdout); return 0;
        default: return fx_opt_error("bench", c, argv);
        }
    }
    if (optind < argc) return fx_opt_fail("bench", "unexpected argument '%s'", argv[optind]);
    if ((epochs || train_images || test_images) && !compare) return fx_opt_fail("bench", "--epochs, --train-images and --test-images go with --compare");
    if ((train_images || test_images) && !epochs) return fx_opt_fail("bench", "--train-images and --test-images go with --epochs");
    fx_dataset ds;
    char err[512];
    if (fx_dataset_load(data, "t10k", 10000, &ds, err, sizeof err)) { fprintf(stderr, "flexor bench: %s\n", err); return 2; }
    if (tr_check_dataset(&ds, data, err, sizeof err)) {
        fprintf(stderr, "flexor bench: %s\n", err);
        fx_dataset_free(&ds);
        return 2;
    }
    if (compare) {
        const tr_compare_opts co = {models_set ? models : "mlp,lenet,resnet20", python, data, batch, steps, rounds,
                                    epochs, (uint32_t)train_images, (uint32_t)test_images};
        int rc = tr_bench_compare(&co, &ds);
        fx_dataset_free(&ds);
        return rc;
    }
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    /* OpenBLAS picks its kernels at load time (Cooperlake, AVX-512, on AMD Zen 4) unless OPENBLAS_CORETYPE
     * names them: the line says which ran */
    printf("OpenBLAS %s, core %s; %d data-parallel worker(s), batch %d, %d timed steps\n\n", openblas_get_config(),
           openblas_get_corename(), threads, batch, steps);
    printf("| model | setting | train img/s | float infer img/s | integer infer img/s (trainer) | fx_ref_infer img/s |\n");
    printf("|---|---|---|---|---|---|\n");
    char mb[64], *ms = NULL;
    snprintf(mb, sizeof mb, "%s", models);
    int rc = 0;
    for (char *m = strtok_r(mb, ",", &ms); m; m = strtok_r(NULL, ",", &ms)) {
        char sb[64], *ss = NULL;
        snprintf(sb, sizeof sb, "%s", settings);
        for (char *s = strtok_r(sb, ",", &ss); s; s = strtok_r(NULL, ",", &ss)) {
            fx_train_opts o;
            fx_train_defaults(&o);
            snprintf(o.net, sizeof o.net, "%s", m);
            snprintf(o.bits, sizeof o.bits, "%s", s);
            o.epochs = 1;
            if (paper) fx_train_paper(&o);
            o.threads = threads;
            o.conv_gemm = conv_gemm;
            tr_net net;
            if (tr_net_build(&net, &o, cfg, (uint32_t)batch, err, sizeof err)) {
                fprintf(stderr, "flexor bench: %s\n", err);
                tr_net_free(&net);
                rc = 2;
                continue;
            }
            tr_xor_mode mode = {100.0f, 0, 0};
            double train = tr_bench_steps(&net, &ds, (uint32_t)batch, steps);
            tr_net_quantize(&net, &mode);
            double t0 = fx_wall_s();
            tr_net_eval(&net, ds.images, ds.labels, ds.n, &mode);
            double finf = ds.n / (fx_wall_s() - t0);
            char iinf[32] = "-", rinf[32] = "-", why[128];
            if (tr_net_exportable(&net, why, sizeof why)) {
                fx_model fm;
                if (tr_export(&net, &mode, &fm, err, sizeof err) == 0) {
                    t0 = fx_wall_s();
                    tr_int_eval(&fm, cfg, ds.images, ds.labels, ds.n, NULL);
                    snprintf(iinf, sizeof iinf, "%.0f", ds.n / (fx_wall_s() - t0));
                    fx_ref_net rn;
                    if (fm.n_classes <= TR_CLASSES && fx_ref_prepare(&rn, &fm, cfg, err, sizeof err) == 0) {
                        int32_t lg[TR_CLASSES]; /* checked above: fx_ref_infer writes n_classes logits */
                        const uint32_t n = (uint32_t)refn < ds.n ? (uint32_t)refn : ds.n;
                        t0 = fx_wall_s();
                        for (uint32_t i = 0; i < n; i++) fx_ref_infer(&rn, ds.images + (size_t)i * 784, lg, NULL, NULL);
                        snprintf(rinf, sizeof rinf, "%.0f", n / (fx_wall_s() - t0));
                        fx_ref_free(&rn);
                    }
                    fx_model_free(&fm);
                }
            }
            printf("| %s | %s | %.0f | %.0f | %s | %s |\n", m, s, train, finf, iinf, rinf);
            fflush(stdout);
            tr_net_free(&net);
        }
    }
    fx_dataset_free(&ds);
    return rc;
}
