/* `flexor train`: options (getopt_long), one job, the summary table. */
#include "tr.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fx_train_defaults(fx_train_opts *o)
{
    memset(o, 0, sizeof *o);
    snprintf(o->model, sizeof o->model, "mlp");
    snprintf(o->bits, sizeof o->bits, "0.8");
    snprintf(o->edge, sizeof o->edge, "q4");
    snprintf(o->optim, sizeof o->optim, "adam");
    snprintf(o->data, sizeof o->data, "%s", "/usr/share/datasets/fashion-mnist");
    o->act_quant = 1;
    o->epochs = 0; /* per model: 15 (mlp), 6 (lenet) */
    o->batch = 128;
    o->lr = 1e-3f; o->momentum = 0.9f; o->beta1 = 0.9f; o->beta2 = 0.999f; o->wd = 0;
    o->warmup = 1; o->step_gamma = 0.5f;
    o->stanh0 = 10; o->stanh = 100; o->stanh_warmup = 2; o->stanh_mult = 2;
    o->xe_init = 0.01f;
    o->qat_start = 1;
    o->threads = 2;
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
"Train an MLP (784-512-512-10) or LeNet-5 (32C5-MP2-64C5-MP2-1024-512-10) on Fashion-MNIST with FleXOR\n"
"(XOR-encrypted sub-1-bit) middle layers, then export the integer model (docs/contract.md) and check it\n"
"against the sw reference. Defaults are what the accelerator runs; --paper gives the comparison setting.\n\n"
"  --model mlp|lenet      network (default mlp)\n"
"  --bits SPEC            middle layers (MLP: fc2; LeNet: conv2, fc1): bits per weight 1.0|0.8|0.6|0.4\n"
"                         (FleXOR, N_in = bits*N_out/q), 'binary' (alpha*sign(W)), 'qN' (N-plane binary\n"
"                         codes), or 'fp' (everything float: the float baseline); or a comma list with one\n"
"                         setting per layer, e.g. q4,0.6,0.8,q4 (default 0.8)\n"
"  --q N                  bit-planes of FleXOR layers (default: ceil(bits); bits = q*N_in/N_out)\n"
"  --edge SPEC            first and last layers: qN, binary or fp (default q4: 4-plane unencrypted codes)\n"
"  --paper                comparison setting: --edge fp --act float --layout straddle (no integer export)\n"
"  --act uint8|float      activations after ReLU: uint8 with calibrated scale (QAT) or float (default uint8)\n"
"  --qat-start E          epochs with float activations before uint8 ones (scale calibration; default 1)\n"
"  --layout aligned|straddle  weight-slice layout (contract section 3; default aligned)\n"
"  --grad simplified|unsimplified  XOR backward: sign or tanh in the product (default simplified)\n"
"  --analog               tanh in the XOR forward too (ablation; not exportable)\n"
"  --bn                   batch norm after conv layers, folded into alpha and bias at export (default off)\n"
"  --epochs N             epochs (default 15 for mlp, 6 for lenet)\n"
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
"  --limit N              use only N training images (default all)\n"
"  --test-limit N         use only N test images (default all)\n"
"  --seed N               seed of init, split and shuffling (default 0): runs are reproducible\n"
"  --data DIR             IDX directory (default /usr/share/datasets/fashion-mnist)\n"
"  --out FILE             write the integer model (.fxm, atomically); default none\n"
"  --ckpt FILE            checkpoint written atomically after every epoch (default OUT.ckpt if --out)\n"
"  --resume               continue from --ckpt if it exists (same options required)\n"
"  --csv FILE             per-epoch CSV log (default OUT.csv if --out)\n"
"  --stop-after N         stop after N epochs of this invocation (simulates an interruption)\n"
"  --no-export            skip the integer export\n"
"  --threads 1|2          data-parallel workers: each half batch on its own core, single-threaded\n"
"                         OpenBLAS in each (default 2; results depend on it, reproducibly)\n"
"  --quiet                no progress output\n"
"  -h, --help             this text\n");
}

