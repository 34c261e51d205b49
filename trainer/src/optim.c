/* SPDX-License-Identifier: Apache-2.0 */
/* Adam and SGD with momentum; weight decay (L2, added to the gradient); optional value clipping. */
#include "tr.h"
#include <math.h>
#include <string.h>

void tr_opt_step(tr_opt *o, tr_param **ps, uint32_t np)
{
    o->t++;
    const float bc1 = 1.0f - powf(o->beta1, (float)o->t), bc2 = 1.0f - powf(o->beta2, (float)o->t);
    const float b1 = o->beta1, b2 = o->beta2, step = o->lr / bc1, ib2 = 1.0f / bc2, lr = o->lr, mom = o->momentum;
    for (uint32_t k = 0; k < np; k++) {
        tr_param *p = ps[k];
        const float wd = p->decay ? o->wd : 0.0f;
        float *restrict v = p->v, *restrict g = p->g, *restrict m1 = p->m1, *restrict m2 = p->m2;
        const size_t n = p->n;
        /* branch-free loops so that they vectorise */
        if (o->adam) {
            for (size_t i = 0; i < n; i++) {
                const float gi = g[i] + wd * v[i];
                g[i] = 0;
                m1[i] = b1 * m1[i] + (1.0f - b1) * gi;
                m2[i] = b2 * m2[i] + (1.0f - b2) * gi * gi;
                v[i] -= step * m1[i] / (sqrtf(m2[i] * ib2) + 1e-8f);
            }
        } else {
            const float step_sgd = lr * p->sgd_scale;
            for (size_t i = 0; i < n; i++) {
                m1[i] = mom * m1[i] + g[i] + wd * v[i];
                g[i] = 0;
                v[i] -= step_sgd * m1[i];
            }
        }
        if (p->clip > 0) {
            const float c = p->clip;
            for (size_t i = 0; i < n; i++) v[i] = v[i] > c ? c : v[i] < -c ? -c : v[i];
        }
    }
}
