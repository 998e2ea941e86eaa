// 1x1 int8 convolution (nhwc): a scalar reference and an AVX2 kernel that equals it to the last bit.
//
// A 1x1 convolution is a matrix product, pixels x inputs times inputs x outputs. Without VNNI the AVX2 kernel
// multiplies 16-bit pairs with vpmaddwd: each s32 lane gets x[k] * w[k] + x[k + 1] * w[k + 1], exact, so no input
// range restriction is needed (vpmaddubsw, oneDNN's way without VNNI, saturates its s16 pair sums unless inputs or
// weights are kept to 7 bits, and measured no faster than fp32 on Zen 3, issue 29).
// - Inputs are widened to s16 once per pixel, a chunk of pixels at a time that fits the L2 cache, each row as pairs.
// - Weights are packed once per layer: output channels in blocks of 24 (then 16, then 8), per pair of input
//   channels the block's (w[c][k], w[c][k + 1]) pairs, so one block's step is 1-3 consecutive 32-byte loads.
// - Register block: 4 pixels x 24 outputs, 12 s32 accumulators; each step broadcasts one input pair per pixel and
//   multiplies it with the 3 weight vectors (12 vpmaddwd + 12 vpaddd for 192 multiply-adds).
// - The chunk's rows are reused by every output block and each block's weights by every 4 pixels of the chunk.
// The requantisation runs requantise.h's float steps in the reference's order.

#pragma STDC FP_CONTRACT OFF

#include "requantise.h"

#include <stdlib.h>
#include <string.h>

static inline int32_t pairCount(int32_t inputChannels) { return (inputChannels + 1) / 2; }

#ifndef BLOCK_VECTORS
#define BLOCK_VECTORS 2
#endif
#ifndef BLOCK_PIXELS
#define BLOCK_PIXELS 6
#endif

/// The width of the output block that starts at `first`: 8 x BLOCK_VECTORS while that many remain, then 16, then 8
/// (the last one padded).
static inline int32_t blockWidth(int32_t first, int32_t outputChannels) {
    const int32_t remaining = outputChannels - first;
    return remaining >= 8 * BLOCK_VECTORS ? 8 * BLOCK_VECTORS : remaining > 8 ? 16 : 8;
}

static inline int32_t paddedOutputs(int32_t outputChannels) { return (outputChannels + 7) / 8 * 8; }

int64_t tessera_pointwise_int8_packed_count(int32_t inputChannels, int32_t outputChannels) {
    return (int64_t)paddedOutputs(outputChannels) * pairCount(inputChannels) * 2;
}

void tessera_pointwise_int8_pack(const int8_t *weights, int32_t inputChannels, int32_t outputChannels, int16_t *packed) {
    const int32_t pairs = pairCount(inputChannels);
    for (int32_t first = 0; first < outputChannels; first += blockWidth(first, outputChannels)) {
        const int32_t width = blockWidth(first, outputChannels);
        int16_t *block = packed + (int64_t)first * pairs * 2;
        for (int32_t pair = 0; pair < pairs; pair++) {
            for (int32_t j = 0; j < width; j++) {
                const int32_t c = first + j, k = 2 * pair;
                int16_t *out = block + ((int64_t)pair * width + j) * 2;
                out[0] = c < outputChannels ? weights[(int64_t)c * inputChannels + k] : 0;
                out[1] = c < outputChannels && k + 1 < inputChannels ? weights[(int64_t)c * inputChannels + k + 1] : 0;
            }
        }
    }
}

/// The destination's range: [-128, 127] for s8, [0, unsignedLimit] for u8.
static inline float lowest(const TesseraPointwiseInt8 *p) { return p->unsignedLimit > 0 ? 0.0f : -128.0f; }
static inline float highest(const TesseraPointwiseInt8 *p) { return p->unsignedLimit > 0 ? p->unsignedLimit : 127.0f; }

/// The requantisation of one output: the reference for both kernels. `old` is the destination's value (residual).
static inline int32_t requantiseOutput(const TesseraPointwiseInt8 *p, int32_t sum, int32_t c, int32_t old) {
    float x = scaledSum((float)sum, p->bias[c], p->scales[c]);
    if (p->residual) x = fmaf((float)old, p->residualScale, x);
    if (p->relu) x = fmaxf(x, 0.0f);
    x = activated(x, p->multipliers[c], p->swish);
    x = fminf(fmaxf(x, lowest(p)), highest(p));
    return (int32_t)nearbyintf(x);
}

/// Output channels [first, first + count) of one pixel from their s32 sums.
static void requantiseScalar(const TesseraPointwiseInt8 *p, const int32_t *sums, int64_t pixel, int32_t first, int32_t count) {
    const int64_t at = pixel * p->outputChannels + first;
    if (p->unsignedLimit > 0) {
        uint8_t *out = (uint8_t *)p->destination + at;
        for (int32_t j = 0; j < count; j++) out[j] = (uint8_t)requantiseOutput(p, sums[j], first + j, out[j]);
    } else {
        int8_t *out = (int8_t *)p->destination + at;
        for (int32_t j = 0; j < count; j++) out[j] = (int8_t)requantiseOutput(p, sums[j], first + j, out[j]);
    }
}

