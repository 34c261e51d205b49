/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of rtl/flexor_amem.v: the two activation buffers, one chunk of n_out bytes per entry. */
#include "accel.h"
#include <stdlib.h>

int fxa_amem_init(fxa_amem *m, uint32_t depth, uint32_t n_out)
{
    m->depth = depth, m->n_out = n_out, m->a_words = (n_out + 3) / 4;
    m->mem = calloc((size_t)2 * depth * n_out, 1);
    return m->mem ? 0 : -1;
}

/* Chunk addr of buffer buf: n_out bytes (consecutive chunks are contiguous). */
uint8_t *fxa_amem_chunk(const fxa_amem *m, uint32_t buf, uint64_t addr)
{
    return m->mem + ((size_t)buf * m->depth + addr) * m->n_out;
}

/* LOAD_A data word k from chunk addr: bytes 4·(k mod a_words) .. +3 of chunk addr + k / a_words, little
 * end first; the bytes of the last word beyond n_out are dropped (byte enables). */
void fxa_amem_load_word(fxa_amem *m, uint32_t buf, uint64_t addr, uint64_t k, uint32_t w)
{
    uint64_t b0 = 4 * (k % m->a_words);
    uint8_t *dst = fxa_amem_chunk(m, buf, addr + k / m->a_words);
    for (uint32_t b = 0; b < 4 && b0 + b < m->n_out; b++) dst[b0 + b] = (uint8_t)(w >> (8 * b));
}
