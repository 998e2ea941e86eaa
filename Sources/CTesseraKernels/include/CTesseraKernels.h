#ifndef CTESSERA_KERNELS_H
#define CTESSERA_KERNELS_H

#include <stdint.h>

// Tessera's int8 kernels in C, for the layers where oneDNN 2.6's int8 kernels lose to its fp32 ones on machines
// without VNNI. Each kernel has a scalar reference and an AVX2 version that equals it to the last bit (same integer
// sums, same float operations in the same order, the same exp polynomial); the AVX2 one is compiled for AVX2 + FMA
// per function and runs only where `tessera_kernels_have_avx2` says the CPU has them.

#ifdef __cplusplus
extern "C" {
#endif

/// A depthwise convolution on nhwc int8 (one image), with oneDNN's int8 convolution semantics:
/// out[c] = saturate_s8(round_even(post(scales[c] * (float(acc[c]) + bias[c])) * multipliers[c])),
/// post = swish (x / (1 + exp(-x))) or identity, acc the exact s32 sum of s8 weights times s8 or u8 inputs
/// (taps in the padding count zero).
typedef struct {
    const void *source;          ///< height x width x channels, s8 (`sourceSigned`) or u8
    int8_t *destination;         ///< outHeight x outWidth x channels, s8
    const int8_t *weights;       ///< channels x kernel x kernel (smp's depthwise layout)
    const int16_t *packed;       ///< `tessera_depthwise_int8_packed_count` int16s from `tessera_depthwise_int8_pack`
    const float *bias;           ///< per channel, in accumulator units
    const float *scales;         ///< per channel
    const float *multipliers;    ///< per channel, after the activation
    int32_t channels, height, width, outHeight, outWidth;
    int32_t kernel, stride, dilation, padTop, padLeft;
    int32_t sourceSigned, swish;
} TesseraDepthwiseInt8;

/// The largest channel count the kernels take (their zero row for taps in the padding).
#define TESSERA_DEPTHWISE_INT8_MAX_CHANNELS 8192

/// 1 where the CPU has AVX2 and FMA.
int tessera_kernels_have_avx2(void);

/// The int16 count of the AVX2 kernel's weights: per 16-channel chunk, per pair of taps, 32 int16s.
int64_t tessera_depthwise_int8_packed_count(int32_t channels, int32_t kernel);
/// Writes the AVX2 kernel's weights from `weights` (channels x kernel x kernel).
void tessera_depthwise_int8_pack(const int8_t *weights, int32_t channels, int32_t kernel, int16_t *packed);

/// Output rows [rowBegin, rowEnd): the scalar reference, and the AVX2 kernel (only where `tessera_kernels_have_avx2`).
void tessera_depthwise_int8_reference(const TesseraDepthwiseInt8 *p, int32_t rowBegin, int32_t rowEnd);
void tessera_depthwise_int8_avx2(const TesseraDepthwiseInt8 *p, int32_t rowBegin, int32_t rowEnd);

/// A 1x1 convolution on nhwc int8 (one image, or any number of pixels), with oneDNN's int8 convolution semantics:
/// out[c] = round_even(clamp(post(scales[c] * (float(acc[c]) + bias[c]) [+ residualScale * out[c]]) * multipliers[c])),
/// post = swish, ReLU or identity, acc the exact s32 sum over input channels of s8 weights times s8 or u8 inputs,
/// clamp to [-128, 127] for an s8 destination or [0, `unsignedLimit`] for a u8 one. With `residual`, the destination
/// holds a tensor to add (oneDNN's sum post-op) and is overwritten in place.
typedef struct {
    const void *source;          ///< pixels x inputChannels, s8 (`sourceSigned`) or u8
    void *destination;           ///< pixels x outputChannels, s8, or u8 where `unsignedLimit` > 0
    const int8_t *weights;       ///< outputChannels x inputChannels
    const int16_t *packed;       ///< `tessera_pointwise_int8_packed_count` int16s from `tessera_pointwise_int8_pack`
    const float *bias;           ///< per output channel, in accumulator units
    const float *scales;         ///< per output channel
    const float *multipliers;    ///< per output channel, after the activation
    float residualScale;         ///< the residual's scale over the output's (only with `residual`)
    float unsignedLimit;         ///< 0: s8 destination; else u8, clamped to [0, unsignedLimit]
    int32_t pixels, inputChannels, outputChannels;
    int32_t sourceSigned, swish, relu, residual;
} TesseraPointwiseInt8;

/// The int16 count of the AVX2 kernel's weights: output channels in blocks of 24 (then 16, then 8, the last padded
/// with zero weights), per block and pair of input channels the block's (w[c][k], w[c][k + 1]) pairs.
int64_t tessera_pointwise_int8_packed_count(int32_t inputChannels, int32_t outputChannels);
/// Writes the AVX2 kernel's weights from `weights` (outputChannels x inputChannels).
void tessera_pointwise_int8_pack(const int8_t *weights, int32_t inputChannels, int32_t outputChannels, int16_t *packed);

/// Pixels [pixelBegin, pixelEnd): the scalar reference, and the AVX2 kernel (only where `tessera_kernels_have_avx2`).
void tessera_pointwise_int8_reference(const TesseraPointwiseInt8 *p, int64_t pixelBegin, int64_t pixelEnd);
void tessera_pointwise_int8_avx2(const TesseraPointwiseInt8 *p, int64_t pixelBegin, int64_t pixelEnd);

/// The exp both kernels use (Cephes' expf polynomial, FMA steps), exposed for tests.
float tessera_kernels_exp(float x);

#ifdef __cplusplus
}
#endif

#endif