void tessera_pointwise_int8_reference(const TesseraPointwiseInt8 *p, int64_t pixelBegin, int64_t pixelEnd) {
    const int32_t inputs = p->inputChannels, outputs = p->outputChannels;
    for (int64_t pixel = pixelBegin; pixel < pixelEnd; pixel++) {
        const uint8_t *row = (const uint8_t *)p->source + pixel * inputs;
        for (int32_t c = 0; c < outputs; c++) {
            const int8_t *w = p->weights + (int64_t)c * inputs;
            int32_t sum = 0;
            for (int32_t k = 0; k < inputs; k++) sum += (p->sourceSigned ? (int32_t)(int8_t)row[k] : (int32_t)row[k]) * (int32_t)w[k];
            requantiseScalar(p, &sum, pixel, c, 1);
        }
    }
}

// The widened rows of a chunk: at most this many bytes (per thread; Zen 3's L2 is 512 KiB per core).
#define CHUNK_BYTES (192 * 1024)

// Each OpenMP thread keeps its own widened rows from call to call (grown as needed, never freed: the pool's threads
// live as long as the process).
static _Thread_local int32_t *threadRows;
static _Thread_local int64_t threadRowCapacity;

static int32_t *rowsBuffer(int64_t count) {
    if (count > threadRowCapacity) {
        free(threadRows);
        threadRows = aligned_alloc(64, (size_t)((count * 4 + 63) / 64 * 64));
        threadRowCapacity = threadRows ? count : 0;
    }
    return threadRows;
}

/// One pixel's inputs as s16 pairs (an odd count gets a zero partner).
AVX2 static void widen(const TesseraPointwiseInt8 *p, int64_t pixel, int16_t *row) {
    const int32_t inputs = p->inputChannels;
    const uint8_t *source = (const uint8_t *)p->source + pixel * inputs;
    int32_t k = 0;
    for (; k + 16 <= inputs; k += 16) {
        const __m128i bytes = _mm_loadu_si128((const __m128i *)(source + k));
        _mm256_storeu_si256((__m256i *)(row + k), p->sourceSigned ? _mm256_cvtepi8_epi16(bytes) : _mm256_cvtepu8_epi16(bytes));
    }
    for (; k < inputs; k++) row[k] = p->sourceSigned ? (int16_t)(int8_t)source[k] : (int16_t)source[k];
    if (inputs % 2) row[inputs] = 0;
}

/// What the requantisation does (`struct Steps`): the layer's own flags, or constants where the kernel is compiled for one
/// kind of layer, so that the per-pixel epilogue carries no tests.
typedef struct { int swish, relu, residual, isUnsigned; } Steps;

static inline Steps stepsOf(const TesseraPointwiseInt8 *p) {
    return (Steps){ .swish = p->swish != 0, .relu = p->relu != 0, .residual = p->residual != 0, .isUnsigned = p->unsignedLimit > 0 };
}

/// Requantises 8 outputs of one pixel from their sums and stores them (`c` + 8 <= outputChannels).
AVX2 static inline __attribute__((always_inline)) void store8(const TesseraPointwiseInt8 *p, const Steps steps, __m256i sums, int64_t pixel,
                                                              int32_t c, __m256 bias, __m256 scale, __m256 multiplier, __m256 low, __m256 high) {
    uint8_t *out = (uint8_t *)p->destination + pixel * p->outputChannels + c;
    const int isUnsigned = steps.isUnsigned;
    __m256 x = scaledSum8(_mm256_cvtepi32_ps(sums), bias, scale);
    if (steps.residual) {
        const __m128i bytes = _mm_loadl_epi64((const __m128i *)out);
        const __m256 old = _mm256_cvtepi32_ps(isUnsigned ? _mm256_cvtepu8_epi32(bytes) : _mm256_cvtepi8_epi32(bytes));
        x = _mm256_fmadd_ps(old, _mm256_set1_ps(p->residualScale), x);
    }
    if (steps.relu) x = _mm256_max_ps(x, _mm256_setzero_ps());
    const __m256i q = saturate8(activated8(x, multiplier, steps.swish), low, high);
    const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    _mm_storel_epi64((__m128i *)out, isUnsigned ? _mm_packus_epi16(words, words) : _mm_packs_epi16(words, words));
}

