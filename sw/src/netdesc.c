/* SPDX-License-Identifier: Apache-2.0 */
/* Network descriptions (docs/net.md): the parser with its shape checks, presets, canonical text. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/netdesc.h"
#include "flexor/digest.h"
#include "flexor/fsutil.h"
#include "flexor/opt.h"
#include "flexor/selfpath.h"
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 1024   /* characters of a line, as for .cfg files */
#define MAX_TOKENS 16
#define MAX_ELEMS (1u << 26) /* elements of any tensor: far beyond a 28x28 task, far below overflow */

static const char *const kind_names[] = {"input", "conv", "fc", "maxpool", "avgpool", "relu", "bn", "add"};

const char *fx_netdesc_kind_name(int kind)
{
    return kind >= 0 && kind <= FX_NET_ADD ? kind_names[kind] : "?";
}

static int fail(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *why, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, len, fmt, ap);
    va_end(ap);
    return -1;
}

static int kind_of(const char *w)
{
    static const struct { const char *w; int kind; } alias[] = {{"mp", FX_NET_MAXPOOL}, {"ap", FX_NET_AVGPOOL}};
    for (int k = 0; k <= FX_NET_ADD; k++)
        if (!strcmp(w, kind_names[k])) return k;
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (!strcmp(w, alias[i].w)) return alias[i].kind;
    return -1;
}

/* The glued first token of a compact item ("conv32k5s2p1", "fc10", "input1x28x28") as separate tokens:
 * the kind's letters, then a new token at every letter that follows a digit ('x' joins dimensions). */
static int unglue(const char *t, char *buf, size_t buflen, char **tok, int max)
{
    size_t n = strlen(t), at = 0;
    int k = 0;
    if (n * 2 + 2 > buflen) return -1;
    size_t i = 0;
    while (i < n && islower((unsigned char)t[i])) i++;
    if (i == n || !isdigit((unsigned char)t[i])) { /* not glued */
        tok[0] = buf;
        memcpy(buf, t, n + 1);
        return 1;
    }
    tok[k++] = buf;
    memcpy(buf, t, i);
    buf[i] = 0;
    at = i + 1;
    tok[k++] = buf + at;
    for (; i < n; i++) {
        if (isalpha((unsigned char)t[i]) && t[i] != 'x' && isdigit((unsigned char)t[i - 1])) {
            if (k == max) return -1;
            buf[at++] = 0;
            tok[k++] = buf + at;
        }
        buf[at++] = t[i];
    }
    buf[at] = 0;
    return k;
}

static int valid_label(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 31 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_') return 0;
    return 1;
}

static int find_label(const fx_netdesc *d, uint32_t upto, const char *s)
{
    for (uint32_t i = 0; i < upto; i++)
        if (d->L[i].label[0] && !strcmp(d->L[i].label, s)) return (int)i;
    return -1;
}

/* A weight setting's syntax (the configuration decides later whether its N_in exists). */
static int valid_bits(const char *s)
{
    double b;
    int q;
    if (!strcmp(s, "fp") || !strcmp(s, "float") || !strcmp(s, "binary") || !strcmp(s, "bin")) return 1;
    if (s[0] == 'q') return fx_parse_int(s + 1, 1, 8, &q) == 0;
    return fx_parse_double(s, 1e-3, 64, &b) == 0;
}

