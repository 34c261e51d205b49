/* SPDX-License-Identifier: Apache-2.0 */
/* `flexor train`: options (getopt_long), one job, the summary table. */
#include "tr.h"
#include "flexor/fsutil.h"
#include "flexor/opt.h"
#include "flexor/outfmt.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fx_train_defaults(fx_train_opts *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->net, sizeof o->net, "mlp");
    snprintf(o->bits, sizeof o->bits, "0.8");
    snprintf(o->edge, sizeof o->edge, "q4");
    snprintf(o->optim, sizeof o->optim, "adam");
    snprintf(o->data, sizeof o->data, "%s", FX_DEFAULT_DATA_DIR);
    o->act_quant = 1;
    o->epochs = 0; /* per network: 6 with a conv layer (lenet), else 15 (mlp) */
    o->batch = 128;
    o->lr = 1e-3f; o->momentum = 0.9f; o->beta1 = 0.9f; o->beta2 = 0.999f; o->wd = 0;
    o->warmup = 1; o->step_gamma = 0.5f;
    o->stanh0 = 10; o->stanh = 100; o->stanh_warmup = 2; o->stanh_mult = 2;
    o->xe_init = 0.01f;
    o->qat_start = 1;
    o->threads = 2;
    o->cfg = *fx_hwcfg_builtin();
}

const char *fx_train_rtl_dir;

/* --config NAME|FILE: resolved and loaded (validated) at once, so a bad configuration costs no training. */
static int load_config(fx_train_opts *o, const char *arg)
{
    char file[1100], err[1300];
    const char *rtl = fx_train_rtl_dir ? fx_train_rtl_dir : FX_TRAINER_SRC_DIR "/../rtl";
    if (strlen(arg) >= sizeof o->config || fx_hwcfg_resolve(arg, rtl, file, sizeof file))
        return fx_opt_bad_value("train", "config", arg, "a shorter name or path");
    if (fx_hwcfg_load(file, &o->cfg, err, sizeof err)) return fx_opt_fail("train", "%s", err);
    snprintf(o->config, sizeof o->config, "%s", arg);
    return 0;
}

void fx_train_paper(fx_train_opts *o)
{
    snprintf(o->edge, sizeof o->edge, "fp");
    o->act_quant = 0;
    o->bn = 0;
    o->straddle = 1; /* "weights flattened output-channel-major, last slice padded" */
}

