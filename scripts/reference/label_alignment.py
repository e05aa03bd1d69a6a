#!/usr/bin/env python3
"""Do the augmented images and their boxes line up? The same check for Forge's and Ultralytics' training samples.

    python3 scripts/reference/label_alignment.py make /tmp/align            # 80 train + 4 val PNGs, labels, data.yaml
    ./forge bench augment data=/tmp/align/data.yaml imgsz=416 epochs=6 close_mosaic=3 out=/tmp/f.jsonl images=/tmp/fimg first=480
    PYTHONPATH=/work/ref/ultralytics YOLO_OFFLINE=1 /usr/bin/python3 scripts/reference/dump_ultralytics_samples.py \
        --data /tmp/align/data.yaml --imgsz 416 --epochs 6 --close-mosaic 3 --out /tmp/u.jsonl --images /tmp/uimg --first 480 --raw
    python3 scripts/reference/label_alignment.py measure /tmp/f.jsonl /tmp/fimg      # per epoch (0-2 mosaic, 3-5 not)

make: non-square images of mixed sizes (300x500 ... 1000x750), black, with 3-6 white rectangles whose edges lie on whole
pixels, at least 40 px apart and from the image's edge; each label is its rectangle exactly. measure: for every sample
image written and every box at least 12 px wide and 6 px from the sample's edge whose surroundings are black, the
rectangle's intensity (divided by the median of its inside, which HSV augmentation scales) gives its centroid (pixel i
covers [i, i+1)) and its width and height (sum of the mean column and row profile); printed: label minus image, mean and
standard deviation, in pixels of the sample. A pipeline whose boxes follow its pixels gives means near 0 (interpolation
blurs each edge by a fraction of a pixel, so widths come out ~0.1 px wider than labels in both tools).
"""
import glob
import json
import os
import random
import sys

import cv2
import numpy as np


def make(out):
    random.seed(1)
    sizes = [(640, 480), (480, 640), (500, 375), (300, 500), (800, 600), (1000, 750)]
    for split, n in (("train", 80), ("val", 4)):
        os.makedirs(f"{out}/images/{split}", exist_ok=True)
        os.makedirs(f"{out}/labels/{split}", exist_ok=True)
        for k in range(n):
            w, h = random.choice(sizes)
            img, rects = np.zeros((h, w, 3), np.uint8), []
            for _ in range(200):
                if len(rects) >= 6:
                    break
                bw, bh = random.randint(20, max(21, w // 4)), random.randint(20, max(21, h // 4))
                x1, y1 = random.randint(40, w - 40 - bw), random.randint(40, h - 40 - bh)
                r = (x1, y1, x1 + bw, y1 + bh)
                if all(r[0] > q[2] + 40 or q[0] > r[2] + 40 or r[1] > q[3] + 40 or q[1] > r[3] + 40 for q in rects):
                    rects.append(r)
            lines = []
            for x1, y1, x2, y2 in rects:
                img[y1:y2, x1:x2] = 255
                lines.append(f"0 {(x1 + x2) / 2 / w:.8f} {(y1 + y2) / 2 / h:.8f} {(x2 - x1) / w:.8f} {(y2 - y1) / h:.8f}")
            cv2.imwrite(f"{out}/images/{split}/im{k}.png", img)
            with open(f"{out}/labels/{split}/im{k}.txt", "w") as f:
                f.write("\n".join(lines) + "\n")
    with open(f"{out}/data.yaml", "w") as f:
        f.write(f"path: {out}\ntrain: images/train\nval: images/val\nnames:\n  0: rect\n")


def box_offsets(im, x1, y1, x2, y2):
    H, W = im.shape
    if x1 < 6 or y1 < 6 or x2 > W - 6 or y2 > H - 6 or x2 - x1 < 12 or y2 - y1 < 12:
        return None
    X1, Y1, X2, Y2 = int(np.floor(x1)) - 4, int(np.floor(y1)) - 4, int(np.ceil(x2)) + 4, int(np.ceil(y2)) + 4
    win = im[Y1:Y2, X1:X2]
    if np.concatenate([win[0], win[-1], win[:, 0], win[:, -1]]).max() > 8:
        return None   # another rectangle or the grey pad nearby
    fg = np.median(im[int(y1) + 3:int(y2) - 3, int(x1) + 3:int(x2) - 3])
    if fg < 100:
        return None
    m = win / fg
    ys, xs = np.mgrid[Y1:Y2, X1:X2]
    cx, cy = ((xs + 0.5) * m).sum() / m.sum(), ((ys + 0.5) * m).sum() / m.sum()
    hh, ww = Y2 - Y1, X2 - X1
    width, height = m[hh // 4:3 * hh // 4].mean(0).sum(), m[:, ww // 4:3 * ww // 4].mean(1).sum()
    return (x1 + x2) / 2 - cx, (y1 + y2) / 2 - cy, (x2 - x1) - width, (y2 - y1) - height


def measure(jsonl, folder):
    records = {}
    for line in open(jsonl):
        r = json.loads(line)
        records[(r["epoch"], r["pos"])] = r
    by_epoch = {}
    for path in glob.glob(f"{folder}/*_*_*.png"):
        epoch, pos = map(int, os.path.basename(path).split("_")[1:3])
        r = records[(epoch, pos)]
        im = cv2.imread(path, cv2.IMREAD_GRAYSCALE).astype(np.float64)
        for c, x1, y1, x2, y2 in r["boxes"]:
            o = box_offsets(im, x1, y1, x2, y2)
            if o is not None:
                by_epoch.setdefault(epoch, []).append(o)
    for epoch in sorted(by_epoch):
        a = np.array(by_epoch[epoch])
        print(f"epoch {epoch}: {len(a)} boxes; label - image: centre x {a[:, 0].mean():+.3f} (sd {a[:, 0].std():.3f}) "
              f"y {a[:, 1].mean():+.3f} (sd {a[:, 1].std():.3f}), width {a[:, 2].mean():+.3f} (sd {a[:, 2].std():.3f}) "
              f"height {a[:, 3].mean():+.3f} (sd {a[:, 3].std():.3f}) px")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "measure":
        measure(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
