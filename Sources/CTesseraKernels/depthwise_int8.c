// Depthwise int8 convolution (nhwc): a scalar reference and an AVX2 kernel that equals it to the last bit.
//
// The AVX2 kernel takes 16 channels at a time and two taps per step: the two taps' 16 input bytes are interleaved
// (a0 b0 a1 b1 ...), widened to s16 and multiplied with the interleaved s16 weights by vpmaddwd, which sums each
// (a * wa + b * wb) pair exactly in s32. No 8-bit multiply-add (vpmaddubsw) here: it would need 7-bit inputs or
// weights to stay clear of its s16 saturation, and a depthwise tap has no partner channel to pair with anyway.
// The requantisation after it runs the reference's float operations in the same order (FMA where the reference
// calls fmaf), so outputs are identical.

#pragma STDC FP_CONTRACT OFF

#include "CTesseraKernels.h"

#include <math.h>
#include <string.h>
#include <immintrin.h>

#include "requantise.h"

static const uint8_t zeroRow[TESSERA_DEPTHWISE_INT8_MAX_CHANNELS + 64];

static inline int32_t pairsOf(int32_t kernel) { return (kernel * kernel + 1) / 2; }

int64_t tessera_depthwise_int8_packed_count(int32_t channels, int32_t kernel) {
    return (int64_t)(channels / 16) * pairsOf(kernel) * 32;
}

void tessera_depthwise_int8_pack(const int8_t *weights, int32_t channels, int32_t kernel, int16_t *packed) {
    const int32_t taps = kernel * kernel, pairs = pairsOf(kernel);
    for (int32_t chunk = 0; chunk < channels / 16; chunk++) {
        for (int32_t pair = 0; pair < pairs; pair++) {
            int16_t *out = packed + ((int64_t)chunk * pairs + pair) * 32;
            for (int32_t lane = 0; lane < 16; lane++) {
                const int32_t c = chunk * 16 + lane, a = 2 * pair, b = 2 * pair + 1;
                out[2 * lane] = weights[(int64_t)c * taps + a];
                out[2 * lane + 1] = b < taps ? weights[(int64_t)c * taps + b] : 0;
            }
        }
    }
}

/// The input row of each tap of output pixel (oy, ox), or the zero row where the tap lies in the padding.
/// `offsets`: each tap's byte offset from the first tap (`tapOffsets`), for pixels whose taps all lie inside.
static inline void tapRows(const TesseraDepthwiseInt8 *p, int32_t oy, int32_t ox, const uint8_t **rows, const int64_t *offsets) {
    const uint8_t *source = (const uint8_t *)p->source;
    const int32_t sy0 = oy * p->stride - p->padTop, sx0 = ox * p->stride - p->padLeft, extent = (p->kernel - 1) * p->dilation;
    if (sy0 >= 0 && sy0 + extent < p->height && sx0 >= 0 && sx0 + extent < p->width) {
        const uint8_t *first = source + ((int64_t)sy0 * p->width + sx0) * p->channels;
        const int32_t taps = p->kernel * p->kernel;
        for (int32_t t = 0; t < taps; t++) rows[t] = first + offsets[t];
        rows[taps] = zeroRow;
        return;
    }
    int32_t t = 0;
    for (int32_t ky = 0; ky < p->kernel; ky++) {
        const int32_t sy = oy * p->stride - p->padTop + ky * p->dilation;
        for (int32_t kx = 0; kx < p->kernel; kx++, t++) {
            const int32_t sx = ox * p->stride - p->padLeft + kx * p->dilation;
            const int inside = sy >= 0 && sy < p->height && sx >= 0 && sx < p->width;
            rows[t] = inside ? source + ((int64_t)sy * p->width + sx) * p->channels : zeroRow;
        }
    }
    rows[t] = zeroRow;  // the partner of an odd kernel's last tap
}

static inline void tapOffsets(const TesseraDepthwiseInt8 *p, int64_t *offsets) {
    for (int32_t ky = 0, t = 0; ky < p->kernel; ky++) {
        for (int32_t kx = 0; kx < p->kernel; kx++, t++) {
            offsets[t] = ((int64_t)ky * p->dilation * p->width + (int64_t)kx * p->dilation) * p->channels;
        }
    }
}

