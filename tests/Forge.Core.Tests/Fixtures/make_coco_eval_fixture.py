"""pycocotools' COCOeval on a small hand-made case with iscrowd regions, for Forge.Core.Tests' crowd test.
pycocotools' box IoU lives in C (maskApi.c bbIou); a few lines here do the same for boxes (a crowd region's union is
the detection's own area), everything else is pycocotools' own cocoeval.py / coco.py:

    PYTHONPATH=/path/with/pycocotools-shim python3 make_coco_eval_fixture.py OUT_FOLDER
where the shim is PythonAPI/pycocotools/{__init__,coco,cocoeval}.py of cocodataset/cocoapi plus mask.py from below.
"""
import json
import sys
from pathlib import Path

import numpy as np

np.float = float  # cocoeval.py (pycocotools 2.0) still says np.float, which numpy 1.24 removed

out = Path(sys.argv[1])
rng = np.random.default_rng(3)
images, anns, dets = [], [], []
aid = 1
for i in range(1, 13):
    images.append({"id": i, "file_name": f"{i:03d}.jpg", "width": 200, "height": 150})
    for _ in range(int(rng.integers(1, 5))):
        x, y = rng.uniform(0, 140), rng.uniform(0, 100)
        w, h = rng.uniform(10, 60), rng.uniform(10, 50)
        crowd = int(rng.random() < 0.25)
        cat = int(rng.choice([1, 3, 7]))
        anns.append({"id": aid, "image_id": i, "category_id": cat, "bbox": [x, y, w, h], "area": w * h, "iscrowd": crowd})
        aid += 1
        for _ in range(int(rng.integers(0, 4 if crowd else 3))):   # several detections on a crowd region
            j = rng.normal(0, 4, 4)
            dets.append({"image_id": i, "category_id": cat, "bbox": [x + j[0], y + j[1], max(2, w + j[2]), max(2, h + j[3])],
                         "score": round(float(rng.uniform(0.1, 1)), 3)})
    for _ in range(int(rng.integers(0, 3))):
        dets.append({"image_id": i, "category_id": int(rng.choice([1, 3, 7])), "bbox": [rng.uniform(0, 150), rng.uniform(0, 100), 20, 20],
                     "score": round(float(rng.uniform(0.05, 0.5)), 3)})
gt = {"images": images, "annotations": anns, "categories": [{"id": 1, "name": "a"}, {"id": 3, "name": "b"}, {"id": 7, "name": "c"}]}
(out / "coco_gt.json").write_text(json.dumps(gt))
(out / "coco_dt.json").write_text(json.dumps(dets))

from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

coco = COCO(str(out / "coco_gt.json"))
res = coco.loadRes(str(out / "coco_dt.json"))
ev = COCOeval(coco, res, "bbox")
ev.evaluate(); ev.accumulate(); ev.summarize()
p = ev.eval["precision"][:, :, :, 0, 2]   # T x R x K, area all, maxDets 100
ap_per_cat = [[float(np.mean(p[t, :, k][p[t, :, k] > -1])) if (p[t, :, k] > -1).any() else -1 for t in range(10)] for k in range(p.shape[2])]
(out / "coco_expected.json").write_text(json.dumps({"map": float(ev.stats[0]), "map50": float(ev.stats[1]), "map75": float(ev.stats[2]),
                                                    "cat_ids": [int(c) for c in ev.params.catIds], "ap": ap_per_cat}))
