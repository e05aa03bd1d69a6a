#!/usr/bin/env python3
"""How well weights localise the validation boxes, and whether their confidence ranks the better-placed boxes first.

    PYTHONPATH=/work/ref/ultralytics YOLO_OFFLINE=1 /usr/bin/python3 scripts/reference/box_quality.py \
        --data data.yaml [--imgsz 416] [--split val] WEIGHTS...

WEIGHTS are Ultralytics .pt files or Forge weights (.safetensors, read as ultralytics_val.py does). Each is run through
Ultralytics 8.3.57's predictor (conf 0.001, iou 0.7, letterboxed like predict) on every image of the split; per ground
truth box (pixels of the original image) it takes:
  best IoU    the largest IoU with any prediction the validator sees (how well the model can place the box at all);
  top IoU     the IoU of the most confident prediction overlapping the box (IoU > 0.1): what ranks first at a high IoU
              threshold of mAP50-95;
and prints their means over all boxes, over boxes whose long side exceeds 240 px at imgsz (past the stride-16 anchors'
15-bin DFL range) and the rest, the signed mean of each edge's error in units of the box side (left, top, right, bottom,
positive = outwards), and Spearman's correlation of confidence with IoU over the predictions of confidence > 0.05.
Only calls Ultralytics; copies none of it.
"""
import argparse
from pathlib import Path

import cv2
import numpy as np
import torch
import yaml
from scipy.stats import spearmanr
from ultralytics import YOLO
from ultralytics.data.utils import IMG_FORMATS, img2label_paths
from ultralytics.utils.metrics import box_iou

from ultralytics_val import to_pt


def ground_truth(image_path):
    """(n, 4) corner boxes in pixels from the image's YOLO label file (Ultralytics' images/ -> labels/ rule)."""
    label = Path(img2label_paths([str(image_path)])[0])
    h, w = cv2.imread(str(image_path)).shape[:2]
    rows = np.loadtxt(label, ndmin=2) if label.exists() and label.stat().st_size else np.zeros((0, 5))
    cx, cy, bw, bh = rows[:, 1] * w, rows[:, 2] * h, rows[:, 3] * w, rows[:, 4] * h
    return np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], 1), w, h


def score(model, images, imgsz):
    per_box, conf_iou = [], []   # per_box: best IoU, top IoU, long side at imgsz, 4 signed edge errors
    for path in images:
        gt, w, h = ground_truth(path)
        if len(gt) == 0:
            continue
        r = model.predict(str(path), imgsz=imgsz, conf=0.001, iou=0.7, verbose=False)[0]
        boxes, conf = r.boxes.xyxy.cpu().numpy(), r.boxes.conf.cpu().numpy()
        m = box_iou(torch.from_numpy(gt), torch.from_numpy(boxes).double()).numpy() if len(boxes) else np.zeros((len(gt), 0))
        if len(boxes):
            conf_iou += list(zip(conf, m.max(0)))
        for i, g in enumerate(gt):
            side = max(g[2] - g[0], g[3] - g[1]) * imgsz / max(w, h)
            overlapping = np.flatnonzero(m[i] > 0.1) if len(boxes) else []
            best = int(np.argmax(m[i])) if len(boxes) else None
            top = overlapping[np.argmax(conf[overlapping])] if len(overlapping) else None
            gw, gh = g[2] - g[0], g[3] - g[1]
            edges = [np.nan] * 4 if best is None else [(g[0] - boxes[best, 0]) / gw, (g[1] - boxes[best, 1]) / gh,
                                                       (boxes[best, 2] - g[2]) / gw, (boxes[best, 3] - g[3]) / gh]
            per_box.append([0.0 if best is None else m[i, best], 0.0 if top is None else m[i, top], side, *edges])
    return np.array(per_box), np.array(conf_iou)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights", nargs="+")
    ap.add_argument("--data", required=True)
    ap.add_argument("--imgsz", type=int, default=416)
    ap.add_argument("--split", default="val")
    ap.add_argument("--scale", default="n")
    a = ap.parse_args()
    spec = yaml.safe_load(open(a.data))
    names = spec["names"]
    names = [names[k] for k in sorted(names)] if isinstance(names, dict) else list(names)
    root = Path(spec.get("path", Path(a.data).parent))
    folder = root / spec[a.split]
    images = sorted(p for p in folder.rglob("*") if p.suffix.lower().lstrip(".") in IMG_FORMATS)
    print(f"{'weights':50s} {'boxes':>5s} {'best':>6s} {'top':>6s} {'best>240':>8s} {'top>240':>7s} {'best<=':>6s} {'top<=':>6s}"
          f" {'edges L T R B (outwards +)':>28s} {'rho':>6s}")
    for w in a.weights:
        pt = w if w.endswith(".pt") else to_pt(w, len(names), names, a.scale)
        b, ci = score(YOLO(pt), images, a.imgsz)
        big = b[:, 2] > 240
        mean = lambda x: float(np.mean(x)) if len(x) else float("nan")
        edges = " ".join(f"{np.nanmean(b[:, k]):+.3f}" for k in range(3, 7))
        live = ci[ci[:, 0] > 0.05] if len(ci) else ci
        rho = spearmanr(live[:, 0], live[:, 1])[0] if len(live) > 2 else float("nan")
        print(f"{w[-50:]:50s} {len(b):5d} {mean(b[:, 0]):6.3f} {mean(b[:, 1]):6.3f} {mean(b[big, 0]):8.3f} {mean(b[big, 1]):7.3f}"
              f" {mean(b[~big, 0]):6.3f} {mean(b[~big, 1]):6.3f} {edges:>28s} {rho:6.3f}")


if __name__ == "__main__":
    main()
