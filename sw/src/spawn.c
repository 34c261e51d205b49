/* SPDX-License-Identifier: Apache-2.0 */
/* See spawn.h. fork + exec rather than posix_spawn: the child may need a working directory (chdir) and
 * file redirections whose failures must reach the parent; a close-on-exec pipe carries them back. */
#define _GNU_SOURCE /* pipe2 */
#include "flexor/spawn.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the child failed at, sent to the parent with errno. */
enum { F_EXEC, F_CHDIR, F_OUT, F_ERR };

typedef struct {
    int what, err;
} child_fail;

static void child_die(int pipe_fd, int what)
{
    child_fail f = {what, errno};
    ssize_t w = write(pipe_fd, &f, sizeof f);
    (void)w;
    _exit(FX_SPAWN_NOT_STARTED);
}

/* Points fd at the destination `mode`; 0 or -1 with errno. Runs in the child (async-signal-safe calls). */
static int redirect(int fd, int mode, const char *path)
{
    int t = -1;
    if (mode == FX_SPAWN_INHERIT) return 0;
    if (mode == FX_SPAWN_TO_STDOUT) return dup2(1, fd) < 0 ? -1 : 0;
    if (mode == FX_SPAWN_NULL) t = open("/dev/null", O_WRONLY);
    else if (mode == FX_SPAWN_TRUNC || mode == FX_SPAWN_APPEND)
        t = path ? open(path, O_WRONLY | O_CREAT | (mode == FX_SPAWN_APPEND ? O_APPEND : O_TRUNC), 0666) : (errno = EINVAL, -1);
    else
        errno = EINVAL;
    if (t < 0) return -1;
    if (t != fd && (dup2(t, fd) < 0 || close(t))) return -1;
    return 0;
}

static void child(const char *const argv[], const fx_spawn_opts *o, int fail_fd, int cap_fd, int which)
{
    /* Redirections first: their relative paths are relative to the caller's directory. */
    if (redirect(1, which == 1 ? FX_SPAWN_INHERIT : o->out, o->out_path)) child_die(fail_fd, F_OUT);
    if (cap_fd >= 0 && dup2(cap_fd, which) < 0) child_die(fail_fd, which == 1 ? F_OUT : F_ERR);
    if (redirect(2, which == 2 ? FX_SPAWN_INHERIT : o->err, o->err_path)) child_die(fail_fd, F_ERR);
    if (o->cwd && chdir(o->cwd)) child_die(fail_fd, F_CHDIR);
    if (o->exe) execv(o->exe, (char *const *)argv);
    else execvp(argv[0], (char *const *)argv);
    child_die(fail_fd, F_EXEC);
}

static void describe(const child_fail *f, const char *const argv[], const fx_spawn_opts *o, char *msg, size_t n)
{
    const char *name = o->exe ? o->exe : argv[0];
    if (!msg || !n) return;
    switch (f->what) {
    case F_CHDIR: snprintf(msg, n, "%s: cannot enter %s: %s", name, o->cwd, strerror(f->err)); break;
    case F_OUT: snprintf(msg, n, "%s: cannot redirect output to %s: %s", name, o->out_path ? o->out_path : "(none)", strerror(f->err)); break;
    case F_ERR: snprintf(msg, n, "%s: cannot redirect errors to %s: %s", name, o->err_path ? o->err_path : "(none)", strerror(f->err)); break;
    default: snprintf(msg, n, "%s: cannot run: %s", name, strerror(f->err)); break;
    }
}

/* Reads fd to its end: the first cap - 1 bytes into buf (NUL-terminated), the rest counted and dropped. */
static size_t drain(int fd, char *buf, size_t cap)
{
    size_t n = 0, total = 0;
    char sink[4096];
    for (;;) {
        int keep = buf && n + 1 < cap;
        ssize_t r = keep ? read(fd, buf + n, cap - 1 - n) : read(fd, sink, sizeof sink);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        if (keep) n += (size_t)r;
        total += (size_t)r;
    }
    if (buf && cap) buf[n] = 0;
    return total;
}

