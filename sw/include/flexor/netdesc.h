/* SPDX-License-Identifier: Apache-2.0 */
/* Network descriptions (docs/net.md): a text file with one layer per line, or the same layers as a
 * compact comma-separated spec string; parsed with every shape checked, errors "SOURCE:LINE: ...". */
#ifndef FLEXOR_NETDESC_H
#define FLEXOR_NETDESC_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define FX_NET_MAX_LAYERS 256 /* lines of layers, the input included */
#define FX_NET_MAX_TEXT (1u << 20) /* bytes of a description file */

enum { FX_NET_INPUT, FX_NET_CONV, FX_NET_FC, FX_NET_MAXPOOL, FX_NET_AVGPOOL, FX_NET_RELU, FX_NET_BN, FX_NET_ADD };
enum { FX_NET_LAYOUT_UNSET = -1, FX_NET_ALIGNED = 0, FX_NET_STRADDLE = 1 };

typedef struct {
    int kind;
    int line;             /* line of the file (item of a spec), 1-based; 0: the implicit input */
    char label[32];       /* name=LABEL, "" when none ("input" for the input) */
    int from;             /* index of the layer whose output this one reads (-1 for the input) */
    int other;            /* add: index of the shortcut layer */
    int pad_shortcut;     /* add: option A (stride-2 subsampling, extra channels zero) */
    uint32_t out_c, kh, kw, stride, pad; /* conv, fc (fc: out_c only) */
    char bits[16];        /* conv, fc: weight setting ("0.8", "binary", "q4", "fp"), "" = the command line's */
    int q, n_in, layout;  /* conv, fc: 0 / 0 / FX_NET_LAYOUT_UNSET = the command line's */
    uint32_t c, h, w;     /* output shape */
} fx_net_layer;

typedef struct {
    char name[64];        /* preset name, file name without directory and .net, or "spec" */
    char source[512];     /* what errors name: the file path, or "spec" */
    uint32_t n;           /* layers, L[0] the input */
    fx_net_layer L[FX_NET_MAX_LAYERS];
} fx_netdesc;

/* Parse a description: text is the whole file (spec = 0) or a spec string (spec = 1); source names it
 * in messages. 0, or -1 with "SOURCE:LINE: problem" (one line) in err. */
int fx_netdesc_parse(const char *text, size_t len, int spec, const char *source, fx_netdesc *d, char *err,
                     size_t errlen);
/* Read and parse a description file. */
int fx_netdesc_load(const char *path, fx_netdesc *d, char *err, size_t errlen);
/* What --net takes: a preset name (mlp, lenet, resnet20: NAME.net in fx_netdesc_preset_dir()), a file
 * (the argument contains '/' or ends in .net), or else a spec string. file gets the description file
 * read ("" for a spec). 0, or -1 with a one-line message. */
int fx_netdesc_resolve(const char *arg, fx_netdesc *d, char *file, size_t filelen, char *err, size_t errlen);
/* The preset directory: <prefix>/share/flexor/nets of an installed flexor, else the source tree's sw/nets. */
const char *fx_netdesc_preset_dir(void);
/* The canonical text of d (one layer per line, every default omitted); its length, or -1 if it does not
 * fit. Parsing it gives the same description. */
int fx_netdesc_format(const fx_netdesc *d, char *buf, size_t len);
/* Digest (16 hex digits) of the canonical text: what decides the network, comments and spelling aside. */
void fx_netdesc_digest(const fx_netdesc *d, char out[17]);
/* Number of conv and fc layers. */
uint32_t fx_netdesc_weight_layers(const fx_netdesc *d);
/* 1 when d has a conv layer: the default training length follows it (6 epochs like lenet, else 15 like mlp). */
int fx_netdesc_has_conv(const fx_netdesc *d);
/* Name of a layer kind as written in a description. */
const char *fx_netdesc_kind_name(int kind);
#ifdef __cplusplus
}
#endif
#endif
