/* SPDX-License-Identifier: Apache-2.0 */
/* IDX reading: plain and gzip files, limits, and each malformed input rejected with a one-line message;
 * `flexor infer` (argv[1]) on good and bad datasets; the installed Fashion-MNIST when present. */
#include "test_util.h"
#include "flexor/idx.h"
#include "flexor/model_random.h"
#include <zlib.h>

static void be32(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v; }

/* Write an IDX file (gzip when gz); header fields given explicitly so that they can lie. */
static void write_idx(const char *path, int gz, uint32_t magic, uint32_t n, uint32_t rows, uint32_t cols, const uint8_t *data,
                      size_t len, int dims)
{
    uint8_t h[16];
    be32(h, magic); be32(h + 4, n); be32(h + 8, rows); be32(h + 12, cols);
    size_t hl = dims == 3 ? 16 : 8;
    if (gz) {
        gzFile f = gzopen(path, "wb");
        gzwrite(f, h, (unsigned)hl);
        if (len) gzwrite(f, data, (unsigned)len);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        fwrite(h, 1, hl, f);
        if (len) fwrite(data, 1, len, f);
        fclose(f);
    }
}

static void expect_fail(const char *img, const char *lab, const char *want, const char *what)
{
    fx_dataset d;
    char err[512];
    int r = fx_dataset_load_files(img, lab, 0, &d, err, sizeof err);
    CHECK(r == -1, "%s: accepted", what);
    if (r == 0) { fx_dataset_free(&d); return; }
    CHECK(strstr(err, want) && !strchr(err, '\n'), "%s: message '%s' lacks '%s'", what, err, want);
    CHECK(d.images == NULL && d.labels == NULL, "%s: left allocations", what);
}