int fx_train_parse(int argc, char **argv, fx_train_opts *o)
{
    static const struct option lo[] = {
        {"model", 1, 0, 'm'}, {"bits", 1, 0, 'b'}, {"q", 1, 0, 'q'}, {"edge", 1, 0, 'E'}, {"paper", 0, 0, 'P'},
        {"act", 1, 0, 'A'}, {"qat-start", 1, 0, 'Q'}, {"layout", 1, 0, 'L'}, {"grad", 1, 0, 'G'},
        {"analog", 0, 0, 'N'}, {"bn", 0, 0, 'B'}, {"epochs", 1, 0, 'e'}, {"batch", 1, 0, 'n'}, {"optim", 1, 0, 'O'},
        {"lr", 1, 0, 'l'}, {"momentum", 1, 0, 'M'}, {"wd", 1, 0, 'w'}, {"warmup", 1, 0, 'W'}, {"sched", 1, 0, 'S'},
        {"steps", 1, 0, 'T'}, {"gamma", 1, 0, 'g'}, {"stanh", 1, 0, 1}, {"stanh-start", 1, 0, 2},
        {"stanh-warmup", 1, 0, 3}, {"stanh-mult", 1, 0, 4}, {"clip", 1, 0, 5}, {"xe-init", 1, 0, 6},
        {"val", 1, 0, 7}, {"limit", 1, 0, 8}, {"test-limit", 1, 0, 9}, {"seed", 1, 0, 10}, {"data", 1, 0, 11},
        {"out", 1, 0, 12}, {"ckpt", 1, 0, 13}, {"resume", 0, 0, 14}, {"csv", 1, 0, 15}, {"stop-after", 1, 0, 16},
        {"no-export", 0, 0, 17}, {"quiet", 0, 0, 18}, {"threads", 1, 0, 19}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
    int c;
    optind = 1;
    opterr = 0;
    char *end;
#define NUM(dst, conv, cond)                                                                                  \
    do {                                                                                                      \
        double v_ = strtod(optarg, &end);                                                                     \
        if (end == optarg || *end || !(cond)) {                                                               \
            fprintf(stderr, "flexor train: bad value '%s' for --%s\n", optarg, lo[li].name);                  \
            return 2;                                                                                         \
        }                                                                                                     \
        dst = (conv)v_;                                                                                       \
    } while (0)
    int li = 0;
    while ((c = getopt_long(argc, argv, "h", lo, &li)) != -1) {
        if (c != '?' && c != 'h' && c != ':') {
            for (li = 0; lo[li].name && lo[li].val != c; li++) {}
        }
        switch (c) {
        case 'm': snprintf(o->model, sizeof o->model, "%s", optarg); break;
        case 'b': snprintf(o->bits, sizeof o->bits, "%s", optarg); break;
        case 'q': NUM(o->q, int, v_ >= 1 && v_ <= 4 && v_ == (int)v_); break;
        case 'E': snprintf(o->edge, sizeof o->edge, "%s", optarg); break;
        case 'P': fx_train_paper(o); break;
        case 'A':
            if (!strcmp(optarg, "uint8")) o->act_quant = 1;
            else if (!strcmp(optarg, "float")) o->act_quant = 0;
            else { fprintf(stderr, "flexor train: --act must be uint8 or float\n"); return 2; }
            break;
        case 'Q': NUM(o->qat_start, float, v_ >= 0); break;
        case 'L':
            if (!strcmp(optarg, "aligned")) o->straddle = 0;
            else if (!strcmp(optarg, "straddle")) o->straddle = 1;
            else { fprintf(stderr, "flexor train: --layout must be aligned or straddle\n"); return 2; }
            break;
        case 'G':
            if (!strcmp(optarg, "simplified")) o->unsimplified = 0;
            else if (!strcmp(optarg, "unsimplified")) o->unsimplified = 1;
            else { fprintf(stderr, "flexor train: --grad must be simplified or unsimplified\n"); return 2; }
            break;
        case 'N': o->analog = 1; break;
        case 'B': o->bn = 1; break;
        case 'e': NUM(o->epochs, int, v_ >= 1 && v_ <= 10000 && v_ == (int)v_); break;
        case 'n': NUM(o->batch, int, v_ >= 1 && v_ <= 4096 && v_ == (int)v_); break;
        case 'O':
            if (strcmp(optarg, "adam") && strcmp(optarg, "sgd")) { fprintf(stderr, "flexor train: --optim must be adam or sgd\n"); return 2; }
            snprintf(o->optim, sizeof o->optim, "%s", optarg);
            break;
        case 'l': NUM(o->lr, float, v_ > 0 && v_ < 10); break;
        case 'M': NUM(o->momentum, float, v_ >= 0 && v_ < 1); break;
        case 'w': NUM(o->wd, float, v_ >= 0 && v_ < 1); break;
        case 'W': NUM(o->warmup, float, v_ >= 0); break;
        case 'S':
            if (!strcmp(optarg, "cosine")) o->sched_step = 0;
            else if (!strcmp(optarg, "step")) o->sched_step = 1;
            else { fprintf(stderr, "flexor train: --sched must be cosine or step\n"); return 2; }
            break;
        case 'T': {
            o->n_steps = 0;
            char buf[128], *save = NULL;
            snprintf(buf, sizeof buf, "%s", optarg);
            for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                double v = strtod(t, &end);
                if (end == t || *end || v <= 0 || o->n_steps >= FXT_MAX_STEPS) {
                    fprintf(stderr, "flexor train: bad --steps '%s'\n", optarg);
                    return 2;
                }
                o->step_at[o->n_steps++] = (float)v;
            }
            o->sched_step = 1;
            break;
        }
        case 'g': NUM(o->step_gamma, float, v_ > 0 && v_ <= 1); break;
        case 1: NUM(o->stanh, float, v_ > 0); break;
        case 2: NUM(o->stanh0, float, v_ > 0); break;
        case 3: NUM(o->stanh_warmup, float, v_ >= 0); break;
        case 4: NUM(o->stanh_mult, float, v_ > 0); break;
        case 5: NUM(o->clip_k, float, v_ >= 0); break;
        case 6: NUM(o->xe_init, float, v_ >= 0); break;
        case 7: NUM(o->val, uint32_t, v_ >= 0 && v_ < 1e9 && v_ == (int)v_); break;
        case 8: NUM(o->train_limit, uint32_t, v_ >= 0 && v_ < 1e9 && v_ == (int)v_); break;
        case 9: NUM(o->test_limit, uint32_t, v_ >= 0 && v_ < 1e9 && v_ == (int)v_); break;
        case 10: NUM(o->seed, uint64_t, v_ >= 0 && v_ < 1e18 && v_ == (double)(uint64_t)v_); break;
        case 11: snprintf(o->data, sizeof o->data, "%s", optarg); break;
        case 12: snprintf(o->out, sizeof o->out, "%s", optarg); break;
        case 13: snprintf(o->ckpt, sizeof o->ckpt, "%s", optarg); break;
        case 14: o->resume = 1; break;
        case 15: snprintf(o->csv, sizeof o->csv, "%s", optarg); break;
        case 16: NUM(o->stop_after, int, v_ >= 1 && v_ == (int)v_); break;
        case 17: o->no_export = 1; break;
        case 18: o->quiet = 1; break;
        case 19: NUM(o->threads, int, v_ == 1 || v_ == 2); break;
        case 'h': usage(stdout); return 1;
        default:
            fprintf(stderr, "flexor train: unknown or incomplete option '%s' (flexor train --help)\n", argv[optind - 1]);
            return 2;
        }
    }
#undef NUM
    if (optind < argc) { fprintf(stderr, "flexor train: unexpected argument '%s'\n", argv[optind]); return 2; }
    if (o->epochs == 0) o->epochs = !strcmp(o->model, "lenet") ? 6 : 15;
    if (o->out[0] && !o->ckpt[0]) snprintf(o->ckpt, sizeof o->ckpt, "%.500s.ckpt", o->out);
    if (o->out[0] && !o->csv[0]) snprintf(o->csv, sizeof o->csv, "%.500s.csv", o->out);
    if (o->resume && !o->ckpt[0]) { fprintf(stderr, "flexor train: --resume needs --ckpt or --out\n"); return 2; }
    return 0;
}

