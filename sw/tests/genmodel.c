/* SPDX-License-Identifier: Apache-2.0 */
/* flexor-genmodel: write random valid models (fx_model_random / fx_model_random_net, version 2:
 * fx_model_random_resnet8 / fx_model_random_graph) for benchmarks, fuzzing corpora and test vectors. */
#include "flexor/model_random.h"
#include "flexor/opt.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: flexor-genmodel ARCH OUT.fxm [--straddle] [--seed N] [--input CxHxW (graph)]\n"
               "       flexor-genmodel --net NET OUT.fxm [--seed N]\n"
               "       flexor-genmodel --corpus DIR [--count N] [--seed N]\n"
               "  ARCH: mlp (784-512-512-10) | lenet (conv5x5x32 pool, conv5x5x64 pool, fc 512, fc 10) | net (small random)\n"
               "        | wide (fc 784-65536: the most classes a model can have)\n"
               "        | resnet8 (format v2: residual blocks with identity, option-A and 1x1-conv shortcuts, avgpool)\n"
               "        | graph (format v2: small random graph with stride, padding, residuals, pooling)\n"
               "        | chain (format v2: random chain of convs and FCs the accelerator runs with RUNX)\n"
               "  --net NET     a network description (docs/net.md: preset, file or spec) as a format-v2 model\n"
               "  --corpus DIR  write N small random networks DIR/seed-K.fxm (a fuzzing seed corpus; every other\n"
               "                one a format-v2 graph)\n");
}

static int bad(const char *what)
{
    fprintf(stderr, "flexor-genmodel: %s (flexor-genmodel --help)\n", what);
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"straddle", no_argument, 0, 's'}, {"seed", required_argument, 0, 'r'},
                                         {"input", required_argument, 0, 'i'}, {"net", required_argument, 0, 'N'},
                                         {"corpus", required_argument, 0, 'c'}, {"count", required_argument, 0, 'n'},
                                         {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    uint32_t flags = 0, count = 32;
    uint64_t seed = 1;
    const char *corpus = NULL, *net = NULL;
    uint32_t in[3];
    int c, in_set = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":sr:c:n:i:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': flags |= FX_F_STRADDLE; break;
        case 'r': if (fx_parse_u64(optarg, 0, UINT64_MAX, &seed)) return bad("bad --seed"); break;
        case 'c': corpus = optarg; break;
        case 'n': if (fx_parse_u32(optarg, 1, 100000, &count)) return bad("bad --count (1..100000)"); break;
        case 'N': net = optarg; break;
        case 'i':
            if (sscanf(optarg, "%ux%ux%u", &in[0], &in[1], &in[2]) != 3 || !in[0] || in[0] > 4 || in[1] < 3 || in[1] > 64 ||
                in[2] < 3 || in[2] > 64)
                return bad("--input takes CxHxW (C 1..4, H and W 3..64)");
            in_set = 1;
            break;
        case 'h': usage(stdout); return 0;
        default: return bad("unknown option or missing value");
        }
    }
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    char err[512], path[4096];
    fx_model m;
    if (corpus) {
        uint32_t written = 0;
        for (uint64_t s = seed; written < count && s < seed + 10ull * count + 10; s++) {
            if (s % 2 ? fx_model_random_graph(&m, cfg, s, 3, NULL) : fx_model_random_net(&m, cfg, s, 3)) continue;
            snprintf(path, sizeof path, "%s/seed-%llu.fxm", corpus, (unsigned long long)s);
            int r = fx_model_write(path, &m, err, sizeof err);
            fx_model_free(&m);
            if (r) { fprintf(stderr, "flexor-genmodel: %s\n", err); return 2; }
            written++;
        }
        printf("wrote %u models to %s\n", written, corpus);
        return 0;
    }
    if (net) {
        static fx_netdesc nd;
        char file[4096];
        memset(&m, 0, sizeof m);
        if (optind + 1 != argc) return bad("--net NET takes one OUT.fxm");
        if (fx_netdesc_resolve(net, &nd, file, sizeof file, err, sizeof err) ||
            fx_model_random_from_net(&m, cfg, &nd, seed, err, sizeof err) || fx_model_write(argv[optind], &m, err, sizeof err)) {
            fprintf(stderr, "flexor-genmodel: %s\n", err);
            fx_model_free(&m);
            return 2;
        }
        fx_model_free(&m);
        return 0;
    }
    if (optind + 2 != argc) return bad("expected ARCH and OUT.fxm");
    const char *arch = argv[optind], *out = argv[optind + 1];
    int r = !strcmp(arch, "net")       ? fx_model_random_net(&m, cfg, seed, 4)
            : !strcmp(arch, "resnet8") ? fx_model_random_resnet8(&m, cfg, seed)
            : !strcmp(arch, "graph")   ? fx_model_random_graph(&m, cfg, seed, 4, in_set ? in : NULL)
            : !strcmp(arch, "chain")   ? fx_model_random_chain(&m, cfg, seed)
                                       : fx_model_random(&m, cfg, arch, flags, seed);
    if (r) { fprintf(stderr, "flexor-genmodel: cannot build '%s' for this configuration\n", arch); return 2; }
    r = fx_model_write(out, &m, err, sizeof err);
    fx_model_free(&m);
    if (r) { fprintf(stderr, "flexor-genmodel: %s\n", err); return 2; }
    return 0;
}
