"""Train Tessera's demonstration model: smp DeepLabV3Plus + EfficientNet-B2 on stain-derived labels of
CMU-1-Small-Region.svs, with the EfficientNet training recipe.

Recipe (Tan & Le 2019, EfficientNet, section 5.2), scaled to this data:
- RMSprop, decay (alpha) 0.9, momentum 0.9, epsilon 1e-3, weight decay 1e-5;
  learning rate 0.016 per 256 images scaled linearly to the batch: 0.016 * batch / 256 (batch 8: 5e-4).
- 5% linear warm-up, then cosine annealing to 1e-5.
- Augmentation: random horizontal/vertical flips, 90-degree rotations, colour jitter (brightness, contrast,
  saturation, hue). Labels are derived from the unjittered pixels, so the model learns to ignore the jitter.
- Stain augmentation (--hed-scale, --hed-bias; off at 0): HED jitter (Tellez et al. 2019, hed.py) before the
  colour jitter, so the model also learns to ignore the stain variation left after normalisation.
- Warm start (--init-from): the weights of an earlier export (a float16 safetensors) instead of a random
  initialisation; the optimizer, schedule and BatchNorm calibration are the same.
- Not used from the paper: AutoAugment, weight EMA (0.9999 is meaningless over a few hundred steps), label
  smoothing. Stochastic depth is smp's EfficientNet default (drop-connect 0.2, training only).

Time budget: the schedule's progress is max(step / steps, elapsed / budget), so a slow or shared machine ends
the run on time with the learning rate fully annealed, and a fast one runs all the steps. With
--time-budget-min 0 progress is step / steps only and the run is deterministic for a seed (on one machine).

BatchNorm statistics: smp's EfficientNet encoder keeps the TensorFlow BatchNorm momentum (PyTorch momentum
0.01), so after a few hundred steps its running statistics are still mostly their initial values (mean 0, var 1)
and eval mode predicts nonsense. After the last step the running statistics of every BatchNorm layer are
therefore recomputed as plain averages over --calibration-batches batches of training crops (flips and
rotations, no colour jitter), with the weights frozen and every other layer (dropout, drop-connect) in eval
mode: "precise BatchNorm" (Wu & Johnson 2021, "Rethinking 'Batch' in BatchNorm").

Checkpoints go to tools/train/work/ every --checkpoint-every steps and at the end; a stopped run resumes from
the last one with the same command.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

import common
import hed
import labels as stain_labels


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--steps", type=int, default=400, help="optimizer steps at most")
    p.add_argument("--time-budget-min", type=float, default=30.0, help="wall-clock minutes at most; 0 = no limit")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--tile", type=int, default=256, help="training crop edge in px at 0.5 um/px")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--checkpoint-every", type=int, default=10)
    p.add_argument("--calibration-batches", type=int, default=32, help="batches for the BatchNorm statistics")
    p.add_argument("--hed-scale", type=float, default=0.0, help="HED jitter: alpha ~ U(1-s, 1+s) per stain")
    p.add_argument("--hed-bias", type=float, default=0.0, help="HED jitter: beta ~ U(-b, b) per stain")
    p.add_argument("--init-from", default="", help="safetensors weights to start from (an earlier export)")
    p.add_argument("--min-tissue", type=float, default=0.1, help="crops with less tissue are redrawn (90%% of the time)")
    return p.parse_args()


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def learning_rate(progress: float, peak: float, final: float = 1e-5, warmup: float = 0.05) -> float:
    if progress < warmup:
        return peak * max(progress / warmup, 1e-3)
    t = min(1.0, (progress - warmup) / (1 - warmup))
    return final + 0.5 * (peak - final) * (1 + math.cos(math.pi * t))


class CropSampler:
    """Random crops from the training region (rows above the held-out band), with the augmentation."""

    def __init__(self, rgb: np.ndarray, target: np.ndarray, tile: int, min_tissue: float, rng: np.random.Generator):
        self.rgb, self.target, self.tile, self.min_tissue, self.rng = rgb, target, tile, min_tissue, rng
        self.max_y = common.held_out_from_row(rgb.shape[0]) - tile
        self.max_x = rgb.shape[1] - tile
        assert self.max_y > 0 and self.max_x > 0

    def crop(self) -> tuple[np.ndarray, np.ndarray]:
        while True:
            y = int(self.rng.integers(0, self.max_y + 1))
            x = int(self.rng.integers(0, self.max_x + 1))
            target = self.target[y:y + self.tile, x:x + self.tile]
            if (target > 0).mean() >= self.min_tissue or self.rng.random() < 0.1:
                break
        rgb = self.rgb[y:y + self.tile, x:x + self.tile]
        k = int(self.rng.integers(0, 4))
        rgb, target = np.rot90(rgb, k), np.rot90(target, k)
        if self.rng.random() < 0.5:
            rgb, target = rgb[:, ::-1], target[:, ::-1]
        if self.rng.random() < 0.5:
            rgb, target = rgb[::-1], target[::-1]
        return np.ascontiguousarray(rgb), np.ascontiguousarray(target)

    def stain_jitter(self, crops: list[np.ndarray], scale: float, bias: float) -> list[np.ndarray]:
        """HED jitter (Tellez 2019) of each uint8 crop; a no-op when scale and bias are 0."""
        if scale <= 0 and bias <= 0:
            return crops
        return [hed.restain_uint8(crop, *hed.random_jitter(self.rng, scale, bias)) for crop in crops]

    def colour_jitter(self, x: torch.Tensor) -> torch.Tensor:
        """x: float NCHW in [0, 1]. Brightness +-10%, contrast +-10%, saturation +-10%, hue +-0.02 turns."""
        out = []
        for image in x:
            b = 1 + self.rng.uniform(-0.1, 0.1)
            c = 1 + self.rng.uniform(-0.1, 0.1)
            s = 1 + self.rng.uniform(-0.1, 0.1)
            h = self.rng.uniform(-0.02, 0.02)
            image = image * b
            mean = image.mean()
            image = (image - mean) * c + mean
            grey = (0.299 * image[0] + 0.587 * image[1] + 0.114 * image[2])[None]
            image = (image - grey) * s + grey
            image = rotate_hue(image.clamp(0, 1), h)
            out.append(image.clamp(0, 1))
        return torch.stack(out)


def rotate_hue(image: torch.Tensor, turns: float) -> torch.Tensor:
    """Rotate hue by `turns` of a full circle in YIQ space (CHW float)."""
    theta = 2 * math.pi * turns
    cos, sin = math.cos(theta), math.sin(theta)
    to_yiq = torch.tensor([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    rot = torch.tensor([[1, 0, 0], [0, cos, -sin], [0, sin, cos]], dtype=torch.float32)
    matrix = torch.linalg.inv(to_yiq) @ rot @ to_yiq
    return torch.einsum("ij,jhw->ihw", matrix, image)


@torch.no_grad()
def recalibrate_batchnorm(model: torch.nn.Module, sampler: CropSampler, batches: int, batch: int) -> None:
    """Running mean/var of every BatchNorm = the average of per-batch statistics over `batches` batches of
    training crops; everything else in eval mode (no dropout, no drop-connect), weights unchanged."""
    model.eval()
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None  # cumulative moving average
        norm.train()
    for index in range(batches):
        crops = [sampler.crop()[0] for _ in range(batch)]
        model(common.normalise(torch.from_numpy(np.stack(crops))))
        print(f"BatchNorm calibration batch {index + 1}/{batches}", flush=True)
    model.eval()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    rgb, target = common.slide_and_labels()
    rng = np.random.default_rng(args.seed)
    sampler = CropSampler(rgb, target, args.tile, args.min_tissue, rng)
    model = common.build_model()
    if args.init_from:
        from safetensors.torch import load_file
        initial = {k: v.float() for k, v in load_file(args.init_from).items()}
        missing, unexpected = model.load_state_dict(initial, strict=False)
        assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
        print(f"initialised from {args.init_from}", flush=True)
    peak_lr = 0.016 * args.batch / 256
    optimizer = torch.optim.RMSprop(model.parameters(), lr=peak_lr, alpha=0.9, eps=1e-3, momentum=0.9,
                                    weight_decay=1e-5)
    checkpoint = common.WORK / "checkpoint.pt"
    log_path = common.WORK / "train-log.jsonl"
    step, elapsed_before, calibrated = 0, 0.0, False
    if checkpoint.exists():
        state = torch.load(checkpoint, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, elapsed_before = state["step"], state["elapsed"]
        rng.bit_generator.state = state["numpy_rng"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed at step {step}, {elapsed_before / 60:.1f} min", flush=True)
        calibrated = state.get("batchnorm_calibrated", False)
        if state.get("finished") and calibrated:
            print("already finished; delete tools/train/work/checkpoint.pt to train again")
            return
    budget = args.time_budget_min * 60
    start = time.time()

    def progress_at(step_count: int) -> float:
        elapsed = elapsed_before + time.time() - start
        by_time = elapsed / budget if budget > 0 else 0.0
        return max(step_count / args.steps, by_time)

    def save(finished: bool) -> None:
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
                    "elapsed": elapsed_before + time.time() - start, "numpy_rng": rng.bit_generator.state,
                    "torch_rng": torch.get_rng_state(), "finished": finished, "args": vars(args),
                    "peak_lr": peak_lr, "batchnorm_calibrated": calibrated}, checkpoint)

    model.train()
    running = None
    while progress_at(step) < 1.0:
        lr = learning_rate(progress_at(step), peak_lr)
        for group in optimizer.param_groups:
            group["lr"] = lr
        crops = [sampler.crop() for _ in range(args.batch)]
        images = torch.from_numpy(np.stack(sampler.stain_jitter([c[0] for c in crops], args.hed_scale, args.hed_bias)))
        targets = torch.from_numpy(np.stack([c[1] for c in crops])).long()
        x = sampler.colour_jitter(images.permute(0, 3, 1, 2).float() / 255.0)
        x = (x - torch.tensor(common.MEAN).view(1, 3, 1, 1)) / torch.tensor(common.STD).view(1, 3, 1, 1)
        t0 = time.time()
        optimizer.zero_grad(set_to_none=True)
        logits = model(x)
        loss = F.cross_entropy(logits, targets)
        loss.backward()
        optimizer.step()
        step += 1
        with torch.no_grad():
            accuracy = (logits.argmax(1) == targets).float().mean().item()
        running = loss.item() if running is None else 0.9 * running + 0.1 * loss.item()
        record = {"step": step, "lr": lr, "loss": round(loss.item(), 4), "loss_avg": round(running, 4),
                  "pixel_acc": round(accuracy, 4), "step_s": round(time.time() - t0, 2),
                  "elapsed_min": round((elapsed_before + time.time() - start) / 60, 2)}
        print(json.dumps(record), flush=True)
        with log_path.open("a") as log:
            log.write(json.dumps(record) + "\n")
        if step % args.checkpoint_every == 0:
            save(False)
    if not calibrated:
        calibration_start = time.time()
        recalibrate_batchnorm(model, sampler, args.calibration_batches, args.batch)
        calibrated = True
        print(f"BatchNorm statistics from {args.calibration_batches} x {args.batch} crops in "
              f"{(time.time() - calibration_start) / 60:.1f} min", flush=True)
    save(True)
    print(f"finished: {step} steps in {(elapsed_before + time.time() - start) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
