#!/usr/bin/env bash
# The main job, for a newcomer on a fresh machine: sets up, builds, and walks through what TinyTrain does today
# (import the paper's int8 backbones and any int8 .tflite, and run them bit-exactly with TFLite Micro).
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
echo "== 5. On-device-style fine-tuning: MCUNet's int8 graph learns Fashion-MNIST with the paper's 99 KB sparse scheme"
echo "   (600 images, one epoch, batch 1, in-place int8 updates with QAS: what the microcontroller would run)"
tt train mcunet-5fps --data fashion-mnist --scheme paper:99kb --limit 800 --val 200 --epochs 1 --lr 0.01
echo
echo "== 6. The same training step as C for a Cortex-M7 (1 MB flash, 256 KB SRAM), trained bare metal in QEMU"
echo "   (two steps on Fashion-MNIST images; every byte the device computes is compared with the host's)"
tt mcu mcunet-5fps --scheme paper:49kb --target cortex-m7 --steps 2
