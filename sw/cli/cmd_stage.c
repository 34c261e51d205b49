/* SPDX-License-Identifier: Apache-2.0 */
/* `flexor stage`: one job of a job list (sweep-hw's jobs.mk / jobs.txt) run through the same reuse
 * rule as `flexor run` (stage.h): redone unless its code, options, input contents and outputs are
 * unchanged. Job lists can then be rerun whole by make or any scheduler and stay correct. */
#define _POSIX_C_SOURCE 200809L
#include "commands.h"
#include "flexor/fsutil.h"
#include "flexor/opt.h"
#include "stage.h"
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f,
"usage: flexor stage NAME --record DIR --code PARTS [--in FILE]... [--out FILE]... [--tool PROG]...\n"
"                    [--ckpt FILE] [--force] -- COMMAND [ARGS]...\n"
"Runs `flexor COMMAND ARGS` unless DIR/NAME.stamp shows it already ran with the same code (build id\n"
"PARTS, e.g. build,sw,trainer), the same arguments, inputs of the same content, tools (found in PATH)\n"
"of the same content, and outputs still as it wrote them (docs/run.md, \"Reuse\").\n"
"  --ckpt FILE   pass --ckpt FILE --resume (training jobs); an interrupted job resumes only with the same\n"
"                fingerprint, any other checkpoint is removed first\n");
}

int fx_cmd_stage(int argc, char **argv)
{
    static const struct option lo[] = {{"record", 1, 0, 'r'}, {"code", 1, 0, 'c'},      {"in", 1, 0, 'i'},
                                       {"out", 1, 0, 'o'},    {"tool", 1, 0, 't'},      {"ckpt", 1, 0, 'R'},
                                       {"force", 0, 0, 'f'},  {"help", 0, 0, 'h'},      {0, 0, 0, 0}};
    stage s = {.code = "build,sw"};
    const char *record = NULL;
    static char facts[STAGE_MAX_FILES][200];
    int ni = 0, no = 0, nt = 0, force = 0, c;
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) { usage(stdout); return 0; }
    if (argc < 2 || argv[1][0] == '-') return fx_opt_fail("stage", "expected NAME first");
    s.name = argv[1];
    argc--;
    argv++; /* argv[0] is now NAME: getopt starts after it */
    fx_opt_reset();
    /* '+': stop at the first non-option, so COMMAND's own options are not ours */
    while ((c = getopt_long(argc, argv, "+:h", lo, NULL)) != -1) {
        switch (c) {
        case 'r': record = optarg; break;
        case 'c': s.code = optarg; break;
        case 'i': if (ni == STAGE_MAX_FILES) return fx_opt_fail("stage", "too many --in"); s.inputs[ni++] = optarg; break;
        case 'o': if (no == STAGE_MAX_FILES) return fx_opt_fail("stage", "too many --out"); s.outputs[no++] = optarg; break;
        case 't':
            if (nt == STAGE_MAX_FILES) return fx_opt_fail("stage", "too many --tool");
            stage_tool_fact(optarg, facts[nt], sizeof facts[nt]);
            s.facts[nt] = facts[nt];
            nt++;
            break;
        case 'R': s.ckpt = optarg; break;
        case 'f': force = 1; break;
        case 'h': usage(stdout); return 0;
        default: return fx_opt_error("stage", c, argv);
        }
    }
    if (optind < argc && !strcmp(argv[optind], "--")) optind++;
    if (!record || !no) return fx_opt_fail("stage", "--record and at least one --out are required");
    if (!*s.name || strchr(s.name, '/')) return fx_opt_bad_value("stage", "name", s.name, "a name without '/'");
    if (optind >= argc) return fx_opt_fail("stage", "expected a flexor COMMAND after --");
    if (argc - optind + 1 >= STAGE_MAX_ARGS - 3) return fx_opt_fail("stage", "too many arguments");
    int n = 0;
    s.argv[n++] = "flexor";
    while (optind < argc) s.argv[n++] = argv[optind++];
    s.argv[n] = NULL;
    if (fx_mkdir_p(record)) { fprintf(stderr, "flexor stage: %s: cannot create: %s\n", record, strerror(errno)); return 2; }
    return stage_run(&s, record, force, 1, 1);
}
