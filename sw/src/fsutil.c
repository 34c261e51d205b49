/* SPDX-License-Identifier: Apache-2.0 */
/* See fsutil.h. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/fsutil.h"
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fx_mkdir_p(const char *path)
{
    char b[1024];
    if (snprintf(b, sizeof b, "%s", path) >= (int)sizeof b) { errno = ENAMETOOLONG; return -1; }
    for (char *p = b + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(b, 0777) && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(b, 0777) && errno != EEXIST ? -1 : 0;
}

static int out_fail(char *err, size_t errlen, const char *path, int e)
{
    if (err && errlen) snprintf(err, errlen, "%s: cannot write: %s", path, strerror(e));
    errno = e;
    return -1;
}

/* dirname of p ("." when it has no slash), heap-allocated */
static char *dir_of(const char *p)
{
    const char *s = strrchr(p, '/');
    if (!s) return strdup(".");
    if (s == p) return strdup("/");
    return strndup(p, (size_t)(s - p));
}

/* /dev and /proc names (/dev/stdout, /proc/self/fd/N) stand for files already open, not places to
 * create files: /proc/self/fd/1 reads as the path of stdout's file, or as "pipe:[123]". */
static int special_name(const char *p) { return !strncmp(p, "/dev/", 5) || !strncmp(p, "/proc/", 6); }

/* Follows symbolic links from path to the name that is not a link (it may not exist); *special is set
 * when a name on the way is under /dev or /proc. */
static char *resolve_links(const char *path, int *special)
{
    char *p = strdup(path);
    *special = 0;
    for (int hop = 0; p; hop++) {
        struct stat st;
        *special |= special_name(p);
        if (lstat(p, &st) || !S_ISLNK(st.st_mode)) return p;
        if (hop == 40) { free(p); errno = ELOOP; return NULL; }
        char link[4096];
        ssize_t n = readlink(p, link, sizeof link - 1);
        if (n < 0) { free(p); return NULL; }
        link[n] = 0;
        char *next;
        if (link[0] == '/') next = strdup(link);
        else {
            char *d = dir_of(p);
            size_t len = (d ? strlen(d) : 0) + strlen(link) + 2;
            next = d ? malloc(len) : NULL;
            if (next) snprintf(next, len, "%s/%s", d, link);
            free(d);
        }
        free(p);
        p = next;
    }
    errno = ENOMEM;
    return NULL;
}

static void out_release(fx_out *o)
{
    free(o->path); free(o->real); free(o->tmp);
    memset(o, 0, sizeof *o);
}

/* Creates the temp file beside real with the mode the result should have. */
static int create_tmp(fx_out *o, const struct stat *old)
{
    static unsigned counter;
    const char *base = strrchr(o->real, '/');
    char *d = dir_of(o->real);
    if (!d) return -1;
    base = base ? base + 1 : o->real;
    size_t len = strlen(d) + strlen(base) + 48;
    o->tmp = malloc(len);
    if (!o->tmp) { free(d); return -1; }
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        snprintf(o->tmp, len, "%s/.%s.tmp.%ld.%u", d, base, (long)getpid(), counter++);
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST) break;
    }
    free(d);
    if (fd < 0) { free(o->tmp); o->tmp = NULL; return -1; }
    /* Like `git config`: a replaced file keeps its permission bits. */
    if (old && fchmod(fd, old->st_mode & 07777)) { int e = errno; close(fd); unlink(o->tmp); errno = e; return -1; }
    o->f = fdopen(fd, "wb");
    if (!o->f) { int e = errno; close(fd); unlink(o->tmp); errno = e; return -1; }
    return 0;
}

FILE *fx_out_open(fx_out *o, const char *path, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    struct stat st;
    int e;
    if (!path || !*path) { out_fail(err, errlen, "(empty path)", ENOENT); return NULL; }
    /* stat follows links the way open does (the kernel resolves /proc's links, readlink cannot) */
    int exists = stat(path, &st) == 0, special;
    if (!exists && errno != ENOENT) goto fail;
    if (exists && S_ISDIR(st.st_mode)) { errno = EISDIR; goto fail; }
    if (!(o->path = strdup(path)) || !(o->real = resolve_links(path, &special))) goto fail;
    if (exists && (!S_ISREG(st.st_mode) || special)) {
        /* Appended, not truncated: /dev/stdout redirected to a file already holds what this process
         * printed (flushed first, so the order is kept); a device or FIFO has nothing to truncate. */
        o->direct = 1;
        fflush(stdout);
        if (!(o->f = fopen(path, "ab"))) goto fail;
        return o->f;
    }
    if (create_tmp(o, exists ? &st : NULL)) goto fail;
    return o->f;
fail:
    e = errno;
    out_fail(err, errlen, path, e);
    out_release(o);
    return NULL;
}

