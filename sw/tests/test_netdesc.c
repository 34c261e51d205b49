/* SPDX-License-Identifier: Apache-2.0 */
/* Network descriptions (docs/net.md): good files and specs with their shapes, every error with the line it
 * names, the presets, canonical text round trips. */
#include "test_util.h"
#include "flexor/netdesc.h"

static fx_netdesc d;

static int parse(const char *text, int spec, char *err, size_t errlen)
{
    return fx_netdesc_parse(text, strlen(text), spec, spec ? "spec" : "t.net", &d, err, errlen);
}

/* text must fail with exactly the message want (a prefix: the whole "t.net:LINE: reason" start). */
static void bad(const char *text, int spec, const char *want)
{
    char err[512] = "";
    int rc = parse(text, spec, err, sizeof err);
    CHECK(rc == -1, "accepted: %s", text);
    CHECK(!strncmp(err, want, strlen(want)), "'%s': got '%s', want '%s...'", text, err, want);
    CHECK(!strchr(err, '\n'), "multi-line message: %s", err);
}

static void shape(uint32_t i, uint32_t c, uint32_t h, uint32_t w)
{
    CHECK(i < d.n && d.L[i].c == c && d.L[i].h == h && d.L[i].w == w, "layer %u: %ux%ux%u, want %ux%ux%u", i,
          i < d.n ? d.L[i].c : 0, i < d.n ? d.L[i].h : 0, i < d.n ? d.L[i].w : 0, c, h, w);
}

/* Parsing the canonical text gives the same canonical text. */
static void round_trip(void)
{
    static char a[1 << 16], b[1 << 16], err[512];
    static fx_netdesc e;
    int n = fx_netdesc_format(&d, a, sizeof a);
    CHECK(n > 0);
    CHECK(fx_netdesc_parse(a, (size_t)n, 0, "canon", &e, err, sizeof err) == 0, "%s\n%s", err, a);
    CHECK(fx_netdesc_format(&e, b, sizeof b) == n && !strcmp(a, b), "canonical text changed:\n%s---\n%s", a, b);
}

static void good(void)
{
    char err[512];
    const char *lenet = "# LeNet\ninput 1x28x28\nconv 32 k5   # 24x24\nrelu\nmaxpool 2\nconv 64 k5\nrelu\nmp 2\n"
                        "fc 512\nrelu\nfc 10\n";
    CHECK(parse(lenet, 0, err, sizeof err) == 0, "%s", err);
    CHECK(d.n == 10 && fx_netdesc_weight_layers(&d) == 4);
    shape(1, 32, 24, 24); shape(3, 32, 12, 12); shape(4, 64, 8, 8); shape(6, 64, 4, 4); shape(7, 512, 1, 1);
    shape(9, 10, 1, 1);
    CHECK(d.L[1].line == 3 && d.L[9].line == 11 && d.L[1].from == 0 && d.L[7].from == 6);
    round_trip();
    char dl[17], ds[17];
    fx_netdesc_digest(&d, dl);
    /* the same network as a spec: glued fields, no input line, the same digest */
    CHECK(parse("conv32k5,relu,mp2,conv64k5,relu,maxpool2,fc512,relu,fc10", 1, err, sizeof err) == 0, "%s", err);
    fx_netdesc_digest(&d, ds);
    CHECK(!strcmp(dl, ds), "file and spec digests differ");
    CHECK(d.L[0].line == 0 && d.L[1].line == 1 && d.L[9].line == 9);
    /* an option changes the digest */
    CHECK(parse("conv32k5,relu,mp2,conv64k5:bits=0.6,relu,maxpool2,fc512,relu,fc10", 1, err, sizeof err) == 0, "%s", err);
    fx_netdesc_digest(&d, ds);
    CHECK(strcmp(dl, ds), "bits= not in the digest");
    CHECK(!strcmp(d.L[4].bits, "0.6"));
    /* v2 kinds: stride, padding, rectangular kernels, shortcuts, avgpool, per-layer options */
    const char *v2 = "input 3x32x32\n"
                     "conv 16 k3 p1 bits=q4 layout=straddle\nbn\nrelu name=a\n"
                     "conv 32 k3 s2 p1 q=2 nin=16\nbn\nadd a pad\nrelu name=b\n"
                     "conv 32 k3 p1\nbn name=m\nconv 32 k1 from=b\nadd m\n"
                     "conv 32 k1x3\nconv 32 k3x1\navgpool\nfc 10 bits=fp\n";
    CHECK(parse(v2, 0, err, sizeof err) == 0, "%s", err);
    CHECK(d.n == 16);
    shape(1, 16, 32, 32); shape(4, 32, 16, 16); shape(6, 32, 16, 16); shape(10, 32, 16, 16); shape(11, 32, 16, 16);
    shape(12, 32, 16, 14); shape(13, 32, 14, 14); shape(14, 32, 1, 1); shape(15, 10, 1, 1);
    CHECK(d.L[4].stride == 2 && d.L[4].pad == 1 && d.L[4].q == 2 && d.L[4].n_in == 16);
    CHECK(d.L[1].layout == FX_NET_STRADDLE && d.L[4].layout == FX_NET_LAYOUT_UNSET && !strcmp(d.L[15].bits, "fp"));
    CHECK(d.L[6].kind == FX_NET_ADD && d.L[6].other == 3 && d.L[6].pad_shortcut && d.L[6].from == 5);
    CHECK(d.L[10].from == 7 && d.L[11].other == 9 && d.L[11].from == 10 && d.L[12].kh == 1 && d.L[12].kw == 3);
    round_trip();
    /* odd sizes round down under stride: (7 + 2 - 3) / 2 + 1 = 4 */
    CHECK(parse("input 1x7x7\nconv 4 k3 s2 p1\nfc 2\n", 0, err, sizeof err) == 0, "%s", err);
    shape(1, 4, 4, 4);
    /* CRLF line ends, tabs, a file without a final newline */
    CHECK(parse("fc\t10\r\n", 0, err, sizeof err) == 0, "%s", err);
    CHECK(parse("fc 10", 0, err, sizeof err) == 0, "%s", err);
    /* a UTF-8 byte order mark (some editors write one) starts a file, not line 1's first word; a spec keeps it */
    CHECK(parse("\xEF\xBB\xBF# my net\nconv 4 k3 p1\nrelu\nfc 10\n", 0, err, sizeof err) == 0, "%s", err);
    CHECK(d.n == 4 && d.L[1].line == 2);
    CHECK(parse("\xEF\xBB\xBF""fc 10\n", 0, err, sizeof err) == 0 && d.n == 2, "%s", err);
    CHECK(parse("\xEF\xBB\xBF""fc10", 1, err, sizeof err) == -1);
}

