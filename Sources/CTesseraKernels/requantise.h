// The requantisation both int8 kernels share (private to CTesseraKernels): the scalar steps, which are the reference,
// and their AVX2 form on 8 channels, which runs the same float operations in the same order (FMA where the scalar
// code calls fmaf), so the AVX2 kernels equal the references to the last bit.
#ifndef CTESSERA_KERNELS_REQUANTISE_H
#define CTESSERA_KERNELS_REQUANTISE_H

#pragma STDC FP_CONTRACT OFF

#include "CTesseraKernels.h"

#include <math.h>
#include <immintrin.h>

// Cephes' expf (tessera_kernels_exp, kernels.c): exp(x) = 2^n * exp(r), r = x - n ln 2 (ln 2 in two parts), exp(r)
// by a degree-5 polynomial. x is clamped to [-87, 88] so 2^n stays a normal float.
#define EXP_LOW (-87.0f)
#define EXP_HIGH 88.0f
#define LOG2E 1.44269504088896341f
#define LN2_HIGH 0.693359375f
#define LN2_LOW (-2.12194440e-4f)
#define P0 1.9875691500e-4f
#define P1 1.3981999507e-3f
#define P2 8.3334519073e-3f
#define P3 4.1665795894e-2f
#define P4 1.6666665459e-1f
#define P5 5.0000001201e-1f

/// scale * (sum + bias): oneDNN's output scale over the bias in accumulator units.
static inline float scaledSum(float x, float bias, float scale) {
    x = x + bias;
    return x * scale;
}

/// post(x) * multiplier, post = swish or identity (oneDNN's eltwise, then its per-channel binary multiplication).
static inline float activated(float x, float multiplier, int swish) {
    if (swish) {
        float e = tessera_kernels_exp(-x);
        x = x / (1.0f + e);
    }
    return x * multiplier;
}

/// Saturation to s8 and rounding half to even (oneDNN's s8 destination).
static inline int8_t saturateS8(float x) {
    x = fminf(fmaxf(x, -128.0f), 127.0f);
    return (int8_t)(int32_t)nearbyintf(x);
}

/// The requantisation of one channel's sum, without a residual.
static inline int8_t requantise(int32_t sum, float bias, float scale, float multiplier, int swish) {
    return saturateS8(activated(scaledSum((float)sum, bias, scale), multiplier, swish));
}

#define AVX2 __attribute__((target("avx2,fma")))

AVX2 static inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(EXP_LOW)), _mm256_set1_ps(EXP_HIGH));
    __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(LOG2E), _mm256_set1_ps(0.5f)));
    __m256 r = _mm256_fmadd_ps(n, _mm256_set1_ps(-LN2_HIGH), x);
    r = _mm256_fmadd_ps(n, _mm256_set1_ps(-LN2_LOW), r);
    __m256 y = _mm256_set1_ps(P0);
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P1));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P2));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P3));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P4));
    y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(P5));
    __m256 r2 = _mm256_mul_ps(r, r);
    y = _mm256_fmadd_ps(y, r2, r);
    y = _mm256_add_ps(y, _mm256_set1_ps(1.0f));
    __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(bits));
}

/// `scaledSum` and `activated` on 8 channels.
AVX2 static inline __m256 scaledSum8(__m256 x, __m256 bias, __m256 scale) {
    x = _mm256_add_ps(x, bias);
    return _mm256_mul_ps(x, scale);
}

AVX2 static inline __m256 activated8(__m256 x, __m256 multiplier, int swish) {
    if (swish) {
        __m256 e = exp8(_mm256_sub_ps(_mm256_setzero_ps(), x));
        x = _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1.0f), e));
    }
    return _mm256_mul_ps(x, multiplier);
}

/// `saturateS8` on 8 channels, as s32.
AVX2 static inline __m256i saturateS8x8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-128.0f)), _mm256_set1_ps(127.0f));
    return _mm256_cvtps_epi32(x);  // round to nearest even under the default MXCSR, as nearbyintf
}

/// Clamping to [low, high] and rounding half to even, on 8 channels, as s32.
AVX2 static inline __m256i saturate8(__m256 x, __m256 low, __m256 high) {
    return _mm256_cvtps_epi32(_mm256_min_ps(_mm256_max_ps(x, low), high));
}

/// `requantise` on 8 channels.
AVX2 static inline __m256i requantise8(__m256i sum, const float *bias, const float *scale, const float *multiplier, int swish) {
    const __m256 x = scaledSum8(_mm256_cvtepi32_ps(sum), _mm256_loadu_ps(bias), _mm256_loadu_ps(scale));
    return saturateS8x8(activated8(x, _mm256_loadu_ps(multiplier), swish));
}

#endif
