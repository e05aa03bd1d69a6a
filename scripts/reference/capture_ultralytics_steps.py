#!/usr/bin/env python3
"""Capture Ultralytics 8.3.57's first K training iterations of a fine-tune, for a step-level comparison with Forge.

    PYTHONPATH=/work/ref/ultralytics YOLO_OFFLINE=1 OMP_NUM_THREADS=1 /usr/bin/python3 scripts/reference/capture_ultralytics_steps.py K

Builds DetectionTrainer as `yolo train model=yolov8n-coco.pt data=bccd imgsz=416 batch=16 seed=0 epochs=15 workers=0` would
(edit `args` below for other runs) and writes to /tmp/parity (safetensors, names as Ultralytics' state dict): u_init (model
after weight transfer and Detect.bias_init), u_setup.json (optimizer groups with lr/decay/betas/eps and parameter names,
frozen parameters, BatchNorm eps/momentum), u_grads0 (iteration 0's gradients before clipping), u_batches (the K
preprocessed batches: img in [0,1], batch_idx, cls, bboxes xywh normalised), u_log.json (per iteration: loss items, total,
lr per group, accumulate, EMA updates, gradient norm before clipping), u_model_k / u_ema_k (after K) and u_ema_eN (EMA at
the end of epoch N). Forge's counterpart feeds the same batches through its loss, warm-up, AdamW, clipping and EMA.
Only calls Ultralytics; copies none of it.
"""
import json, struct, sys, numpy as np, torch
torch.set_num_threads(1)
from ultralytics.models.yolo.detect import DetectionTrainer

K = int(sys.argv[1]) if len(sys.argv) > 1 else 12
OUT = "/tmp/parity"
import os; os.makedirs(OUT, exist_ok=True)

def save_st(path, tensors):
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        a = t.detach().cpu().contiguous()
        dt = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.float16: "F16", torch.uint8: "U8"}[a.dtype]
        b = a.numpy().tobytes()
        header[k] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b); off += len(b)
    h = json.dumps(header).encode(); h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)

args = dict(model="/work/shared/fixtures/yolov8n-coco.pt", data="/work/data/bccd/data.yaml", imgsz=416, batch=16, seed=0,
            workers=0, epochs=15, plots=False, val=False, project="/tmp/parity/runs", name="cap", exist_ok=True, amp=False)
tr = DetectionTrainer(overrides=args)
log = []
batches = {}
names = {}
gradnorms = []

orig_clip = torch.nn.utils.clip_grad_norm_
def clip(params, max_norm, **kw):
    params = list(params)
    if len(gradnorms) == 0:
        save_st(f"{OUT}/u_grads0.safetensors", {names[id(p)]: p.grad for p in params if p.grad is not None})
    n = orig_clip(params, max_norm, **kw)
    gradnorms.append(float(n))
    return n
torch.nn.utils.clip_grad_norm_ = clip

def on_train_start(t):
    m = t.model
    for k, p in m.named_parameters(): names[id(p)] = k
    save_st(f"{OUT}/u_init.safetensors", {k: v for k, v in m.state_dict().items()})
    groups = []
    for g in t.optimizer.param_groups:
        groups.append(dict(lr=g["lr"], initial_lr=g["initial_lr"], wd=g["weight_decay"], betas=g.get("betas"), eps=g.get("eps"),
                           params=[names[id(p)] for p in g["params"]]))
    json.dump(dict(groups=groups, accumulate=t.accumulate, nw=None, ema_updates=t.ema.updates,
                   train=[(k, p.requires_grad) for k, p in m.named_parameters()],
                   bn=[(k, mod.eps, mod.momentum) for k, mod in m.named_modules() if isinstance(mod, torch.nn.BatchNorm2d)]),
              open(f"{OUT}/u_setup.json", "w"), indent=0)
    orig_pre = t.preprocess_batch
    def pre(batch):
        b = orig_pre(batch)
        i = len(batches) // 4
        if i < K:
            batches[f"{i}.img"] = b["img"].float()
            batches[f"{i}.batch_idx"] = b["batch_idx"].float()
            batches[f"{i}.cls"] = b["cls"].float()
            batches[f"{i}.bboxes"] = b["bboxes"].float()
        return b
    t.preprocess_batch = pre

def on_train_batch_end(t):
    i = len(log)
    log.append(dict(it=i, loss=[float(x) for x in t.loss_items], total=float(t.loss), lrs=[g["lr"] for g in t.optimizer.param_groups],
                    accumulate=t.accumulate, ema_updates=t.ema.updates, gradnorm=gradnorms[-1] if gradnorms else None, nsteps=len(gradnorms)))
    print("IT", log[-1], flush=True)
    if len(log) % 13 == 0:
        save_st(f"{OUT}/u_ema_e{len(log)//13}.safetensors", t.ema.ema.state_dict())
    if len(log) == K:
        save_st(f"{OUT}/u_batches.safetensors", batches)
        save_st(f"{OUT}/u_model_k.safetensors", t.model.state_dict())
        save_st(f"{OUT}/u_ema_k.safetensors", t.ema.ema.state_dict())
        json.dump(log, open(f"{OUT}/u_log.json", "w"), indent=0)
        raise SystemExit("captured")

tr.add_callback("on_train_start", on_train_start)
tr.add_callback("on_train_batch_end", on_train_batch_end)
tr.train()
