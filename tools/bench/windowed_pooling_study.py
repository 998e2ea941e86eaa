#!/usr/bin/env python3
"""Windowed pooling: can larger tiles reproduce the 256 / 64 reference tiling (issue 29, "no overlap waste")?

The reference tiling (the model's 256 px tile, 64 px overlap: stride S = 192, 32 px margin on every side, as
Sources/TesseraSlide/TilePlan.swift lays it out from the slide's origin) gives every output pixel in the 192 px own
window of reference block B the result of the 256 px tile read around B. Everything in the network that looks at the
whole tile makes that result depend on the tiling:

- se:   each MBConv block's squeeze-excitation averages its whole input map (F.adaptive_avg_pool2d);
- aspp: the ASPP image-pooling branch averages the whole stride-16 map;
- up:   both x4 bilinear upsamplings (decoder stride 16 -> 4, head stride 4 -> 1) use align_corners=True, whose
        sampling positions depend on the map's size (i * (in - 1) / (out - 1): 15/63 of a pixel per pixel in a 256 px
        tile, 31/127 in a 512 px one), so they drift across a large tile by up to 3/4 of an input pixel.

This script runs smp's DeepLabV3+ EfficientNet-B2 (fixtures/models/default.safetensors, unchanged) in PyTorch on
larger tilings with each of these made *reference-windowed*: at a map of stride s, the pixels of reference block B
(192/s pixels square, blocks on the slide's 192 px grid) get the pool over B's reference tile window (256/s square,
starting 32/s before B), and the upsampling samples B's pixels where the 256 px tile would have sampled them. Where
a window reaches beyond the tile (a tiling whose stride is not a multiple of 192), `--edge clip` averages the part
inside the tile and `--edge zero` divides by the whole window's area. Two further tokens go beyond pooling, to
measure what is left: `asppcrop` runs the whole ASPP (its atrous branches see zero padding beyond a 16 x 16 map in
the reference: rates 12, 24 and 36) and its x4 upsampling on each block's own 256 px window of the stride-16 map;
`deepcrop` does the same from the encoder's stride-8 map on (the stride-16 and dilated stages, about three quarters of
the network's multiply-adds), so only the shallow layers see the larger tile (a crop reads zeros beyond the tile, whatever --edge says). Variants join tokens with '+': `plain`
(smp as is), `aspp`, `se+aspp`, `se+aspp+up`, `up`, `aspp+up`, `se+asppcrop+up`, `se+deepcrop+up`. `--self-check`
checks the windowed operations against smp where they must agree.

For each slide, tiling and variant it prints the argmax agreement with the plain 256 / 64 reference over the pixels
both predict (and over the tissue pixels among them: min(R, G, B) < 215), a seam ratio (class changes across the
borders of the tiling's own windows over class changes across their middle lines, as tiling_study.py), and the cost:
tiles, network pixels per pixel the reference predicts, (N / S)^2 (the same away from the slide's edges), and
PyTorch CPU seconds per mm^2 (one thread; an indication only).

Geometry, as Tessera: the grid starts at the slide's origin; tile (c, r) owns (c S, r S, S x S) and reads it grown by
K / 2 on every side; what lies beyond the slide reads as white; tiles whose own window holds less than
--min-tissue of tissue are skipped. Differences from `tessera run`: no stain normalisation; a slide within 5% of
0.5 um/px (CMU-1-Small-Region.svs, 0.499) is used at level 0 as is, as the model was trained; another is resized to
0.5 um/px with PIL's bilinear filter; the tissue mask is min(R, G, B) < 215 at the model's resolution.

    tools/.venv/bin/python tools/bench/windowed_pooling_study.py fixtures/slides/CMU-1-Small-Region.svs \\
        --configs 256:64,448:64,512:64,1024:64 --variants plain,aspp,se+aspp,se+aspp+up,up
    tools/.venv/bin/python tools/bench/windowed_pooling_study.py fixtures/slides/CMU-1-Small-Region.svs \\
        --configs 448:64 --variants se+deepcrop+up,se+asppcrop+up,aspp+up

Needs torch, segmentation-models-pytorch, safetensors, openslide-python, numpy, pillow (tools/train/requirements.txt).
"""
import argparse
import json
import os
import time