/// BLOCK_PIXELS pixels (rows; `valid` of them real, from `pixel` on) x `vectors` x 8 outputs from `first`, over all
/// input pairs. Per step: the weight vectors, then per pixel one broadcast input pair and its multiply-adds, which keeps
/// accumulators, weights, the broadcast and one product within AVX2's 16 registers.
AVX2 static inline __attribute__((always_inline)) void block(const TesseraPointwiseInt8 *p, const int32_t *const rows[BLOCK_PIXELS],
                                                             int32_t valid, int64_t pixel, const int16_t *panel, int32_t pairs,
                                                             int32_t first, const int vectors, const Steps steps) {
    __m256i acc[BLOCK_PIXELS][3];
    for (int i = 0; i < BLOCK_PIXELS; i++) for (int v = 0; v < vectors; v++) acc[i][v] = _mm256_setzero_si256();
    const __m256i *w = (const __m256i *)panel;
    for (int32_t k = 0; k < pairs; k++, w += vectors) {
        __m256i weight[3];
        for (int v = 0; v < vectors; v++) weight[v] = _mm256_loadu_si256(w + v);
        for (int i = 0; i < BLOCK_PIXELS; i++) {
            const __m256i a = _mm256_set1_epi32(rows[i][k]);
            for (int v = 0; v < vectors; v++) acc[i][v] = _mm256_add_epi32(acc[i][v], _mm256_madd_epi16(a, weight[v]));
        }
    }
    for (int v = 0; v < vectors; v++) {
        const int32_t c = first + 8 * v;
        if (c >= p->outputChannels) break;
        if (c + 8 <= p->outputChannels) {
            const __m256 bias = _mm256_loadu_ps(p->bias + c), scale = _mm256_loadu_ps(p->scales + c);
            const __m256 multiplier = _mm256_loadu_ps(p->multipliers + c);
            const __m256 low = _mm256_set1_ps(lowest(p)), high = _mm256_set1_ps(highest(p));
            for (int i = 0; i < valid; i++) store8(p, steps, acc[i][v], pixel + i, c, bias, scale, multiplier, low, high);
        } else {
            int32_t sums[8];
            for (int i = 0; i < valid; i++) {
                _mm256_storeu_si256((__m256i *)sums, acc[i][v]);
                requantiseScalar(p, sums, pixel + i, c, p->outputChannels - c);
            }
        }
    }
}

/// `block` for an output block of `width` channels, compiled apart for the network's three kinds of 1x1 layer.
AVX2 static void blocks(const TesseraPointwiseInt8 *p, const int32_t *const rows[BLOCK_PIXELS], int32_t valid, int64_t pixel,
                        const int16_t *panel, int32_t pairs, int32_t first, int32_t width) {
    static const Steps expand = { .swish = 1 }, project = { .residual = 1 }, linear = { 0 }, reluUnsigned = { .relu = 1, .isUnsigned = 1 };
    const Steps steps = stepsOf(p);
#define BLOCKS(kind) \
    switch (width) { \
    case 24: block(p, rows, valid, pixel, panel, pairs, first, 3, kind); return; \
    case 16: block(p, rows, valid, pixel, panel, pairs, first, 2, kind); return; \
    default: block(p, rows, valid, pixel, panel, pairs, first, 1, kind); return; \
    }
    if (memcmp(&steps, &expand, sizeof steps) == 0) BLOCKS(expand)
    if (memcmp(&steps, &project, sizeof steps) == 0) BLOCKS(project)
    if (memcmp(&steps, &linear, sizeof steps) == 0) BLOCKS(linear)
    if (memcmp(&steps, &reluUnsigned, sizeof steps) == 0) BLOCKS(reluUnsigned)
    BLOCKS(steps)
#undef BLOCKS
}

AVX2 void tessera_pointwise_int8_avx2(const TesseraPointwiseInt8 *p, int64_t pixelBegin, int64_t pixelEnd) {
    const int32_t pairs = pairCount(p->inputChannels), outputs = p->outputChannels;
    const int64_t chunkPixels = CHUNK_BYTES / ((int64_t)pairs * 4) / BLOCK_PIXELS * BLOCK_PIXELS > BLOCK_PIXELS
        ? CHUNK_BYTES / ((int64_t)pairs * 4) / BLOCK_PIXELS * BLOCK_PIXELS : BLOCK_PIXELS;
    int32_t *rows = rowsBuffer(chunkPixels * pairs);
    if (!rows) {  // no memory for the widened rows: the reference needs none
        tessera_pointwise_int8_reference(p, pixelBegin, pixelEnd);
        return;
    }
    for (int64_t chunk = pixelBegin; chunk < pixelEnd; chunk += chunkPixels) {
        const int64_t count = pixelEnd - chunk < chunkPixels ? pixelEnd - chunk : chunkPixels;
        for (int64_t i = 0; i < count; i++) widen(p, chunk + i, (int16_t *)(rows + i * pairs));
        for (int32_t first = 0; first < outputs; first += blockWidth(first, outputs)) {
            const int32_t width = blockWidth(first, outputs);
            const int16_t *panel = p->packed + (int64_t)first * pairs * 2;
            for (int64_t i = 0; i < count; i += BLOCK_PIXELS) {
                const int32_t valid = count - i < BLOCK_PIXELS ? (int32_t)(count - i) : BLOCK_PIXELS;
                const int32_t *blockRows[BLOCK_PIXELS];
                for (int j = 0; j < BLOCK_PIXELS; j++) blockRows[j] = rows + (i + (j < valid ? j : valid - 1)) * pairs;
                blocks(p, blockRows, valid, chunk + i, panel, pairs, first, width);
            }
        }
    }
}
