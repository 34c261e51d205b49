/* Stages of a pipeline run as child processes of the flexor binary, each reused when its
 * fingerprint (its command line and the contents of its input files) has not changed. */
#ifndef FLEXOR_STAGE_H
#define FLEXOR_STAGE_H
#include <stddef.h>

#define STAGE_MAX_ARGS 48
#define STAGE_MAX_FILES 8

typedef struct {
    const char *name;                 /* e.g. "train" */
    const char *argv[STAGE_MAX_ARGS]; /* argv[0] is "flexor"; NULL-terminated */
    const char *inputs[STAGE_MAX_FILES];  /* files whose content decides reuse */
    const char *outputs[STAGE_MAX_FILES]; /* must all exist for reuse */
    const char *log;                  /* stdout of the child goes here (stderr stays on the terminal) */
    double seconds;                   /* filled in: wall time (0 when reused) */
    int reused;
} stage;

/* Runs (or reuses) the stage; on failure prints one line with the cause and the command that
 * reproduces it, and returns the child's exit status (non-zero). stamp_dir keeps fingerprints. */
int stage_run(stage *s, const char *stamp_dir, int force, int index, int total);
/* The command line as one shell-quoted string. */
void stage_cmdline(const stage *s, char *buf, size_t len);
#endif
