#!/usr/bin/env bash
# The main job, for a newcomer on a fresh machine: sets up, builds, and walks through what TinyTrain does today
# (import the paper's int8 backbones and any int8 .tflite, run them bit-exactly with TFLite Micro, then `tinytrain demo`:
# fine-tune within 256 KB, generate C, train on an emulated Cortex-M7; the report lands in out/demo-report/).
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
scripts/setup.sh
build_log=$(mktemp)
dotnet build src/TinyTrain.Cli -c Release --no-restore -nologo > "$build_log" 2>&1 || { cat "$build_log"; exit 1; }
tt() { dotnet src/TinyTrain.Cli/bin/Release/net10.0/tinytrain.dll "$@"; }
data=$(cd .. && pwd)/shared/data
photos="${TINYTRAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tinytrain}/skimage/usr/lib/python3/dist-packages/skimage/data"

echo "== 1. The paper's MCUNet-5fps backbone, read straight from its .pkl (no Python)"
tt inspect mcunet-5fps | tail -n 2
echo
echo "== 2. Its int8 forward pass on a photo of a cat (ImageNet 281-285 are cats)"
[ -f "$photos/chelsea.png" ] && tt infer mcunet-5fps --input "$photos/chelsea.png"
echo
echo "== 3. TFLite Micro's person detector, bit-exact with TFLite Micro (golden softmax [-113, 113])"
tt infer "$data/tflite-micro/person_detection/person_detect.tflite" \
  --input "$data/tflite-micro/person_detection/person.bmp" --pixels Raw
echo
echo "== 4. An unsupported model is a one-line diagnostic, not a crash"
tt inspect "$data/tflite-micro/mnist_lstm/trained_lstm_int8.tflite" || true
echo
echo "== 5. The whole story in one command: fine-tune MCUNet on Fashion-MNIST within 256 KB as the device would, print the"
echo "   memory bill, build the same step as C for a Cortex-M7 and train it bit-exactly in QEMU, estimate the device's time"
tt demo --out out/demo-report
