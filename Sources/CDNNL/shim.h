#ifndef CDNNL_SHIM_H
#define CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>

// Swift's toolchain ships no omp.h; these two come from libgomp, which Debian's oneDNN (OpenMP runtime) uses.
void omp_set_num_threads(int);
int omp_get_max_threads(void);

// DNNL_MEMORY_ALLOCATE is a cast macro, which Swift does not import.
static inline void *CDNNL_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }
#endif
