/* SPDX-License-Identifier: Apache-2.0 */
/* Job lists of the long commands (sweep-hw, study): a Makefile DIR/jobs.mk (run with make -jN) and the
 * same commands as DIR/jobs.txt ("stage<TAB>command", one a line) for any other scheduler. Both are
 * written through fx_out: a reader sees the old list or the whole new one. */
#ifndef FLEXOR_CLI_JOBLIST_H
#define FLEXOR_CLI_JOBLIST_H
#include "flexor/fsutil.h"
#include <stddef.h>
#include <stdio.h>

typedef struct {
    fx_out omk, otx;
    FILE *mk, *tx;
    char *deps; /* the targets so far, " t1 t2 ...": what the final target waits for */
    size_t dl, cap;
    int failed; /* out of memory: the list is incomplete */
} fx_joblist;

/* Opens DIR/jobs.mk and DIR/jobs.txt; the Makefile's first target is `all`, which waits for the final
 * target `final`. prog names the generator in the header comment. 0, or -1 with a message in err. */
int fx_joblist_open(fx_joblist *j, const char *dir, const char *prog, const char *final, char *err, size_t errlen);
/* One job. target: a make target (phony) or, with file = 1, the file the command writes last, so make
 * skips it once it exists; dep: a target it needs first or NULL; stage: its stage number in jobs.txt. */
void fx_joblist_add(fx_joblist *j, int stage, const char *target, int file, const char *dep, const char *cmd);
/* A line for jobs.txt only (setup, such as the mkdir of the outputs). */
void fx_joblist_note(fx_joblist *j, int stage, const char *cmd);
/* The final target (phony): after every job added, runs cmd; then both files are committed. 0, or -1
 * with a message in err (the files are then left as they were). */
int fx_joblist_finish(fx_joblist *j, const char *final, int stage, const char *cmd, char *err, size_t errlen);
void fx_joblist_abort(fx_joblist *j);
/* Runs make -k -jN -f DIR/jobs.mk; its exit status (0: every job succeeded). prog names it in messages. */
int fx_joblist_run(const char *prog, const char *dir, int jobs);
/* 1 when s (at most max characters) needs no quoting as a shell word nor in a make recipe: job lines are
 * both. */
int fx_shell_safe(const char *s, size_t max);
#endif
