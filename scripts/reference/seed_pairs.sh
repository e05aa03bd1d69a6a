#!/bin/bash
# Train Forge and Ultralytics 8.3.57 side by side on the same settings, one seed after another, one torch thread each, and
# score both tools' best weights with one validator (`forge val`), for the seed-averaged accuracy comparison of issue 15
# (bench/README.md, "BCCD fine-tunes over ten seeds").
#
#   scripts/reference/seed_pairs.sh OUT SEEDS -- TRAIN_ARGS...
#   scripts/reference/seed_pairs.sh /work/exp/bccd-ft "5 6 7" -- model=../shared/fixtures/yolov8n-coco.pt \
#       data=/work/data/bccd/data.yaml epochs=15 imgsz=416 batch=16 workers=2
#
# Per seed N: OUT/fN (Forge's run folder), OUT/uN (Ultralytics'), OUT/fN.log and OUT/uN.log (each run's output with
# /usr/bin/time -v: wall time, peak RSS), and a line per tool in OUT/scores.txt: "fN all <images> <boxes> P R mAP50
# mAP50-95" from `forge val imgsz=<imgsz> batch=32` on its best weights. scripts/reference/seed_pairs_summary.py OUT
# prints the per-seed table and the means.
#
# Accuracy only: the runs are deterministic for a given seed and thread count and do not depend on load, so two side by
# side on a 2-core machine give the figures each would alone. Their wall times do not: time runs alone on a quiet
# machine. Ultralytics runs from source (PYTHONPATH=$ULTRALYTICS, default /work/ref/ultralytics, at 7e4416f6) on
# Debian's python3-torch 1.13 through scripts/reference/ultralytics_train.py --threads 1.
set -euo pipefail
[ $# -ge 3 ] && [ "$3" = "--" ] || { echo "usage: $0 OUT \"SEEDS\" -- TRAIN_ARGS..." >&2; exit 2; }
out=$(realpath -m "$1"); seeds=$2; shift 3
repo=$(cd "$(dirname "$0")/../.." && pwd)
ultralytics=${ULTRALYTICS:-/work/ref/ultralytics}
[ -d "$ultralytics/ultralytics" ] || { echo "$0: no Ultralytics checkout at $ultralytics (set ULTRALYTICS=)" >&2; exit 2; }
mkdir -p "$out"
# model= and data= files are made absolute: the two tools run from different folders.
imgsz=640; data=; args=()
for a in "$@"; do
    case $a in
        model=*|data=*) k=${a%%=*}; v=${a#*=}; [ -f "$v" ] && v=$(realpath "$v"); a="$k=$v" ;;
    esac
    case $a in imgsz=*) imgsz=${a#imgsz=} ;; data=*) data=${a#data=} ;; esac
    args+=("$a")
done
set -- "${args[@]}"
[ -n "$data" ] || { echo "$0: TRAIN_ARGS need data=" >&2; exit 2; }

for s in $seeds; do
    ( cd "$repo" && GOMP_SPINCOUNT=300000 /usr/bin/time -v ./forge train "$@" seed="$s" threads=1 plots=False \
          project="$out" name="f$s" exist_ok=true > "$out/f$s.log" 2>&1 ) &
    ( cd "$out" && PYTHONPATH="$ultralytics" YOLO_OFFLINE=1 GOMP_SPINCOUNT=300000 /usr/bin/time -v /usr/bin/python3 \
          "$repo/scripts/reference/ultralytics_train.py" --threads 1 "$@" seed="$s" plots=False project="$out" \
          name="u$s" exist_ok=True > "$out/u$s.log" 2>&1 ) &
    wait
    for t in f u; do
        w=$out/$t$s/weights/best.safetensors
        [ $t = u ] && w=$out/$t$s/weights/best.pt
        row=$(cd "$repo" && ./forge val model="$w" data="$data" imgsz="$imgsz" batch=32 plots=False project="$out/val" \
                  name="$t$s" exist_ok=true 2>&1 | grep -E '^\s+all\s' | head -1 || true)   # a failed run: its line stays empty
        echo "$t$s $row" >> "$out/scores.txt"
    done
    echo "seed $s done $(date +%T)"
done
