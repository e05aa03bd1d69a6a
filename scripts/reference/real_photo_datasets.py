#!/usr/bin/env python3
"""Build issue 15's two real-photo datasets in Ultralytics' YOLO layout from their public repositories (fetched, not
downloaded at run time):

    python3 scripts/reference/real_photo_datasets.py bccd    <Shenggan/BCCD_Dataset checkout>    /work/data/bccd
    python3 scripts/reference/real_photo_datasets.py raccoon <experiencor/raccoon_dataset checkout> /work/data/raccoon

bccd: BCCD/ImageSets/Main/train.txt (205 photos, 2,804 boxes) and val.txt (87, 1,137), VOC annotations, classes RBC, WBC,
Platelets. raccoon: data/train_labels.csv (160 photos, 173 boxes) and data/test_labels.csv (40, 44), one class. Boxes are
clipped to the image and converted as Ultralytics' VOC.yaml converts VOC corners (1-based pixel centres: centre - 1,
normalised by the image size). Writes images/{train,val}, labels/{train,val} and data.yaml under the output folder.
"""
import collections
import csv
import os
import shutil
import sys
import xml.etree.ElementTree as ET

import cv2


def yolo_line(cls, x1, y1, x2, y2, w, h):
    x1, x2 = max(0.0, min(x1, w)), max(0.0, min(x2, w))
    y1, y2 = max(0.0, min(y1, h)), max(0.0, min(y2, h))
    if x2 <= x1 or y2 <= y1:
        return None
    cx, cy = ((x1 + x2) / 2 - 1) / w, ((y1 + y2) / 2 - 1) / h
    return f"{cls} {min(max(cx, 0), 1):.6f} {min(max(cy, 0), 1):.6f} {(x2 - x1) / w:.6f} {(y2 - y1) / h:.6f}"


def write(out, split, image_path, lines):
    name = os.path.basename(image_path)
    os.makedirs(f"{out}/images/{split}", exist_ok=True)
    os.makedirs(f"{out}/labels/{split}", exist_ok=True)
    shutil.copy(image_path, f"{out}/images/{split}/{name}")
    with open(f"{out}/labels/{split}/{os.path.splitext(name)[0]}.txt", "w") as f:
        f.write("".join(line + "\n" for line in lines))


def bccd(src, out):
    names = ["RBC", "WBC", "Platelets"]
    for split in ("train", "val"):
        ids = [s.strip() for s in open(f"{src}/BCCD/ImageSets/Main/{split}.txt") if s.strip()]
        boxes = 0
        for i in ids:
            root = ET.parse(f"{src}/BCCD/Annotations/{i}.xml").getroot()
            w, h = float(root.find("size/width").text), float(root.find("size/height").text)
            lines = []
            for o in root.findall("object"):
                b = o.find("bndbox")
                x1, x2, y1, y2 = (float(b.find(k).text) for k in ("xmin", "xmax", "ymin", "ymax"))
                line = yolo_line(names.index(o.find("name").text.strip()), x1, y1, x2, y2, w, h)
                if line:
                    lines.append(line)
            boxes += len(lines)
            write(out, split, f"{src}/BCCD/JPEGImages/{i}.jpg", lines)
        print(f"{split}: {len(ids)} images, {boxes} boxes")
    return names


def raccoon(src, out):
    for split, table in (("train", "train_labels.csv"), ("val", "test_labels.csv")):
        rows = collections.defaultdict(list)
        for r in csv.DictReader(open(f"{src}/data/{table}")):
            rows[r["filename"]].append(r)
        boxes = 0
        for name, rs in rows.items():
            h, w = cv2.imread(f"{src}/images/{name}").shape[:2]
            lines = [l for l in (yolo_line(0, *(float(r[k]) for k in ("xmin", "ymin", "xmax", "ymax")), w, h) for r in rs) if l]
            boxes += len(lines)
            write(out, split, f"{src}/images/{name}", lines)
        print(f"{split}: {len(rows)} images, {boxes} boxes")
    return ["raccoon"]


def main(argv):
    if len(argv) != 3 or argv[0] not in ("bccd", "raccoon"):
        sys.exit(__doc__)
    kind, src, out = argv
    names = (bccd if kind == "bccd" else raccoon)(src, out)
    with open(f"{out}/data.yaml", "w") as f:
        f.write(f"path: {out}\ntrain: images/train\nval: images/val\nnames:\n" + "".join(f"  {i}: {n}\n" for i, n in enumerate(names)))


if __name__ == "__main__":
    main(sys.argv[1:])
