/* SPDX-License-Identifier: Apache-2.0 */
/* Small filesystem helpers shared by every part: mkdir -p and the one way output files are written. */
#ifndef FLEXOR_FSUTIL_H
#define FLEXOR_FSUTIL_H
#include <stddef.h>
#include <stdio.h>
#ifdef __cplusplus
extern "C" {
#endif

/* mkdir -p: creates every missing folder of path; 0 on success, -1 with errno set. */
int fx_mkdir_p(const char *path);

/* The whole content of a file, NUL-terminated, at most max bytes (0: no limit); NULL with errno set when it
 * cannot be read, is larger (EFBIG) or memory runs out. *len (if not NULL) gets the byte count. */
char *fx_read_file(const char *path, size_t max, size_t *len);

/* An output file that respects its target (docs/run.md "Output files").
 *
 *  - A regular file, or a name that does not exist yet: written to a temp file in the same directory
 *    (".NAME.tmp.PID.N", created 0666 & ~umask, or with the mode of the file it replaces), then
 *    fflush + ferror + fsync + fclose (each checked), rename over the target, fsync of the directory.
 *    A reader sees the old file or the whole new one, never a torn one, even after a crash.
 *  - A symbolic link: followed (relative links from the link's directory, 40 hops at most); the file
 *    it resolves to is written as above, and the link stays a link.
 *  - A device, FIFO or socket, or a name under /dev or /proc that stands for an open file
 *    (`/dev/stdout` redirected to a file): written through in place (appended after what the process
 *    printed, stdout being flushed first), never replaced (`--csv /dev/null` keeps /dev/null a device);
 *    every write, flush and close is still checked, so `/dev/full` is an error.
 *
 * Why: git writes refs, the index and config through a "lockfile" beside the target, renamed over it,
 * with symlinks resolved first (lockfile.c, resolve_symlink); SQLite never renames the file the user
 * named at all (it rewrites it in place behind a journal), so neither replaces a link or a device.
 * Writing through a non-regular target is what `cat > F` does; refusing it would break `--csv /dev/stdout`.
 * Errors name the target path as the caller gave it, never the temp file: "PATH: cannot write: REASON".
 */
typedef struct {
    FILE *f;
    char *path;   /* as given, for messages */
    char *real;   /* the symlink-resolved target */
    char *tmp;    /* temp file beside real; NULL when written through */
    int direct;   /* 1: non-regular target written in place */
} fx_out;

/* Opens the output; NULL with a one-line message in err (o needs no abort then). */
FILE *fx_out_open(fx_out *o, const char *path, char *err, size_t errlen);
/* Flushes, syncs, closes and (for a temp file) renames it over the target. 0, or -1 with err set and
 * the temp file removed. o is released either way. */
int fx_out_commit(fx_out *o, char *err, size_t errlen);
/* Drops the output: closes it and removes the temp file (the target is untouched). */
void fx_out_abort(fx_out *o);
/* Whole-file helper: fx_out_open + fwrite + fx_out_commit. */
int fx_write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen);
/* For generators and tools that stop at the first error: DIR/NAME (dir may be NULL for NAME alone)
 * opened, resp. committed, or "PROG: PATH: cannot write: REASON" on stderr and exit(2). */
FILE *fx_out_open_or_exit(fx_out *o, const char *prog, const char *dir, const char *name);
void fx_out_commit_or_exit(fx_out *o, const char *prog);
/* Checks up front, before a long job, that path can be written: for a regular or missing target a
 * temp file is created and removed in its directory; a non-regular target must be writable. */
int fx_out_probe(const char *path, char *err, size_t errlen);
#ifdef __cplusplus
}
#endif
#endif
