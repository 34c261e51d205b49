/* Small helpers for the synth driver: memory, files (atomic writes), a growable string, running tools. */
#ifndef SX_UTIL_H
#define SX_UTIL_H
#include <stdarg.h>
#include <stddef.h>

void *sx_xmalloc(size_t n);
void *sx_xcalloc(size_t n, size_t m);
void *sx_xrealloc(void *p, size_t n);
char *sx_xstrdup(const char *s);

/* Growable string. */
typedef struct {
    char *s;
    size_t n, cap;
} sxbuf;
void sxb_printf(sxbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sxb_free(sxbuf *b);

/* Whole file as a NUL-terminated string, or NULL. */
char *sx_read_file(const char *path, size_t *len);
/* Writes text to path via temp file + rename; returns 0 or -1 (message on stderr). */
int sx_write_file(const char *path, const char *text);
/* mkdir -p; returns 0 or -1 (message on stderr). */
int sx_mkdirs(const char *path);
int sx_file_exists(const char *path);

/* Runs `cmd` through /bin/sh with stdout+stderr appended to logpath; returns the exit status
 * (127 when it could not run, 128+sig when killed). */
int sx_run(const char *logpath, const char *cmd);
/* Progress line on stderr (long runs show what they are doing). */
void sx_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Elapsed wall seconds since the first call. */
double sx_elapsed(void);
#endif