static inline int32_t inputAt(const TesseraDepthwiseInt8 *p, const uint8_t *row, int32_t c) {
    return p->sourceSigned ? (int32_t)(int8_t)row[c] : (int32_t)row[c];
}

/// Channels [first, channels) of one output pixel, one at a time.
static void scalarChannels(const TesseraDepthwiseInt8 *p, const uint8_t **rows, int8_t *out, int32_t first) {
    const int32_t taps = p->kernel * p->kernel;
    for (int32_t c = first; c < p->channels; c++) {
        int32_t sum = 0;
        for (int32_t t = 0; t < taps; t++) sum += inputAt(p, rows[t], c) * (int32_t)p->weights[(int64_t)c * taps + t];
        out[c] = requantise(sum, p->bias[c], p->scales[c], p->multipliers[c], p->swish);
    }
}

void tessera_depthwise_int8_reference(const TesseraDepthwiseInt8 *p, int32_t rowBegin, int32_t rowEnd) {
    const uint8_t *rows[26];
    int64_t offsets[25];
    tapOffsets(p, offsets);
    for (int32_t oy = rowBegin; oy < rowEnd; oy++) {
        for (int32_t ox = 0; ox < p->outWidth; ox++) {
            tapRows(p, oy, ox, rows, offsets);
            scalarChannels(p, rows, p->destination + ((int64_t)oy * p->outWidth + ox) * p->channels, 0);
        }
    }
}

AVX2 void tessera_depthwise_int8_avx2(const TesseraDepthwiseInt8 *p, int32_t rowBegin, int32_t rowEnd) {
    const uint8_t *rows[26];
    const int32_t pairs = pairsOf(p->kernel), chunks = p->channels / 16, swish = p->swish, sourceSigned = p->sourceSigned;
    int64_t offsets[25];
    tapOffsets(p, offsets);
    for (int32_t oy = rowBegin; oy < rowEnd; oy++) {
        for (int32_t ox = 0; ox < p->outWidth; ox++) {
            tapRows(p, oy, ox, rows, offsets);
            int8_t *out = p->destination + ((int64_t)oy * p->outWidth + ox) * p->channels;
            const __m256i *w = (const __m256i *)p->packed;
            for (int32_t chunk = 0; chunk < chunks; chunk++) {
                const int32_t c = chunk * 16;
                __m256i low = _mm256_setzero_si256(), high = _mm256_setzero_si256();
                for (int32_t pair = 0; pair < pairs; pair++, w += 2) {
                    const __m128i a = _mm_loadu_si128((const __m128i *)(rows[2 * pair] + c));
                    const __m128i b = _mm_loadu_si128((const __m128i *)(rows[2 * pair + 1] + c));
                    const __m128i lo = _mm_unpacklo_epi8(a, b), hi = _mm_unpackhi_epi8(a, b);
                    const __m256i lo16 = sourceSigned ? _mm256_cvtepi8_epi16(lo) : _mm256_cvtepu8_epi16(lo);
                    const __m256i hi16 = sourceSigned ? _mm256_cvtepi8_epi16(hi) : _mm256_cvtepu8_epi16(hi);
                    low = _mm256_add_epi32(low, _mm256_madd_epi16(lo16, _mm256_loadu_si256(w)));
                    high = _mm256_add_epi32(high, _mm256_madd_epi16(hi16, _mm256_loadu_si256(w + 1)));
                }
                const __m256i q0 = requantise8(low, p->bias + c, p->scales + c, p->multipliers + c, swish);
                const __m256i q1 = requantise8(high, p->bias + c + 8, p->scales + c + 8, p->multipliers + c + 8, swish);
                // s32 -> s16 -> s8 (values are already within [-128, 127]); packs works per 128-bit lane.
                const __m256i words = _mm256_permute4x64_epi64(_mm256_packs_epi32(q0, q1), 0xD8);
                const __m128i bytes = _mm_packs_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
                _mm_storeu_si128((__m128i *)(out + c), bytes);
            }
            scalarChannels(p, rows, out, chunks * 16);
        }
    }
}
