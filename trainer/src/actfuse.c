/* SPDX-License-Identifier: Apache-2.0 */
/* The element-wise part of a fused layer in one pass per direction and channel: forward bias or batch norm,
 * identity residual add, ReLU with uint8 quantization and the running maximum; backward the ReLU mask,
 * the residual's gradient and batch norm's (or the bias's) sums, then batch norm's input gradient with the
 * bias's sum. The separate passes of netops.c read and wrote each tensor up to nine times; these read it
 * about half as often.
 *
 * The loops are written on 8-lane vectors (GCC's vector extension: any ISA), specialised on their flags
 * at compile time (always_inline and constant arguments), and cloned for AVX2 (target_clones: the
 * portable binary picks the clone at load time). Sums follow netops.c's sum_dot: 8 float partial sums
 * over blocks of 512, each block added in double; the trainer builds with -ffp-contract=off. So every
 * clone gives the same bits. */
#include "tr.h"
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__)
/* 32-byte vectors passed to and returned by always-inlined static helpers: no call, no ABI to change */
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
#define INLINE static inline __attribute__((always_inline))
#define CLONES TR_CLONES

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

INLINE v8f ld(const float *p) { v8f v; memcpy(&v, p, sizeof v); return v; }
INLINE void st(float *p, v8f v) { memcpy(p, &v, sizeof v); }
INLINE v8f splat(float x) { return (v8f){x, x, x, x, x, x, x, x}; }
INLINE v8f sel(v8i m, v8f a, v8f b) { return (v8f)((m & (v8i)a) | (~m & (v8i)b)); }
INLINE v8f vmax(v8f a, v8f b) { return sel(a > b, a, b); }
INLINE v8f vmin(v8f a, v8f b) { return sel(a < b, a, b); }

enum { F_BN = TR_F_BN, F_RES = TR_F_RES, F_RELU = TR_F_RELU, F_QUANT = TR_F_QUANT, F_MAX = TR_F_MAX };

/* One element, scalar (the tail): as fwd_vec's lane */
INLINE float fwd_one(const int f, const tr_chan *c, float *restrict z, float *restrict zn, const float *restrict r,
                     float *restrict y, size_t j, float pm)
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
    if (f & F_QUANT) {
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
    return (f & F_MAX) && v > pm ? v : pm;
}

/* v = z (+ bias | BN) + r; z <- v; zn <- normalised; y <- relu / quantized relu (clamp(floor(v/s + 1/2),
 * 0, 255) * s: the truncation of the value clamped to [0, 256] is that floor) / v; returns max(0, v...) */
INLINE float fwd_chan(const int f, const tr_chan *c, float *restrict z, float *restrict zn, const float *restrict r,
                      float *restrict y, size_t n)
{
    const v8f mean = splat(c->mean), inv = splat(c->inv), ga = splat(c->ga), be = splat(c->be), bias = splat(c->bias),
              inv_s = splat(c->inv_s), s = splat(c->s), zero = splat(0), half = splat(0.5f), top = splat(256),
              q255 = splat(255);
    v8f pm = zero;
    const size_t n8 = n & ~(size_t)7;
    for (size_t j = 0; j < n8; j += 8) {
        v8f v = ld(z + j);
        if (f & F_BN) {
            const v8f u = (v - mean) * inv;
            st(zn + j, u);
            v = ga * u + be;
        } else {
            v = v + bias;
        }
        if (f & F_RES) v = v + ld(r + j);
        st(z + j, v);
        if (f & F_MAX) pm = vmax(v, pm);
        if (f & F_QUANT) {
            v8f u = vmin(vmax(v * inv_s + half, zero), top);
            u = __builtin_convertvector(__builtin_convertvector(u, v8i), v8f);
            st(y + j, vmin(u, q255) * s);
        } else if (f & F_RELU) {
            st(y + j, vmax(v, zero));
        } else {
            st(y + j, v);
        }
    }
    float mx = 0;
    for (int k = 0; k < 8; k++) mx = pm[k] > mx ? pm[k] : mx;
    for (size_t j = n8; j < n; j++) mx = fwd_one(f, c, z, zn, r, y, j, mx);
    return mx;
}

CLONES float tr_act_forward_chan(int flags, const tr_chan *c, float *z, float *zn, const float *r, float *y, size_t n)
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

/* d = the ReLU's mask of g (0 <= z < hi) or g; dz <- d; rg <- d (or += d); sums of d and of d*zn */
INLINE void bwd_chan(const int f, float hi, const float *restrict z, const float *restrict g, float *restrict dz,
                     float *restrict rg, int radd, const float *restrict zn, double *s1, double *s2, size_t n)
{
    const v8f zero = splat(0), vhi = splat(hi);
    double d1 = 0, d2 = 0;
    for (size_t o = 0; o < n; o += 512) {
        const size_t e = o + (n - o < 512 ? n - o : 512), e8 = o + ((e - o) & ~(size_t)7);
        v8f p1 = zero, p2 = zero;
        for (size_t j = o; j < e8; j += 8) {
            v8f d = ld(g + j);
            if (f & F_RELU) {
                const v8f zz = ld(z + j);
                d = sel((zz > zero) & (zz < vhi), d, zero);
            }
            if (f & F_RES) st(rg + j, radd ? ld(rg + j) + d : d);
            st(dz + j, d);
            p1 += d;
            if (f & F_BN) p2 += d * ld(zn + j);
        }
        float a1[8], a2[8];
        memcpy(a1, &p1, sizeof a1);
        memcpy(a2, &p2, sizeof a2);
        for (size_t j = e8; j < e; j++) {
            float d = g[j];
            if (f & F_RELU) d = ((z[j] > 0) & (z[j] < hi)) ? d : 0.0f;
            if (f & F_RES) rg[j] = radd ? rg[j] + d : d;
            dz[j] = d;
            a1[0] += d;
            if (f & F_BN) a2[0] += d * zn[j];
        }
        for (int k = 0; k < 8; k++) { d1 += a1[k]; d2 += a2[k]; }
    }
    *s1 = d1; *s2 = d2;
}

CLONES void tr_act_backward_chan(int flags, float hi, const float *z, const float *g, float *dz, float *rg, int radd,
                                 const float *zn, double *s1, double *s2, size_t n)
{
    switch (flags & (F_BN | F_RES | F_RELU)) {
#define C(x) case x: bwd_chan(x, hi, z, g, dz, rg, radd, zn, s1, s2, n); return;
        C(0) C(1) C(2) C(3) C(4) C(5) C(6) C(7)
#undef C
    }
}

CLONES double tr_bn_backward_chan(float gi, float a, float c, const float *restrict zn, float *restrict dz, size_t n)
{
    const v8f vg = splat(gi), va = splat(a), vc = splat(c);
    double s = 0;
    for (size_t o = 0; o < n; o += 512) {
        const size_t e = o + (n - o < 512 ? n - o : 512), e8 = o + ((e - o) & ~(size_t)7);
        v8f p = splat(0);
        for (size_t j = o; j < e8; j += 8) {
            const v8f d = vg * (ld(dz + j) - va - ld(zn + j) * vc);
            st(dz + j, d);
            p += d;
        }
        float a8[8];
        memcpy(a8, &p, sizeof a8);
        for (size_t j = e8; j < e; j++) { dz[j] = gi * (dz[j] - a - zn[j] * c); a8[0] += dz[j]; }
        for (int k = 0; k < 8; k++) s += a8[k];
    }
    return s;
}