static void usage(FILE *f)
{
    fprintf(f,
"usage: flexor train [options]\n"
"Train a network (a preset such as the MLP 784-512-512-10 or LeNet-5 32C5-MP2-64C5-MP2-1024-512-10, or\n"
"your own description, docs/net.md) on Fashion-MNIST with FleXOR (XOR-encrypted sub-1-bit) middle layers,\n"
"then export the integer model (docs/contract.md) and check it against the sw reference. Defaults are\n"
"what the accelerator runs; --paper gives the comparison setting.\n\n"
"  --net NAME|FILE|SPEC   network: a preset (mlp, lenet, resnet20, resnet20_mix), a description file (.net) or a spec\n"
"                         such as conv32k5,relu,mp2,fc10 (docs/net.md; default mlp)\n"
"  --model mlp|lenet      the same as --net mlp|lenet\n"
"  --bits SPEC            middle layers (all but the first and last conv/fc; a layer's bits= wins): bits\n"
"                         per weight 1.0|0.8|0.6|0.4\n"
"                         (FleXOR, N_in = bits*N_out/q), 'binary' (alpha*sign(W)), 'qN' (N-plane binary\n"
"                         codes), or 'fp' (everything float: the float baseline); or a comma list with one\n"
"                         setting per layer, e.g. q4,0.6,0.8,q4 (default 0.8)\n"
"  --q N                  bit-planes of FleXOR layers (default: ceil(bits); bits = q*N_in/N_out)\n"
"  --edge SPEC            first and last layers: qN, binary or fp (default q4: 4-plane unencrypted codes)\n"
"  --paper                comparison setting: --edge fp --act float --layout straddle (no integer export)\n"
"  --act uint8|float      activations after ReLU: uint8 with calibrated scale (QAT) or float (default uint8)\n"
"  --qat-start E          epochs with float activations before uint8 ones (scale calibration; default 1)\n"
"  --config NAME|FILE     hardware configuration (rtl/config/NAME.cfg or a .cfg file): N_out, N_tap, the M-xor\n"
"                         seed and the N_in set of quantizers, export and check (default: the built-in one);\n"
"                         flexor infer/inspect/cosim then need the same --config for the model\n"
"  --layout aligned|straddle  weight-slice layout (contract section 3; default aligned)\n"
"  --grad simplified|unsimplified  XOR backward: sign or tanh in the product (default simplified)\n"
"  --analog               tanh in the XOR forward too (ablation; not exportable)\n"
"  --bn                   batch norm after conv layers, folded into alpha and bias at export (default off)\n"
"  --epochs N             epochs (default 6 for a network with a conv layer such as lenet, else 15)\n"
"  --batch N              batch size (default 128)\n"
"  --optim adam|sgd       optimiser (default adam; betas 0.9, 0.999)\n"
"  --lr X                 peak learning rate (default 1e-3)\n"
"  --momentum X           SGD momentum (default 0.9)\n"
"  --wd X                 weight decay on weights / encrypted weights, not on alpha or bias (default 0)\n"
"  --warmup E             linear LR warm-up, epochs (default 1)\n"
"  --sched cosine|step    after warm-up: cosine to 0 (default) or step decays\n"
"  --steps E1,E2,..       step decay epochs (default none; implies --sched step)\n"
"  --gamma X              LR factor at each step decay (default 0.5)\n"
"  --stanh S              S_tanh after warm-up (default 100)\n"
"  --stanh-start S        S_tanh at step 0 (default 10)\n"
"  --stanh-warmup E       S_tanh linear warm-up, epochs (default 2)\n"
"  --stanh-mult X         S_tanh factor at each step decay (default 2)\n"
"  --clip K               clip encrypted weights to +-K/S_tanh (default 0 = off)\n"
"  --xe-init X            encrypted weights ~ U(+-X) (default 0.01)\n"
"  --val N                hold out N training images for validation (default 0)\n"
"  --train-images N       use only N training images (default all); --limit N is an alias\n"
"  --images N             use only N test images (default all); --test-limit N is an alias\n"
"  --seed N               seed of init, split and shuffling (default 0): runs are reproducible\n"
"  --data DIR             IDX directory (default " FX_DEFAULT_DATA_DIR ")\n"
"  --out FILE             write the integer model (.fxm, atomically); default none\n"
"  --ckpt FILE            checkpoint written atomically after every epoch (default OUT.ckpt if --out)\n"
"  --resume               continue from --ckpt if it exists (same options required)\n"
"  --csv FILE             per-epoch CSV log (default OUT.csv if --out)\n"
"  --json FILE            the result (accuracies, bits, bytes, time, status) as one JSON object, written\n"
"                         when the job ends (not on bad input); default none\n"
"  --stop-after N         stop after N epochs of this invocation (simulates an interruption)\n"
"  --no-export            skip the integer export\n"
"  --threads 1|2          data-parallel workers: each half batch on its own core, single-threaded\n"
"                         OpenBLAS and oneDNN in each (default 2; results depend on it, reproducibly)\n"
"  --format 1|2           model format (contract version) to train for and export: 2 (FXM2, contract\n"
"                         section 7) trains convolutions in its (dy,dx,c) K order and FCs after a conv on\n"
"                         the HWC-flattened input; 1 is refused for a network that needs 2 (default: 1\n"
"                         unless the network needs 2)\n"
"  --conv dnnl|gemm       convolutions by oneDNN's direct kernels (default) or im2col + OpenBLAS GEMM\n"
"                         (the same sums in another order: results differ in rounding)\n"
"  --quiet                no progress output\n"
"  -h, --help             this text\n");
}

