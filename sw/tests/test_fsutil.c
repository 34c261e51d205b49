/* SPDX-License-Identifier: Apache-2.0 */
/* fx_out: the one output-file writer. Regular files are replaced atomically; symlinks stay links;
 * devices and FIFOs are written through, never replaced; every error is reported and names the target;
 * no temp file is ever left behind. */
#define _XOPEN_SOURCE 700 /* mknod */
#include "test_util.h"
#include "flexor/fsutil.h"
#include "flexor/outfmt.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static char dir[256];

static char *in_dir(const char *name)
{
    static char p[4][512];
    static int k;
    char *b = p[k++ & 3];
    snprintf(b, 512, "%s/%s", dir, name);
    return b;
}

static int temps_left(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strstr(e->d_name, ".tmp.")) n++;
    if (d) closedir(d);
    return n;
}

/* File content into buf (through libflexor's reader); its length, or -1. */
static int read_all(const char *p, char *buf, size_t n)
{
    size_t k;
    char *t = fx_read_file(p, n - 1, &k);
    if (!t) return -1;
    memcpy(buf, t, k + 1);
    free(t);
    return (int)k;
}

static void regular(void)
{
    char err[512], b[64];
    const char *p = in_dir("a.txt");
    CHECK(fx_write_file(p, "one\n", 4, err, sizeof err) == 0, "new file: %s", err);
    CHECK(read_all(p, b, sizeof b) == 4 && !strcmp(b, "one\n"), "content '%s'", b);
    chmod(p, 0640);
    struct stat st0, st1;
    stat(p, &st0);
    CHECK(fx_write_file(p, "two\n", 4, err, sizeof err) == 0, "replace: %s", err);
    stat(p, &st1);
    CHECK(read_all(p, b, sizeof b) == 4 && !strcmp(b, "two\n"), "content '%s'", b);
    CHECK(st1.st_ino != st0.st_ino, "replaced by rename (new inode), not rewritten in place");
    CHECK((st1.st_mode & 0777) == 0640, "mode kept: %o", st1.st_mode & 0777);
    /* an aborted write leaves the old file whole */
    fx_out o;
    FILE *f = fx_out_open(&o, p, err, sizeof err);
    CHECK(f != NULL, "open: %s", err);
    if (f) { fputs("half", f); fx_out_abort(&o); }
    CHECK(read_all(p, b, sizeof b) == 4 && !strcmp(b, "two\n"), "abort kept the old content: '%s'", b);
    CHECK(temps_left() == 0, "temp files left: %d", temps_left());
}

static void symlink_kept(void)
{
    char err[512], b[64];
    const char *t = in_dir("target.txt"), *l = in_dir("link.txt");
    CHECK(fx_write_file(t, "old\n", 4, err, sizeof err) == 0, "%s", err);
    CHECK(symlink("target.txt", l) == 0, "symlink: %s", strerror(errno)); /* relative link */
    CHECK(fx_write_file(l, "new\n", 4, err, sizeof err) == 0, "through link: %s", err);
    struct stat st;
    CHECK(lstat(l, &st) == 0 && S_ISLNK(st.st_mode), "the link is still a symbolic link");
    CHECK(read_all(t, b, sizeof b) == 4 && !strcmp(b, "new\n"), "target written: '%s'", b);
    /* a dangling link creates its target */
    const char *dl = in_dir("dangling"), *dt = in_dir("created.txt");
    CHECK(symlink("created.txt", dl) == 0, "symlink");
    CHECK(fx_write_file(dl, "x", 1, err, sizeof err) == 0, "dangling: %s", err);
    CHECK(lstat(dl, &st) == 0 && S_ISLNK(st.st_mode) && read_all(dt, b, sizeof b) == 1, "dangling link followed");
    CHECK(temps_left() == 0, "temp files left");
}

/* The null and full devices. As root, copies made with mknod in the scratch folder: a regression that
 * replaces its target must not replace the machine's /dev/null (root may rename over it). */
static void device_paths(const char **null, const char **full)
{
    *null = "/dev/null";
    *full = "/dev/full";
    static char n[512], f[512];
    snprintf(n, sizeof n, "%s", in_dir("null"));
    snprintf(f, sizeof f, "%s", in_dir("full"));
    if (geteuid() != 0) return;
    if (mknod(n, S_IFCHR | 0666, makedev(1, 3)) == 0) *null = n;
    if (mknod(f, S_IFCHR | 0666, makedev(1, 7)) == 0) *full = f;
}

static void devices(void)
{
    char err[512];
    struct stat st;
    const char *null, *full;
    device_paths(&null, &full);
    CHECK(fx_write_file(null, "x\n", 2, err, sizeof err) == 0, "%s: %s", null, err);
    CHECK(stat(null, &st) == 0 && S_ISCHR(st.st_mode), "%s is still a character device", null);
    err[0] = 0;
    CHECK(fx_write_file(full, "x\n", 2, err, sizeof err) == -1, "%s must fail", full);
    CHECK(!strncmp(err, full, strlen(full)) && strstr(err, ": cannot write: No space left"), "message: '%s'", err);
    CHECK(stat(full, &st) == 0 && S_ISCHR(st.st_mode), "%s is still a character device", full);
    /* a big write whose error shows up at fwrite time, not only at the final flush */
    fx_out o;
    FILE *f = fx_out_open(&o, full, err, sizeof err);
    CHECK(f != NULL, "open %s: %s", full, err);
    if (f) {
        for (int i = 0; i < 100000; i++) fputs("0123456789", f);
        CHECK(fx_out_commit(&o, err, sizeof err) == -1 && strstr(err, full), "big write to %s: '%s'", full, err);
    }
}

