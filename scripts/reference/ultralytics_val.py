#!/usr/bin/env python3
"""Score weights with Ultralytics 8.3.57's own validator: an Ultralytics .pt as is, or Forge weights (.safetensors: a Forge
checkpoint such as runs/.../weights/best.safetensors, or `forge export` output) loaded into Ultralytics' DetectionModel.

    PYTHONPATH=/work/ref/ultralytics YOLO_OFFLINE=1 /usr/bin/python3 scripts/reference/ultralytics_val.py \
        WEIGHTS --data data.yaml [--imgsz 416] [--batch 32] [--scale n]

Forge stores Ultralytics' tensor names (model.0.conv.weight ... model.22.dfl.conv.weight) under the section prefix
"model."; the script strips it, requires every tensor of yolov8{scale}.yaml with nc from the data.yaml to be present with
its shape, and validates in float32 with Ultralytics' defaults (rectangular batches, conf 0.001, iou 0.7). Prints two
lines: mAP50 mAP50-95 P R, and the AP at each IoU threshold 0.50, 0.55, ..., 0.95 (mean over classes). Only calls
Ultralytics; copies none of it.
"""
import argparse, json, struct, sys, tempfile
from pathlib import Path

import numpy as np
import torch
import yaml

from ultralytics import YOLO
from ultralytics.nn.tasks import DetectionModel

DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32, "U8": np.uint8, "I8": np.int8}


def read_safetensors(path):
    raw = Path(path).read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    body = raw[8 + n:]
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or not name.startswith("model."):
            continue   # a Forge checkpoint's training state (optimizer, EMA bookkeeping) is not needed
        a, b = info["data_offsets"]
        dt = DTYPES[info["dtype"]]
        out[name] = torch.from_numpy(np.frombuffer(body[a:b], dtype=dt).reshape(info["shape"]).copy())
    return out


def forge_weights(path):
    """Forge weights under Ultralytics' tensor names (model.0.conv.weight ...): a checkpoint or `forge export` output."""
    tensors = read_safetensors(path)
    if any(k.startswith("model.model.") for k in tensors):   # a Forge checkpoint: the "model." section holds the weights
        tensors = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.model.")}
    return tensors


def to_pt(weights, nc, names, scale):
    tensors = forge_weights(weights)
    model = DetectionModel(f"yolov8{scale}.yaml", nc=nc, verbose=False)
    sd = model.state_dict()
    missing = [k for k in sd if k not in tensors or tuple(tensors[k].shape) != tuple(sd[k].shape)]
    if missing:
        sys.exit(f"{weights}: {len(missing)} tensors missing or of another shape, e.g. {missing[:5]}")
    model.load_state_dict({k: tensors[k].to(sd[k].dtype) for k in sd})
    model.names = dict(enumerate(names))
    out = Path(tempfile.mkdtemp()) / (Path(weights).stem + ".pt")
    torch.save({"model": model, "train_args": {"task": "detect"}}, out)
    return str(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weights")
    ap.add_argument("--data", required=True)
    ap.add_argument("--imgsz", type=int, default=416)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--scale", default="n")
    a = ap.parse_args()
    names = yaml.safe_load(open(a.data))["names"]
    names = [names[k] for k in sorted(names)] if isinstance(names, dict) else list(names)
    pt = a.weights if a.weights.endswith(".pt") else to_pt(a.weights, len(names), names, a.scale)
    m = YOLO(pt).val(data=a.data, imgsz=a.imgsz, batch=a.batch, plots=False, workers=0, verbose=False)
    print(f"RESULT {a.weights} mAP50 {m.box.map50:.4f} mAP50-95 {m.box.map:.4f} P {m.box.mp:.4f} R {m.box.mr:.4f}")
    per_iou = m.box.all_ap.mean(0)   # (10,): AP at IoU 0.50, 0.55, ..., 0.95, averaged over classes
    print(f"AP_PER_IOU {a.weights} " + " ".join(f"{v:.4f}" for v in per_iou))


if __name__ == "__main__":
    main()
