/* SPDX-License-Identifier: Apache-2.0 */
/* Content digests: what "unchanged" means for reuse (flexor run, sweep-hw) and for the build id.
 * A digest is CRC-32 and Adler-32 (zlib) of the bytes plus their count: 64 bits that change with any
 * edit; not a cryptographic hash (nothing here defends against a deliberate collision). */
#ifndef FLEXOR_DIGEST_H
#define FLEXOR_DIGEST_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint32_t crc, adler;
    uint64_t size;
} fx_digest;

void fx_digest_init(fx_digest *d);
void fx_digest_add(fx_digest *d, const void *p, size_t n);
/* Adds a string with its terminating NUL (so "ab","c" differs from "a","bc"). */
void fx_digest_add_str(fx_digest *d, const char *s);
/* Adds the file's content; -1 with errno when it cannot be read. */
int fx_digest_add_file(fx_digest *d, const char *path);
/* Adds NAME and the digest of PATH's content (a tree of files digests as a list of named digests). */
int fx_digest_add_named_file(fx_digest *d, const char *name, const char *path);
/* 16 lower-case hex digits and a NUL. */
void fx_digest_hex(const fx_digest *d, char out[17]);
/* Digest of one file's content as hex; "missing" when it cannot be read. */
void fx_digest_file_hex(const char *path, char out[17]);

/* The RTL sources of a tree: DIR/{*.v,*.sv} and DIR/config/{*.cfg} (glob patterns), sorted, each as (name, content).
 * The build records this for the RTL it compiled; `flexor run` recomputes it to refuse a stale build.
 * Returns 0, or -1 when DIR holds no RTL or a file cannot be read (the name goes to bad[]). */
int fx_digest_rtl(const char *dir, char out[17], char *bad, size_t badlen);
#ifdef __cplusplus
}
#endif
#endif
