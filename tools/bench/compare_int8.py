#!/usr/bin/env python3
"""Tessera next to ONNX Runtime and OpenVINO, fp32 and int8 of the same network, calibrated on the same tissue tiles,
in one run.

1. Tiles: a grid of --size tiles over the slide's level 0 (CMU-1-Small-Region.svs is 0.499 um/px), kept where at least
   half the pixels are tissue (not near-white); alternate tiles go to calibration and to a held-out set.
2. Tessera: `tessera model quantize MODEL --calibrate calibration.npy` (its default method).
   ONNX Runtime: `quantize_static` QDQ, per-channel, U8 activations, S8 weights, reduce_range (the best configuration
   measured on AVX2 Zen 3; see /work/shared/research.md), MinMax calibration on the same tiles.
   OpenVINO: the same ONNX graph read by OpenVINO's CPU plugin (f32 inference precision), and NNCF's post-training
   quantisation (`nncf.quantize`, its defaults: performance preset, per-channel symmetric weights) on the same tiles.
3. Agreement on the held-out tiles: each engine's int8 argmax against its own fp32 argmax, pixel by pixel.
4. Speed: rounds alternate ONNX Runtime int8, Tessera int8, ONNX Runtime int8 without spinning, OpenVINO int8,
   Tessera fp32, ONNX Runtime fp32 with and without spinning, OpenVINO fp32 (same tiles, threads, batch); medians are
   printed side by side with the ratios the issue asks for, against ONNX Runtime's better setting. Tessera runs as its CLI sets itself up (OpenMP
   passive with a 10,000-spin wait, unless OMP_WAIT_POLICY is set).

    python3 -m venv tools/.venv && tools/.venv/bin/pip install -r tools/bench/requirements.txt
    swift build -c release -j 1 --product tessera
    tools/.venv/bin/python tools/bench/compare_int8.py --size 512
    tools/.venv/bin/python tools/bench/compare_int8.py --size 256
    (OpenVINO and NNCF: tools/.venv/bin/pip install -r tools/bench/requirements-openvino.txt; --no-openvino skips them)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import struct

import numpy as np
import onnx
import onnxruntime as ort
import openslide
from onnx import numpy_helper
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def normalise(tiles):
    return ((tiles.astype(np.float32) / 255.0 - MEAN) / STD).transpose(0, 3, 1, 2).copy()


def read_safetensors(path):
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    header.pop("__metadata__", None)
    kinds = {"F16": np.float16, "F32": np.float32}
    return {name: np.frombuffer(data[info["data_offsets"][0]:info["data_offsets"][1]], dtype=kinds[info["dtype"]])
            .reshape(info["shape"]).astype(np.float32) for name, info in header.items()}


def folded_convolutions(weights):
    """The convolutions followed by BatchNorm, in forward order, folded as torch.onnx.export folds them (it names them
    onnx::Conv_N in that order): (weight, bias) pairs."""
    def fold(conv, bn, epsilon):
        scale = weights[bn + ".weight"] / np.sqrt(weights[bn + ".running_var"] + epsilon)
        return weights[conv] * scale.reshape(-1, 1, 1, 1), weights[bn + ".bias"] - weights[bn + ".running_mean"] * scale
    layers = [fold("encoder._conv_stem.weight", "encoder._bn0", 1e-3)]
    blocks = len({name.split(".")[2] for name in weights if name.startswith("encoder._blocks.")})
    for b in range(blocks):
        p = f"encoder._blocks.{b}"
        if p + "._expand_conv.weight" in weights:
            layers.append(fold(p + "._expand_conv.weight", p + "._bn0", 1e-3))
        layers.append(fold(p + "._depthwise_conv.weight", p + "._bn1", 1e-3))
        layers.append(fold(p + "._project_conv.weight", p + "._bn2", 1e-3))
    layers.append(fold("decoder.aspp.0.convs.0.0.weight", "decoder.aspp.0.convs.0.1", 1e-5))
    for k in (1, 2, 3):
        layers.append(fold(f"decoder.aspp.0.convs.{k}.0.1.weight", f"decoder.aspp.0.convs.{k}.1", 1e-5))
    for conv, bn in [("decoder.aspp.0.convs.4.1", "decoder.aspp.0.convs.4.2"), ("decoder.aspp.0.project.0", "decoder.aspp.0.project.1"),
                     ("decoder.aspp.1.1", "decoder.aspp.2"), ("decoder.block1.0", "decoder.block1.1"), ("decoder.block2.0.1", "decoder.block2.1")]:
        layers.append(fold(conv + ".weight", bn, 1e-5))
    return layers


def onnx_with_weights(template_path, template_weights_path, weights_path, out_path):
    """The ONNX graph of fixtures/reference (smp DeepLabV3+ EfficientNet-B2) with another model's weights: the same
    network for ONNX Runtime as Tessera runs. The folded convolutions are matched by order, checked on the template's
    own weights first; named tensors (squeeze-excitation, BN-free depthwise, head) are replaced by name."""
    graph = onnx.load(template_path)
    initializers = {tensor.name: tensor for tensor in graph.graph.initializer}
    folded = [name for name in initializers if name.startswith("onnx::Conv_")]
    template = folded_convolutions(read_safetensors(template_weights_path))
    if len(folded) != 2 * len(template):
        sys.exit(f"{template_path}: {len(folded)} folded tensors, expected {2 * len(template)}")
    for (weight, bias), weight_name, bias_name in zip(template, folded[0::2], folded[1::2]):
        for expected, name in [(weight, weight_name), (bias, bias_name)]:
            actual = numpy_helper.to_array(initializers[name])
            if actual.shape != expected.shape or np.abs(actual - expected).max() > 1e-4 * (np.abs(expected).max() + 1e-6):
                sys.exit(f"{template_path}: {name} does not match the folded {template_weights_path}; the graph changed")
    weights = read_safetensors(weights_path)
    replacements = {name: value for (w, b), wn, bn in zip(folded_convolutions(weights), folded[0::2], folded[1::2])
                    for name, value in [(wn, w), (bn, b)]}
    replacements.update({name: weights[name] for name in initializers if not name.startswith("onnx::")})
    for name, value in replacements.items():
        initializers[name].CopyFrom(numpy_helper.from_array(value.astype(np.float32), name))
    classes = weights["segmentation_head.0.weight"].shape[0]
    graph.graph.output[0].type.tensor_type.shape.dim[1].dim_value = classes
    onnx.save(graph, out_path)


def tissue_tiles(slide_path, size):
    slide = openslide.OpenSlide(slide_path)
    width, height = slide.dimensions
    tiles = []
    for y in range(0, height - size + 1, size):
        for x in range(0, width - size + 1, size):
            rgb = np.asarray(slide.read_region((x, y), 0, (size, size)).convert("RGB"))
            if (rgb.min(axis=2) < 215).mean() >= 0.5:
                tiles.append(rgb)
    return np.stack(tiles)


class Reader(CalibrationDataReader):
    def __init__(self, tiles):
        self.items = iter([{"input": normalise(tiles[i:i + 1])} for i in range(len(tiles))])

    def get_next(self):
        return next(self.items, None)


def session(path, threads, spinning):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def ort_rate(sess, tiles, seconds):
    """Tiles per second and CPU seconds per tile (this process's CPU time: ONNX Runtime's threads are ours)."""
    sess.run(["logits"], {"input": normalise(tiles)})
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        sess.run(["logits"], {"input": normalise(tiles)})
        count += len(tiles)
    return count / (time.perf_counter() - start), (time.process_time() - cpu) / count


def openvino_compiled(model, batch, size, threads):
    """OpenVINO's CPU plugin on `model` (an ov.Model or an ONNX path) at a fixed batch and tile, f32 arithmetic where
    the model is float (no bf16/f16 down-conversion), `threads` inference threads, latency hint."""
    import openvino as ov
    core = ov.Core()
    if isinstance(model, str):
        model = core.read_model(model)
    model.reshape({model.inputs[0].any_name: [batch, 3, size, size]})
    return core.compile_model(model, "CPU", {"INFERENCE_NUM_THREADS": threads, "PERFORMANCE_HINT": "LATENCY",
                                             "INFERENCE_PRECISION_HINT": "f32"})


def openvino_rate(compiled, tiles, seconds):
    request = compiled.create_infer_request()
    request.infer({0: normalise(tiles)})
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        request.infer({0: normalise(tiles)})
        count += len(tiles)
    return count / (time.perf_counter() - start), (time.process_time() - cpu) / count


def openvino_labels(compiled, tiles):
    request = compiled.create_infer_request()
    return np.concatenate([request.infer({0: normalise(tiles[i:i + 1])})[compiled.outputs[0]] for i in range(len(tiles))]).argmax(axis=1)


def tessera_rate(args, model, tiles_path, batch, precision):
    command = [args.tessera, "model", "bench", model, "--batch", str(batch), "--size", str(args.size), "--threads",
               str(args.threads), "--seconds", str(args.seconds), "--tiles", tiles_path, "--precision", precision, "--json"]
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return result["tiles_per_second"], result["cpu_seconds_per_tile"]


def tessera_labels(args, model, tiles, directory, precision):
    labels = []
    for i, tile in enumerate(tiles):
        png, npy = os.path.join(directory, f"tile{i}.png"), os.path.join(directory, f"logits{i}.npy")
        Image.fromarray(tile).save(png)
        subprocess.run([args.tessera, "model", "run", model, png, "--out", os.path.join(directory, "labels.png"),
                        "--logits", npy, "--precision", precision, "--threads", str(args.threads)],
                       check=True, capture_output=True)
        labels.append(np.load(npy).argmax(axis=0))
    return np.stack(labels)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tessera", default=".build/release/tessera")
    parser.add_argument("--model", default="fixtures/models/default.safetensors")
    parser.add_argument("--onnx-template", default="fixtures/reference/model.onnx",
                        help="ONNX graph of the architecture; its weights are replaced by --model's")
    parser.add_argument("--slide", default="fixtures/slides/CMU-1-Small-Region.svs")
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--no-openvino", action="store_true", help="leave OpenVINO and NNCF out")
    args = parser.parse_args()
    # Tessera runs as shipped: its CLI sets OMP_WAIT_POLICY=passive GOMP_SPINCOUNT=10000 unless the policy is set.
    os.environ.pop("OMP_WAIT_POLICY", None)
    os.environ.pop("GOMP_SPINCOUNT", None)

    with tempfile.TemporaryDirectory() as directory:
        tiles = tissue_tiles(args.slide, args.size)
        calibration, held_out = tiles[0::2], tiles[1::2]
        calibration_path, held_out_path = os.path.join(directory, "calibration.npy"), os.path.join(directory, "held-out.npy")
        np.save(calibration_path, calibration)
        np.save(held_out_path, held_out)
        print(f"{len(tiles)} tissue tiles of {args.size}x{args.size} from {args.slide}: {len(calibration)} calibration, "
              f"{len(held_out)} held out", flush=True)

        onnx_fp32 = os.path.join(directory, "model.onnx")
        onnx_with_weights(args.onnx_template, os.path.join(os.path.dirname(args.onnx_template), "..", "models", "reference-random.safetensors"), args.model, onnx_fp32)
        tessera_int8 = os.path.join(directory, "model-int8.safetensors")
        start = time.perf_counter()
        subprocess.run([args.tessera, "model", "quantize", args.model, "--calibrate", calibration_path, "--tiles", str(len(calibration)),
                        "--tile", str(args.size), "--stain", "none", "--out", tessera_int8, "--threads", str(args.threads)], check=True)
        tessera_seconds = time.perf_counter() - start
        ort_int8 = os.path.join(directory, "model-int8.onnx")
        start = time.perf_counter()
        quantize_static(onnx_fp32, ort_int8, Reader(calibration), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, reduce_range=True)
        ort_seconds = time.perf_counter() - start
        print(f"quantised: tessera {tessera_seconds:.1f} s, onnxruntime {ort_seconds:.1f} s", flush=True)
        if not args.no_openvino:
            import nncf
            import openvino as ov
            start = time.perf_counter()
            ov_int8_model = nncf.quantize(ov.Core().read_model(onnx_fp32),
                                          nncf.Dataset([normalise(calibration[i:i + 1]) for i in range(len(calibration))]),
                                          subset_size=len(calibration))
            print(f"quantised: openvino (nncf {nncf.__version__}) {time.perf_counter() - start:.1f} s", flush=True)

        # ONNX Runtime both ways (its threads spinning between runs, its default, or not); its best is the peer.
        ort_fp32, ort_q = session(onnx_fp32, args.threads, True), session(ort_int8, args.threads, True)
        ort_fp32_quiet, ort_q_quiet = session(onnx_fp32, args.threads, False), session(ort_int8, args.threads, False)
        reference = np.concatenate([ort_fp32.run(["logits"], {"input": normalise(held_out[i:i + 1])})[0] for i in range(len(held_out))]).argmax(axis=1)
        ort_labels = np.concatenate([ort_q.run(["logits"], {"input": normalise(held_out[i:i + 1])})[0] for i in range(len(held_out))]).argmax(axis=1)
        labels_fp32 = tessera_labels(args, args.model, held_out, directory, "fp32")
        labels_int8 = tessera_labels(args, tessera_int8, held_out, directory, "int8")
        agreement = {
            "onnxruntime int8 vs its fp32": float((ort_labels == reference).mean()),
            "tessera int8 vs its fp32": float((labels_int8 == labels_fp32).mean()),
            "tessera fp32 vs onnxruntime fp32": float((labels_fp32 == reference).mean()),
            "tessera int8 vs onnxruntime fp32": float((labels_int8 == reference).mean()),
        }
        if not args.no_openvino:
            ov_fp32_single = openvino_compiled(onnx_fp32, 1, args.size, args.threads)
            ov_int8_single = openvino_compiled(ov_int8_model.clone(), 1, args.size, args.threads)
            ov_fp32_labels, ov_int8_labels = openvino_labels(ov_fp32_single, held_out), openvino_labels(ov_int8_single, held_out)
            agreement["openvino int8 vs its fp32"] = float((ov_int8_labels == ov_fp32_labels).mean())
            agreement["openvino fp32 vs onnxruntime fp32"] = float((ov_fp32_labels == reference).mean())
            del ov_fp32_single, ov_int8_single
        for name, value in agreement.items():
            print(f"agreement {name}: {100 * value:.2f}% of {reference.size} held-out pixels", flush=True)

        batch = held_out[:args.batch] if len(held_out) >= args.batch else np.resize(held_out, (args.batch,) + held_out.shape[1:])
        batch_path = os.path.join(directory, "batch.npy")
        np.save(batch_path, batch)
        # Wall-clock rates swing with other work on shared cores; CPU seconds per tile much less, so both are printed.
        rates = {"onnxruntime int8 spin": [], "tessera int8": [], "onnxruntime int8 nospin": [], "openvino int8": [],
                 "tessera fp32": [], "onnxruntime fp32 spin": [], "onnxruntime fp32 nospin": [], "openvino fp32": []}
        if args.no_openvino:
            del rates["openvino int8"], rates["openvino fp32"]
        else:
            ov_fp32 = openvino_compiled(onnx_fp32, args.batch, args.size, args.threads)
            ov_int8 = openvino_compiled(ov_int8_model, args.batch, args.size, args.threads)
        for _ in range(args.rounds):
            rates["onnxruntime int8 spin"].append(ort_rate(ort_q, batch, args.seconds))
            rates["tessera int8"].append(tessera_rate(args, tessera_int8, batch_path, args.batch, "int8"))
            rates["onnxruntime int8 nospin"].append(ort_rate(ort_q_quiet, batch, args.seconds))
            if not args.no_openvino:
                rates["openvino int8"].append(openvino_rate(ov_int8, batch, args.seconds))
            rates["tessera fp32"].append(tessera_rate(args, args.model, batch_path, args.batch, "fp32"))
            rates["onnxruntime fp32 spin"].append(ort_rate(ort_fp32, batch, args.seconds))
            rates["onnxruntime fp32 nospin"].append(ort_rate(ort_fp32_quiet, batch, args.seconds))
            if not args.no_openvino:
                rates["openvino fp32"].append(openvino_rate(ov_fp32, batch, args.seconds))
        median = {name: statistics.median(r for r, _ in values) for name, values in rates.items()}
        cpu = {name: statistics.median(c for _, c in values) for name, values in rates.items()}
        for precision in ("int8", "fp32"):
            best = max((f"onnxruntime {precision} spin", f"onnxruntime {precision} nospin"), key=lambda name: median[name])
            median[f"onnxruntime {precision}"], cpu[f"onnxruntime {precision}"] = median[best], cpu[best]
            print(f"onnxruntime's best {precision}: {best}", flush=True)
        print(f"\n{args.size}x{args.size}, batch {args.batch}, {args.threads} threads, {args.rounds} alternating rounds of {args.seconds} s "
              f"(median tiles/s; median CPU ms per tile):")
        for name, value in median.items():
            if name not in rates:
                continue
            print(f"  {name:23s} {value:7.2f} tiles/s {1000 * cpu[name]:8.1f} CPU ms/tile   rounds {['%.2f' % r for r, _ in rates[name]]}")
        pairs = [("tessera int8", "onnxruntime int8", " (goal: ahead)"), ("tessera fp32", "onnxruntime fp32", " (goal: ahead)"),
                 ("tessera int8", "tessera fp32", " (goal >= 1.5x on AVX2 without VNNI, 1.8x with VNNI)"),
                 ("onnxruntime int8", "onnxruntime fp32", "")]
        if not args.no_openvino:
            pairs += [("tessera int8", "openvino int8", " (goal: ahead)"), ("tessera fp32", "openvino fp32", " (goal: ahead)"),
                      ("openvino int8", "openvino fp32", "")]
        for a, b, goal in pairs:
            print(f"  {a} / {b}: {median[a] / median[b]:.2f}x by tiles/s, {cpu[b] / cpu[a]:.2f}x by CPU time{goal}")
    print(f"onnxruntime {ort.__version__}, numpy {np.__version__}, load average {os.getloadavg()}", file=sys.stderr)


if __name__ == "__main__":
    main()