static void fifo(void)
{
    char err[512];
    const char *p = in_dir("fifo");
    CHECK(mkfifo(p, 0600) == 0, "mkfifo: %s", strerror(errno));
    pid_t pid = fork();
    if (pid == 0) { /* the reader: exits 0 iff it read exactly "through\n" */
        char b[64];
        int fd = open(p, O_RDONLY), n = 0, k;
        while (fd >= 0 && (k = (int)read(fd, b + n, sizeof b - 1 - n)) > 0) n += k;
        b[n] = 0;
        _exit(strcmp(b, "through\n") != 0);
    }
    CHECK(fx_write_file(p, "through\n", 8, err, sizeof err) == 0, "fifo: %s", err);
    int st = -1;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the reader got the text");
    struct stat s;
    CHECK(lstat(p, &s) == 0 && S_ISFIFO(s.st_mode), "the FIFO is still a FIFO");
    CHECK(temps_left() == 0, "temp files left");
}

static void errors(void)
{
    char err[512];
    const char *p = in_dir("no/such/dir/out.csv");
    CHECK(fx_write_file(p, "x", 1, err, sizeof err) == -1, "missing directory must fail");
    CHECK(strncmp(err, p, strlen(p)) == 0 && strstr(err, ": cannot write: "), "names the target: '%s'", err);
    CHECK(fx_out_probe(p, err, sizeof err) == -1 && strncmp(err, p, strlen(p)) == 0, "probe: '%s'", err);
    CHECK(fx_out_probe(in_dir("fine.csv"), err, sizeof err) == 0, "probe of a writable dir: %s", err);
    CHECK(access(in_dir("fine.csv"), F_OK) != 0, "the probe creates nothing");
    CHECK(fx_write_file(dir, "x", 1, err, sizeof err) == -1 && strstr(err, "Is a directory"), "a directory: '%s'", err);
    const char *ro = in_dir("ro");
    mkdir(ro, 0555);
    if (geteuid() != 0) { /* root writes anyway */
        char q[600];
        snprintf(q, sizeof q, "%s/out", ro);
        CHECK(fx_write_file(q, "x", 1, err, sizeof err) == -1 && strstr(err, "Permission denied") && !strstr(err, ".tmp"),
              "read-only dir: '%s'", err);
    }
    /* a link loop */
    symlink("loop2", in_dir("loop1"));
    symlink("loop1", in_dir("loop2"));
    CHECK(fx_write_file(in_dir("loop1"), "x", 1, err, sizeof err) == -1, "symlink loop must fail");
    CHECK(temps_left() == 0, "temp files left: %d", temps_left());
}

/* outfmt.h: CSV fields per RFC 4180, JSON through cJSON written with fx_out. */
static void formats(void)
{
    char b[64], err[512];
    CHECK(!strcmp(fx_csv_text(b, sizeof b, "mlp"), "mlp"), "plain field: %s", b);
    CHECK(!strcmp(fx_csv_text(b, sizeof b, "a\"b,c"), "\"a\"\"b,c\""), "quoted field: %s", b);
    CHECK(!strcmp(fx_csv_text(b, sizeof b, "two\nlines"), "\"two\nlines\""), "line break: %s", b);
    CHECK(!strcmp(fx_csv_text(b, 6, "a,bcdefgh"), "\"a,b\""), "cut to fit: %s", b);
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "model", "x\"y\n\\z");
    cJSON_AddNumberToObject(j, "mismatches", 0);
    const char *p = in_dir("s.json");
    CHECK(fx_write_json(p, j, err, sizeof err) == 0, "json: %s", err);
    cJSON_Delete(j);
    char txt[256];
    CHECK(read_all(p, txt, sizeof txt) > 0 && txt[strlen(txt) - 1] == '\n', "newline-terminated");
    cJSON *back = cJSON_Parse(txt);
    const cJSON *m = cJSON_GetObjectItem(back, "model");
    CHECK(cJSON_IsString(m) && !strcmp(m->valuestring, "x\"y\n\\z"), "the string survives: %s", txt);
    cJSON_Delete(back);
    cJSON *null = cJSON_CreateNull();
    CHECK(fx_write_json(in_dir("no/dir/s.json"), null, err, sizeof err) == -1 && strstr(err, "no/dir/s.json"),
          "json error names the target: %s", err);
    cJSON_Delete(null);
}

/* Removes what the checks made (one level, plus the empty "ro" folder). */
static void cleanup(void)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && unlink(in_dir(e->d_name))) rmdir(in_dir(e->d_name));
    if (d) closedir(d);
    rmdir(dir);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/fx_fsutil_%ld", (long)getpid());
    CHECK(mkdir(dir, 0700) == 0, "mkdir %s", dir);
    regular();
    symlink_kept();
    devices();
    fifo();
    errors();
    formats();
    cleanup();
    return t_report("test_fsutil");
}
