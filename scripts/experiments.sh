#!/usr/bin/env bash
# Reproduces docs/RESULTS.md: the paper's Table 1 (fp32 SGD-M / int8 SGD-M / int8 SGD-M + QAS, each at its best
# learning rate from a small grid) and the sparse-scheme comparison, on Fashion-MNIST with mcunet-5fps.
# Usage: scripts/experiments.sh [TRAIN_LIMIT] [EPOCHS]   (defaults sized for a 2-core machine: about 20 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT=${1:-2200}; EPOCHS=${2:-3}; VAL=500
scripts/setup.sh
dotnet build src/TinyTrain.Cli -c Release --no-restore -nologo -v quiet > /dev/null
tt() { dotnet src/TinyTrain.Cli/bin/Release/net10.0/tinytrain.dll "$@"; }
out=out/experiments; mkdir -p "$out"
common=(mcunet-5fps --data fashion-mnist --limit "$LIMIT" --val "$VAL" --epochs "$EPOCHS" --seed 1 --json --quiet)

run() { # name, then train options; caches each run's JSON
  local name=$1; shift
  if [ ! -s "$out/$name.json" ]; then
    if tt train "${common[@]}" "$@" > "$out/$name.json.tmp"; then mv "$out/$name.json.tmp" "$out/$name.json"; fi
  fi
  echo "  $name: $(python3 -c "import json;d=json.load(open('$out/$name.json'));print(f\"{d['accuracyAfter']:.4f}\")" 2>/dev/null || echo failed)"
}

echo "Table 1 (last:6, batch 16, momentum 0.9, master policy, warm-up 0.5 epoch + cosine)"
t1=(--scheme last:6 --batch 16 --optimizer sgd-m --policy master --warmup 0.5)
for lr in 0.001 0.003 0.01 0.03; do run "fp32-lr$lr" "${t1[@]}" --precision fp32 --lr $lr; done
for lr in 0.01 0.1 1 10 100 1000; do run "int8-lr$lr" "${t1[@]}" --qas off --lr $lr; done
for lr in 0.001 0.003 0.01 0.03; do run "int8qas-lr$lr" "${t1[@]}" --qas on --lr $lr; done

echo "Sparse schemes (device policy: batch 1, plain SGD, QAS, in-place int8)"
for s in paper:99kb last:12 bias-only head-only; do
  for lr in 0.003 0.01; do run "scheme-${s/:/-}-lr$lr" --scheme $s --lr $lr; done
done

python3 - "$out" "$LIMIT" "$VAL" "$EPOCHS" <<'PY' > docs/RESULTS.md.tmp
import json, sys, glob, os
out, limit, val, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
def load(n):
    p = os.path.join(out, n + ".json")
    return json.load(open(p)) if os.path.exists(p) and os.path.getsize(p) else None
def best(prefix):
    runs = [(n, load(n)) for n in sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(out, prefix + "-lr*.json")))]
    runs = [(n, r) for n, r in runs if r]
    return max(runs, key=lambda x: x[1]["accuracyAfter"]) if runs else (None, None)
print("# Results\n")
print(f"Produced by `scripts/experiments.sh {limit} {epochs}`. Data: Fashion-MNIST (Debian `dataset-fashion-mnist`), the first")
print(f"{limit} training images after the seeded shuffle (seed 1), of which {val} are held out (stratified) for the accuracy")
print(f"below; {epochs} epochs; images resized to 128x128, grey copied to RGB, p-128. Model: mcunet-5fps (the paper's int8")
print("backbone), new 10-class head. Every figure is one run; with a few hundred held-out images, differences under")
print("about two points are within noise.\n")
print("## Table 1: quantization-aware scaling (last two blocks = `last:6`)\n")
print("Each row at its best learning rate from the grid (all tried rates listed); batch 16, SGD with momentum 0.9, fp32")
print("master copies of the trained slices (the paper's GPU simulation), warm-up then cosine.\n")
print("| precision / optimizer | best LR | held-out accuracy | all LRs tried |")
print("| --- | ---: | ---: | --- |")
for label, prefix in [("fp32 SGD-M", "fp32"), ("int8 SGD-M", "int8"), ("int8 SGD-M + QAS", "int8qas")]:
    name, r = best(prefix)
    tried = ", ".join(f"{n.split('-lr')[1]}: {load(n)['accuracyAfter']:.1%}" for n in sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(out, prefix + "-lr*.json"))) if load(n))
    print(f"| {label} | {name.split('-lr')[1] if name else ''} | {r['accuracyAfter']:.2%} | {tried} |" if r else f"| {label} | | not run | |")
(fpn, fp), (i8n, i8), (qasn, qas) = best("fp32"), best("int8"), best("int8qas")
if fp and i8 and qas:
    lr = lambda n: float(n.split("-lr")[1])
    print(f"\nReading it: int8 SGD-M without QAS ends {100 * (fp['accuracyAfter'] - i8['accuracyAfter']):.1f} points below fp32 and needs a learning")
    print(f"rate {lr(i8n) / lr(fpn):,.0f}x larger; with QAS it is {100 * (fp['accuracyAfter'] - qas['accuracyAfter']):.1f} points from fp32, at {lr(qasn) / lr(fpn):g}x the fp32")
    print("learning rate. That is the shape of the paper's finding (its Table 1 averages: int8 SGD-M 64.9, + QAS 73.5, fp32 73.3).")
print("\n## Sparse update schemes (device policy)\n")
print("Batch 1, plain SGD with QAS, int8 parameters updated in place (sub-LSB steps lost, as on the MCU), each at its")
print("best learning rate of 0.003 and 0.01 (both listed).")
print("Extra memory is the paper's analytic model (paper-notes 2.6), in KB of 1024 B.\n")
print("| scheme | held-out accuracy | best LR | all LRs | analytic extra memory | planned training arena (no reordering yet) |")
print("| --- | ---: | ---: | --- | ---: | ---: |")
for s in ["paper:99kb", "last:12", "bias-only", "head-only"]:
    prefix = "scheme-" + s.replace(":", "-")
    name, r = best(prefix)
    tried = ", ".join(f"{n.split('-lr')[1]}: {load(n)['accuracyAfter']:.1%}" for n in sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(out, prefix + "-lr*.json"))) if load(n))
    print(f"| `{s}` | {r['accuracyAfter']:.2%} | {name.split('-lr')[1]} | {tried} | {r['analyticExtraBytes']/1024:.1f} KB | {r['arenaBytes']:,} B |" if r else f"| `{s}` | not run | | | | |")
sparse, lastk = best("scheme-paper-99kb")[1], best("scheme-last-12")[1]
if sparse and lastk:
    print(f"\nReading it: the paper's 99 KB sparse scheme reaches {sparse['accuracyAfter']:.1%} with 4.5x less extra memory than updating the last 12")
    print(f"layers ({lastk['accuracyAfter']:.1%}), as in the paper (Flowers: 88.84 % at 100 KB vs 87.74 % at 448 KB). The planned arenas are")
    print("today's lowering without operator reordering or in-place updates (issue 4), so they are far above the analytic figures.")
PY
mv docs/RESULTS.md.tmp docs/RESULTS.md
echo "wrote docs/RESULTS.md"
