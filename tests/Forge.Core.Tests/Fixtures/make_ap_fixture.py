"""Ultralytics 8.3.57's own validation metrics for a synthetic set of images (ties in confidence and IoU included), for
Forge.Core.Tests' UltralyticsEvaluator test. Runs Ultralytics' match_predictions (non-scipy path), box_iou and
ap_per_class on torch 1.13 / numpy 1.24 (Debian 12):

    PYTHONPATH=/path/to/ultralytics-8.3.57 YOLO_OFFLINE=1 python3 make_ap_fixture.py OUT.json
"""
import json
import sys
import types

import numpy as np
import torch

from ultralytics.engine.validator import BaseValidator
from ultralytics.utils.metrics import ap_per_class, box_iou

rng = np.random.default_rng(7)
nc = 4
stub = types.SimpleNamespace(iouv=torch.linspace(0.5, 0.95, 10))
images, stats = [], {"tp": [], "conf": [], "pred_cls": [], "target_cls": []}
for i in range(40):
    ng = int(rng.integers(0, 6))
    gxy = rng.uniform(0, 80, (ng, 2))
    gwh = rng.uniform(8, 40, (ng, 2))
    gt = np.concatenate([gxy, gxy + gwh], 1).astype(np.float32)
    gcls = rng.integers(0, nc, ng)
    preds, pcls, conf = [], [], []
    for g in range(ng):
        for _ in range(int(rng.integers(0, 3))):   # 0-2 detections per object, jittered
            preds.append(gt[g] + rng.normal(0, 3, 4).astype(np.float32))
            pcls.append(gcls[g] if rng.random() < 0.85 else int(rng.integers(0, nc)))
            conf.append(round(float(rng.uniform(0.05, 1)), 2))   # 2 decimals: many ties
    for _ in range(int(rng.integers(0, 4))):                     # false positives
        xy = rng.uniform(0, 90, 2)
        preds.append(np.concatenate([xy, xy + rng.uniform(5, 30, 2)]).astype(np.float32))
        pcls.append(int(rng.integers(0, nc)))
        conf.append(round(float(rng.uniform(0.01, 0.6)), 2))
    order = np.argsort(-np.array(conf, np.float32), kind="stable")   # NMS output order: confidence descending
    preds = np.array(preds, np.float32).reshape(-1, 4)[order]
    pcls = np.array(pcls, np.int64)[order]
    conf = np.array(conf, np.float32)[order]
    tgt = torch.from_numpy(gt)
    pt = torch.from_numpy(preds)
    if len(preds) and ng:
        iou = box_iou(tgt, pt)
        correct = BaseValidator.match_predictions(stub, torch.from_numpy(pcls).float(), torch.from_numpy(gcls).float(), iou)
    else:
        correct = torch.zeros(len(preds), 10, dtype=torch.bool)
    stats["tp"].append(correct.numpy())
    stats["conf"].append(conf)
    stats["pred_cls"].append(pcls.astype(np.float32))
    stats["target_cls"].append(gcls.astype(np.float32))
    images.append({"gt": gt.tolist(), "gt_cls": gcls.tolist(), "pred": preds.tolist(), "pred_cls": pcls.tolist(), "conf": conf.tolist(),
                   "correct": correct.numpy().astype(int).tolist()})

s = {k: np.concatenate(v, 0) for k, v in stats.items()}
tp, fp, p, r, f1, ap, cls, *_ = ap_per_class(s["tp"], s["conf"], s["pred_cls"], s["target_cls"])
result = {"nc": nc, "images": images, "classes": cls.tolist(), "p": p.tolist(), "r": r.tolist(), "ap": ap.tolist(),
          "mp": float(p.mean()), "mr": float(r.mean()), "map50": float(ap[:, 0].mean()), "map": float(ap.mean())}
open(sys.argv[1], "w").write(json.dumps(result))
print("map50", result["map50"], "map", result["map"], "mp", result["mp"], "mr", result["mr"])
