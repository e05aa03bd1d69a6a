"""Reference outputs of Ultralytics 8.3.57's own image transforms (OpenCV 4.6, numpy 1.24, Debian 12), for
Forge.Data.Tests' pixel-parity tests. Run from anywhere with the Ultralytics 8.3.57 sources on PYTHONPATH:

    PYTHONPATH=/path/to/ultralytics-8.3.57 YOLO_OFFLINE=1 python3 make_pixel_fixtures.py OUT_FOLDER

Randomness is replaced by fixed draws (random.uniform / np.random.uniform return the listed values in call order), so each
case is one exact call of Ultralytics' code. Writes PNG inputs/outputs and cases.json (boxes, draws, matrices).
"""
import json
import random
import sys
from pathlib import Path

import cv2
import numpy as np

from ultralytics.data.augment import LetterBox, Mosaic, RandomHSV, RandomPerspective, RandomFlip, MixUp
from ultralytics.data.base import BaseDataset
from ultralytics.utils.instance import Instances
from ultralytics.utils.plotting import Annotator, colors

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
cases = []


def pattern(w, h, seed):
    """A photo-like BGR test image: gradients, a few hard edges and texture, so resampling errors show."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    b = 128 + 100 * np.sin(x / (3.1 + seed) + y / 7.3)
    g = 40 + 180 * (x / w) * (y / h)
    r = 200 - 150 * ((x - w / 2) ** 2 + (y - h / 2) ** 2) / (w * w / 4 + h * h / 4)
    img = np.stack([b, g, r], -1)
    img[(x // 9 + y // 7 + seed) % 3 == 0] += 40
    cv2.rectangle(img, (w // 5, h // 4), (w // 2, h // 2 + 3), (20, 220, 60), -1)
    return np.clip(img, 0, 255).astype(np.uint8)


def inst(boxes, fmt, normalized):
    return Instances(boxes, segments=np.zeros((0, 1000, 2), dtype=np.float32), bbox_format=fmt, normalized=normalized)


def save(name, img):
    cv2.imwrite(str(out / name), img)
    return name


class FixedDraws:
    """random.uniform / np.random.uniform returning prescribed values in order."""

    def __init__(self, values):
        self.values = list(values)

    def uniform(self, a=0.0, b=1.0, size=None):
        if size is None:
            return self.values.pop(0)
        n = int(np.prod(size))
        v = np.array([self.values.pop(0) for _ in range(n)], dtype=np.float64)
        return v.reshape(size)


# 1. load_image: long side to imgsz with ceil rounding and INTER_LINEAR, down and up.
class Stub:
    pass


for name, (w, h), imgsz in [("load_down", (97, 61), 64), ("load_up", (40, 27), 64), ("load_same", (64, 50), 64)]:
    src = pattern(w, h, 1)
    f = out / f"{name}_in.png"
    cv2.imwrite(str(f), src)
    s = Stub()
    s.ims, s.im_files, s.npy_files = [None], [str(f)], [Path(str(f) + ".absent.npy")]
    s.imgsz, s.augment = imgsz, False
    im, hw0, hw = BaseDataset.load_image(s, 0)
    cases.append({"kind": "load", "name": name, "input": f.name, "imgsz": imgsz, "output": save(f"{name}_out.png", im), "size": [im.shape[1], im.shape[0]]})

# 2. LetterBox: validation (no scale-up, square and a rect shape), predict (auto: minimal stride padding), train (scale-up).
for name, (w, h), kw, rect in [
    ("lb_val_square", (64, 41), dict(new_shape=(64, 64), scaleup=False), None),
    ("lb_val_rect", (64, 41), dict(new_shape=(64, 64), scaleup=False), (64, 96)),
    ("lb_predict_auto", (97, 61), dict(new_shape=64, auto=True, stride=32), None),
    ("lb_train_up", (37, 50), dict(new_shape=(64, 64)), None),
]:
    src = pattern(w, h, 2)
    labels = {"img": src.copy(), "instances": inst(np.array([[0.5, 0.5, 0.4, 0.3], [0.2, 0.7, 0.2, 0.4]], np.float32), "xywh", True),
              "cls": np.array([[0], [1]], np.float32)}
    if rect:
        labels["rect_shape"] = rect
    res = LetterBox(**kw)(labels)
    got = res["instances"]
    cases.append({"kind": "letterbox", "name": name, "input": save(f"{name}_in.png", src), "args": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()},
                  "rect": rect, "output": save(f"{name}_out.png", res["img"]), "boxes": got.bboxes.tolist()})

# 3. RandomHSV with fixed gains.
for name, gains, draws in [("hsv_a", (0.015, 0.7, 0.4), [0.9, -0.6, 0.35]), ("hsv_b", (0.5, 0.5, 0.5), [-0.8, 0.95, -0.99])]:
    src = pattern(53, 37, 3)
    np_uniform = np.random.uniform
    np.random.uniform = lambda a, b, n, d=FixedDraws(draws): d.uniform(a, b, n)
    labels = {"img": src.copy()}
    RandomHSV(*gains)(labels)
    np.random.uniform = np_uniform
    cases.append({"kind": "hsv", "name": name, "input": save(f"{name}_in.png", src), "gains": list(gains), "draws": draws, "output": save(f"{name}_out.png", labels["img"])})

# 4. RandomPerspective (affine and perspective) with fixed draws, boxes and the candidate filter.
for name, params, draws, border in [
    ("affine_a", dict(degrees=10.0, translate=0.1, scale=0.5, shear=2.0, perspective=0.0), [0.0, 0.0, 7.5, 1.3, -1.5, 0.8, 0.45, 0.58], (0, 0)),
    ("affine_mosaic_border", dict(degrees=0.0, translate=0.1, scale=0.5, shear=0.0, perspective=0.0), [0.0, 0.0, 0.0, 0.7, 0.0, 0.0, 0.55, 0.41], (-32, -32)),
    ("perspective", dict(degrees=5.0, translate=0.1, scale=0.3, shear=1.0, perspective=0.0008), [0.0006, -0.0004, -3.0, 1.1, 0.5, -0.7, 0.5, 0.52], (0, 0)),
]:
    h, w = (128, 128) if border != (0, 0) else (64, 64)
    src = pattern(w, h, 4)
    boxes = np.array([[10, 12, 40, 30], [30, 35, 60, 62], [0, 0, 6, 5]], np.float32) * (w / 64)
    labels = {"img": src.copy(), "cls": np.array([[0], [1], [2]], np.float32),
              "instances": inst(boxes.copy(), "xyxy", False)}
    if border != (0, 0):
        labels["mosaic_border"] = border
    rp = RandomPerspective(**params)
    py_uniform = random.uniform
    random.uniform = FixedDraws(draws).uniform
    res = rp(labels)
    random.uniform = py_uniform
    # The matrix itself, recomputed with the same draws for the record.
    random.uniform = FixedDraws(draws).uniform
    rp.size = (w + border[1] * 2, h + border[0] * 2)
    _, M, s = rp.affine_transform(src.copy(), border)
    random.uniform = py_uniform
    cases.append({"kind": "affine", "name": name, "input": save(f"{name}_in.png", src), "params": params, "draws": draws, "border": border[0],
                  "boxes_in": boxes.tolist(), "classes_in": [0, 1, 2], "matrix": M.astype(np.float64).tolist(), "scale": s,
                  "output": save(f"{name}_out.png", res["img"]), "boxes": res["instances"].bboxes.tolist(), "classes": res["cls"].ravel().tolist()})

# 5. Mosaic (_mosaic4) with a fixed centre.
tiles = [pattern(64, 41, 5), pattern(50, 64, 6), pattern(64, 64, 7), pattern(33, 64, 8)]
tile_boxes = [np.array([[0.3, 0.4, 0.4, 0.5]], np.float32), np.array([[0.5, 0.5, 0.9, 0.9]], np.float32),
              np.array([[0.1, 0.1, 0.2, 0.2], [0.9, 0.9, 0.2, 0.2]], np.float32), np.array([[0.5, 0.2, 0.8, 0.3]], np.float32)]


def tile_labels(i):
    im = tiles[i]
    return {"im_file": f"tile{i}", "ori_shape": im.shape[:2], "img": im, "resized_shape": im.shape[:2], "cls": np.zeros((len(tile_boxes[i]), 1), np.float32),
            "instances": inst(tile_boxes[i].copy(), "xywh", True)}


mos = Mosaic(dataset=None, imgsz=64, p=1.0, n=4)
base = tile_labels(0)
base["mix_labels"] = [tile_labels(i) for i in (1, 2, 3)]
py_uniform = random.uniform
random.uniform = FixedDraws([70.0, 45.0]).uniform   # yc, xc
res = mos._mosaic4(base)
random.uniform = py_uniform
cases.append({"kind": "mosaic", "name": "mosaic4", "inputs": [save(f"mosaic_tile{i}.png", t) for i, t in enumerate(tiles)],
              "tile_boxes": [b.tolist() for b in tile_boxes], "yc": 70, "xc": 45, "output": save("mosaic4_out.png", res["img"]),
              "boxes": res["instances"].bboxes.tolist()})

# 6. MixUp blend and flips.
a, b = pattern(48, 32, 9), pattern(48, 32, 10)
r = 0.4375
cases.append({"kind": "mixup", "name": "mixup", "inputs": [save("mixup_a.png", a), save("mixup_b.png", b)], "ratio": r,
              "output": save("mixup_out.png", (a * r + b * (1 - r)).astype(np.uint8))})

# 7. Annotator.box_label (cv2 path): box, label tag above (outside) and inside when there is no room, light palette colour.
canvas = pattern(160, 120, 11)
ann = Annotator(canvas.copy(), example="abc")
for box, label, cls in [([20.7, 30.2, 90.9, 100.6], "person 0.87", 0), ([100, 2, 155, 60], "bus 0.51", 5), ([5, 70, 60, 118], "cat 0.30", 2)]:
    ann.box_label(box, label, color=colors(cls, True))
cases.append({"kind": "annotate", "name": "annotate", "input": save("annotate_in.png", canvas), "output": save("annotate_out.png", ann.result()),
              "boxes": [[20.7, 30.2, 90.9, 100.6, 0], [100, 2, 155, 60, 5], [5, 70, 60, 118, 2]], "labels": ["person 0.87", "bus 0.51", "cat 0.30"],
              "line_width": ann.lw})

(out / "cases.json").write_text(json.dumps(cases, indent=1))
print(f"{len(cases)} cases written to {out}")