int main(int argc, char **argv)
{
    const char *flexor_bin = argc > 1 ? argv[1] : NULL;
    const char *dir = t_tmpdir();
    char img[300], lab[300], p[300];
    uint8_t px[5 * 28 * 28], lb[5] = {3, 1, 4, 1, 5};
    for (size_t i = 0; i < sizeof px; i++) px[i] = (uint8_t)(i * 31 + 7);

    for (int gz = 0; gz < 2; gz++) {
        snprintf(img, sizeof img, "%s/t10k-images-idx3-ubyte%s", dir, gz ? ".gz" : "");
        snprintf(lab, sizeof lab, "%s/t10k-labels-idx1-ubyte%s", dir, gz ? ".gz" : "");
        write_idx(img, gz, 0x803, 5, 28, 28, px, sizeof px, 3);
        write_idx(lab, gz, 0x801, 5, 0, 0, lb, 5, 1);
        fx_dataset d;
        char err[512];
        int r = fx_dataset_load(dir, "t10k", 0, &d, err, sizeof err);
        CHECK(r == 0, "%s load: %s", gz ? "gz" : "plain", err);
        if (!r) {
            CHECK(d.n == 5 && d.rows == 28 && d.cols == 28 && !memcmp(d.images, px, sizeof px) && !memcmp(d.labels, lb, 5),
                  "%s: contents differ", gz ? "gz" : "plain");
            CHECK(d.n_classes == 6, "%s: n_classes %u, expected 6 (largest label 5)", gz ? "gz" : "plain", d.n_classes);
            fx_dataset_free(&d);
        }
        r = fx_dataset_load(dir, "t10k", 2, &d, err, sizeof err);
        CHECK(r == 0 && d.n == 2 && !memcmp(d.images, px, 2 * 784) && d.labels[1] == 1, "limit 2");
        if (!r) fx_dataset_free(&d);
        r = fx_dataset_load(dir, "t10k", 99, &d, err, sizeof err);
        CHECK(r == 0 && d.n == 5, "limit above the count");
        if (!r) fx_dataset_free(&d);
        if (!gz) { /* keep the plain files under other names for the failure cases */
            remove(img); remove(lab);
        }
    }
    /* the failure table (plain and gz files) */
    for (int gz = 0; gz < 2; gz++) {
        const char *ext = gz ? ".gz" : "";
        snprintf(img, sizeof img, "%s/img%s", dir, ext);
        snprintf(lab, sizeof lab, "%s/lab%s", dir, ext);
        write_idx(lab, gz, 0x801, 5, 0, 0, lb, 5, 1);
        write_idx(img, gz, 0x802, 5, 28, 28, px, sizeof px, 3);
        expect_fail(img, lab, "bad magic", "image magic");
        write_idx(img, gz, 0x803, 5, 28, 28, px, 3 * 784 + 100, 3);
        expect_fail(img, lab, "truncated", "truncated images");
        write_idx(img, gz, 0x803, 5, 28, 28, NULL, 0, 3);
        expect_fail(img, lab, "truncated", "no pixel data");
        write_idx(img, gz, 0x803, 5, 0, 28, px, sizeof px, 3);
        expect_fail(img, lab, "absurd image size", "zero rows");
        write_idx(img, gz, 0x803, 5, 100000, 28, px, sizeof px, 3);
        expect_fail(img, lab, "absurd image size", "huge rows");
        /* a header that lies about the count: refused as truncated, without allocating 16 TB first */
        write_idx(img, gz, 0x803, 1000000, 4096, 4096, px, sizeof px, 3);
        expect_fail(img, lab, "truncated: header says 1000000 images of 4096x4096", "huge count in a small file");
        write_idx(img, gz, 0x803, 0, 28, 28, NULL, 0, 3);
        expect_fail(img, lab, "no images", "0 images");
        write_idx(img, gz, 0x803, 5, 28, 28, NULL, 0, 1); /* the file ends after 8 header bytes */
        expect_fail(img, lab, "truncated IDX3 header", "short header");
        write_idx(img, gz, 0x803, 5, 28, 28, px, sizeof px, 3);
        write_idx(lab, gz, 0x803, 5, 0, 0, lb, 5, 1);
        expect_fail(img, lab, "bad magic", "label magic");
        write_idx(lab, gz, 0x801, 4, 0, 0, lb, 4, 1);
        expect_fail(img, lab, "label count 4 does not match the image count 5", "label count");
        write_idx(lab, gz, 0x801, 5, 0, 0, lb, 3, 1);
        expect_fail(img, lab, "truncated", "truncated labels");
        snprintf(p, sizeof p, "%s/missing%s", dir, ext);
        expect_fail(p, lab, "cannot open", "missing images");
        expect_fail(img, p, "cannot open", "missing labels");
    }
    fx_dataset d;
    char err[512];
    CHECK(fx_dataset_load(dir, "valid", 0, &d, err, sizeof err) == -1 && strstr(err, "unknown split"), "split name");
    snprintf(p, sizeof p, "%s/not-gzip.gz", dir); /* a corrupt gzip stream */
    FILE *f = fopen(p, "wb");
    const uint8_t junk[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    fwrite(junk, 1, sizeof junk, f);
    fclose(f);
    expect_fail(p, lab, "", "corrupt gzip");

    /* flexor infer: a random model over the 5 good images; a dataset whose shape does not fit */
    if (flexor_bin) {
        fx_model m;
        char model[300], cli_err[2048];
        snprintf(model, sizeof model, "%s/mlp.fxm", dir);
        CHECK(!fx_model_random(&m, fx_hwcfg_builtin(), "mlp", 0, 3) && !fx_model_write(model, &m, err, sizeof err), "model");
        fx_model_free(&m);
        char csv[300];
        snprintf(csv, sizeof csv, "%s/out.csv", dir);
        char *a1[] = {(char *)flexor_bin, "infer", model, "--data", (char *)dir, "--threads", "2", "--csv", csv, NULL};
        CHECK(t_run(a1, cli_err, sizeof cli_err) == 0, "flexor infer on a good dataset: %s", cli_err);
        FILE *c = fopen(csv, "r");
        char line[512] = "";
        CHECK(c && fgets(line, sizeof line, c) && strstr(line, "images_per_s") && fgets(line, sizeof line, c) &&
                  strstr(line, ",t10k,5,"),
              "CSV row '%s'", line);
        if (c) fclose(c);
        write_idx(img, 0, 0x803, 5, 28, 27, px, 5 * 28 * 27, 3);
        write_idx(lab, 0, 0x801, 5, 0, 0, lb, 5, 1);
        snprintf(p, sizeof p, "%s/t10k-images-idx3-ubyte", dir);
        rename(img, p);
        snprintf(p, sizeof p, "%s/t10k-labels-idx1-ubyte", dir);
        rename(lab, p);
        snprintf(p, sizeof p, "%s/t10k-images-idx3-ubyte.gz", dir);
        remove(p); /* the plain 28x27 files are now the t10k split */
        snprintf(p, sizeof p, "%s/t10k-labels-idx1-ubyte.gz", dir);
        remove(p);
        char *a2[] = {(char *)flexor_bin, "infer", model, "--data", (char *)dir, NULL};
        int st = t_run(a2, cli_err, sizeof cli_err);
        CHECK(st == 2 && strstr(cli_err, "does not fit"), "shape mismatch: exit %d '%s'", st, cli_err);
        char *a3[] = {(char *)flexor_bin, "infer", model, "--data", "/nonexistent", NULL};
        st = t_run(a3, cli_err, sizeof cli_err);
        CHECK(st == 2 && strstr(cli_err, "/nonexistent/t10k-images-idx3-ubyte: cannot open") && strchr(cli_err, '\n') == cli_err + strlen(cli_err) - 1,
              "missing data dir: exit %d '%s'", st, cli_err);
        char *a4[] = {(char *)flexor_bin, "infer", model, "--limit", "x", NULL};
        CHECK(t_run(a4, cli_err, sizeof cli_err) == 2, "bad --limit");
    }
    /* the installed dataset */
    if (access(FX_DEFAULT_DATA_DIR "/t10k-images-idx3-ubyte.gz", R_OK) == 0) {
        int r = fx_dataset_load(NULL, "t10k", 0, &d, err, sizeof err);
        CHECK(r == 0, "Fashion-MNIST: %s", err);
        if (!r) {
            int bad = 0, hist[10] = {0};
            for (uint32_t i = 0; i < d.n; i++) d.labels[i] < 10 ? hist[d.labels[i]]++ : bad++;
            CHECK(d.n == 10000 && d.rows == 28 && d.cols == 28 && !bad && hist[0] == 1000 && hist[9] == 1000,
                  "Fashion-MNIST t10k: %u images %ux%u", d.n, d.rows, d.cols);
            fx_dataset_free(&d);
        }
    } else {
        printf("Fashion-MNIST not installed: skipped\n");
    }
    t_rmtmp();
    return t_report("test_idx");
}
