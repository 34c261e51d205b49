/* Minimal test harness for sw/ tests: CHECK counts failures and prints where; main returns fails != 0. */
#ifndef FX_TEST_UTIL_H
#define FX_TEST_UTIL_H
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static int t_fails, t_checks;

#define CHECK(cond, ...)                                                                                              \
    do {                                                                                                              \
        t_checks++;                                                                                                   \
        if (!(cond)) {                                                                                                \
            if (t_fails++ < 30) {                                                                                     \
                fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond);                                      \
                fprintf(stderr, __VA_ARGS__);                                                                         \
                fputc('\n', stderr);                                                                                  \
            }                                                                                                         \
        }                                                                                                             \
    } while (0)

static inline int t_report(const char *name)
{
    printf("%s: %d checks, %d failures\n", name, t_checks, t_fails);
    return t_fails ? 1 : 0;
}

/* Run argv (argv[0] a path), capturing stderr into err (NUL-terminated). Returns the exit status, -1 if
 * it did not exit normally (crash). */
static inline int t_run(char *const argv[], char *err, size_t errlen)
{
    int pfd[2];
    if (pipe(pfd)) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 2);
        close(pfd[0]);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < errlen && (r = read(pfd[0], err + n, errlen - 1 - n)) > 0) n += (size_t)r;
    err[n] = 0;
    char sink[256];
    while (read(pfd[0], sink, sizeof sink) > 0) {}
    close(pfd[0]);
    int st;
    if (waitpid(pid, &st, 0) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Run argv, capturing stdout into out; returns the exit status (-1: no normal exit). */
static inline int t_run_out(char *const argv[], char *out, size_t outlen)
{
    int pfd[2];
    if (pipe(pfd)) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < outlen && (r = read(pfd[0], out + n, outlen - 1 - n)) > 0) n += (size_t)r;
    out[n] = 0;
    char sink[256];
    while (read(pfd[0], sink, sizeof sink) > 0) {}
    close(pfd[0]);
    int st;
    if (waitpid(pid, &st, 0) < 0) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
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
#endif
