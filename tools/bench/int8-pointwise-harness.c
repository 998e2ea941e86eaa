// Standalone check and timing of CTesseraKernels/pointwise_int8.c (issue 29): the AVX2 kernel against the scalar
// reference on 14 shapes (exact match required), then, with any argument, thread CPU time per call on the
// encoder/decoder shapes of a 256 px tile, 1 thread. Build (from the repository root):
//   K=Sources/CTesseraKernels; clang -O3 -I$K/include -I$K tools/bench/int8-pointwise-harness.c $K/pointwise_int8.c $K/kernels.c -lm -o /tmp/h && /tmp/h 1
#include "CTesseraKernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static uint64_t st = 29;
static uint64_t rnd(void) { st += 0x9E3779B97F4A7C15ull; uint64_t z = st; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull; z = (z ^ (z >> 27)) * 0x94D049BB133111EBull; return z ^ (z >> 31); }
static float uni(float a, float b) { return a + (b - a) * (float)(rnd() >> 11) / (float)(1ull << 53); }
typedef struct { TesseraPointwiseInt8 p; int8_t *w; int16_t *pk; float *b, *s, *m; uint8_t *src; int8_t *dst; } L;
static L make(int64_t px, int ci, int co, int sgn, int swish, int residual, int relu) {
    L l; memset(&l, 0, sizeof l);
    l.w = malloc(ci * co); for (int i = 0; i < ci * co; i++) l.w[i] = (int8_t)((int)(rnd() % 255) - 127);
    l.pk = calloc(tessera_pointwise_int8_packed_count(ci, co) + 16, 2); tessera_pointwise_int8_pack(l.w, ci, co, l.pk);
    l.b = malloc(4 * co); l.s = malloc(4 * co); l.m = malloc(4 * co);
    for (int c = 0; c < co; c++) { l.b[c] = uni(-3000, 3000); l.s[c] = uni(2e-4f, 3e-3f) * 30 / ci; l.m[c] = swish ? uni(4, 90) : 1; }
    l.src = malloc(px * ci); for (int64_t i = 0; i < px * ci; i++) l.src[i] = sgn ? (uint8_t)(rnd() % 256) : (uint8_t)(rnd() % 256);
    l.dst = malloc(px * co); for (int64_t i = 0; i < px * co; i++) l.dst[i] = (int8_t)(rnd() % 256);
    l.p = (TesseraPointwiseInt8){ .source = l.src, .destination = l.dst, .weights = l.w, .packed = l.pk, .bias = l.b, .scales = l.s,
        .multipliers = l.m, .residualScale = uni(0.3f, 2.f), .pixels = px, .inputChannels = ci, .outputChannels = co,
        .sourceSigned = sgn, .swish = swish, .residual = residual, .relu = relu, .unsignedLimit = relu ? (relu == 1 ? 127.f : 255.f) : 0 };
    return l;
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
    int cases[][7] = { {17, 32, 16, 1, 0, 0}, {37, 16, 96, 1, 1, 0}, {33, 24, 144, 1, 1, 0}, {29, 96, 24, 1, 0, 1}, {41, 17, 20, 0, 1, 0},
                       {7, 33, 9, 1, 0, 1}, {3, 5, 3, 0, 0, 1}, {64, 288, 48, 1, 0, 1}, {23, 352, 2112, 1, 1, 0}, {50, 2112, 352, 1, 0, 1}, {11, 88, 88, 0, 1, 1}, {53, 304, 256, 1, 0, 0, 1}, {19, 33, 20, 0, 0, 0, 2}, {61, 256, 256, 0, 0, 1, 1} };
    int bad = 0;
    for (unsigned i = 0; i < sizeof cases / sizeof *cases; i++) {
        int *c = cases[i];
        L l = make(c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
        int8_t *orig = malloc(c[0] * c[2]); memcpy(orig, l.dst, c[0] * c[2]);
        tessera_pointwise_int8_reference(&l.p, 0, c[0]);
        int8_t *ref = malloc(c[0] * c[2]); memcpy(ref, l.dst, c[0] * c[2]);
        memcpy(l.dst, orig, c[0] * c[2]);
        tessera_pointwise_int8_avx2(&l.p, 0, c[0] / 2); tessera_pointwise_int8_avx2(&l.p, c[0] / 2, c[0]);
        int diff = 0, distinct[256] = {0}, nd = 0;
        for (int j = 0; j < c[0] * c[2]; j++) { diff += ref[j] != l.dst[j]; if (!distinct[(uint8_t)ref[j]]++) nd++; }
        printf("case %d px%d %d->%d: %d differ, %d distinct\n", i, c[0], c[1], c[2], diff, nd); bad += diff;
    }
    if (argc > 1) {
        int shapes[][4] = { {16384, 16, 96, 1}, {4096, 24, 144, 1}, {1024, 48, 288, 1}, {256, 120, 720, 1}, {256, 208, 1248, 1}, {256, 352, 2112, 1},
                            {4096, 144, 24, 0}, {1024, 288, 48, 0}, {256, 720, 120, 0}, {256, 1248, 208, 0}, {256, 2112, 352, 0}, {16384, 32, 16, 0}, {4096, 304, 256, 2}, {256, 352, 256, 2} };
        for (unsigned i = 0; i < sizeof shapes / sizeof *shapes; i++) {
            int *s = shapes[i];
            L l = make(s[0], s[1], s[2], 1, s[3] == 1, s[3] == 0, s[3] == 2);
            double best = 1e9;
            for (int r = 0; r < 7; r++) { double t = now(); tessera_pointwise_int8_avx2(&l.p, 0, s[0]); t = now() - t; if (t < best) best = t; }
            double mac = (double)s[0] * s[1] * s[2];
            printf("%6d px %4d->%4d %s: %.3f ms, %.1f GMAC/s (1 thread)\n", s[0], s[1], s[2], s[3] == 1 ? "swish" : s[3] == 2 ? "relu " : "resid", best * 1e3, mac / best * 1e-9);
        }
    }
    return bad != 0;
}
