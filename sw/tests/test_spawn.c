/* SPDX-License-Identifier: Apache-2.0 */
/* fx_spawn / fx_spawn_capture (sw/src/spawn.c): exit statuses, a program that cannot start, arguments
 * passed verbatim (no shell ever sees them), redirections, working directory, bounded capture. */
#include "test_util.h"
#include "flexor/spawn.h"
#include <errno.h>
#include <sys/stat.h>

static char *slurp(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = 0;
    if (f) fclose(f);
    return buf;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

int main(void)
{
    const char *dir = t_tmpdir();
    char msg[256], buf[256], path[1200], x[256];
    size_t total;

    /* exit statuses and signals */
    CHECK(fx_spawn((const char *[]){"true", NULL}, NULL, msg, sizeof msg) == 0 && !msg[0], "true: %s", msg);
    CHECK(fx_spawn((const char *[]){"false", NULL}, NULL, msg, sizeof msg) == 1, "false");
    CHECK(fx_spawn((const char *[]){"sh", "-c", "exit 7", NULL}, NULL, msg, sizeof msg) == 7 && !msg[0], "exit 7");
    CHECK(fx_spawn((const char *[]){"sh", "-c", "kill -TERM $$", NULL}, NULL, msg, sizeof msg) == 128 + 15, "killed");
    /* a program exiting 127 by itself is not "could not start": no message */
    CHECK(fx_spawn((const char *[]){"sh", "-c", "exit 127", NULL}, NULL, msg, sizeof msg) == 127 && !msg[0], "own 127: %s", msg);

    /* a missing program: 127, errno and a one-line message naming it */
    errno = 0;
    int rc = fx_spawn((const char *[]){"flexor-no-such-program", "x", NULL}, NULL, msg, sizeof msg);
    CHECK(rc == FX_SPAWN_NOT_STARTED && errno == ENOENT, "missing: rc %d errno %d", rc, errno);
    CHECK(strstr(msg, "flexor-no-such-program") && strstr(msg, "cannot run") && !strchr(msg, '\n'), "message: %s", msg);
    fx_spawn_opts ex = {.exe = "/nonexistent/bin/prog"};
    CHECK(fx_spawn((const char *[]){"prog", NULL}, &ex, msg, sizeof msg) == 127 && strstr(msg, "/nonexistent/bin/prog"), "exe: %s", msg);
    CHECK(fx_spawn((const char *[]){NULL}, NULL, msg, sizeof msg) == 127 && msg[0], "empty argv");

    /* arguments reach the program verbatim: quotes, semicolons, spaces, $, globs, newlines */
    snprintf(x, sizeof x, "%s/X", dir);
    char evil[600];
    snprintf(evil, sizeof evil, "';touch %s;'", x);
    const char *args[] = {"printf", "[%s]", evil, "a b", "\"dq\"", "$HOME", "*", "semi;colon", "", "l1\nl2", NULL};
    rc = fx_spawn_capture(args, NULL, 1, buf, sizeof buf, &total, msg, sizeof msg);
    char want[1200];
    snprintf(want, sizeof want, "[%s][a b][\"dq\"][$HOME][*][semi;colon][][l1\nl2]", evil);
    CHECK(rc == 0 && !strcmp(buf, want), "verbatim: rc %d got '%s'", rc, buf);
    CHECK(total == strlen(want), "total %zu", total);
    CHECK(!exists(x), "a shell ran the argument: %s exists", x);
    /* the same string as the program's working directory name and redirection path */
    snprintf(path, sizeof path, "%s/d ';touch X;'", dir);
    CHECK(mkdir(path, 0777) == 0, "mkdir %s", path);
    fx_spawn_opts in_dir = {.cwd = path};
    rc = fx_spawn_capture((const char *[]){"pwd", NULL}, &in_dir, 1, buf, sizeof buf, NULL, msg, sizeof msg);
    buf[strcspn(buf, "\n")] = 0;
    CHECK(rc == 0 && !strcmp(buf, path), "cwd: rc %d '%s' (%s)", rc, buf, msg);
    CHECK(!exists(x), "cwd went through a shell");
    in_dir.cwd = "/nonexistent-dir";
    CHECK(fx_spawn((const char *[]){"true", NULL}, &in_dir, msg, sizeof msg) == 127 && strstr(msg, "cannot enter /nonexistent-dir"),
          "bad cwd: %s", msg);

    /* redirections: truncate, append, stderr joined to stdout, /dev/null; a relative path is ours, not cwd's */
    char log[1400];
    snprintf(log, sizeof log, "%s/log ';x;'.txt", dir);
    fx_spawn_opts tr = {.out = FX_SPAWN_TRUNC, .out_path = log, .err = FX_SPAWN_TO_STDOUT, .cwd = path};
    CHECK(fx_spawn((const char *[]){"sh", "-c", "echo out; echo err >&2", NULL}, &tr, msg, sizeof msg) == 0, "trunc: %s", msg);
    CHECK(!strcmp(slurp(log), "out\nerr\n"), "trunc content '%s'", slurp(log));
    fx_spawn_opts ap = {.out = FX_SPAWN_APPEND, .out_path = log, .err = FX_SPAWN_NULL};
    CHECK(fx_spawn((const char *[]){"sh", "-c", "echo more; echo hidden >&2", NULL}, &ap, msg, sizeof msg) == 0, "append");
    CHECK(!strcmp(slurp(log), "out\nerr\nmore\n"), "append content '%s'", slurp(log));
    CHECK(fx_spawn((const char *[]){"sh", "-c", "echo again", NULL}, &tr, msg, sizeof msg) == 0 && !strcmp(slurp(log), "again\n"),
          "truncate again '%s'", slurp(log));
    fx_spawn_opts er = {.out = FX_SPAWN_NULL, .err = FX_SPAWN_TRUNC, .err_path = log};
    CHECK(fx_spawn((const char *[]){"sh", "-c", "echo o; echo e >&2", NULL}, &er, msg, sizeof msg) == 0 && !strcmp(slurp(log), "e\n"),
          "stderr to file '%s'", slurp(log));
    fx_spawn_opts bad = {.out = FX_SPAWN_TRUNC, .out_path = "/nonexistent-dir/log"};
    CHECK(fx_spawn((const char *[]){"true", NULL}, &bad, msg, sizeof msg) == 127 && strstr(msg, "/nonexistent-dir/log"), "bad out: %s", msg);

    /* capture: bounded, NUL-terminated, the child never blocks on a full pipe, total counts everything */
    char small[8];
    rc = fx_spawn_capture((const char *[]){"sh", "-c", "head -c 200000 /dev/zero | tr '\\0' a", NULL}, NULL, 1, small, sizeof small,
                          &total, msg, sizeof msg);
    CHECK(rc == 0 && !strcmp(small, "aaaaaaa") && total == 200000, "truncated capture: rc %d '%s' total %zu", rc, small, total);
    rc = fx_spawn_capture((const char *[]){"sh", "-c", "echo visible; echo captured >&2", NULL},
                          &(fx_spawn_opts){.out = FX_SPAWN_NULL}, 2, buf, sizeof buf, &total, msg, sizeof msg);
    CHECK(rc == 0 && !strcmp(buf, "captured\n"), "stderr capture '%s'", buf);
    rc = fx_spawn_capture((const char *[]){"flexor-no-such-program", NULL}, NULL, 1, buf, sizeof buf, &total, msg, sizeof msg);
    CHECK(rc == 127 && !buf[0] && total == 0 && strstr(msg, "cannot run"), "capture of a missing program: %s", msg);

    /* display form: one line a POSIX shell would read back as the same words */
    fx_spawn_cmdline((const char *[]){"yosys", "-s", "a b'c", "plain/x.ys", "", NULL}, buf, sizeof buf);
    CHECK(!strcmp(buf, "yosys -s 'a b'\\''c' plain/x.ys ''"), "cmdline '%s'", buf);
    fx_spawn_cmdline((const char *[]){"abcdef", NULL}, small, sizeof small);
    CHECK(!strcmp(small, "abcdef"), "cmdline truncation '%s'", small);

    t_rmtmp();
    return t_report("test_spawn");
}