/* One key=value option into l; 0, or -1 with the reason. */
static int set_option(fx_netdesc *d, fx_net_layer *l, const char *key, const char *val, char *why, size_t wl)
{
    const int weights = l->kind == FX_NET_CONV || l->kind == FX_NET_FC;
    if (!*val) return fail(why, wl, "%s= needs a value", key);
    if (!strcmp(key, "name")) {
        if (l->label[0]) return fail(why, wl, "name= given twice");
        if (!valid_label(val) || !strcmp(val, "input"))
            return fail(why, wl, "name '%.40s': 1-31 of A-Z a-z 0-9 _, not starting with a digit, not 'input'", val);
        if (find_label(d, d->n, val) >= 0) return fail(why, wl, "name '%s' already used", val);
        snprintf(l->label, sizeof l->label, "%s", val);
        return 0;
    }
    if (!strcmp(key, "from")) {
        if (l->from != -2) return fail(why, wl, "from= given twice");
        int f = find_label(d, d->n, val);
        if (f < 0) return fail(why, wl, "from=%.40s: no earlier layer of that name", val);
        l->from = f;
        return 0;
    }
    if (!weights && (!strcmp(key, "bits") || !strcmp(key, "q") || !strcmp(key, "nin") || !strcmp(key, "layout")))
        return fail(why, wl, "%s= applies to conv and fc layers only", key);
    if (!strcmp(key, "bits")) {
        if (l->bits[0]) return fail(why, wl, "bits= given twice");
        if (strlen(val) >= sizeof l->bits || !valid_bits(val))
            return fail(why, wl, "bits=%.40s: fp, binary, qN (N 1..8) or bits per weight such as 0.8", val);
        snprintf(l->bits, sizeof l->bits, "%s", val);
        return 0;
    }
    if (!strcmp(key, "q")) {
        if (l->q) return fail(why, wl, "q= given twice");
        if (fx_parse_int(val, 1, 8, &l->q)) return fail(why, wl, "q=%.40s: planes 1..8", val);
        return 0;
    }
    if (!strcmp(key, "nin")) {
        if (l->n_in) return fail(why, wl, "nin= given twice");
        if (fx_parse_int(val, 1, 32, &l->n_in)) return fail(why, wl, "nin=%.40s: N_in 1..32", val);
        return 0;
    }
    if (!strcmp(key, "layout")) {
        if (l->layout != FX_NET_LAYOUT_UNSET) return fail(why, wl, "layout= given twice");
        if (!strcmp(val, "aligned")) l->layout = FX_NET_ALIGNED;
        else if (!strcmp(val, "straddle")) l->layout = FX_NET_STRADDLE;
        else return fail(why, wl, "layout=%.40s: aligned or straddle", val);
        return 0;
    }
    return fail(why, wl, "unknown option '%.40s=' (name, from, bits, q, nin, layout)", key);
}

/* conv's lettered fields: kK or kHxW, sS, pP. 1: t was one of them; 0: not; -1: bad (why set). */
static int conv_field(fx_net_layer *l, const char *t, char *why, size_t wl)
{
    uint32_t v;
    if (t[0] == 'k' && isdigit((unsigned char)t[1])) {
        if (l->kh) return fail(why, wl, "kernel given twice");
        char a[16];
        const char *x = strchr(t, 'x');
        size_t n = x ? (size_t)(x - t - 1) : strlen(t + 1);
        if (n >= sizeof a) return fail(why, wl, "kernel '%.40s': k1..k64 or kHxW", t);
        memcpy(a, t + 1, n);
        a[n] = 0;
        if (fx_parse_u32(a, 1, 64, &l->kh) || fx_parse_u32(x ? x + 1 : a, 1, 64, &l->kw))
            return fail(why, wl, "kernel '%.40s': k1..k64 or kHxW with H, W 1..64", t);
        return 1;
    }
    if ((t[0] == 's' || t[0] == 'p') && isdigit((unsigned char)t[1])) {
        uint32_t *dst = t[0] == 's' ? &l->stride : &l->pad;
        if (*dst != UINT32_MAX) return fail(why, wl, "%s given twice", t[0] == 's' ? "stride" : "padding");
        if (fx_parse_u32(t + 1, t[0] == 's' ? 1 : 0, t[0] == 's' ? 4 : 63, &v))
            return fail(why, wl, "'%.40s': stride s1..s4, padding p0..p63", t);
        *dst = v;
        return 1;
    }
    return 0;
}

