/* SPDX-License-Identifier: Apache-2.0 */
/* Stages of a pipeline (flexor run, sweep-hw) run as child processes of the flexor binary. A stage is
 * reused only when everything that decides its outputs is unchanged (docs/run.md, "Reuse"): the
 * identity of the code that runs it (build id parts), its options, the content of every input file,
 * any other fact it depends on (RTL tree, tool binaries), and its outputs are still those it wrote. */
#ifndef FLEXOR_STAGE_H
#define FLEXOR_STAGE_H
#include <stddef.h>

#define STAGE_MAX_ARGS 56
#define STAGE_MAX_FILES 8

typedef struct {
    const char *name;                 /* e.g. "train"; names the record DIR/.stamps/NAME.stamp */
    const char *argv[STAGE_MAX_ARGS]; /* argv[0] is "flexor"; NULL-terminated; room for --ckpt F --resume */
    const char *code;                 /* build id parts that decide the result, e.g. "build,sw,trainer" */
    const char *inputs[STAGE_MAX_FILES];  /* files whose content decides the result */
    const char *facts[STAGE_MAX_FILES];   /* other things that do, as "what value" (tool digests) */
    const char *outputs[STAGE_MAX_FILES]; /* must all exist, unchanged since written, for reuse */
    const char *ckpt;                 /* resumable state: appends --ckpt CKPT --resume; resumed only by the same fingerprint */
    const char *log;                  /* stdout of the child goes here (stderr stays on the terminal) */
    double seconds;                   /* filled in: wall time (0 when reused) */
    int reused;
} stage;

/* Runs (or reuses) the stage; force redoes it from scratch (its checkpoints go too). On failure prints
 * one line with the cause and the command that reproduces it, and returns the child's exit status. */
int stage_run(stage *s, const char *stamp_dir, int force, int index, int total);
/* The command line as one shell-quoted string. */
void stage_cmdline(const stage *s, char *buf, size_t len);
/* "tool NAME DIGEST" of the program NAME found in PATH ("tool NAME missing" when absent), for facts. */
void stage_tool_fact(const char *name, char *buf, size_t len);
#endif
