/* Stage runner for `flexor run` (see stage.h). */
#define _POSIX_C_SOURCE 200809L
#include "stage.h"
#include "flexor/fsutil.h"
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int file_crc(const char *path, uint32_t *crc)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    unsigned char buf[1 << 16];
    size_t n;
    uLong c = crc32(0L, Z_NULL, 0);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) c = crc32(c, buf, (uInt)n);
    fclose(f);
    *crc = (uint32_t)c;
    return 0;
}

void stage_cmdline(const stage *s, char *buf, size_t len)
{
    /* argv[0] shown as the binary actually run, so the printed command reproduces the stage */
    static char exe[1024];
    if (!exe[0]) {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        snprintf(exe + (n > 0 ? n : 0), sizeof exe - (size_t)(n > 0 ? n : 0), "%s", n > 0 ? "" : "flexor");
    }
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; s->argv[i] && o < len; i++) {
        const char *a = i ? s->argv[i] : exe;
        int plain = *a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+") == strlen(a);
        o += (size_t)snprintf(buf + o, len - o, plain ? "%s%s" : "%s'%s'", i ? " " : "", a);
    }
}

/* Fingerprint = the command line plus "path:crc" of every input. */
static void fingerprint(const stage *s, char *buf, size_t len)
{
    stage_cmdline(s, buf, len);
    size_t o = strlen(buf);
    for (int i = 0; i < STAGE_MAX_FILES && s->inputs[i] && o < len; i++) {
        uint32_t c = 0;
        if (file_crc(s->inputs[i], &c)) c = 0xFFFFFFFFu;
        o += (size_t)snprintf(buf + o, len - o, "\n%s:%08x", s->inputs[i], c);
    }
}

static int outputs_exist(const stage *s)
{
    struct stat st;
    for (int i = 0; i < STAGE_MAX_FILES && s->outputs[i]; i++)
        if (stat(s->outputs[i], &st)) return 0;
    return 1;
}

static int read_stamp(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = 0;
    fclose(f);
    return 0;
}

static int write_stamp(const char *path, const char *fp)
{
    char err[4400];
    if (fx_write_file(path, fp, strlen(fp), err, sizeof err) == 0) return 0;
    fprintf(stderr, "flexor run: %s\n", err);
    return -1;
}

int stage_run(stage *s, const char *stamp_dir, int force, int index, int total)
{
    char fp[8192], old[8192], stamp[4096], cmd[4096];
    fingerprint(s, fp, sizeof fp);
    snprintf(stamp, sizeof stamp, "%s/%s.stamp", stamp_dir, s->name);
    stage_cmdline(s, cmd, sizeof cmd);
    s->reused = 0;
    s->seconds = 0;
    if (!force && outputs_exist(s) && read_stamp(stamp, old, sizeof old) == 0 && !strcmp(old, fp)) {
        fprintf(stderr, "[%d/%d] %-8s reused (inputs unchanged)\n", index, total, s->name);
        s->reused = 1;
        return 0;
    }
    fprintf(stderr, "[%d/%d] %-8s %s\n", index, total, s->name, cmd);
    remove(stamp);
    double t0 = now();
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) { fprintf(stderr, "flexor run: cannot fork: %s\n", strerror(errno)); return 2; }
    if (pid == 0) {
        if (s->log) {
            int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) { dup2(fd, 1); close(fd); }
        }
        execv("/proc/self/exe", (char *const *)s->argv);
        fprintf(stderr, "flexor run: cannot execute flexor: %s\n", strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    s->seconds = now() - t0;
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (rc == 0 && !outputs_exist(s)) rc = 1;
    if (rc) {
        fprintf(stderr, "flexor run: stage '%s' failed (%s %d); reproduce with: %s\n", s->name,
                outputs_exist(s) ? "exit status" : "no outputs, exit status", rc, cmd);
        return rc;
    }
    if (write_stamp(stamp, fp)) return 2;
    fprintf(stderr, "[%d/%d] %-8s done in %.1f s\n", index, total, s->name, s->seconds);
    return 0;
}