/* The positional fields of a line (after the kind); options are handled by the caller. */
static int set_positional(fx_netdesc *d, fx_net_layer *l, int idx, const char *t, char *why, size_t wl)
{
    uint32_t v;
    switch (l->kind) {
    case FX_NET_INPUT: {
        char a[3][16];
        const char *x1 = strchr(t, 'x'), *x2 = x1 ? strchr(x1 + 1, 'x') : NULL;
        int ok = idx == 0 && x2 && !strchr(x2 + 1, 'x') && x1 - t < 16 && x2 - x1 - 1 < 16 && strlen(x2 + 1) < 16;
        if (ok) {
            snprintf(a[0], sizeof a[0], "%.*s", (int)(x1 - t), t);
            snprintf(a[1], sizeof a[1], "%.*s", (int)(x2 - x1 - 1), x1 + 1);
            snprintf(a[2], sizeof a[2], "%s", x2 + 1);
        }
        if (!ok || fx_parse_u32(a[0], 1, 4096, &l->c) || fx_parse_u32(a[1], 1, 4096, &l->h) || fx_parse_u32(a[2], 1, 4096, &l->w))
            return fail(why, wl, "input takes one shape CxHxW, each 1..4096 (e.g. 1x28x28), not '%.40s'", t);
        return 0;
    }
    case FX_NET_CONV:
    case FX_NET_FC:
        if (idx == 0) {
            if (fx_parse_u32(t, 1, 65536, &v)) return fail(why, wl, "%s: output channels 1..65536, not '%.40s'",
                                                          kind_names[l->kind], t);
            l->out_c = v;
            return 0;
        }
        if (l->kind == FX_NET_CONV) {
            int r = conv_field(l, t, why, wl);
            if (r) return r < 0 ? -1 : 0;
        }
        return fail(why, wl, "%s: unexpected '%.40s'%s", kind_names[l->kind], t,
                    l->kind == FX_NET_CONV ? " (conv C kK [sS] [pP] [options])" : " (fc N [options])");
    case FX_NET_MAXPOOL:
        if (idx || fx_parse_u32(t, 2, 2, &v)) return fail(why, wl, "maxpool: only 'maxpool 2' (2x2, stride 2), not '%.40s'", t);
        l->out_c = 2;
        return 0;
    case FX_NET_ADD:
        if (idx == 0) {
            int o = find_label(d, d->n, t);
            if (o < 0) return fail(why, wl, "add: no earlier layer named '%.40s'", t);
            l->other = o;
            return 0;
        }
        if (idx == 1 && !strcmp(t, "pad")) { l->pad_shortcut = 1; return 0; }
        return fail(why, wl, "add: unexpected '%.40s' (add LABEL [pad])", t);
    default:
        return fail(why, wl, "%s takes no arguments, not '%.40s'", kind_names[l->kind], t);
    }
}

static int shape_check(fx_netdesc *d, fx_net_layer *l, char *why, size_t wl)
{
    const fx_net_layer *in = &d->L[l->from];
    const int prev_line = in->line;
    l->c = in->c; l->h = in->h; l->w = in->w;
    switch (l->kind) {
    case FX_NET_CONV:
        if (!l->kh) return fail(why, wl, "conv needs a kernel size (e.g. conv %u k3)", l->out_c);
        if (l->stride == UINT32_MAX) l->stride = 1;
        if (l->pad == UINT32_MAX) l->pad = 0;
        if (l->pad >= l->kh || l->pad >= l->kw) return fail(why, wl, "padding %u must be smaller than the %ux%u kernel", l->pad, l->kh, l->kw);
        if (in->h + 2 * l->pad < l->kh || in->w + 2 * l->pad < l->kw)
            return fail(why, wl, "%ux%u kernel larger than the %ux%u input (padding %u)", l->kh, l->kw, in->h, in->w, l->pad);
        l->c = l->out_c;
        l->h = (in->h + 2 * l->pad - l->kh) / l->stride + 1;
        l->w = (in->w + 2 * l->pad - l->kw) / l->stride + 1;
        if ((uint64_t)in->c * l->kh * l->kw > MAX_ELEMS) return fail(why, wl, "fan-in %u*%u*%u too large", in->c, l->kh, l->kw);
        break;
    case FX_NET_FC:
        if ((uint64_t)in->c * in->h * in->w > MAX_ELEMS) return fail(why, wl, "fan-in too large");
        l->c = l->out_c; l->h = l->w = 1;
        break;
    case FX_NET_MAXPOOL:
        if (in->h < 2 || in->w < 2 || (in->h | in->w) & 1)
            return fail(why, wl, "maxpool 2 of a %ux%u input: needs even height and width", in->h, in->w);
        l->h /= 2; l->w /= 2;
        break;
    case FX_NET_AVGPOOL:
        l->h = l->w = 1;
        break;
    case FX_NET_BN:
        if (in->kind != FX_NET_CONV && in->kind != FX_NET_FC)
            return fail(why, wl, "bn must read a conv or fc layer (it is folded into it), not the %s of line %d",
                        kind_names[in->kind], prev_line);
        break;
    case FX_NET_ADD: {
        const fx_net_layer *o = &d->L[l->other];
        if (l->other == l->from) return fail(why, wl, "add: the shortcut '%s' is this layer's own input", o->label);
        if (l->pad_shortcut) {
            if (o->c > in->c || (o->h + 1) / 2 != in->h || (o->w + 1) / 2 != in->w)
                return fail(why, wl, "add %s pad: shortcut %ux%ux%u does not subsample to %ux%ux%u (stride 2, at most as many channels)",
                            o->label, o->c, o->h, o->w, in->c, in->h, in->w);
        } else if (o->c != in->c || o->h != in->h || o->w != in->w) {
            return fail(why, wl, "add %s: shortcut %ux%ux%u differs from the input %ux%ux%u (add %s pad: option A)", o->label,
                        o->c, o->h, o->w, in->c, in->h, in->w, o->label);
        }
        break;
    }
    default:
        break;
    }
    if ((uint64_t)l->c * l->h * l->w > MAX_ELEMS) return fail(why, wl, "output %ux%ux%u too large", l->c, l->h, l->w);
    if ((l->kind == FX_NET_CONV || l->kind == FX_NET_FC) && l->n_in && l->bits[0])
        return fail(why, wl, "give bits= or nin=, not both");
    return 0;
}

