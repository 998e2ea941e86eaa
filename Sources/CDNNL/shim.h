#ifndef CDNNL_SHIM_H
#define CDNNL_SHIM_H
#include <oneapi/dnnl/dnnl.h>

// Swift's toolchain ships no omp.h; these come from libgomp, which Debian's oneDNN (OpenMP runtime) uses.
void omp_set_num_threads(int);
int omp_get_max_threads(void);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
// libgomp's entry point for `#pragma omp parallel`: runs fn(data) on num_threads threads of the same pool that
// oneDNN uses, so Tessera's own kernels between primitives do not compete with idle-spinning OpenMP workers.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned int flags);

// DNNL_MEMORY_ALLOCATE is a cast macro, which Swift does not import.
static inline void *CDNNL_memory_allocate(void) { return DNNL_MEMORY_ALLOCATE; }
#endif
