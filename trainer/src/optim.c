/* Adam and SGD with momentum; weight decay (L2, added to the gradient); optional value clipping. */
#include "tr.h"
#include <math.h>
#include <string.h>

void tr_opt_step(tr_opt *o, tr_param **ps, uint32_t np)
{
    o->t++;
    const float bc1 = 1.0f - powf(o->beta1, (float)o->t), bc2 = 1.0f - powf(o->beta2, (float)o->t);
    for (uint32_t k = 0; k < np; k++) {
        tr_param *p = ps[k];
        const float wd = p->decay ? o->wd : 0.0f;
        for (size_t i = 0; i < p->n; i++) {
            float g = p->g[i] + wd * p->v[i];
            if (o->adam) {
                p->m1[i] = o->beta1 * p->m1[i] + (1.0f - o->beta1) * g;
                p->m2[i] = o->beta2 * p->m2[i] + (1.0f - o->beta2) * g * g;
                p->v[i] -= o->lr * (p->m1[i] / bc1) / (sqrtf(p->m2[i] / bc2) + 1e-8f);
            } else {
                p->m1[i] = o->momentum * p->m1[i] + g;
                p->v[i] -= o->lr * p->m1[i];
            }
            if (p->clip > 0) p->v[i] = p->v[i] > p->clip ? p->clip : p->v[i] < -p->clip ? -p->clip : p->v[i];
        }
        memset(p->g, 0, p->n * sizeof(float));
    }
}
