/* SPDX-License-Identifier: Apache-2.0 */
/* Stage runner (see stage.h). The record of a stage is a text file of lines "kind text": the lines
 * before "out" are its fingerprint; "out PATH DIGEST" lines say what it wrote. */
#define _POSIX_C_SOURCE 200809L
#include "stage.h"
#include "buildid.h"
#include "flexor/clock.h"
#include "flexor/digest.h"
#include "flexor/fsutil.h"
#include "flexor/selfpath.h"
#include "flexor/spawn.h"
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define REC_MAX 16384

void stage_cmdline(const stage *s, char *buf, size_t len)
{
    /* argv[0] shown as the binary actually run, so the printed command reproduces the stage */
    const char *argv[STAGE_MAX_ARGS];
    memcpy(argv, s->argv, sizeof argv);
    argv[0] = fx_self_exe();
    fx_spawn_cmdline(argv, buf, len);
}

void stage_tool_fact(const char *name, char *buf, size_t len)
{
    const char *path = getenv("PATH");
    char cand[4096], hex[17];
    for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
        size_t n = strcspn(p, ":");
        snprintf(cand, sizeof cand, "%.*s/%s", (int)n, p, name);
        if (n && access(cand, X_OK) == 0) {
            fx_digest_file_hex(cand, hex);
            snprintf(buf, len, "tool %s %s", name, hex);
            return;
        }
        p += n + (p[n] == ':');
    }
    snprintf(buf, len, "tool %s missing", name);
}

/* Appends one record line; -1 when the record would not fit (never truncate a fingerprint). */
static int put(char *rec, size_t *o, const char *kind, const char *a, const char *b)
{
    int n = snprintf(rec + *o, REC_MAX - *o, "%s %s%s%s\n", kind, a, b ? " " : "", b ? b : "");
    if (n < 0 || (size_t)n >= REC_MAX - *o) return -1;
    *o += (size_t)n;
    return 0;
}

static int fingerprint(const stage *s, char *rec, size_t *o)
{
    char hex[17];
    *o = 0;
    if (fx_build_code(s->code, hex) || put(rec, o, "code", s->code, hex)) return -1;
    for (int i = 1; s->argv[i]; i++)
        if (put(rec, o, "arg", s->argv[i], NULL)) return -1;
    for (int i = 0; i < STAGE_MAX_FILES && s->inputs[i]; i++) {
        fx_digest_file_hex(s->inputs[i], hex);
        if (put(rec, o, "in", s->inputs[i], hex)) return -1;
    }
    for (int i = 0; i < STAGE_MAX_FILES && s->facts[i]; i++)
        if (put(rec, o, "fact", s->facts[i], NULL)) return -1;
    return 0;
}

static int add_outputs(const stage *s, char *rec, size_t *o)
{
    char hex[17];
    for (int i = 0; i < STAGE_MAX_FILES && s->outputs[i]; i++) {
        fx_digest_file_hex(s->outputs[i], hex);
        if (put(rec, o, "out", s->outputs[i], hex)) return -1;
    }
    return 0;
}

/* Why the stage cannot be reused: the first line where the record and now differ, in words. */
static void redo_reason(const char *old, const char *cur, char *why, size_t len)
{
    const char *a = old, *b = cur;
    while (*a && *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || memcmp(a, b, la)) break;
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
    }
    const char *l = *b ? b : a;
    size_t n = strcspn(l, "\n");
    if (!*a && !*b) snprintf(why, len, "?");
    else if (!strncmp(l, "code ", 5)) snprintf(why, len, "the code changed (flexor rebuilt)");
    else if (!strncmp(l, "arg ", 4)) snprintf(why, len, "options changed");
    else if (!strncmp(l, "in ", 3)) {
        const char *sp = memchr(l + 3, ' ', n - 3);
        snprintf(why, len, "input %.*s changed", (int)((sp ? (size_t)(sp - l) : n) - 3), l + 3);
    } else if (!strncmp(l, "fact ", 5)) snprintf(why, len, "%.*s changed", (int)(n - 5), l + 5);
    else if (!strncmp(l, "out ", 4)) {
        const char *sp = memchr(l + 4, ' ', n - 4);
        snprintf(why, len, "output %.*s changed or missing", (int)((sp ? (size_t)(sp - l) : n) - 4), l + 4);
    } else snprintf(why, len, "its record is unreadable");
}

/* -1 with a one-line message on stderr naming the file and the reason */
static int write_record(const char *path, const char *rec)
{
    char err[4400];
    if (fx_write_file(path, rec, strlen(rec), err, sizeof err) == 0) return 0;
    fprintf(stderr, "flexor: %s\n", err);
    return -1;
}