/* One layer line of tokens (kind first) appended to d. */
static int parse_tokens(fx_netdesc *d, char **tok, int nt, int line, char *why, size_t wl)
{
    int kind = kind_of(tok[0]);
    if (kind < 0)
        return fail(why, wl, "unknown layer '%.40s' (input, conv, fc, maxpool, avgpool, relu, bn, add)", tok[0]);
    if (kind == FX_NET_INPUT && (d->n > 0)) return fail(why, wl, "input must be the first layer");
    if (d->n == FX_NET_MAX_LAYERS) return fail(why, wl, "more than %d layers", FX_NET_MAX_LAYERS - 1);
    if (kind != FX_NET_INPUT && d->n == 0) { /* no input line: Fashion-MNIST's 1x28x28 */
        fx_net_layer *in = &d->L[d->n++];
        memset(in, 0, sizeof *in);
        in->kind = FX_NET_INPUT; in->from = -1; in->layout = FX_NET_LAYOUT_UNSET;
        in->c = 1; in->h = in->w = 28;
        snprintf(in->label, sizeof in->label, "input");
    }
    fx_net_layer *l = &d->L[d->n];
    memset(l, 0, sizeof *l);
    l->kind = kind; l->line = line; l->from = -2; l->other = -1; l->layout = FX_NET_LAYOUT_UNSET;
    l->stride = l->pad = UINT32_MAX;
    int npos = 0;
    for (int i = 1; i < nt; i++) {
        char *eq = strchr(tok[i], '=');
        if (eq) {
            *eq = 0;
            if (kind == FX_NET_INPUT) return fail(why, wl, "input takes no options");
            if (set_option(d, l, tok[i], eq + 1, why, wl)) return -1;
        } else if (set_positional(d, l, npos++, tok[i], why, wl)) {
            return -1;
        }
    }
    static const int needs[] = {[FX_NET_INPUT] = 1, [FX_NET_CONV] = 1, [FX_NET_FC] = 1, [FX_NET_MAXPOOL] = 1, [FX_NET_ADD] = 1};
    if (npos < needs[kind])
        return fail(why, wl, "%s needs %s", kind_names[kind],
                    kind == FX_NET_INPUT ? "a shape CxHxW" : kind == FX_NET_ADD ? "the shortcut's name (add LABEL [pad])"
                    : kind == FX_NET_MAXPOOL ? "its size (maxpool 2)" : "its output size");
    if (kind == FX_NET_INPUT) {
        if ((uint64_t)l->c * l->h * l->w > MAX_ELEMS) return fail(why, wl, "input %ux%ux%u too large", l->c, l->h, l->w);
        l->from = -1;
        snprintf(l->label, sizeof l->label, "input");
        d->n++;
        return 0;
    }
    if (l->from == -2) l->from = (int)d->n - 1;
    if (shape_check(d, l, why, wl)) return -1;
    d->n++;
    return 0;
}

/* Splits s at any of seps into tokens (in place); the count, or -1 for more than max. */
static int split_tokens(char *s, const char *seps, char **tok, int max)
{
    int n = 0;
    for (char *p = s; *p;) {
        p += strspn(p, seps);
        if (!*p) break;
        if (n == max) return -1;
        tok[n++] = p;
        p += strcspn(p, seps);
        if (*p) *p++ = 0;
    }
    return n;
}

static int parse_line(fx_netdesc *d, char *s, const char *seps, int line, char *why, size_t wl)
{
    char *raw[MAX_TOKENS], *tok[MAX_TOKENS + 8], glue[2 * MAX_LINE + 2];
    int n = split_tokens(s, seps, raw, MAX_TOKENS);
    if (n < 0) return fail(why, wl, "more than %d fields", MAX_TOKENS);
    if (n == 0) return 0;
    int g = unglue(raw[0], glue, sizeof glue, tok, 8);
    if (g < 0) return fail(why, wl, "'%.40s': too many glued fields", raw[0]);
    for (int i = 1; i < n; i++) tok[g + i - 1] = raw[i];
    return parse_tokens(d, tok, g + n - 1, line, why, wl);
}

