/* SPDX-License-Identifier: Apache-2.0 */
/* A GTKWave save file beside an FST dump (DUMP.fst -> DUMP.gtkw), so `gtkwave DUMP.fst DUMP.gtkw`
 * opens on the interface, the taps, the counters and the pipeline control, grouped, with the view at the
 * dump's first cycle and a marker on the cycle of interest (docs/csim.md "Waveforms"). */
#ifndef FX_WAVESAVE_H
#define FX_WAVESAVE_H
#include <stddef.h>
#include <stdint.h>

/* The save file path for an FST path: its .fst suffix replaced by .gtkw (or .gtkw appended). */
int fx_wave_savefile_path(const char *fst, char *out, size_t len);
/* Reads the signal names from the FST (closed, complete) and writes the save file; mark_cycle UINT64_MAX
 * for no marker. 0, or -1 with a one-line message in err. */
int fx_wave_savefile(const char *fst, uint64_t mark_cycle, char *err, size_t errlen);
/* Calls fn with every signal of the FST under its GTKWave name (scope.name[msb:lsb]); -1 when the file
 * cannot be read. For the save file and its test. */
int fx_wave_signals(const char *fst, void (*fn)(void *user, const char *name, uint32_t width), void *user);
#endif
