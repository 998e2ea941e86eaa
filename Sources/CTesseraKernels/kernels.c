// What Tessera's int8 kernels share: the CPU check and the exp of the swish requantisation.

#pragma STDC FP_CONTRACT OFF

#include "requantise.h"

#include <string.h>

float tessera_kernels_exp(float x) {
    x = fminf(fmaxf(x, EXP_LOW), EXP_HIGH);
    float n = floorf(fmaf(x, LOG2E, 0.5f));
    float r = fmaf(n, -LN2_HIGH, x);
    r = fmaf(n, -LN2_LOW, r);
    float y = P0;
    y = fmaf(y, r, P1);
    y = fmaf(y, r, P2);
    y = fmaf(y, r, P3);
    y = fmaf(y, r, P4);
    y = fmaf(y, r, P5);
    float r2 = r * r;
    y = fmaf(y, r2, r);
    y = y + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float power;
    memcpy(&power, &bits, sizeof power);
    return y * power;
}

int tessera_kernels_have_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