/* After the last line: something to train, and every output used. */
static int finish(fx_netdesc *d, char *why, size_t wl, int *line)
{
    *line = 0;
    if (fx_netdesc_weight_layers(d) == 0) return fail(why, wl, "no conv or fc layer");
    for (uint32_t i = 0; i + 1 < d->n; i++) {
        int used = 0;
        for (uint32_t j = i + 1; j < d->n && !used; j++) used = d->L[j].from == (int)i || d->L[j].other == (int)i;
        if (!used) {
            *line = d->L[i].line;
            return fail(why, wl, "the output of this %s is never used (the network's output is its last layer)",
                        kind_names[d->L[i].kind]);
        }
    }
    return 0;
}

int fx_netdesc_parse(const char *text, size_t len, int spec, const char *source, fx_netdesc *d, char *err, size_t errlen)
{
    char why[256], line[MAX_LINE];
    memset(d, 0, offsetof(fx_netdesc, L));
    d->n = 0;
    snprintf(d->source, sizeof d->source, "%s", source);
    snprintf(d->name, sizeof d->name, "%s", spec ? "spec" : source);
    size_t at = 0;
    int lineno = 0;
    /* a UTF-8 byte order mark, which some editors put at the start of a text file, is not part of line 1 */
    if (!spec && len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) at = 3;
    while (at < len) {
        const char *end = memchr(text + at, spec ? ',' : '\n', len - at);
        size_t n = end ? (size_t)(end - (text + at)) : len - at;
        lineno++;
        if (n >= MAX_LINE) { snprintf(err, errlen, "%s:%d: %s longer than %d characters", source, lineno, spec ? "item" : "line", MAX_LINE - 1); return -1; }
        if (memchr(text + at, 0, n)) { snprintf(err, errlen, "%s:%d: NUL byte", source, lineno); return -1; }
        memcpy(line, text + at, n);
        line[n] = 0;
        at += n + (end != NULL);
        if (!spec) {
            char *hash = strchr(line, '#');
            if (hash) *hash = 0;
        } else if (strspn(line, ": \t") == n) { /* nothing but separators */
            snprintf(err, errlen, "%s:%d: empty item", source, lineno);
            return -1;
        }
        if (parse_line(d, line, spec ? ": \t" : " \t\r\v\f", lineno, why, sizeof why)) {
            snprintf(err, errlen, "%s:%d: %s", source, lineno, why);
            return -1;
        }
    }
    if (spec && len && text[len - 1] == ',') { snprintf(err, errlen, "%s:%d: empty item", source, lineno + 1); return -1; }
    int bad;
    if (finish(d, why, sizeof why, &bad)) {
        if (bad) snprintf(err, errlen, "%s:%d: %s", source, bad, why);
        else snprintf(err, errlen, "%s: %s", source, why);
        return -1;
    }
    return 0;
}

int fx_netdesc_load(const char *path, fx_netdesc *d, char *err, size_t errlen)
{
    size_t len;
    char *text = fx_read_file(path, FX_NET_MAX_TEXT, &len);
    if (!text) {
        snprintf(err, errlen, "%s: cannot read: %s", path, errno == EFBIG ? "larger than 1 MiB" : strerror(errno));
        return -1;
    }
    int rc = fx_netdesc_parse(text, len, 0, path, d, err, errlen);
    free(text);
    if (rc == 0) { /* the name: file name without directory and .net */
        const char *b = strrchr(path, '/');
        b = b ? b + 1 : path;
        size_t n = strlen(b);
        if (n > 4 && !strcmp(b + n - 4, ".net")) n -= 4;
        snprintf(d->name, sizeof d->name, "%.*s", (int)(n < sizeof d->name ? n : sizeof d->name - 1), b);
    }
    return rc;
}

const char *fx_netdesc_preset_dir(void)
{
    static char dir[4096];
    if (!dir[0] && fx_data_dir(FX_SW_SRC_DIR, "nets/mlp.net", dir, sizeof dir - 8) == 0) strcat(dir, "/nets");
    return dir[0] ? dir : FX_SW_SRC_DIR "/nets";
}

