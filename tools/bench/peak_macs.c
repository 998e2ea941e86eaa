// The machine's peak multiply-accumulate rates (issue 29): what the network's GMAC/s is a fraction of.
// Each thread runs independent register-only chains of one instruction mix (no loads, no dependencies between
// them), so the figure is the cores' issue limit for that mix, the ceiling no convolution can pass:
//   fp32      vfmadd231ps                       8 MACs   (Tessera's and oneDNN's fp32 kernels)
//   s16       vpmaddwd + vpaddd                 16 MACs  (Tessera's exact int8 1x1 kernel: 8-bit values widened)
//   u8s8      vpmaddubsw + vpmaddwd + vpaddd    32 MACs  (oneDNN's AVX2 int8 without VNNI)
//   vnni      vpdpbusd                          32 MACs  (only where the CPU has AVX-VNNI or AVX512-VNNI)
//
//   cc -O2 -mavx2 -mfma -pthread tools/bench/peak_macs.c -o /tmp/peak_macs && /tmp/peak_macs [THREADS]
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ITERATIONS 40000000L
#define EIGHT(op) op(8) op(9) op(10) op(11) op(12) op(13) op(14) op(15)
#define CLOBBERS "xmm2", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"
#define FP32(i) "vfmadd231ps %%ymm0, %%ymm1, %%ymm" #i "\n"
#define S16(i) "vpmaddwd %%ymm0, %%ymm1, %%ymm2\n vpaddd %%ymm2, %%ymm" #i ", %%ymm" #i "\n"
#define U8S8(i) "vpmaddubsw %%ymm0, %%ymm1, %%ymm2\n vpmaddwd %%ymm2, %%ymm3, %%ymm2\n vpaddd %%ymm2, %%ymm" #i ", %%ymm" #i "\n"

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

// Each body returns the CPU seconds its thread ran: on a shared machine the wall clock also counts time other
// processes had the core, the thread's CPU time does not.
static double thread_cpu_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static double cpu_seconds_of[64];
#define BODY(name, mix) \
    static void *name(void *slot) { \
        double start = thread_cpu_seconds(); \
        for (long n = 0; n < ITERATIONS; n++) __asm__ volatile(EIGHT(mix) ::: CLOBBERS); \
        *(double *)slot = thread_cpu_seconds() - start; \
        return NULL; \
    }
BODY(fp32, FP32)
BODY(s16, S16)
BODY(u8s8, U8S8)

static void measure(const char *name, void *(*body)(void *), int macs, int threads) {
    pthread_t workers[64];
    double start = seconds();
    for (int t = 0; t < threads; t++) pthread_create(&workers[t], NULL, body, &cpu_seconds_of[t]);
    double cpu = 0;
    for (int t = 0; t < threads; t++) { pthread_join(workers[t], NULL); cpu += cpu_seconds_of[t]; }
    double elapsed = seconds() - start, macs_total = (double)ITERATIONS * 8 * macs * threads;
    printf("%-5s %2d thread(s): %6.1f GMAC/s by the wall clock, %6.1f GMAC per CPU second (one core's rate)\n",
           name, threads, macs_total / elapsed / 1e9, macs_total / cpu / 1e9);
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1 || threads > 64) return 2;
    for (int round = 0; round < 3; round++) {
        measure("fp32", fp32, 8, threads);
        measure("s16", s16, 16, threads);
        measure("u8s8", u8s8, 32, threads);
    }
    return 0;
}
