#!/usr/bin/env bash
# Produce GNU objdump reference disassembly ("oracle") for every guest binary
# found in OUTDIR (as made by build.sh and fetch-debian.sh):
#   OUTDIR/disasm/<name>.txt        `<arch>-objdump -d --no-show-raw-insn`
#   OUTDIR/mnemonics-<name>.txt     "count mnemonic" histogram, most frequent first
# and prints a summary line per binary. Lines counted as instructions are the
# "  addr:\t..." lines; that includes Xtensa literal slots (empty text, counted
# as "<empty>") and ".byte" fill. Missing binaries are skipped.
#
# usage: tests/guests/objdump-oracle.sh OUTDIR
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 1; }
OUT=$(cd "$1" && pwd)
export LC_ALL=C
mkdir -p "$OUT/disasm"

# name objdump binary(relative to OUT)
TARGETS=(
    "prog-be mips-linux-gnu-objdump mips/prog-be"
    "prog-le mipsel-linux-gnu-objdump mips/prog-le"
    "busybox-mipsel mipsel-linux-gnu-objdump busybox-mipsel/bin/busybox"
    "x86_64-prog-O0 objdump x86_64/prog-O0"
    "x86_64-prog-O2 objdump x86_64/prog-O2"
)
for elf in "$OUT"/xtensa-lx106/*.elf; do
    [ -e "$elf" ] || continue
    TARGETS+=("xtensa-$(basename "$elf" .elf) xtensa-lx106-elf-objdump xtensa-lx106/$(basename "$elf")")
done

for t in "${TARGETS[@]}"; do
    read -r name tool bin <<<"$t"
    [ -f "$OUT/$bin" ] || { echo "skip $name ($bin missing)"; continue; }
    # Run from OUT so the header line is "<bin>:     file format ..." with a
    # relative, machine-independent path.
    (cd "$OUT" && "$tool" -d --no-show-raw-insn "$bin") >"$OUT/disasm/$name.txt"
    awk -F'\t' '/^ *[0-9a-f]+:\t/ {
            m = $2; sub(/^ +/, "", m); split(m, a, " ");
            if (a[1] == "") a[1] = "<empty>";
            c[a[1]]++
        }
        END { for (k in c) printf "%7d %s\n", c[k], k }' "$OUT/disasm/$name.txt" \
        | sort -k1,1nr -k2,2 >"$OUT/mnemonics-$name.txt"
    lines=$(grep -c -P '^ *[0-9a-f]+:\t' "$OUT/disasm/$name.txt" || true)
    elided=$(grep -c -P '^\t\.\.\.$' "$OUT/disasm/$name.txt" || true)
    printf '%-22s %8d insn lines %5d "..." lines %4d mnemonics\n' \
        "$name" "$lines" "$elided" "$(wc -l <"$OUT/mnemonics-$name.txt")"
done