static int run(const char *const argv[], const fx_spawn_opts *o, int which, char *buf, size_t cap, size_t *total,
               char *msg, size_t msglen)
{
    static const fx_spawn_opts none = {0};
    if (!o) o = &none;
    if (msg && msglen) msg[0] = 0;
    if (total) *total = 0;
    if (buf && cap) buf[0] = 0;
    child_fail f = {F_EXEC, EINVAL};
    int fail[2], cap_pipe[2] = {-1, -1};
    if (!argv || !argv[0] || (which && which != 1 && which != 2)) { describe(&f, (const char *const[]){"(none)", NULL}, o, msg, msglen); errno = EINVAL; return FX_SPAWN_NOT_STARTED; }
    if (pipe2(fail, O_CLOEXEC)) { f.err = errno; describe(&f, argv, o, msg, msglen); return FX_SPAWN_NOT_STARTED; }
    if (which && pipe2(cap_pipe, O_CLOEXEC)) {
        f.err = errno;
        close(fail[0]); close(fail[1]);
        describe(&f, argv, o, msg, msglen);
        errno = f.err;
        return FX_SPAWN_NOT_STARTED;
    }
    fflush(NULL); /* our buffered output first, then the child's */
    pid_t pid = fork();
    if (pid == 0) {
        close(fail[0]);
        child(argv, o, fail[1], cap_pipe[1], which);
    }
    int fork_errno = errno;
    close(fail[1]);
    if (cap_pipe[1] >= 0) close(cap_pipe[1]);
    size_t got = 0;
    if (pid > 0 && cap_pipe[0] >= 0) got = drain(cap_pipe[0], buf, cap);
    if (cap_pipe[0] >= 0) close(cap_pipe[0]);
    if (pid < 0) {
        close(fail[0]);
        f.err = fork_errno;
        describe(&f, argv, o, msg, msglen);
        errno = fork_errno;
        return FX_SPAWN_NOT_STARTED;
    }
    ssize_t r;
    while ((r = read(fail[0], &f, sizeof f)) < 0 && errno == EINTR) {}
    close(fail[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (total) *total = got;
    if (r == (ssize_t)sizeof f) { /* exec or a redirection failed: the program never ran */
        describe(&f, argv, o, msg, msglen);
        if (buf && cap) buf[0] = 0;
        errno = f.err;
        return FX_SPAWN_NOT_STARTED;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return FX_SPAWN_NOT_STARTED;
}

int fx_spawn(const char *const argv[], const fx_spawn_opts *o, char *msg, size_t msglen)
{
    return run(argv, o, 0, NULL, 0, NULL, msg, msglen);
}

int fx_spawn_capture(const char *const argv[], const fx_spawn_opts *o, int fd, char *buf, size_t cap, size_t *total,
                     char *msg, size_t msglen)
{
    return run(argv, o, fd == 2 ? 2 : 1, buf, cap, total, msg, msglen);
}

void fx_spawn_cmdline(const char *const argv[], char *out, size_t n)
{
    size_t k = 0;
    if (!n) return;
    out[0] = 0;
#define PUT(c) do { if (k + 1 < n) out[k++] = (c); } while (0)
    for (int i = 0; argv && argv[i]; i++) {
        const char *a = argv[i];
        int plain = *a != 0;
        for (const char *p = a; *p; p++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+%@", *p)) plain = 0;
        if (i) PUT(' ');
        if (plain) {
            for (const char *p = a; *p; p++) PUT(*p);
            continue;
        }
        PUT('\'');
        for (const char *p = a; *p; p++) {
            if (*p == '\'') { PUT('\''); PUT('\\'); PUT('\''); }
            PUT(*p);
        }
        PUT('\'');
    }
#undef PUT
    out[k] = 0;
}