static void errors(void)
{
    bad("", 0, "t.net: no conv or fc layer");
    bad("# nothing\n\n", 0, "t.net: no conv or fc layer");
    bad("relu\n", 0, "t.net: no conv or fc layer");
    bad("fc 10\nfoo 3\n", 0, "t.net:2: unknown layer 'foo'");
    bad("\n\nconv 8\n", 0, "t.net:3: conv needs a kernel size");
    bad("conv 8 k0\n", 0, "t.net:1: kernel 'k0'");
    bad("conv 8 k65\n", 0, "t.net:1: kernel 'k65'");
    bad("conv 8 k3x\n", 0, "t.net:1: kernel 'k3x'");
    bad("conv 8 k3 k3\n", 0, "t.net:1: kernel given twice");
    bad("conv 8 k3 s0\n", 0, "t.net:1: 's0'");
    bad("conv 8 k3 s2 s2\n", 0, "t.net:1: stride given twice");
    bad("conv 8 k3 p3\n", 0, "t.net:1: padding 3 must be smaller");
    bad("conv 8 k29\n", 0, "t.net:1: 29x29 kernel larger than the 28x28 input");
    bad("conv 08 k3\n", 0, "t.net:1: conv: output channels 1..65536, not '08'");
    bad("conv 8.0 k3\n", 0, "t.net:1: conv: output channels");
    bad("conv 8 k3 z1\n", 0, "t.net:1: conv: unexpected 'z1'");
    bad("fc 0\n", 0, "t.net:1: fc: output channels 1..65536, not '0'");
    bad("fc 10 20\n", 0, "t.net:1: fc: unexpected '20'");
    bad("fc\n", 0, "t.net:1: fc needs its output size");
    bad("fc 10 bits=0.8x\n", 0, "t.net:1: bits=0.8x");
    bad("fc 10 bits=q9\n", 0, "t.net:1: bits=q9");
    bad("fc 10 q=0\n", 0, "t.net:1: q=0");
    bad("fc 10 nin=33\n", 0, "t.net:1: nin=33");
    bad("fc 10 nin=8 bits=0.5\n", 0, "t.net:1: give bits= or nin=, not both");
    bad("fc 10 layout=diag\n", 0, "t.net:1: layout=diag");
    bad("fc 10 q=2 q=2\n", 0, "t.net:1: q= given twice");
    bad("fc 10 bits=\n", 0, "t.net:1: bits= needs a value");
    bad("fc 10 color=red\n", 0, "t.net:1: unknown option 'color='");
    bad("fc 10\nrelu bits=0.8\n", 0, "t.net:2: bits= applies to conv and fc layers only");
    bad("fc 10\ninput 1x28x28\n", 0, "t.net:2: input must be the first layer");
    bad("input 1x28\nfc 10\n", 0, "t.net:1: input takes one shape CxHxW");
    bad("input 1x28x28x2\nfc 10\n", 0, "t.net:1: input takes one shape CxHxW");
    bad("input 0x28x28\nfc 10\n", 0, "t.net:1: input takes one shape CxHxW");
    bad("input 1x28x28 name=x\nfc 10\n", 0, "t.net:1: input takes no options");
    bad("input\nfc 10\n", 0, "t.net:1: input needs a shape CxHxW");
    bad("input 1x27x27\nconv 4 k1\nmaxpool 2\nfc 2\n", 0, "t.net:3: maxpool 2 of a 27x27 input: needs even");
    bad("fc 10\nmaxpool 3\n", 0, "t.net:2: maxpool: only 'maxpool 2'");
    bad("fc 10\nrelu 2\n", 0, "t.net:2: relu takes no arguments");
    bad("fc 10\nrelu\nbn\n", 0, "t.net:3: bn must read a conv or fc layer");
    bad("fc 10 name=a\nrelu\nadd b\n", 0, "t.net:3: add: no earlier layer named 'b'");
    bad("fc 10 name=a\nadd a\n", 0, "t.net:2: add: the shortcut 'a' is this layer's own input");
    bad("fc 10 name=a\nfc 5\nadd a\n", 0, "t.net:3: add a: shortcut 10x1x1 differs from the input 5x1x1");
    bad("conv 4 k3 p1 name=a\nconv 4 k3 s2 p1\nadd a\n", 0, "t.net:3: add a: shortcut 4x28x28 differs");
    bad("conv 8 k3 p1 name=a\nconv 4 k3 s2 p1\nadd a pad\n", 0, "t.net:3: add a pad: shortcut 8x28x28 does not subsample");
    bad("fc 10 name=a\nfc 10\nadd a zero\n", 0, "t.net:3: add: unexpected 'zero'");
    bad("fc 10\nadd\n", 0, "t.net:2: add needs the shortcut's name");
    bad("fc 10 name=a\nfc 10 name=a\n", 0, "t.net:2: name 'a' already used");
    bad("fc 10 name=9a\n", 0, "t.net:1: name '9a'");
    bad("fc 10 name=input\n", 0, "t.net:1: name 'input'");
    bad("fc 10 from=x\n", 0, "t.net:1: from=x: no earlier layer of that name");
    bad("fc 10 name=a\nfc 5\nfc 3 from=a\n", 0, "t.net:2: the output of this fc is never used");
    bad("input 8x4096x4096\nfc 10\n", 0, "t.net:1: input 8x4096x4096 too large");
    bad("fc 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n", 0, "t.net:1: more than 16 fields");
    char longline[1100];
    memset(longline, ' ', sizeof longline);
    memcpy(longline + 1090, "fc 10\n", 7);
    bad(longline, 0, "t.net:1: line longer than 1023 characters");
    char nul[] = "fc 10\nfc\0 2\n";
    char err[256];
    CHECK(fx_netdesc_parse(nul, sizeof nul - 1, 0, "t.net", &d, err, sizeof err) == -1 && !strcmp(err, "t.net:2: NUL byte"), "%s", err);
    /* specs: items are numbered */
    bad("fc10,,fc10", 1, "spec:2: empty item");
    bad("fc10,", 1, "spec:2: empty item");
    bad("fc10,relu,: :,fc10", 1, "spec:3: empty item");
    bad("fc10,relu,fc10x", 1, "spec:3: fc: output channels 1..65536, not '10x'");
    bad("conv8k3,relu,conv8k3s9", 1, "spec:3: 's9'");
    bad("fc10:bits=0.8:q=2:bits=1", 1, "spec:1: bits= given twice");
}

