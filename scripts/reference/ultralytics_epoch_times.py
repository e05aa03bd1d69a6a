#!/usr/bin/env python3
"""Train with Ultralytics 8.3.57 and print, per epoch, the training loop's seconds, the validation's seconds and the peak
resident memory so far: the figures `forge bench train-epoch` prints, for a same-machine ratio (issue 13).

    PYTHONPATH=/work/ref/ultralytics YOLO_OFFLINE=1 /usr/bin/python3 scripts/reference/ultralytics_epoch_times.py \
        --threads 2 model=yolov8n.yaml data=/tmp/forge-bench/train-epoch/datasets/shapes-400-100-320/data.yaml \
        imgsz=320 batch=16 workers=2 epochs=3 plots=False

--threads as in ultralytics_train.py (Ultralytics trains CPU runs on min(8, cpu_count - 1) threads otherwise). Timestamps
come from Ultralytics' own callbacks: on_train_epoch_start -> on_train_epoch_end is the training loop (loader included),
on_train_epoch_end -> on_fit_epoch_end is validation and saving. Peak RSS is the process's VmHWM (/proc/self/status).
Only calls Ultralytics; copies none of it.
"""
import sys
import time

import ultralytics.utils.torch_utils as torch_utils
from ultralytics import YOLO


def vm_hwm_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv):
    args = list(argv)
    if args[:1] == ["--threads"]:
        torch_utils.NUM_THREADS = int(args[1])
        args = args[2:]
    settings = dict(a.split("=", 1) for a in args)
    model = YOLO(settings.pop("model"))
    marks = {}

    def start(trainer):
        marks["start"] = time.perf_counter()

    def train_end(trainer):
        marks["train"] = time.perf_counter()

    def fit_end(trainer):
        now = time.perf_counter()
        print(f"epoch {trainer.epoch + 1}: train {marks['train'] - marks['start']:.1f} s, "
              f"val+save {now - marks['train']:.1f} s, peak RSS {vm_hwm_mb():.0f} MB", flush=True)

    model.add_callback("on_train_epoch_start", start)
    model.add_callback("on_train_epoch_end", train_end)
    model.add_callback("on_fit_epoch_end", fit_end)
    typed = {k: (int(v) if v.isdigit() else {"True": True, "False": False}.get(v, v)) for k, v in settings.items()}
    model.train(**typed)


if __name__ == "__main__":
    main(sys.argv[1:])
