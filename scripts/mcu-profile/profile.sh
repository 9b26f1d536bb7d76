#!/usr/bin/env bash
# Instructions by function of a generated project's Cortex-M run: builds the QEMU plugin (insnprof.c) with the host gcc,
# runs the project's ELF under QEMU with it (the steps file and result file of `tinytrain mcu --out DIR`), and prints the
# functions that executed the most instructions (inlined code counts in its caller).
#   scripts/mcu-profile/profile.sh DIR [cortex-m7|cortex-m4] [TOP]
# DIR is a project written by `tinytrain mcu MODEL --scheme S --out DIR` (it holds model_cortex-m7.elf and steps.bin).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$1"; target="${2:-cortex-m7}"; top="${3:-25}"
case "$target" in cortex-m7) machine=mps2-an500 ;; cortex-m4) machine=mps2-an386 ;; *) echo "unknown target $target" >&2; exit 2 ;; esac
elf="$dir/model_$target.elf"
[ -f "$elf" ] || { echo "error: $elf not found (run tinytrain mcu ... --target $target --out $dir first)" >&2; exit 1; }
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
gcc -shared -fPIC -O2 -o "$work/insnprof.so" "$here/insnprof.c"
(cd "$dir" && qemu-system-arm -nographic -monitor none -serial none -semihosting-config enable=on,target=native \
    -icount shift=0 -M "$machine" -kernel "$elf" -plugin "$work/insnprof.so,out=$work/counts.txt" > "$work/run.txt")
grep -E "^(step|infer)" "$work/run.txt" || true
arm-none-eabi-nm -n -t d --defined-only "$elf" | awk '$2 ~ /^[tT]$/ {print $1 + 0, $3}' > "$work/symbols.txt"
# Each counted address goes to the last symbol at or below it (the symbols sorted by address: a binary search).
awk -v symbols="$work/symbols.txt" '
    BEGIN { n = 0; while ((getline line < symbols) > 0) { split(line, f, " "); start[n] = f[1] + 0; name[n] = f[2]; n++ } }
    { address = $1 + 0; lo = 0; hi = n - 1; found = -1
      while (lo <= hi) { mid = int((lo + hi) / 2); if (start[mid] <= address) { found = mid; lo = mid + 1 } else hi = mid - 1 }
      total += $2; by[found >= 0 ? name[found] : "?"] += $2 }
    END { for (k in by) printf "%12d %5.1f%% %s\n", by[k], 100 * by[k] / total, k; printf "%12d total\n", total > "/dev/stderr" }' \
    "$work/counts.txt" | sort -nr | head -n "$top"
