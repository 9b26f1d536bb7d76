#!/usr/bin/env bash
# Installs what TinyTrain needs on a fresh Debian machine (idempotent): apt packages, then NuGet restore.
set -euo pipefail
cd "$(dirname "$0")/.."

# dataset-fashion-mnist: the 60k/10k Fashion-MNIST IDX files under /usr/share/datasets/fashion-mnist (training data).
# gcc, libc6-dev: the C runtime's parity tests compile it with the host C compiler (and its sanitizers).
# gcc-arm-none-eabi, libnewlib-arm-none-eabi, qemu-system-arm: `mcu` builds the generated C for a Cortex-M and runs it
# bare metal in QEMU (about 600 MB to download without the recommends; see ../shared/docs/cortex-m.md).
APT_PACKAGES=(dataset-fashion-mnist gcc libc6-dev gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm ${TINYTRAIN_APT_PACKAGES:-})
missing=()
for p in "${APT_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Sample photos with known ImageNet classes (a cat, a coffee cup) for the paper models' top-5 check, read from
# Debian's scikit-image package. Only its data is unpacked (outside the repository), not its 54 dependencies.
CACHE="${TINYTRAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tinytrain}"
if [ ! -f "$CACHE/skimage/usr/lib/python3/dist-packages/skimage/data/chelsea.png" ]; then
  tmp=$(mktemp -d)
  if (cd "$tmp" && apt-get download -qq python3-skimage >/dev/null 2>&1 || { [ "$(id -u)" -eq 0 ] && apt-get update -qq && apt-get download -qq python3-skimage >/dev/null; }); then
    mkdir -p "$CACHE/skimage" && dpkg-deb -x "$tmp"/python3-skimage_*.deb "$CACHE/skimage"
  else
    echo "setup: could not download python3-skimage (sample photos); the ImageNet top-5 test will be skipped" >&2
  fi
  rm -rf "$tmp"
fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet restore TinyTrain.slnx --verbosity quiet