/* The checkpoint belongs to one fingerprint: NAME.pending records it when the stage starts. A checkpoint
 * left by an interrupted run with the same fingerprint is resumed; any other is removed, so changed
 * options start afresh instead of meeting a foreign checkpoint (and --force never resumes). */
static int prepare_checkpoint(const stage *s, const char *stamp_dir, int force, const char *fp)
{
    char pending[4300];
    snprintf(pending, sizeof pending, "%s/%s.pending", stamp_dir, s->name);
    char *old = force ? NULL : fx_read_file(pending, REC_MAX, NULL);
    const int same = old && !strcmp(old, fp);
    free(old);
    if (!same)
        if (remove(s->ckpt) && errno != ENOENT) {
            fprintf(stderr, "flexor: %s: cannot remove: %s\n", s->ckpt, strerror(errno));
            return -1;
        }
    if (write_record(pending, fp)) return -1;
    return 0;
}

static int spawn_stage(const stage *s, const char *const *argv)
{
    char msg[512];
    fx_spawn_opts o = {.exe = "/proc/self/exe", .out = s->log ? FX_SPAWN_TRUNC : FX_SPAWN_INHERIT, .out_path = s->log};
    int rc = fx_spawn(argv, &o, msg, sizeof msg);
    if (msg[0]) fprintf(stderr, "flexor: %s\n", msg);
    return rc;
}

static int outputs_exist(const stage *s)
{
    struct stat st;
    for (int i = 0; i < STAGE_MAX_FILES && s->outputs[i]; i++)
        if (stat(s->outputs[i], &st)) return 0;
    return 1;
}

int stage_run(stage *s, const char *stamp_dir, int force, int index, int total)
{
    static char rec[REC_MAX];
    char stamp[4200], cmd[8192], why[512];
    size_t o;
    s->reused = 0;
    s->seconds = 0;
    if (fingerprint(s, rec, &o)) { fprintf(stderr, "flexor: stage '%s': its fingerprint is too long\n", s->name); return 2; }
    size_t fp_len = o;
    snprintf(stamp, sizeof stamp, "%s/%s.stamp", stamp_dir, s->name);
    char *old = fx_read_file(stamp, REC_MAX, NULL); /* the record of the last success, if any */
    if (add_outputs(s, rec, &o)) { free(old); fprintf(stderr, "flexor: stage '%s': too many outputs\n", s->name); return 2; }
    if (!force && old && !strcmp(old, rec)) {
        free(old);
        fprintf(stderr, "[%d/%d] %-8s reused (code, options, inputs and outputs unchanged)\n", index, total, s->name);
        s->reused = 1;
        return 0;
    }
    if (force) snprintf(why, sizeof why, "--force");
    else if (!old) snprintf(why, sizeof why, "not run before");
    else redo_reason(old, rec, why, sizeof why);
    free(old);
    rec[fp_len] = 0;

    stage run = *s; /* the stage as run: with its checkpoint options */
    int n = 0;
    while (run.argv[n]) n++;
    if (run.ckpt) {
        if (n + 3 >= STAGE_MAX_ARGS) { fprintf(stderr, "flexor: stage '%s': too many arguments\n", s->name); return 2; }
        if (prepare_checkpoint(s, stamp_dir, force, rec)) return 2;
        run.argv[n++] = "--ckpt";
        run.argv[n++] = run.ckpt;
        run.argv[n++] = "--resume";
        run.argv[n] = NULL;
    }
    stage_cmdline(&run, cmd, sizeof cmd);
    fprintf(stderr, "[%d/%d] %-8s %s: %s\n", index, total, s->name, why, cmd);
    if (remove(stamp) && errno != ENOENT) {
        fprintf(stderr, "flexor: %s: cannot remove: %s\n", stamp, strerror(errno));
        return 2;
    }
    double t0 = fx_wall_s();
    int rc = spawn_stage(s, run.argv);
    s->seconds = fx_wall_s() - t0;
    if (rc == 0 && !outputs_exist(s)) rc = 1;
    if (rc) {
        fprintf(stderr, "flexor: stage '%s' failed (%s %d); reproduce with: %s\n", s->name,
                outputs_exist(s) ? "exit status" : "no outputs, exit status", rc, cmd);
        return rc;
    }
    o = fp_len;
    if (add_outputs(s, rec, &o)) { fprintf(stderr, "flexor: stage '%s': too many outputs\n", s->name); return 2; }
    if (write_record(stamp, rec)) return 2;
    fprintf(stderr, "[%d/%d] %-8s done in %.1f s\n", index, total, s->name, s->seconds);
    return 0;
}
