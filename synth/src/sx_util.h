/* SPDX-License-Identifier: Apache-2.0 */
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
/* Writes text to path via temp file + rename; returns 0 or -1 (message on stderr). */
int sx_write_file(const char *path, const char *text);
/* mkdir -p; returns 0 or -1 (message on stderr). */
int sx_mkdirs(const char *path);
int sx_file_exists(const char *path);

/* The tree synth reads RTL, configurations, Yosys scripts and wrappers from: <prefix>/share/flexor of
 * an installed flexor (the source tree's layout), else the source tree baked in at build time
 * (SX_SRC_DIR). Exits with status 2 and a one-line message when neither exists. */
const char *sx_src_dir(void);
/* flexor-gencfg: the one beside the running executable when there is one (installed), else the build's. */
const char *sx_gencfg(void);

/* Runs argv (no shell: fx_spawn) in directory cwd (NULL: ours) with stdout and stderr appended to
 * logpath (NULL: discarded), after a "### command" line there; returns the exit status (127 when it
 * could not start, with the reason on stderr; 128+sig when killed). */
int sx_run(const char *logpath, const char *cwd, const char *const argv[]);
/* Yosys scripts name files in double quotes (read_verilog "..."), which keeps spaces, apostrophes and
 * semicolons; Yosys has no escape for '"' or a line break, so a path holding one is refused here:
 * 0, or -1 with a message on stderr. */
int sx_ys_path_ok(const char *path);
/* Appends the path of `to` relative to the directory `from` (both absolute, as realpath gives them):
 * for options such as read_verilog -I, whose argument Yosys cannot quote. */
void sx_relpath(sxbuf *b, const char *from, const char *to);
/* Appends the commands of synth/scripts/NAME.ys to a Yosys script: copied in rather than run with
 * `script PATH`, whose argument Yosys cannot quote (the source tree may sit in a path with spaces). */
int sx_ys_flow(sxbuf *p, const char *name);
/* `nice yosys -q -l LOG -s SCRIPT` in dir (its working directory: outputs land there; LOG and SCRIPT
 * relative to it); output discarded (the log has it). Returns the exit status as sx_run. */
int sx_yosys(const char *dir, const char *script, const char *log);
/* Progress line on stderr (long runs show what they are doing). */
void sx_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Elapsed wall seconds since the first call. */
double sx_elapsed(void);
#endif
