/* SPDX-License-Identifier: Apache-2.0 */
/* Twin of rtl/flexor_ram.v, as the lane memories use it: wmem (one N_out-bit slice per entry) and pmem
 * (p_words words per entry), one memory per lane. Reads are fxa_ram_at (accel.h). */
#include "accel.h"
#include <stdlib.h>

/* units × depth entries of `words` words, zeroed; a word keeps its low `bits` bits. -1 if out of memory. */
int fxa_ram_init(fxa_ram *m, uint32_t units, uint32_t depth, uint32_t words, uint32_t bits)
{
    m->depth = depth, m->words = words;
    m->mask = bits >= 32 ? 0xFFFFFFFFu : (1u << bits) - 1u;
    m->mem = calloc((size_t)units * depth * words, sizeof *m->mem);
    return m->mem ? 0 : -1;
}

/* Word k counted from entry addr of memory `unit` (a LOAD's data words fill consecutive entries). */
void fxa_ram_write(fxa_ram *m, uint32_t unit, uint64_t addr, uint64_t k, uint32_t w)
{
    fxa_ram_at(m, unit, addr)[k] = w & m->mask;
}
