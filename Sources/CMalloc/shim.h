#ifndef CMALLOC_SHIM_H
#define CMALLOC_SHIM_H
/* glibc's allocator tuning (mallopt), which Swift's Glibc module does not expose. */
#if __has_include(<malloc.h>)
#include <malloc.h>
#endif
#ifdef M_MMAP_THRESHOLD
/* Fixes the mmap threshold (and so turns off its dynamic adjustment). Returns 1 on success, 0 on failure. */
static inline int CMalloc_setMmapThreshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }
#else
static inline int CMalloc_setMmapThreshold(int bytes) { (void)bytes; return 0; }
#endif
#endif
