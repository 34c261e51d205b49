/* SPDX-License-Identifier: Apache-2.0 */
/* Running external programs with an argument vector, never through a shell: no word splitting, no
 * quoting, no globbing, so a path such as "a b'c;touch X;" reaches the program as one argument. */
#ifndef FLEXOR_SPAWN_H
#define FLEXOR_SPAWN_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Where a child's stdout or stderr goes. */
enum {
    FX_SPAWN_INHERIT = 0, /* ours */
    FX_SPAWN_NULL,        /* /dev/null */
    FX_SPAWN_TRUNC,       /* the file `*_path`, created or truncated */
    FX_SPAWN_APPEND,      /* the file `*_path`, created or appended to */
    FX_SPAWN_TO_STDOUT    /* stderr only: wherever the child's stdout goes (2>&1) */
};

typedef struct {
    const char *exe;      /* program file to run; NULL: argv[0] looked up in PATH (execvp) */
    const char *cwd;      /* working directory of the child; NULL: ours */
    int out, err;         /* FX_SPAWN_* for stdout / stderr (ignored for the captured stream) */
    const char *out_path, *err_path; /* relative paths are relative to OUR working directory */
} fx_spawn_opts;

/* The status the functions below return when the program could not be started (as the shell does). */
#define FX_SPAWN_NOT_STARTED 127

/* Runs argv (NULL-terminated) and waits for it. Returns its exit status, 128 + signal when killed, or
 * FX_SPAWN_NOT_STARTED when it could not be started; then, and only then, `msg` (if not NULL) holds a
 * one-line reason ("gnuplot: cannot run: No such file or directory") and errno is set; otherwise msg is
 * "". o may be NULL (everything inherited). */
int fx_spawn(const char *const argv[], const fx_spawn_opts *o, char *msg, size_t msglen);

/* As fx_spawn, and the child's stdout (fd 1, or stderr when fd is 2) is read into buf: at most
 * cap - 1 bytes, NUL-terminated; the rest is read and dropped so the child never blocks. *total (if not
 * NULL) receives the whole number of bytes written, so *total >= cap means buf was truncated. */
int fx_spawn_capture(const char *const argv[], const fx_spawn_opts *o, int fd, char *buf, size_t cap, size_t *total,
                     char *msg, size_t msglen);

/* argv as one display line (arguments with spaces or quotes are single-quoted the POSIX way), for logs
 * and "reproduce with" messages only: never to be run by a shell. Truncated to n - 1 bytes. */
void fx_spawn_cmdline(const char *const argv[], char *out, size_t n);
#ifdef __cplusplus
}
#endif
#endif
