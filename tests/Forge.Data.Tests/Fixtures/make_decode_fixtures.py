"""Image files of every kind users bring (EXIF-rotated JPEGs, WebP, TIFF, CMYK, grey, 16-bit, alpha, palette, extra
bytes after the JPEG end marker) and what OpenCV 4.6's cv2.imdecode(IMREAD_COLOR) -- Ultralytics' cv2.imread -- makes
of each, for Forge.Data.Tests' decoding tests. Needs python3-opencv and python3-pil (Debian 12):

    python3 make_decode_fixtures.py OUT_FOLDER
"""
import io
import json
import sys
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
h, w = 16, 24
y, x = np.mgrid[0:h, 0:w]
rgb = np.stack([(x * 10) % 256, (y * 15) % 256, ((x + y) * 7) % 256], -1).astype(np.uint8)
rgb[2:6, 3:9] = (250, 20, 30)  # a red block near the top-left: orientation errors move it
base = Image.fromarray(rgb, "RGB")
files = {}


def write(name, data):
    (out / name).write_bytes(data)
    files[name] = {}


def pil_bytes(img, fmt, **kw):
    b = io.BytesIO()
    img.save(b, fmt, **kw)
    return b.getvalue()


for o in (3, 6, 8):
    exif = Image.Exif()
    exif[0x0112] = o
    write(f"exif{o}.jpg", pil_bytes(base, "JPEG", quality=95, exif=exif.tobytes()))
write("plain.jpg", pil_bytes(base, "JPEG", quality=95))
write("trailing.jpg", pil_bytes(base, "JPEG", quality=95) + b"\x00" * 64 + b"vendor data after the end-of-image marker" + bytes(range(256)))
write("lossy.webp", pil_bytes(base, "WEBP", quality=90))
write("lossless.webp", pil_bytes(base, "WEBP", lossless=True))
write("lzw.tiff", pil_bytes(base, "TIFF", compression="tiff_lzw"))
write("cmyk.jpg", pil_bytes(base.convert("CMYK"), "JPEG", quality=95))
write("gray.png", pil_bytes(base.convert("L"), "PNG"))
write("gray.jpg", pil_bytes(base.convert("L"), "JPEG", quality=95))
write("rgba.png", pil_bytes(Image.fromarray(np.dstack([rgb, (x * 11 % 256).astype(np.uint8)]), "RGBA"), "PNG"))
write("palette.png", pil_bytes(base.convert("P", palette=Image.ADAPTIVE, colors=16), "PNG"))
ok, rgb16 = cv2.imencode(".png", (rgb[..., ::-1].astype(np.uint16) * 257 + (x[..., None] * 3).astype(np.uint16)))
write("rgb16.png", rgb16.tobytes())
ok, gray16 = cv2.imencode(".png", (y * 4000 + x * 100).astype(np.uint16))
write("gray16.png", gray16.tobytes())

for name in list(files):
    data = np.frombuffer((out / name).read_bytes(), np.uint8)
    im = cv2.imdecode(data, cv2.IMREAD_COLOR)
    cv2.imwrite(str(out / f"{Path(name).stem}_{Path(name).suffix[1:]}.expected.png"), im)
    files[name] = {"expected": f"{Path(name).stem}_{Path(name).suffix[1:]}.expected.png", "width": im.shape[1], "height": im.shape[0]}
(out / "files.json").write_text(json.dumps(files, indent=1))
print(cv2.__version__, len(files), "files")