/* fsync of the directory that holds p, so the rename itself survives a crash. Filesystems that
 * cannot sync a directory (EINVAL) are not an error. */
static int sync_dir(const char *p)
{
    char *d = dir_of(p);
    if (!d) return -1;
    int fd = open(d, O_RDONLY | O_CLOEXEC);
    free(d);
    if (fd < 0) return -1;
    int r = fsync(fd);
    if (r && errno == EINVAL) r = 0;
    int e = errno;
    close(fd);
    errno = e;
    return r;
}

int fx_out_commit(fx_out *o, char *err, size_t errlen)
{
    if (!o->f) return out_fail(err, errlen, o->path ? o->path : "(closed output)", EBADF);
    int e = 0;
    errno = 0;
    if (fflush(o->f)) e = errno ? errno : EIO;
    else if (ferror(o->f)) e = EIO; /* an earlier write failed and the buffer was dropped */
    /* A device or FIFO cannot be synced (EINVAL); a regular file must reach the disk before the rename. */
    if (!e && !o->direct && fsync(fileno(o->f))) e = errno;
    if (fclose(o->f) && !e) e = errno ? errno : EIO;
    o->f = NULL;
    if (!e && o->tmp && rename(o->tmp, o->real)) e = errno;
    if (!e && o->tmp && sync_dir(o->real)) e = errno;
    if (e && o->tmp) unlink(o->tmp);
    int r = e ? out_fail(err, errlen, o->path, e) : 0;
    out_release(o);
    return r;
}

void fx_out_abort(fx_out *o)
{
    if (o->f) fclose(o->f);
    if (o->tmp) unlink(o->tmp);
    out_release(o);
}

int fx_write_file(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
    fx_out o;
    FILE *f = fx_out_open(&o, path, err, errlen);
    if (!f) return -1;
    if (len && fwrite(buf, 1, len, f) != len) {
        int e = errno ? errno : EIO;
        fx_out_abort(&o);
        return out_fail(err, errlen, path, e);
    }
    return fx_out_commit(&o, err, errlen);
}

int fx_out_probe(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (!path || !*path) return out_fail(err, errlen, "(empty path)", ENOENT);
    int special;
    char *real = resolve_links(path, &special);
    if (!real) return out_fail(err, errlen, path, errno);
    free(real);
    int exists = stat(path, &st) == 0;
    if (!exists && errno != ENOENT) return out_fail(err, errlen, path, errno);
    if (exists && S_ISDIR(st.st_mode)) return out_fail(err, errlen, path, EISDIR);
    /* written through: opening a FIFO here would wait for its reader */
    if (exists && (!S_ISREG(st.st_mode) || special)) return access(path, W_OK) ? out_fail(err, errlen, path, errno) : 0;
    fx_out o;
    if (!fx_out_open(&o, path, err, errlen)) return -1;
    fx_out_abort(&o);
    return 0;
}

FILE *fx_out_open_or_exit(fx_out *o, const char *prog, const char *dir, const char *name)
{
    char path[4096], err[4400];
    if (snprintf(path, sizeof path, "%s%s%s", dir ? dir : "", dir ? "/" : "", name) >= (int)sizeof path) {
        fprintf(stderr, "%s: %s/%s: path too long\n", prog, dir, name);
        exit(2);
    }
    FILE *f = fx_out_open(o, path, err, sizeof err);
    if (!f) { fprintf(stderr, "%s: %s\n", prog, err); exit(2); }
    return f;
}

void fx_out_commit_or_exit(fx_out *o, const char *prog)
{
    char err[4400];
    if (fx_out_commit(o, err, sizeof err)) { fprintf(stderr, "%s: %s\n", prog, err); exit(2); }
}

char *fx_read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0, k;
    char *s = malloc(cap);
    while (s && (k = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += k;
        if (max && n > max) { free(s); s = NULL; errno = EFBIG; break; }
        if (cap - n < 2) {
            char *t = realloc(s, cap *= 2);
            if (!t) { free(s); s = NULL; errno = ENOMEM; }
            s = t;
        }
    }
    int bad = s && ferror(f);
    fclose(f);
    if (bad) { free(s); errno = EIO; return NULL; }
    if (!s) return NULL;
    s[n] = 0;
    if (len) *len = n;
    return s;
}

int fx_fmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const int k = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return k < 0 || (size_t)k >= n ? -1 : 0;
}
