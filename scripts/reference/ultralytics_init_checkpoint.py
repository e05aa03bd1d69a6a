#!/usr/bin/env python3
"""Write a from-scratch Ultralytics model (or one with --weights transferred into it, as a fine-tune starts) as a float32 .pt
checkpoint, so Forge and Ultralytics can train from the same
initial tensors (bench/README.md, "channels_last training against NCHW": the lockstep comparison).

    PYTHONPATH=/work/ref/ultralytics YOLO_OFFLINE=1 /usr/bin/python3 scripts/reference/ultralytics_init_checkpoint.py \
        --cfg yolov8n.yaml --nc 1 --names raccoon --seed 0 --out init.pt

Then `forge train model=init.pt ...` and `ultralytics_train.py --threads 2 model=init.pt ...` with the same settings
(both load all tensors). With --weights yolov8n-coco.pt the tensors that fit are copied from those weights as Ultralytics'
trainer does when a fine-tune starts (DetectionModel.load), the rest (a new class count's head outputs) keep their
initial values: the common start of a fine-tune lockstep. Only calls Ultralytics; copies none of it.
"""
import argparse, datetime

import torch
from ultralytics.nn.tasks import DetectionModel
from ultralytics.utils.torch_utils import init_seeds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cfg", default="yolov8n.yaml")
    ap.add_argument("--nc", type=int, required=True)
    ap.add_argument("--names", nargs="*", default=None, help="class names (default: '0', '1', ...)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--weights", default=None, help="an Ultralytics .pt whose fitting tensors to transfer")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    init_seeds(a.seed)
    model = DetectionModel(a.cfg, nc=a.nc, verbose=False)
    names = a.names or [str(i) for i in range(a.nc)]
    if len(names) != a.nc:
        raise SystemExit(f"--names gives {len(names)} names for --nc {a.nc}")
    model.names = dict(enumerate(names))
    if a.weights:
        model.load(torch.load(a.weights, map_location="cpu"))
    model = model.float()
    torch.save({"date": datetime.datetime.now().isoformat(), "version": "8.3.57", "model": model, "train_args": {}, "epoch": -1}, a.out)
    print(f"{a.out}: {a.cfg} nc={a.nc}, {sum(p.numel() for p in model.parameters()):,} parameters, float32")


if __name__ == "__main__":
    main()
