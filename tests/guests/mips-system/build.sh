#!/usr/bin/env bash
# Build the bare-metal MIPS system tests (one ELF per *.c and byte order) into OUTDIR:
#   OUTDIR/<name>-be.elf (mips-linux-gnu-gcc), OUTDIR/<name>-le.elf (mipsel-linux-gnu-gcc)
# Freestanding: -ffreestanding -nostdlib -static, start.S + lib.c + link.ld. They run on the
# mipssim board (QEMU's and specemu's) with -kernel, printing through the UART and leaving
# through UHI exit (-semihosting).
#
# usage: tests/guests/mips-system/build.sh OUTDIR
# Exit status: 0 ok, 1 build failure, 2 missing toolchain (prints the install command).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)

missing=()
command -v mips-linux-gnu-gcc >/dev/null 2>&1 || missing+=(gcc-mips-linux-gnu)
command -v mipsel-linux-gnu-gcc >/dev/null 2>&1 || missing+=(gcc-mipsel-linux-gnu)
if [ ${#missing[@]} -ne 0 ]; then
    echo "build.sh: error: missing toolchain packages: ${missing[*]}" >&2
    echo "install them with:" >&2
    echo "  apt-get install -y --no-install-recommends ${missing[*]}   (as root)" >&2
    echo "(or run .ci/install-tools.sh)" >&2
    exit 2
fi

export LC_ALL=C SOURCE_DATE_EPOCH=0
FLAGS=(-march=mips32r2 -mabi=32 -mno-abicalls -fno-pic -G0 -O2 -ffreestanding -nostdlib -static
       -fno-builtin -fno-ident -mno-gpopt -Wall -Wextra -ffile-prefix-map="$HERE"=guests
       -T "$HERE/link.ld" -Wl,--build-id=none)
for src in "$HERE"/*.c; do
    name=$(basename "$src" .c)
    [ "$name" = lib ] && continue
    for e in be le; do
        if [ $e = be ]; then cc=mips-linux-gnu-gcc; else cc=mipsel-linux-gnu-gcc; fi
        $cc "${FLAGS[@]}" -o "$OUT/$name-$e.elf" "$HERE/start.S" "$HERE/lib.c" "$src" -lgcc
    done
done
echo "build.sh: built $(ls "$OUT"/*.elf | wc -l) programs in $OUT"