static void fmt_acc(char *b, size_t n, double v) { if (v < 0) snprintf(b, n, "-"); else snprintf(b, n, "%.2f", v); }

int fx_cmd_train(int argc, char **argv)
{
    fx_train_opts o;
    fx_train_defaults(&o);
    int rc = fx_train_parse(argc, argv, &o);
    if (rc) return rc == 1 ? 0 : rc;
    fx_train_result r;
    rc = fx_train_job(&o, &r);
    if (rc == 2) return 2;
    char fa[16], ia[16], ra[16];
    fmt_acc(fa, sizeof fa, r.float_acc); fmt_acc(ia, sizeof ia, r.int_acc); fmt_acc(ra, sizeof ra, r.ref_acc);
    printf("\n| model | bits | epochs | float acc %% | integer acc %% (trainer) | integer acc %% (sw ref) | "
           "ref mismatches | middle bits/weight | avg bits/weight | model bytes | train s | img/s |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    char mm[24] = "-", mb[24] = "-";
    if (r.ref_mismatch >= 0) snprintf(mm, sizeof mm, "%ld", r.ref_mismatch);
    if (r.model_bytes >= 0) snprintf(mb, sizeof mb, "%ld", r.model_bytes);
    printf("| %s | %s | %d | %s | %s | %s | %s | %.3f | %.3f | %s | %.1f | %.0f |\n", o.model, o.bits, r.epochs_done, fa,
           ia, ra, mm, r.bits_per_weight, r.avg_bits, mb, r.train_seconds, r.train_img_s);
    if (r.float_fact_acc >= 0) printf("float accuracy with float activations (same weights): %.2f%%\n", r.float_fact_acc);
    if (r.note[0]) printf("note: %s\n", r.note);
    if (o.out[0] && r.model_bytes > 0 && rc == 0) printf("model written to %s\n", o.out);
    return rc;
}