import numpy as np
import openslide
import segmentation_models_pytorch as smp
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors import safe_open
from safetensors.torch import load_file

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
TARGET_MPP = 0.5
# The reference tiling: 256 px tiles, 64 px overlap.
REFERENCE_TILE, REFERENCE_OVERLAP = 256, 64
REFERENCE_STRIDE, REFERENCE_MARGIN = REFERENCE_TILE - REFERENCE_OVERLAP, REFERENCE_OVERLAP // 2
ENCODER_STRIDE = 16  # the deepest map's stride (output stride 16: the last stage is dilated)


class TileContext:
    """Where the tile being run lies on the slide, and which pools / upsamplings follow the reference grid."""
    origin = (0, 0)  # (y, x) of the tile's read window, target pixels, slide coordinates
    windowed = frozenset()  # subset of {"se", "aspp", "up"}
    edge = "clip"


CONTEXT = TileContext()


def block_axis(origin, length, stride):
    """For one axis of a map of `length` pixels at `stride`, starting at slide coordinate `origin`: the reference
    blocks the map touches, each pixel's block (0-based among them), and each block's window in map pixels
    (start, end, unclipped) and its first pixel in map pixels."""
    first = (origin // REFERENCE_STRIDE)
    last = (origin + stride * (length - 1)) // REFERENCE_STRIDE
    blocks = np.arange(first, last + 1)
    pixel_block = (origin + stride * np.arange(length)) // REFERENCE_STRIDE - first
    block_start = blocks * REFERENCE_STRIDE - origin  # slide px relative to the tile origin
    window_start = (block_start - REFERENCE_MARGIN) // stride
    window_end = (block_start - REFERENCE_MARGIN + REFERENCE_TILE) // stride
    return pixel_block, window_start, window_end, block_start


def windowed_mean(x):
    """Mean of x (1 x C x H x W) over each reference block's tile window: C x By x Bx, and each pixel's block."""
    _, channels, height, width = x.shape
    stride = CONTEXT_TILE_SIZE[0] // height
    assert stride * height == CONTEXT_TILE_SIZE[0], (stride, height)
    assert all(o % stride == 0 for o in CONTEXT.origin), "the reference blocks must fall on the map's pixels"
    rows = block_axis(CONTEXT.origin[0], height, stride)
    cols = block_axis(CONTEXT.origin[1], width, stride)
    integral = F.pad(x[0].double().cumsum(1).cumsum(2), (1, 0, 1, 0))  # C x (H+1) x (W+1)
    y0 = np.clip(rows[1], 0, height); y1 = np.clip(rows[2], 0, height)
    x0 = np.clip(cols[1], 0, width); x1 = np.clip(cols[2], 0, width)
    Y0, X0 = np.meshgrid(y0, x0, indexing="ij"); Y1, X1 = np.meshgrid(y1, x1, indexing="ij")
    sums = integral[:, Y1, X1] - integral[:, Y0, X1] - integral[:, Y1, X0] + integral[:, Y0, X0]
    if CONTEXT.edge == "clip":
        count = torch.from_numpy(((Y1 - Y0) * (X1 - X0)).astype(np.float64))
    else:
        count = torch.full(Y0.shape, float((REFERENCE_TILE // stride) ** 2), dtype=torch.float64)
    return (sums / count).float(), rows[0], cols[0]


def spread(per_block, pixel_rows, pixel_cols):
    """C x By x Bx -> 1 x C x H x W: each pixel takes its block's value."""
    return per_block[:, torch.from_numpy(pixel_rows)][:, :, torch.from_numpy(pixel_cols)][None]


CONTEXT_TILE_SIZE = [REFERENCE_TILE]


def mbconv_forward(self, inputs, drop_connect_rate=None):
    """smp 0.6's MBConvBlock.forward (segmentation_models_pytorch/encoders/_efficientnet.py) in eval, its
    squeeze-excitation pooled per reference window when 'se' is windowed."""
    x = inputs
    if self._has_expansion:
        x = self._swish(self._bn0(self._expand_conv(inputs)))
    x = self._swish(self._bn1(self._depthwise_conv(x)))
    if self._has_se:
        if "se" in CONTEXT.windowed:
            means, pixel_rows, pixel_cols = windowed_mean(x)
            gates = self._se_expand(self._swish(self._se_reduce(means[None])))[0]  # the 1x1 convs, per block
            x = spread(torch.sigmoid(gates), pixel_rows, pixel_cols) * x
        else:
            squeezed = F.adaptive_avg_pool2d(x, 1)
            squeezed = self._se_expand(self._swish(self._se_reduce(squeezed)))
            x = torch.sigmoid(squeezed) * x
    x = self._bn2(self._project_conv(x))
    if self._has_drop_connect:
        x = x + inputs  # the skip connection; no drop-connect in eval
    return x


def aspp_pooling_forward(self, x):
    """smp's ASPPPooling: pool, 1x1 conv, BN, ReLU, spread back; per reference window when 'aspp' is windowed."""
    if "aspp" not in CONTEXT.windowed:
        size = x.shape[-2:]
        for module in self:
            x = module(x)
        return F.interpolate(x, size=size, mode="bilinear", align_corners=False)
    means, pixel_rows, pixel_cols = windowed_mean(x)
    pooled = means[None]
    for module in list(self)[1:]:  # skip the AdaptiveAvgPool2d
        pooled = module(pooled)
    return spread(pooled[0], pixel_rows, pixel_cols)


def reference_taps(origin, input_length, input_stride, factor):
    """Bilinear taps for an x`factor` upsampling (align_corners=True) done per reference tile: output pixel j (at
    stride input_stride / factor) of reference block B samples B's 256 px tile map where that tile would, mapped to
    this tile's map (clamped to it)."""
    output_stride = input_stride // factor
    output_length = input_length * factor
    reference_in = REFERENCE_TILE // input_stride
    reference_out = reference_in * factor
    scale = (reference_in - 1) / (reference_out - 1)
    position = origin + output_stride * np.arange(output_length)  # slide coordinate of each output pixel
    block = position // REFERENCE_STRIDE
    reference_origin = block * REFERENCE_STRIDE - REFERENCE_MARGIN
    local = (position - reference_origin) // output_stride  # index in the reference tile's output map
    real = (reference_origin - origin) / input_stride + local * scale  # in this tile's input map
    real = np.clip(real, 0, input_length - 1)
    first = np.minimum(np.floor(real).astype(np.int64), input_length - 1)
    second = np.minimum(first + 1, input_length - 1)
    weight = torch.from_numpy((real - first).astype(np.float32))
    return torch.from_numpy(first), torch.from_numpy(second), weight


class Upsample(torch.nn.Module):
    """x4 bilinear, align_corners=True per tile (smp's UpsamplingBilinear2d) or per reference tile ('up')."""

    def __init__(self, factor):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        if "up" not in CONTEXT.windowed:
            return F.interpolate(x, scale_factor=self.factor, mode="bilinear", align_corners=True)
        _, _, height, width = x.shape
        input_stride = CONTEXT_TILE_SIZE[0] // height
        r0, r1, rw = reference_taps(CONTEXT.origin[0], height, input_stride, self.factor)
        c0, c1, cw = reference_taps(CONTEXT.origin[1], width, input_stride, self.factor)
        rows = x[:, :, r0] * (1 - rw).view(1, 1, -1, 1) + x[:, :, r1] * rw.view(1, 1, -1, 1)
        return rows[:, :, :, c0] * (1 - cw).view(1, 1, 1, -1) + rows[:, :, :, c1] * cw.view(1, 1, 1, -1)


def encode(encoder, inputs, shallow_only):
    """smp's EfficientNetEncoder.forward; with shallow_only, only up to the stride-8 map (the last feature)."""
    if not shallow_only:
        return encoder(inputs)
    x = encoder._swish(encoder._bn0(encoder._conv_stem(inputs)))
    features = [inputs, x]
    for i, block in enumerate(encoder._blocks[:encoder._out_indexes[1] + 1]):
        x = block(x)
        if i in encoder._out_indexes:
            features.append(x)
    return features


def per_block(source, run, channels):
    """Runs `run` (a map at stride s -> one at stride 16) on each reference block's 256 px window of `source` (zeros
    beyond the tile), upsamples x4 (align_corners) as smp does, and assembles each block's own part at stride 4."""
    _, _, height, width = source.shape
    stride = CONTEXT_TILE_SIZE[0] // height
    window, margin, own = REFERENCE_TILE // 16, REFERENCE_MARGIN // 16, REFERENCE_STRIDE // 16
    factor = 4
    rows, cols = block_axis(CONTEXT.origin[0], height, stride), block_axis(CONTEXT.origin[1], width, stride)
    span = REFERENCE_TILE // stride
    padded = F.pad(source, (span, span, span, span))
    out_height, out_width = height * stride // factor, width * stride // factor
    upsampled = torch.zeros(1, channels, out_height, out_width)
    windowed = CONTEXT.windowed
    CONTEXT.windowed = frozenset()  # inside a crop every pool is the crop's own: the reference's
    for y0, b0 in zip(rows[1], rows[3]):
        for x0, c0 in zip(cols[1], cols[3]):
            crop = padded[:, :, y0 + span:y0 + 2 * span, x0 + span:x0 + 2 * span]
            out = run(crop)
            assert out.shape[-1] == window, out.shape
            out = F.interpolate(out, scale_factor=factor, mode="bilinear", align_corners=True)
            out = out[:, :, margin * factor:(margin + own) * factor, margin * factor:(margin + own) * factor]
            ty, tx = b0 // factor, c0 // factor  # the block's own pixels at stride 4 in this tile's map, clipped
            sy, sx = max(0, -ty), max(0, -tx)
            ey, ex = min(out.shape[2], out_height - ty), min(out.shape[3], out_width - tx)
            if sy < ey and sx < ex:
                upsampled[:, :, ty + sy:ty + ey, tx + sx:tx + ex] = out[:, :, sy:ey, sx:ex]
    CONTEXT.windowed = windowed
    return upsampled


def decoder_forward(model, features):
    """smp's DeepLabV3PlusDecoder.forward. With 'asppcrop' the whole ASPP (atrous branches with their zero padding,
    image pooling, projection, separable conv) and its x4 upsampling run per reference block window of the stride-16
    map; with 'deepcrop' (features end at stride 8) so do the encoder's stride-16 and dilated stages: everything
    from there on is the reference tile's computation on the same stride-8 features."""
    decoder = model.decoder
    channels = decoder.aspp[0].project[0].out_channels
    if "deepcrop" in CONTEXT.windowed:
        deep = model.encoder._blocks[model.encoder._out_indexes[1] + 1:]
        def run(crop):
            for block in deep:
                crop = block(crop)
            return decoder.aspp(crop)
        top = per_block(features[-1], run, channels)
    elif "asppcrop" in CONTEXT.windowed:
        top = per_block(features[-1], decoder.aspp, channels)
    else:
        top = decoder.up(decoder.aspp(features[-1]))
    return decoder.block2(torch.cat([top, decoder.block1(features[2])], dim=1))


def build_model(path):
    weights = load_file(path)
    with safe_open(path, "pt") as file:
        meta = file.metadata()
    assert meta["architecture"] == "deeplabv3plus" and meta["encoder"] == "efficientnet-b2", meta
    model = smp.DeepLabV3Plus(encoder_name="efficientnet-b2", encoder_weights=None, classes=int(meta["classes"]),
                              encoder_output_stride=int(meta["encoder_output_stride"]),
                              decoder_channels=int(meta["decoder_channels"]),
                              decoder_atrous_rates=tuple(int(r) for r in meta["atrous_rates"].split(",")))
    model.load_state_dict({k: v.float() for k, v in weights.items()}, strict=True)
    model.eval()
    # Patch the whole-tile operations (the plain variant runs exactly smp's arithmetic through them).
    mbconv = type(model.encoder._blocks[0])
    mbconv.forward = mbconv_forward
    aspp_pooling = type(model.decoder.aspp[0].convs[4])
    aspp_pooling.forward = aspp_pooling_forward
    for parent, index in [(model.decoder, "up"), (model.segmentation_head, "1")]:
        upsample = parent._modules[index]
        assert isinstance(upsample, torch.nn.Upsample) and upsample.align_corners and upsample.mode == "bilinear"
        parent._modules[index] = Upsample(int(upsample.scale_factor))
    return model


def read_slide(path):
    """The slide at the model's resolution (H x W x 3 uint8) and the µm/px used for areas."""
    slide = openslide.OpenSlide(path)
    mpp = float(slide.properties["openslide.mpp-x"])
    width, height = slide.dimensions
    image = slide.read_region((0, 0), 0, (width, height)).convert("RGB")
    if abs(mpp / TARGET_MPP - 1) > 0.05:
        factor = mpp / TARGET_MPP
        image = image.resize((round(width * factor), round(height * factor)), Image.BILINEAR)
        return np.asarray(image), TARGET_MPP
    return np.asarray(image), mpp


def plan(height, width, tissue, tile, overlap, minimum_tissue):
    stride = tile - overlap
    columns, rows = -(-width // stride), -(-height // stride)
    kept = []
    for r in range(rows):
        for c in range(columns):
            own = tissue[r * stride:(r + 1) * stride, c * stride:(c + 1) * stride]
            if own.size and own.mean() >= minimum_tissue:
                kept.append((r, c))
    return kept


def run_tiling(model, padded, pad, shape, kept, tile, overlap, variants, edge):
    """Class maps (variant -> H x W uint8, 255 where not predicted) and CPU seconds per variant."""
    height, width = shape
    stride, margin = tile - overlap, overlap // 2
    maps = {v: np.full(shape, 255, np.uint8) for v in variants}
    seconds = {v: 0.0 for v in variants}
    CONTEXT_TILE_SIZE[0] = tile
    CONTEXT.edge = edge
    encoders = sorted({("se" in v.split("+"), "deepcrop" in v.split("+")) for v in variants})
    with torch.no_grad():
        for r, c in kept:
            y, x = r * stride - margin, c * stride - margin
            window = torch.from_numpy(np.ascontiguousarray(padded[y + pad:y + pad + tile, x + pad:x + pad + tile]))
            inputs = (window.permute(2, 0, 1)[None].float() / 255.0 - MEAN) / STD
            CONTEXT.origin = (y, x)
            features = {}
            for windowed_se, shallow_only in encoders:
                CONTEXT.windowed = frozenset({"se"} if windowed_se else ())
                start = time.process_time()
                features[windowed_se, shallow_only] = encode(model.encoder, inputs, shallow_only)
                elapsed = time.process_time() - start
                for v in variants:
                    if ("se" in v.split("+"), "deepcrop" in v.split("+")) == (windowed_se, shallow_only):
                        seconds[v] += elapsed
            for v in variants:
                parts = set(v.split("+")) - {"plain"}
                CONTEXT.windowed = frozenset(parts)
                start = time.process_time()
                logits = model.segmentation_head(decoder_forward(model, features["se" in parts, "deepcrop" in parts]))
                seconds[v] += time.process_time() - start
                own = logits[0, :, margin:margin + stride, margin:margin + stride].argmax(0).numpy().astype(np.uint8)
                y0, x0 = r * stride, c * stride
                h, w = min(stride, height - y0), min(stride, width - x0)
                maps[v][y0:y0 + h, x0:x0 + w] = own[:h, :w]
    return maps, seconds


def set_reference(tile, overlap):
    global REFERENCE_TILE, REFERENCE_OVERLAP, REFERENCE_STRIDE, REFERENCE_MARGIN
    REFERENCE_TILE, REFERENCE_OVERLAP = tile, overlap
    REFERENCE_STRIDE, REFERENCE_MARGIN = tile - overlap, overlap // 2


def self_check(model, rgb):
    """Checks of the windowed operations: (1) with a reference tiling of one 512 px tile without overlap, every
    variant of that tile must give smp's own logits (the windows are the whole tile, the taps align_corners'); (2) a
    windowed mean against a mean over the slice, on the real reference geometry, at a block whose window is clipped."""
    failures = []
    set_reference(512, 0)
    CONTEXT_TILE_SIZE[0], CONTEXT.origin, CONTEXT.edge = 512, (0, 0), "clip"
    inputs = (torch.from_numpy(np.ascontiguousarray(rgb[:512, :512])).permute(2, 0, 1)[None].float() / 255.0 - MEAN) / STD
    with torch.no_grad():
        CONTEXT.windowed = frozenset()
        plain = model(inputs)
        for windowed in [{"se"}, {"aspp"}, {"up"}, {"se", "aspp", "up"}, {"se", "asppcrop", "up"}, {"se", "deepcrop", "up"}]:
            CONTEXT.windowed = frozenset(windowed)
            features = encode(model.encoder, inputs, "deepcrop" in windowed)
            logits = model.segmentation_head(decoder_forward(model, features))
            difference = float((logits - plain).abs().max())
            print(f"self-check: one-tile reference, windowed {sorted(windowed)}: max |logit difference| {difference:.2e}")
            if difference > 1e-4:
                failures.append(f"windowed {sorted(windowed)} differs from smp by {difference}")
    set_reference(256, 64)
    # A reference tile: its own block's ASPP crop is its whole map, so away from the 1 px (stride 4) that block2's
    # 3x3 conv reaches into the neighbouring blocks, its own window must be smp's.
    CONTEXT_TILE_SIZE[0], CONTEXT.origin = 256, (192 - 32, 384 - 32)
    inputs = (torch.from_numpy(np.ascontiguousarray(rgb[160:416, 352:608])).permute(2, 0, 1)[None].float() / 255.0 - MEAN) / STD
    with torch.no_grad():
        CONTEXT.windowed = frozenset()
        plain = model(inputs)
        for windowed in [{"asppcrop", "up"}, {"deepcrop", "up"}]:
            CONTEXT.windowed = frozenset(windowed)
            logits = model.segmentation_head(decoder_forward(model, encode(model.encoder, inputs, "deepcrop" in windowed)))
            inner = slice(32 + 8, 224 - 8)
            difference = float((logits - plain)[:, :, inner, inner].abs().max())
            print(f"self-check: reference tile, {sorted(windowed)}: max |logit difference| inside its own window {difference:.2e}")
            if difference > 1e-4:
                failures.append(f"{sorted(windowed)} differs from smp on a reference tile by {difference}")
    CONTEXT_TILE_SIZE[0], CONTEXT.origin = 448, (192 - 32, 384 - 32)
    x = torch.randn(1, 5, 448 // 4, 448 // 4)
    for edge in ["clip", "zero"]:
        CONTEXT.edge = edge
        means, pixel_rows, pixel_cols = windowed_mean(x)
        # Pixel (0, 0) is slide (160, 352): block (0, 1), window slide y -32..224, x 160..416 = map rows 0..16
        # (clipped from -48), columns 0..16 (-48..16 clipped). The last block column's window is clipped on the right.
        expected = x[0, :, 0:16, 0:16].sum((1, 2)) / (16 * 16 if edge == "clip" else (256 // 4) ** 2)
        if pixel_rows[0] != 0 or pixel_cols[0] != 0:
            failures.append(f"pixel (0, 0) in block ({pixel_rows[0]}, {pixel_cols[0]})")
        difference = float((means[:, 0, 0] - expected).abs().max())
        print(f"self-check: windowed mean, edge {edge}: max difference {difference:.2e}")
        if difference > 1e-5:
            failures.append(f"windowed mean ({edge}) off by {difference}")
    if failures:
        raise SystemExit("self-check failed: " + "; ".join(failures))
    print("self-check passed")


def seam_ratio(classes, windows):
    """Class changes across own-window borders over class changes across the windows' middle lines."""
    def changes(lines):
        differ = total = 0
        for vertical, at, start, end in lines:
            if vertical and 0 < at < classes.shape[1]:
                a, b = classes[start:end, at - 1], classes[start:end, at]
            elif not vertical and 0 < at < classes.shape[0]:
                a, b = classes[at - 1, start:end], classes[at, start:end]
            else:
                continue
            valid = (a != 255) & (b != 255)
            differ += int(np.count_nonzero((a != b) & valid))
            total += int(np.count_nonzero(valid))
        return differ / max(1, total)
    borders = changes([(True, x, y, y + s) for y, x, s in windows] + [(False, y, x, x + s) for y, x, s in windows])
    middles = changes([(True, x + s // 2, y, y + s) for y, x, s in windows]
                      + [(False, y + s // 2, x, x + s) for y, x, s in windows])
    return borders / middles if middles > 0 else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("slides", nargs="+")
    parser.add_argument("--model", default="fixtures/models/default.safetensors")
    parser.add_argument("--configs", default="256:64,448:64,512:64,1024:64", help="tile:overlap, comma-separated")
    parser.add_argument("--variants", default="plain,aspp,se+aspp,se+aspp+up,up")
    parser.add_argument("--edge", choices=["clip", "zero"], default="clip",
                        help="a reference window reaching beyond the tile: average what is inside, or divide by the whole window")
    parser.add_argument("--min-tissue", type=float, default=0.05, help="tiles whose own window holds less are skipped")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--self-check", action="store_true", help="check the windowed operations on the first slide and stop")
    parser.add_argument("--out", default="out/windowed-pooling", help="class maps (PNG) and report.json go here")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    variants = args.variants.split(",")
    configs = [tuple(int(v) for v in c.split(":")) for c in args.configs.split(",")]
    for tile, overlap in configs:
        # The reference blocks (192 px on the slide's grid) must fall on whole pixels of the stride-16 map.
        if overlap >= tile or tile % ENCODER_STRIDE or (tile - overlap) % ENCODER_STRIDE or (overlap // 2) % ENCODER_STRIDE:
            parser.error(f"tiling {tile}:{overlap}: the tile, its stride and half the overlap must be multiples of 16")
    model = build_model(args.model)
    os.makedirs(args.out, exist_ok=True)
    report = []
    for slide_path in args.slides:
        name = os.path.basename(slide_path)
        rgb, mpp = read_slide(slide_path)
        if args.self_check:
            self_check(model, rgb)
            return
        height, width, _ = rgb.shape
        tissue = rgb.min(axis=2) < 215
        pad = max(tile for tile, _ in configs) + REFERENCE_TILE
        padded = np.pad(rgb, ((pad, pad), (pad, pad), (0, 0)), constant_values=255)
        ref_kept = plan(height, width, tissue, REFERENCE_TILE, REFERENCE_OVERLAP, args.min_tissue)
        ref_maps, _ = run_tiling(model, padded, pad, (height, width), ref_kept, REFERENCE_TILE, REFERENCE_OVERLAP,
                                 ["plain"], "clip")
        reference = ref_maps["plain"]
        predicted_px = int(np.count_nonzero(reference != 255))
        area_mm2 = predicted_px * mpp * mpp / 1e6
        print(f"{name}: {width}x{height} px at {mpp} um/px, reference 256/64: {len(ref_kept)} tiles, "
              f"{predicted_px} px predicted ({area_mm2:.3f} mm2), {int(tissue.sum())} tissue px", flush=True)
        for tile, overlap in configs:
            kept = plan(height, width, tissue, tile, overlap, args.min_tissue)
            maps, seconds = run_tiling(model, padded, pad, (height, width), kept, tile, overlap, variants, args.edge)
            stride = tile - overlap
            windows = [(r * stride, c * stride, stride) for r, c in kept]
            for v in variants:
                classes = maps[v]
                both = (classes != 255) & (reference != 255)
                same = (classes == reference) & both
                row = {
                    "slide": name, "tile": tile, "overlap": overlap, "variant": v, "edge": args.edge,
                    "aligned": stride % REFERENCE_STRIDE == 0 and overlap // 2 >= REFERENCE_MARGIN,
                    "tiles": len(kept), "network_px_per_predicted_px": len(kept) * tile * tile / predicted_px,
                    "interior_network_px_per_px": (tile / stride) ** 2,
                    "agreement": np.count_nonzero(same) / max(1, np.count_nonzero(both)),
                    "tissue_agreement": np.count_nonzero(same & tissue) / max(1, np.count_nonzero(both & tissue)),
                    "seam_ratio": seam_ratio(classes, windows),
                    "cpu_seconds_per_mm2": seconds[v] / area_mm2,
                }
                report.append(row)
                Image.fromarray(np.where(classes == 255, 0, classes * 120 + 15).astype(np.uint8)).save(
                    os.path.join(args.out, f"{name}-{tile}-{overlap}-{v}-{args.edge}.png"))
                print(f"{name} {tile}:{overlap} {v}: agreement {100 * row['agreement']:.2f}% "
                      f"(tissue {100 * row['tissue_agreement']:.2f}%), seam ratio {row['seam_ratio']:.2f}, "
                      f"{len(kept)} tiles, {seconds[v]:.1f} CPU s", flush=True)
        ref_windows = [(r * REFERENCE_STRIDE, c * REFERENCE_STRIDE, REFERENCE_STRIDE) for r, c in ref_kept]
        print(f"{name} reference seam ratio {seam_ratio(reference, ref_windows):.2f}", flush=True)
    print()
    print(f"| slide | tile | overlap | variant | tiles | network px per predicted px | (N/S)² | agreement with 256/64 "
          f"| tissue agreement | seam ratio | CPU s per mm² |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in report:
        variant = row["variant"] if row["aligned"] or row["variant"] == "plain" else f"{row['variant']} ({row['edge']})"
        print(f"| {row['slide']} | {row['tile']} | {row['overlap']} | {variant} | {row['tiles']} | "
              f"{row['network_px_per_predicted_px']:.2f} | {row['interior_network_px_per_px']:.2f} | "
              f"{100 * row['agreement']:.2f}% | {100 * row['tissue_agreement']:.2f}% | {row['seam_ratio']:.2f} | "
              f"{row['cpu_seconds_per_mm2']:.1f} |")
    print(f"load average at the end: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} CPUs")
    with open(os.path.join(args.out, f"report-{args.edge}.json"), "w") as file:
        json.dump(report, file, indent=1)


if __name__ == "__main__":
    main()