int fx_train_parse(int argc, char **argv, fx_train_opts *o)
{
    static const struct option lo[] = {
        {"model", 1, 0, 'm'}, {"net", 1, 0, 20}, {"bits", 1, 0, 'b'}, {"q", 1, 0, 'q'}, {"edge", 1, 0, 'E'}, {"paper", 0, 0, 'P'},
        {"act", 1, 0, 'A'}, {"qat-start", 1, 0, 'Q'}, {"layout", 1, 0, 'L'}, {"grad", 1, 0, 'G'},
        {"analog", 0, 0, 'N'}, {"bn", 0, 0, 'B'}, {"epochs", 1, 0, 'e'}, {"batch", 1, 0, 'n'}, {"optim", 1, 0, 'O'},
        {"lr", 1, 0, 'l'}, {"momentum", 1, 0, 'M'}, {"wd", 1, 0, 'w'}, {"warmup", 1, 0, 'W'}, {"sched", 1, 0, 'S'},
        {"steps", 1, 0, 'T'}, {"gamma", 1, 0, 'g'}, {"stanh", 1, 0, 1}, {"stanh-start", 1, 0, 2},
        {"stanh-warmup", 1, 0, 3}, {"stanh-mult", 1, 0, 4}, {"clip", 1, 0, 5}, {"xe-init", 1, 0, 6},
        {"val", 1, 0, 7}, {"train-images", 1, 0, 8}, {"limit", 1, 0, 8}, {"images", 1, 0, 9}, {"test-limit", 1, 0, 9}, {"seed", 1, 0, 10}, {"data", 1, 0, 11},
        {"out", 1, 0, 12}, {"ckpt", 1, 0, 13}, {"resume", 0, 0, 14}, {"csv", 1, 0, 15}, {"stop-after", 1, 0, 16},
        {"no-export", 0, 0, 17}, {"quiet", 0, 0, 18}, {"threads", 1, 0, 19}, {"conv", 1, 0, 22}, {"json", 1, 0, 21}, {"config", 1, 0, 23}, {"format", 1, 0, 24}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int c, li = 0;
    fx_opt_reset();
    /* values parsed strictly (whole string, range); text copied only if it fits */
#define BAD(expect) return fx_opt_bad_value("train", lo[li].name, optarg, expect)
#define INT(dst, lo_, hi_) do { int64_t v_; if (fx_parse_i64(optarg, lo_, hi_, &v_)) BAD("an integer in [" #lo_ ", " #hi_ "]"); dst = v_; } while (0)
#define FLT(dst, lo_, hi_) do { double v_; if (fx_parse_double(optarg, lo_, hi_, &v_)) BAD("a number in [" #lo_ ", " #hi_ "]"); dst = (float)v_; } while (0)
#define STR(dst) do { if (strlen(optarg) >= sizeof(dst)) BAD("a shorter value"); snprintf(dst, sizeof(dst), "%s", optarg); } while (0)
    while ((c = getopt_long(argc, argv, ":h", lo, &li)) != -1) {
        if (c != '?' && c != 'h' && c != ':') {
            for (li = 0; lo[li].name && lo[li].val != c; li++) {}
        }
        switch (c) {
        case 'm':
            if (strcmp(optarg, "mlp") && strcmp(optarg, "lenet")) BAD("mlp or lenet (other networks: --net)");
            STR(o->net);
            break;
        case 20: STR(o->net); break;
        case 'b': STR(o->bits); break;
        case 'q': INT(o->q, 1, 4); break;
        case 'E': STR(o->edge); break;
        case 'P': fx_train_paper(o); break;
        case 'A':
            if (!strcmp(optarg, "uint8")) o->act_quant = 1;
            else if (!strcmp(optarg, "float")) o->act_quant = 0;
            else BAD("uint8 or float");
            break;
        case 'Q': FLT(o->qat_start, 0, 1e4); break;
        case 'L':
            if (!strcmp(optarg, "aligned")) o->straddle = 0;
            else if (!strcmp(optarg, "straddle")) o->straddle = 1;
            else BAD("aligned or straddle");
            break;
        case 'G':
            if (!strcmp(optarg, "simplified")) o->unsimplified = 0;
            else if (!strcmp(optarg, "unsimplified")) o->unsimplified = 1;
            else BAD("simplified or unsimplified");
            break;
        case 'N': o->analog = 1; break;
        case 'B': o->bn = 1; break;
        case 'e': INT(o->epochs, 1, 10000); break;
        case 'n': INT(o->batch, 1, 4096); break;
        case 'O':
            if (strcmp(optarg, "adam") && strcmp(optarg, "sgd")) BAD("adam or sgd");
            snprintf(o->optim, sizeof o->optim, "%s", optarg);
            break;
        case 'l': FLT(o->lr, 1e-9, 10); break;
        case 'M': FLT(o->momentum, 0, 0.9999); break;
        case 'w': FLT(o->wd, 0, 0.9999); break;
        case 'W': FLT(o->warmup, 0, 1e4); break;
        case 'S':
            if (!strcmp(optarg, "cosine")) o->sched_step = 0;
            else if (!strcmp(optarg, "step")) o->sched_step = 1;
            else BAD("cosine or step");
            break;
        case 'T': {
            /* every item a positive number, no empty item, at most FXT_MAX_STEPS */
            char items[FXT_MAX_STEPS][32];
            int k = fx_split_list(optarg, items[0], sizeof items[0], FXT_MAX_STEPS);
            if (k < 0) BAD("a comma list of at most 8 epochs > 0");
            for (o->n_steps = 0; o->n_steps < k; o->n_steps++) {
                double v;
                if (fx_parse_double(items[o->n_steps], 1e-6, 1e4, &v)) BAD("a comma list of at most 8 epochs > 0");
                o->step_at[o->n_steps] = (float)v;
            }
            o->sched_step = 1;
            break;
        }
        case 'g': FLT(o->step_gamma, 1e-9, 1); break;
        case 1: FLT(o->stanh, 1e-6, 1e6); break;
        case 2: FLT(o->stanh0, 1e-6, 1e6); break;
        case 3: FLT(o->stanh_warmup, 0, 1e4); break;
        case 4: FLT(o->stanh_mult, 1e-6, 1e6); break;
        case 5: FLT(o->clip_k, 0, 1e6); break;
        case 6: FLT(o->xe_init, 0, 1e3); break;
        case 7: INT(o->val, 0, 1000000000); break;
        case 8: INT(o->train_limit, 0, 1000000000); break;
        case 9: INT(o->test_limit, 0, 1000000000); break;
        case 10: if (fx_parse_u64(optarg, 0, UINT64_MAX, &o->seed)) BAD("a non-negative integer"); break;
        case 11: STR(o->data); break;
        case 12: STR(o->out); break;
        case 13: STR(o->ckpt); break;
        case 14: o->resume = 1; break;
        case 15: STR(o->csv); break;
        case 16: INT(o->stop_after, 1, 10000); break;
        case 17: o->no_export = 1; break;
        case 18: o->quiet = 1; break;
        case 19: INT(o->threads, 1, 2); break;
        case 21: STR(o->json); break;
        case 22:
            if (!strcmp(optarg, "dnnl")) o->conv_gemm = 0;
            else if (!strcmp(optarg, "gemm")) o->conv_gemm = 1;
            else BAD("dnnl or gemm");
            break;
        case 23: if (load_config(o, optarg)) return 2; break;
        case 24: INT(o->format, 1, 2); break;
        case 'h': usage(stdout); return 1;
        default: return fx_opt_error("train", c, argv);
        }
    }
#undef BAD
#undef INT
#undef FLT
#undef STR
    if (optind < argc) return fx_opt_fail("train", "unexpected argument '%s'", argv[optind]);
    /* the description is read here too: a bad --net fails before anything else happens */
    fx_netdesc *nd = malloc(sizeof *nd);
    char err[1024];
    if (!nd) return fx_opt_fail("train", "out of memory");
    if (o->format == 1 ? fx_train_net(o->net, nd, NULL, 0, err, sizeof err)
                       : fx_train_net_float(o->net, nd, NULL, 0, err, sizeof err)) {
        free(nd);
        return fx_opt_fail("train", "%s%s", o->format == 1 ? "--format 1: " : "", err);
    }
    const int has_conv = fx_netdesc_has_conv(nd);
    free(nd);
    if (o->epochs == 0) o->epochs = has_conv ? 6 : 15;
    if (strlen(o->out) + 6 > sizeof o->ckpt) return fx_opt_fail("train", "--out path too long");
    if (o->out[0] && !o->ckpt[0]) snprintf(o->ckpt, sizeof o->ckpt, "%.500s.ckpt", o->out);
    if (o->out[0] && !o->csv[0]) snprintf(o->csv, sizeof o->csv, "%.500s.csv", o->out);
    if (o->resume && !o->ckpt[0]) return fx_opt_fail("train", "--resume needs --ckpt or --out");
    return 0;
}

static void fmt_acc(char *b, size_t n, double v) { if (v < 0) snprintf(b, n, "-"); else snprintf(b, n, "%.2f", v); }

/* A figure of the result, or null where the job has none (-1). */
static void json_fig(cJSON *j, const char *key, double v)
{
    if (v < 0) cJSON_AddNullToObject(j, key);
    else cJSON_AddNumberToObject(j, key, v);
}

/* --json: what the summary table says, for job lists whose collectors read one file per job (flexor study). */
static int write_result_json(const fx_train_opts *o, const fx_train_result *r, int rc)
{
    cJSON *j = cJSON_CreateObject();
    char seed[24], err[700];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)o->seed); /* raw digits: exact, as cosim's --json */
    cJSON_AddStringToObject(j, "net", o->net);
    cJSON_AddStringToObject(j, "bits", o->bits);
    cJSON_AddStringToObject(j, "config", o->config);
    cJSON_AddRawToObject(j, "seed", seed);
    cJSON_AddNumberToObject(j, "status", rc);
    cJSON_AddNumberToObject(j, "epochs", r->epochs_done);
    json_fig(j, "float_acc", r->float_acc);
    json_fig(j, "int_acc", r->ref_acc);
    json_fig(j, "trainer_int_acc", r->int_acc);
    json_fig(j, "float_fact_acc", r->float_fact_acc);
    json_fig(j, "ref_mismatch", (double)r->ref_mismatch);
    cJSON_AddNumberToObject(j, "middle_bits", r->bits_per_weight);
    cJSON_AddNumberToObject(j, "avg_bits", r->avg_bits);
    json_fig(j, "model_bytes", (double)r->model_bytes);
    cJSON_AddNumberToObject(j, "train_s", r->train_seconds);
    cJSON_AddStringToObject(j, "note", r->note);
    const int bad = fx_write_json(o->json, j, err, sizeof err);
    cJSON_Delete(j);
    if (bad) fprintf(stderr, "flexor train: %s\n", err);
    return bad ? 2 : 0;
}

