#!/usr/bin/env python3
"""Train with Ultralytics 8.3.57's own trainer on a chosen number of torch threads, for same-machine comparisons with
`forge train`.

    PYTHONPATH=/work/ref/ultralytics YOLO_OFFLINE=1 /usr/bin/python3 scripts/reference/ultralytics_train.py \
        --threads 2 model=../shared/fixtures/yolov8n-coco.pt data=data.yaml epochs=15 imgsz=416 batch=16 seed=0 workers=2

Every argument after --threads is passed to `yolo train` as is. Why the flag exists: Ultralytics' select_device() calls
torch.set_num_threads(NUM_THREADS) for CPU training, with NUM_THREADS = min(8, cpu_count - 1) (ultralytics/utils/__init__.py,
torch_utils.py), so on a 2-core machine it trains on one thread whatever OMP_NUM_THREADS says. --threads sets that module
constant before the trainer starts (default: Ultralytics' own choice). Only calls Ultralytics; copies none of it.

    --bf16 (after --threads, if given): the training forward in torch.autocast("cpu", dtype=torch.bfloat16), where Ultralytics
    trains in float32 on CPU; the model's outputs are cast to float32 for its own loss, as Forge's amp=bf16 computes the loss.
    An experiment (bench/README.md, "amp=true is float32 on CPU"): what PyTorch's bfloat16 autocast does to Ultralytics'
    training, to set beside Forge's amp=bf16.
"""
import sys

import torch
import ultralytics.engine.trainer as trainer
import ultralytics.nn.tasks as tasks
import ultralytics.utils.torch_utils as torch_utils
from ultralytics.cfg import entrypoint


def train_forward_in_bfloat16():
    """Ultralytics' trainer opens `autocast(self.amp)` around forward and loss; make that a CPU bfloat16 region and keep
    the loss float32."""
    trainer.autocast = lambda enabled, device="cuda": torch.autocast("cpu", dtype=torch.bfloat16)
    loss = tasks.BaseModel.loss

    def float32_loss(self, batch, preds=None):
        preds = self.forward(batch["img"]) if preds is None else preds
        if isinstance(preds, tuple):   # validation: (inference output, raw levels)
            preds = preds[1]
        with torch.autocast("cpu", enabled=False):
            return loss(self, batch, [p.float() for p in preds])

    tasks.BaseModel.loss = float32_loss


def main(argv):
    args = list(argv)
    if args[:1] == ["--threads"]:
        if len(args) < 2 or not args[1].isdigit() or int(args[1]) < 1:
            sys.exit("--threads needs a positive integer, e.g. --threads 2")
        torch_utils.NUM_THREADS = int(args[1])
        args = args[2:]
    if args[:1] == ["--bf16"]:
        train_forward_in_bfloat16()
        args = args[1:]
    # In place: Ultralytics keeps a reference to the list it found at import (ultralytics.utils.ARGV).
    sys.argv[:] = ["yolo", "train", *args]
    entrypoint()


if __name__ == "__main__":
    main(sys.argv[1:])
