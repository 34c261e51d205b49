/* Atomic text file writes for the co-simulation commands. */
#ifndef FLEXOR_CSIM_UTIL_H
#define FLEXOR_CSIM_UTIL_H

/* Write text to path atomically (temp file + rename). Returns -1 with a one-line message on stderr. */
int fx_write_text_atomic(const char *path, const char *text);
#endif