int fx_cmd_train(int argc, char **argv)
{
    fx_train_opts o;
    fx_train_defaults(&o);
    int rc = fx_train_parse(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : rc;
    char err[700];
    if (o.json[0] && fx_out_probe(o.json, err, sizeof err)) { fprintf(stderr, "flexor train: %s\n", err); return 2; }
    fx_train_result r;
    rc = fx_train_job(&o, &r);
    if (rc == 2) return 2;
    if (o.json[0] && write_result_json(&o, &r, rc)) return 2;
    char fa[16], ia[16], ra[16];
    fmt_acc(fa, sizeof fa, r.float_acc); fmt_acc(ia, sizeof ia, r.int_acc); fmt_acc(ra, sizeof ra, r.ref_acc);
    printf("\n| network | bits | epochs | float acc %% | integer acc %% (trainer) | integer acc %% (sw ref) | "
           "ref mismatches | middle bits/weight | avg bits/weight | model bytes | train s | img/s |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    char mm[24] = "-", mb[24] = "-";
    if (r.ref_mismatch >= 0) snprintf(mm, sizeof mm, "%ld", r.ref_mismatch);
    if (r.model_bytes >= 0) snprintf(mb, sizeof mb, "%ld", r.model_bytes);
    printf("| %s | %s | %d | %s | %s | %s | %s | %.3f | %.3f | %s | %.1f | %.0f |\n", o.net, o.bits, r.epochs_done, fa,
           ia, ra, mm, r.bits_per_weight, r.avg_bits, mb, r.train_seconds, r.train_img_s);
    if (r.float_fact_acc >= 0) printf("float accuracy with float activations (same weights): %.2f%%\n", r.float_fact_acc);
    if (r.note[0]) printf("note: %s\n", r.note);
    if (o.out[0] && r.model_bytes > 0 && rc == 0) printf("model written to %s\n", o.out);
    return rc;
}