int fx_netdesc_resolve(const char *arg, fx_netdesc *d, char *file, size_t filelen, char *err, size_t errlen)
{
    size_t n = strlen(arg);
    int is_file = strchr(arg, '/') || (n > 4 && !strcmp(arg + n - 4, ".net"));
    if (file && filelen) file[0] = 0;
    if (is_file) {
        if (file && snprintf(file, filelen, "%s", arg) >= (int)filelen) { snprintf(err, errlen, "%s: path too long", arg); return -1; }
        return fx_netdesc_load(arg, d, err, errlen);
    }
    if (valid_label(arg) && !strchr(arg, ',')) { /* a bare word: a preset if there is one of that name */
        char path[4200];
        snprintf(path, sizeof path, "%s/%s.net", fx_netdesc_preset_dir(), arg);
        FILE *f = fopen(path, "r");
        if (f) {
            fclose(f);
            if (file && snprintf(file, filelen, "%s", path) >= (int)filelen) { snprintf(err, errlen, "%s: path too long", path); return -1; }
            if (fx_netdesc_load(path, d, err, errlen)) return -1;
            snprintf(d->name, sizeof d->name, "%s", arg);
            return 0;
        }
    }
    if (fx_netdesc_parse(arg, n, 1, "spec", d, err, errlen) == 0) return 0;
    if (valid_label(arg) && kind_of(arg) < 0) /* a word that is no layer: most likely a mistyped preset */
        snprintf(err, errlen, "'%.60s': no such preset (mlp, lenet, resnet20 in %s), description file or spec", arg,
                 fx_netdesc_preset_dir());
    return -1;
}

uint32_t fx_netdesc_weight_layers(const fx_netdesc *d)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < d->n; i++) k += d->L[i].kind == FX_NET_CONV || d->L[i].kind == FX_NET_FC;
    return k;
}

int fx_netdesc_has_conv(const fx_netdesc *d)
{
    for (uint32_t i = 0; i < d->n; i++)
        if (d->L[i].kind == FX_NET_CONV) return 1;
    return 0;
}

static size_t put(char *buf, size_t len, size_t at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static size_t put(char *buf, size_t len, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, fmt, ap);
    va_end(ap);
    return at + (size_t)(k > 0 ? k : 0);
}

int fx_netdesc_format(const fx_netdesc *d, char *buf, size_t len)
{
    size_t at = 0;
    for (uint32_t i = 0; i < d->n; i++) {
        const fx_net_layer *l = &d->L[i];
        at = put(buf, len, at, "%s", kind_names[l->kind]);
        switch (l->kind) {
        case FX_NET_INPUT: at = put(buf, len, at, " %ux%ux%u\n", l->c, l->h, l->w); continue;
        case FX_NET_CONV:
            at = put(buf, len, at, " %u k%u", l->out_c, l->kh);
            if (l->kw != l->kh) at = put(buf, len, at, "x%u", l->kw);
            if (l->stride != 1) at = put(buf, len, at, " s%u", l->stride);
            if (l->pad) at = put(buf, len, at, " p%u", l->pad);
            break;
        case FX_NET_FC: at = put(buf, len, at, " %u", l->out_c); break;
        case FX_NET_MAXPOOL: at = put(buf, len, at, " 2"); break;
        case FX_NET_ADD: at = put(buf, len, at, " %s%s", d->L[l->other].label, l->pad_shortcut ? " pad" : ""); break;
        default: break;
        }
        if (l->from != (int)i - 1) at = put(buf, len, at, " from=%s", d->L[l->from].label);
        if (l->bits[0]) at = put(buf, len, at, " bits=%s", l->bits);
        if (l->q) at = put(buf, len, at, " q=%d", l->q);
        if (l->n_in) at = put(buf, len, at, " nin=%d", l->n_in);
        if (l->layout != FX_NET_LAYOUT_UNSET) at = put(buf, len, at, " layout=%s", l->layout ? "straddle" : "aligned");
        if (l->label[0]) at = put(buf, len, at, " name=%s", l->label);
        at = put(buf, len, at, "\n");
    }
    return at < len ? (int)at : -1;
}

void fx_netdesc_digest(const fx_netdesc *d, char out[17])
{
    enum { CAP = FX_NET_MAX_LAYERS * 160 };
    char *buf = malloc(CAP);
    fx_digest g;
    fx_digest_init(&g);
    int n = buf ? fx_netdesc_format(d, buf, CAP) : -1;
    if (n >= 0) fx_digest_add(&g, buf, (size_t)n);
    else fx_digest_add_str(&g, "unformattable");
    free(buf);
    fx_digest_hex(&g, out);
}
