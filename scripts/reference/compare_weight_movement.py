#!/usr/bin/env python3
"""How far fine-tuning moved each layer from the starting weights, for an Ultralytics run and a Forge run side by side.

    PYTHONPATH=/work/ref/ultralytics YOLO_OFFLINE=1 /usr/bin/python3 scripts/reference/compare_weight_movement.py \
        START.pt ULTRALYTICS_BEST.pt FORGE_BEST.safetensors

For every tensor both runs transferred from START (same name and shape; BatchNorm's num_batches_tracked left out) it takes
the relative distance |W_end - W_start| / |W_start| (Frobenius norms, float64), averages it per layer and kind (conv
weight, BatchNorm weight, running_var), and prints Ultralytics' figure, Forge's and their ratio. Then the mean and standard
deviation of every tensor the runs did not transfer (the new class branch), against PyTorch's default initialisation
(kaiming_uniform_(a=sqrt(5)): std 1/sqrt(3 fan_in)). Equal movement says the optimizer recipe (warm-up, AdamW, clipping,
EMA) moved the weights by the same amounts; it cannot tell two equally sized moves in different directions apart.
FORGE may be a Forge checkpoint or `forge export` output (read by ultralytics_val.forge_weights). Only reads files.
"""
import collections
import math
import sys

import numpy as np
import torch

from ultralytics_val import forge_weights   # this folder: Forge weights under Ultralytics' names


def ultralytics_state(path):
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    model = ckpt.get("ema") or ckpt["model"]
    return {k: v.double().numpy() for k, v in model.float().state_dict().items()}


def kind(name):
    for k in ("running_var", "running_mean", "bn.weight", "bn.bias"):
        if k in name:
            return k
    return "conv" if name.endswith("weight") else "bias"


def main(start_path, ultra_path, forge_path):
    start, ultra = ultralytics_state(start_path), ultralytics_state(ultra_path)
    forge = {k: v.double().numpy() for k, v in forge_weights(forge_path).items()}
    groups = collections.defaultdict(lambda: ([], []))
    fresh = []
    for name, u in ultra.items():
        if "num_batches_tracked" in name or name not in forge:
            continue
        if name not in start or start[name].shape != u.shape:
            fresh.append(name)
            continue
        s = start[name]
        norm = np.linalg.norm(s) or 1.0
        layer = int(name.split(".")[1])
        key = f"{'head' if layer >= 22 else f'layer {layer:02d}'} {kind(name)}"
        groups[key][0].append(np.linalg.norm(u - s) / norm)
        groups[key][1].append(np.linalg.norm(forge[name] - s) / norm)
    print(f"{'layer, kind':<26} {'Ultralytics':>12} {'Forge':>10} {'ratio':>7}")
    for key in sorted(groups):
        if key.split()[-1] in ("running_mean", "bias", "bn.bias"):
            continue
        u, f = np.mean(groups[key][0]), np.mean(groups[key][1])
        print(f"{key:<26} {u:12.4f} {f:10.4f} {f / u if u else float('nan'):7.2f}")
    print(f"\n{len(fresh)} tensors not transferred; conv weights against PyTorch's default initialisation:")
    for name in fresh:
        u, f = ultra[name], forge[name]
        if u.ndim == 4:
            fan_in = u[0].size
            print(f"{name:<34} init std {1 / math.sqrt(3 * fan_in):.4f}  Ultralytics {u.std():.4f} ({u.mean():+.4f})  Forge {f.std():.4f} ({f.mean():+.4f})")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
