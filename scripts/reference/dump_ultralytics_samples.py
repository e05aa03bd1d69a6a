#!/usr/bin/env python3
"""Dump Ultralytics' augmented training samples (labels, optionally images) for fixed seeds, for comparison with Forge's.

Runs Ultralytics 8.3.57 from source (Debian /usr/bin/python3 + python3-torch; see /work/ref/README.md):
    PYTHONPATH=/work/ref/ultralytics YOLO_OFFLINE=1 /usr/bin/python3 scripts/reference/dump_ultralytics_samples.py \
        --data /work/data/bccd/data.yaml --imgsz 416 --epochs 3 --out /tmp/u-bccd.jsonl [--images DIR --first 16]

It builds the training dataset exactly as Ultralytics' DetectionTrainer does on a CPU (workers=0, so one process and one
mosaic buffer), visits each epoch in a seeded random order like the trainer's shuffling sampler, and writes one JSON line
per sample: epoch, position, dataset index, image size, boxes (class, x1, y1, x2, y2 in pixels of the sample), the
per-channel BGR means and the fraction of pad-grey (114,114,114) pixels. With --close-mosaic K the last K epochs run
without mosaic, as the trainer's close_mosaic does. Forge's counterpart: `forge bench augment` (same JSON lines).
Nothing of Ultralytics is copied: this script only calls it.
"""
import argparse, json, random
from pathlib import Path

import cv2
import numpy as np
import torch

from ultralytics.cfg import get_cfg
from ultralytics.data import build_yolo_dataset
from ultralytics.data.utils import check_det_dataset
from ultralytics.utils import DEFAULT_CFG


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--imgsz", type=int, default=416)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--close-mosaic", type=int, default=0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", default=None, help="folder for the first --first samples as PNG")
    ap.add_argument("--first", type=int, default=16)
    ap.add_argument("--raw", action="store_true", help="write the samples as they are, without the boxes drawn")
    a = ap.parse_args()

    random.seed(a.seed); np.random.seed(a.seed); torch.manual_seed(a.seed)
    cfg = get_cfg(DEFAULT_CFG, dict(imgsz=a.imgsz, batch=a.batch, data=a.data, seed=a.seed, workers=0))
    data = check_det_dataset(a.data)
    ds = build_yolo_dataset(cfg, data["train"], a.batch, data, mode="train", rect=False, stride=32)
    g = torch.Generator(); g.manual_seed(a.seed)
    if a.images: Path(a.images).mkdir(parents=True, exist_ok=True)
    with open(a.out, "w") as f:
        for epoch in range(a.epochs):
            if a.close_mosaic and epoch == a.epochs - a.close_mosaic:
                ds.close_mosaic(hyp=cfg)
            order = torch.randperm(len(ds), generator=g).tolist()
            for pos, i in enumerate(order):
                s = ds[i]
                img = s["img"].numpy()[::-1].transpose(1, 2, 0)  # CHW RGB -> HWC BGR
                h, w = img.shape[:2]
                xywh = s["bboxes"].numpy() * [w, h, w, h]
                boxes = [[int(c), float(x - bw / 2), float(y - bh / 2), float(x + bw / 2), float(y + bh / 2)]
                         for c, (x, y, bw, bh) in zip(s["cls"].numpy().ravel(), xywh)]
                grey = float(np.all(img == 114, axis=2).mean())
                f.write(json.dumps(dict(epoch=epoch, pos=pos, index=i, w=w, h=h, boxes=boxes,
                                        mean=[float(v) for v in img.reshape(-1, 3).mean(0)], grey=grey)) + "\n")
                n = epoch * len(ds) + pos
                if a.images and n < a.first:
                    out = np.ascontiguousarray(img).copy()
                    for c, x1, y1, x2, y2 in ([] if a.raw else boxes):
                        cv2.rectangle(out, (round(x1), round(y1)), (round(x2), round(y2)), (0, 0, 255), 1)
                    cv2.imwrite(str(Path(a.images) / f"u_{epoch}_{pos}_{i}.png"), out)


if __name__ == "__main__":
    main()