static void presets(void)
{
    char err[512], file[4200];
    const char *names[] = {"mlp", "lenet", "resnet20"};
    const uint32_t weights[] = {3, 4, 20};
    for (int i = 0; i < 3; i++) {
        CHECK(fx_netdesc_resolve(names[i], &d, file, sizeof file, err, sizeof err) == 0, "%s: %s", names[i], err);
        CHECK(!strcmp(d.name, names[i]) && strstr(file, "/nets/") && fx_netdesc_weight_layers(&d) == weights[i],
              "%s: name %s file %s", names[i], d.name, file);
        CHECK(d.L[d.n - 1].c == 10 && d.L[d.n - 1].h == 1 && d.L[d.n - 1].w == 1);
        round_trip();
    }
    /* ResNet-20's stages: 16x28x28, 32x14x14, 64x7x7 */
    CHECK(fx_netdesc_resolve("resnet20", &d, file, sizeof file, err, sizeof err) == 0);
    uint32_t adds = 0, pads = 0;
    for (uint32_t i = 0; i < d.n; i++) {
        adds += d.L[i].kind == FX_NET_ADD;
        pads += d.L[i].kind == FX_NET_ADD && d.L[i].pad_shortcut;
    }
    CHECK(adds == 9 && pads == 2 && d.L[d.n - 2].kind == FX_NET_AVGPOOL && d.L[d.n - 3].c == 64 && d.L[d.n - 3].h == 7);
    /* a spec, a word that is neither, a missing file */
    CHECK(fx_netdesc_resolve("fc10", &d, file, sizeof file, err, sizeof err) == 0 && !file[0] && !strcmp(d.name, "spec"));
    CHECK(fx_netdesc_resolve("resnet", &d, file, sizeof file, err, sizeof err) == -1 && strstr(err, "no such preset"), "%s", err);
    CHECK(fx_netdesc_resolve("/nonexistent/x.net", &d, file, sizeof file, err, sizeof err) == -1 &&
          strstr(err, "/nonexistent/x.net: cannot read"), "%s", err);
}

int main(void)
{
    good();
    errors();
    presets();
    return t_report("test_netdesc");
}
