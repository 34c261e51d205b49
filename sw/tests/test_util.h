/* SPDX-License-Identifier: Apache-2.0 */
/* The one test harness of flexor's C tests (sw/, csim/, trainer/, synth/): CHECK counts failures and
 * prints where; main returns t_report(name). Also: running programs without a shell, a temp directory. */
#ifndef FX_TEST_UTIL_H
#define FX_TEST_UTIL_H
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "flexor/spawn.h"

static int t_fails, t_checks;

/* CHECK(cond) or CHECK(cond, fmt, args...): counts a failure and says where (the first 30 in full). */
#define CHECK(cond, ...)                                                                                              \
    do {                                                                                                              \
        t_checks++;                                                                                                   \
        if (!(cond) && t_fails++ < 30) {                                                                              \
            fprintf(stderr, "%s:%d: FAIL %s" __VA_OPT__(": "), __FILE__, __LINE__, #cond);                            \
            __VA_OPT__(fprintf(stderr, __VA_ARGS__);)                                                                 \
            fputc('\n', stderr);                                                                                      \
        }                                                                                                             \
    } while (0)

/* Prints the tally; the test's exit status (0: every check held). */
static inline int t_report(const char *name)
{
    printf("%s: %d checks, %d failures\n", name, t_checks, t_fails);
    return t_fails ? 1 : 0;
}

/* Run argv (argv[0] a path), capturing stderr into err (NUL-terminated), stdout discarded. Returns the
 * exit status (128 + signal when it crashed, 127 when it could not start). */
static inline int t_run(char *const argv[], char *err, size_t errlen)
{
    fx_spawn_opts o = {.exe = argv[0], .out = FX_SPAWN_NULL};
    return fx_spawn_capture((const char *const *)argv, &o, 2, err, errlen, NULL, NULL, 0);
}

/* Run argv, capturing stdout into out; returns the exit status as t_run. */
static inline int t_run_out(char *const argv[], char *out, size_t outlen)
{
    fx_spawn_opts o = {.exe = argv[0]};
    return fx_spawn_capture((const char *const *)argv, &o, 1, out, outlen, NULL, NULL, 0);
}

/* A fresh temporary directory for this test. */
static inline const char *t_tmpdir(void)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/fxtest.XXXXXX");
        if (!mkdtemp(dir)) { perror("mkdtemp"); exit(2); }
    }
    return dir;
}

/* Removes the test's temporary directory (rm -r with an argument vector: no shell). */
static inline void t_rmtmp(void)
{
    const char *argv[] = {"rm", "-rf", "--", t_tmpdir(), NULL};
    if (fx_spawn(argv, NULL, NULL, 0)) fprintf(stderr, "could not remove %s\n", t_tmpdir());
}
#endif
