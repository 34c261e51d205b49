/* SPDX-License-Identifier: Apache-2.0 */
/* libflexor's utility layer: the random streams are pinned (M⊕, random models, regress seeds and test
 * vectors are replayed from them, so a changed constant must fail here), the clocks run forward, and the
 * progress bar prints what its mode says when stderr is not a terminal. */
#include "test_util.h"
#include "flexor/clock.h"
#include "flexor/progress.h"
#include "flexor/rng.h"

static void test_rng(void)
{
    /* splitmix64 from state 0: the reference values of Vigna's splitmix64.c */
    static const uint64_t sm[3] = {0xE220A8397B1DCDAFull, 0x6E789E6AA1B965F4ull, 0x06C45D188009454Full};
    uint64_t s = 0;
    for (int i = 0; i < 3; i++) CHECK(fx_splitmix64(&s) == sm[i], "splitmix64 value %d", i);
    CHECK(s == 3 * 0x9E3779B97F4A7C15ull, "splitmix64 state advances by the golden gamma");
    /* xorshift64 (13,7,17) >> 16 from tb-corner-vectors' seed; xorshift64* >> 32 from 1 */
    static const uint32_t xs[3] = {0x9C28A974u, 0x14D4430Cu, 0xAE2C2076u};
    static const uint32_t xss[3] = {0x47E4CE4Bu, 0xABCFA6A8u, 0xB9D10D8Fu};
    uint64_t a = 0x243F6A8885A308D3ull, b = 1;
    for (int i = 0; i < 3; i++) {
        CHECK(fx_xorshift64_u32(&a) == xs[i], "xorshift64 value %d", i);
        CHECK(fx_xorshift64star_u32(&b) == xss[i], "xorshift64* value %d", i);
    }
}

static void test_clock(void)
{
    double w0 = fx_wall_s(), c0 = fx_cpu_s(), t0 = fx_thread_cpu_s();
    volatile uint64_t x = 0;
    while (fx_cpu_s() - c0 < 0.02) x++;
    CHECK(fx_wall_s() >= w0 && fx_cpu_s() - c0 >= 0.02 && fx_thread_cpu_s() > t0, "clocks run forward");
}

/* What a bar of 20 steps prints to a non-terminal stderr in the given mode. */
static size_t bar_output(int mode, char *buf, size_t len)
{
    char path[] = "/tmp/fx_progress_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    fx_progress p;
    fx_progress_start(&p, "steps", 20, mode);
    for (uint64_t i = 1; i <= 20; i++) fx_progress_update(&p, i, i == 20 ? "done" : NULL);
    fx_progress_end(&p);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ssize_t n = pread(fd, buf, len - 1, 0);
    close(fd);
    unlink(path);
    buf[n > 0 ? n : 0] = 0;
    return n > 0 ? (size_t)n : 0;
}

static void test_progress(void)
{
    char out[2048];
    bar_output(FX_PROGRESS_ON, out, sizeof out);
    size_t lines = 0;
    for (const char *c = out; *c; c++) lines += *c == '\n';
    CHECK(lines == 10 && strstr(out, " 10% 2/20 steps \n") && strstr(out, "100% 20/20 steps done\n"),
          "a line every 10 %%, got:\n%s", out);
    CHECK(bar_output(FX_PROGRESS_OFF, out, sizeof out) == 0, "--quiet prints nothing, got: %s", out);
    CHECK(bar_output(FX_PROGRESS_TTY_ONLY, out, sizeof out) == 0, "no terminal, no bar, got: %s", out);
}

int main(void)
{
    test_rng();
    test_clock();
    test_progress();
    return t_report("test_utility");
}
