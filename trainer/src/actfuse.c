/* SPDX-License-Identifier: Apache-2.0 */
/* The element-wise part of a fused layer in one pass per direction and channel: forward bias or batch norm,
 * identity residual add, ReLU with uint8 quantization and the running maximum; backward the ReLU mask,
 * the residual's gradient and batch norm's (or the bias's) sums, then batch norm's input gradient with the
 * bias's sum. The separate passes of netops.c read and wrote each tensor up to nine times; these read it
 * about half as often. Each loop is specialised on its flags at compile time (always_inline and
 * constant arguments), so the hot loops have no branches and vectorise.
 *
 * Sums follow netops.c's sum_dot: 8 float partial sums over blocks of 512, each block added in double,
 * so results do not depend on the vector width. */
#include "tr.h"
#include <string.h>

#define INLINE static inline __attribute__((always_inline))

enum { F_BN = TR_F_BN, F_RES = TR_F_RES, F_RELU = TR_F_RELU, F_QUANT = TR_F_QUANT, F_MAX = TR_F_MAX };

/* One element: v = z (+ bias | BN) + r; z <- v; zn <- normalised; y <- relu / quantized relu / v; pm <- max */
INLINE void fwd_one(const int f, const tr_chan *c, float *restrict z, float *restrict zn, const float *restrict r,
                    float *restrict y, size_t j, float *pm)
{
    float v = z[j];
    if (f & F_BN) {
        const float u = (v - c->mean) * c->inv;
        zn[j] = u;
        v = c->ga * u + c->be;
    } else {
        v += c->bias;
    }
    if (f & F_RES) v += r[j];
    z[j] = v;
    if (f & F_MAX) *pm = v > *pm ? v : *pm;
    if (f & F_QUANT) {
        /* clamp(floor(v/s + 1/2), 0, 255) * s, as netops.c's activation quantizer */
        float u = v * c->inv_s + 0.5f;
        u = u > 0 ? u : 0;
        u = u < 256 ? u : 256;
        u = (float)(int32_t)u;
        y[j] = (u < 255 ? u : 255) * c->s;
    } else if (f & F_RELU) {
        y[j] = v > 0 ? v : 0;
    } else {
        y[j] = v;
    }
}

INLINE float fwd_chan(const int f, const tr_chan *c, float *restrict z, float *restrict zn, const float *restrict r,
                      float *restrict y, size_t n)
{
    const tr_chan cc = *c; /* a local copy: the stores to z cannot alias it, so its fields stay in registers */
    c = &cc;
    float pm[8] = {0};
    const size_t n8 = n & ~(size_t)7;
    for (size_t t = 0; t < n8; t += 8)
        for (int k = 0; k < 8; k++) fwd_one(f, c, z, zn, r, y, t + (size_t)k, &pm[k]);
    for (size_t j = n8; j < n; j++) fwd_one(f, c, z, zn, r, y, j, &pm[0]);
    float mx = 0;
    for (int k = 0; k < 8; k++) mx = pm[k] > mx ? pm[k] : mx;
    return mx;
}

float tr_act_forward_chan(int flags, const tr_chan *c, float *z, float *zn, const float *r, float *y, size_t n)
{
    switch (flags & 31) {
#define C(x) case x: return fwd_chan(x, c, z, zn, r, y, n);
#define C4(x) C(x) C(x + 1) C(x + 2) C(x + 3)
        C4(0) C4(4) C4(8) C4(12) C4(16) C4(20) C4(24) C4(28)
#undef C4
#undef C
    }
    return 0;
}

/* One element: d = the ReLU's mask of g (or g); dz <- d; rg <- d (or += d); p1 += d, p2 += d*zn */
INLINE void bwd_one(const int f, float hi, const float *restrict z, const float *restrict g, float *restrict dz,
                    float *restrict rg, int radd, const float *restrict zn, size_t j, float *p1, float *p2)
{
    float d = g[j];
    if (f & F_RELU) d = ((z[j] > 0) & (z[j] < hi)) ? d : 0.0f;
    if (f & F_RES) rg[j] = radd ? rg[j] + d : d;
    dz[j] = d;
    *p1 += d;
    if (f & F_BN) *p2 += d * zn[j];
}

INLINE void bwd_chan(const int f, float hi, const float *restrict z, const float *restrict g, float *restrict dz,
                     float *restrict rg, int radd, const float *restrict zn, double *s1, double *s2, size_t n)
{
    double d1 = 0, d2 = 0;
    for (size_t o = 0; o < n; o += 512) {
        const size_t e = o + (n - o < 512 ? n - o : 512), e8 = o + ((e - o) & ~(size_t)7);
        float p1[8] = {0}, p2[8] = {0};
        for (size_t t = o; t < e8; t += 8)
            for (int k = 0; k < 8; k++) bwd_one(f, hi, z, g, dz, rg, radd, zn, t + (size_t)k, &p1[k], &p2[k]);
        for (size_t j = e8; j < e; j++) bwd_one(f, hi, z, g, dz, rg, radd, zn, j, &p1[0], &p2[0]);
        for (int k = 0; k < 8; k++) { d1 += p1[k]; d2 += p2[k]; }
    }
    *s1 = d1; *s2 = d2;
}

void tr_act_backward_chan(int flags, float hi, const float *z, const float *g, float *dz, float *rg, int radd,
                          const float *zn, double *s1, double *s2, size_t n)
{
    switch (flags & (F_BN | F_RES | F_RELU)) {
#define C(x) case x: bwd_chan(x, hi, z, g, dz, rg, radd, zn, s1, s2, n); return;
        C(0) C(1) C(2) C(3) C(4) C(5) C(6) C(7)
#undef C
    }
}

double tr_bn_backward_chan(float gi, float a, float c, const float *restrict zn, float *restrict dz, size_t n)
{
    double s = 0;
    for (size_t o = 0; o < n; o += 512) {
        const size_t e = o + (n - o < 512 ? n - o : 512), e8 = o + ((e - o) & ~(size_t)7);
        float p[8] = {0};
        for (size_t t = o; t < e8; t += 8)
            for (int k = 0; k < 8; k++) { dz[t + k] = gi * (dz[t + k] - a - zn[t + k] * c); p[k] += dz[t + k]; }
        for (size_t j = e8; j < e; j++) { dz[j] = gi * (dz[j] - a - zn[j] * c); p[0] += dz[j]; }
        for (int k = 0; k < 8; k++) s += p[k];
    }
    return s;
}
