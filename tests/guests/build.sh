#!/usr/bin/env bash
# Build the project's own guest programs (sources in tests/guests/*/) into
# OUTDIR:
#   OUTDIR/mips/prog-be, prog-le          MIPS32r2 o32, -O2 -static (glibc)
#   OUTDIR/xtensa-lx106/*.elf             bare-metal lx106 + picolibc
#   OUTDIR/x86_64/prog-O0, prog-O2        host gcc, -static when possible
# plus reference output from running the same C sources natively on the host
# (OUTDIR/*/expected-*.txt; the sources are written to be host-independent)
# and OUTDIR/MANIFEST (tool versions, sha256 of every binary).
#
# usage: tests/guests/build.sh OUTDIR
# Exit status: 0 ok, 1 build/check failure, 2 missing toolchain (prints the
# apt-get command that installs it; .ci/install-tools.sh installs everything).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)

# ---------------------------------------------------------------- toolchains
missing_pkgs=()
need_cmd() { # command package
    command -v "$1" >/dev/null 2>&1 || missing_pkgs+=("$2")
}
need_cmd mips-linux-gnu-gcc gcc-mips-linux-gnu
need_cmd mipsel-linux-gnu-gcc gcc-mipsel-linux-gnu
need_cmd xtensa-lx106-elf-gcc gcc-xtensa-lx106
need_cmd gcc gcc
PICOLIBC_SPECS=""
for s in /usr/lib/xtensa-lx106-elf/picolibc.specs /usr/share/picolibc/xtensa-lx106-elf/picolibc.specs; do
    [ -f "$s" ] && { PICOLIBC_SPECS=$s; break; }
done
[ -n "$PICOLIBC_SPECS" ] || missing_pkgs+=(picolibc-xtensa-lx106-elf)
for p in libc6-dev-mips-cross:/usr/mips-linux-gnu/lib/libc.a libc6-dev-mipsel-cross:/usr/mipsel-linux-gnu/lib/libc.a; do
    [ -f "${p#*:}" ] || missing_pkgs+=("${p%%:*}")
done
if [ ${#missing_pkgs[@]} -ne 0 ]; then
    echo "build.sh: error: missing toolchain packages: ${missing_pkgs[*]}" >&2
    echo "install them with:" >&2
    echo "  apt-get install -y --no-install-recommends ${missing_pkgs[*]}   (as root)" >&2
    echo "(or run .ci/install-tools.sh)" >&2
    exit 2
fi

step() { echo "build.sh: $*"; }

# Reproducibility: no debug info, no absolute paths, stable locale.
export LC_ALL=C SOURCE_DATE_EPOCH=0
COMMON=(-Wall -Wextra -fno-ident -ffile-prefix-map="$HERE"=guests)

# ---------------------------------------------------------------- MIPS
mkdir -p "$OUT/mips"
MIPS_SRC=("$HERE"/mips/*.c)
# Debian's mips/mipsel cross gcc defaults to -march=mips32r2 -mabi=32 -mfpxx
# -mabicalls (see `mips-linux-gnu-gcc -Q --help=target`), so a separate
# -march=mips32r2 build would be identical and is not made.
step "mips/prog-be"
mips-linux-gnu-gcc -O2 -static "${COMMON[@]}" -o "$OUT/mips/prog-be" "${MIPS_SRC[@]}" -lm
step "mips/prog-le"
mipsel-linux-gnu-gcc -O2 -static "${COMMON[@]}" -o "$OUT/mips/prog-le" "${MIPS_SRC[@]}" -lm
step "mips/expected-output.txt (host run of the same sources)"
gcc -O2 "${COMMON[@]}" -o "$OUT/mips/host-ref" "${MIPS_SRC[@]}" -lm
"$OUT/mips/host-ref" >"$OUT/mips/expected-output.txt"
rm -f "$OUT/mips/host-ref"

# ---------------------------------------------------------------- Xtensa lx106
mkdir -p "$OUT/xtensa-lx106"
XT="$HERE/xtensa-lx106"
# picolibc via its specs file; integer-only printf (no soft-float helpers in
# Debian's lx106 libgcc); own start file (sets a1), own linker script (.literal
# before .text) and own integer division/multiplication helpers.
XT_FLAGS=(--specs="$PICOLIBC_SPECS" -DPICOLIBC_INTEGER_PRINTF_SCANF "${COMMON[@]}"
    -ffunction-sections -fdata-sections -nostartfiles -T "$XT/lx106.ld"
    -Wl,--gc-sections -Wl,--orphan-handling=error -Wl,--fatal-warnings)
XT_RUNTIME=("$XT/start.S" "$XT/sys.c" "$XT/libgcc-extra.c")
xt_build() { # name source extra-flags...
    local name=$1 src=$2
    shift 2
    step "xtensa-lx106/$name.elf"
    xtensa-lx106-elf-gcc "${XT_FLAGS[@]}" "$@" -o "$OUT/xtensa-lx106/$name.elf" \
        "${XT_RUNTIME[@]}" "$XT/$src.c"
}
xt_build intalgo-O2 intalgo -O2
xt_build strfmt-O2 strfmt -O2
xt_build fsm-O2 fsm -O2
# -Os, and literal pools inside .text (between functions) instead of in the
# separate .literal section, for our own code.
xt_build fsm-Os fsm -Os -mtext-section-literals
for prog in intalgo strfmt fsm; do
    step "xtensa-lx106/expected-$prog.txt (host run of the same source)"
    gcc -O2 "${COMMON[@]}" -o "$OUT/xtensa-lx106/host-ref" "$XT/$prog.c"
    "$OUT/xtensa-lx106/host-ref" >"$OUT/xtensa-lx106/expected-$prog.txt"
done
rm -f "$OUT/xtensa-lx106/host-ref"

# ---------------------------------------------------------------- x86_64
mkdir -p "$OUT/x86_64"
X86_SRC=("$HERE"/x86_64/*.c)
X86_LINK=(-static)
echo 'int main(void){return 0;}' >"$OUT/x86_64/probe.c"
if ! gcc -static -o "$OUT/x86_64/probe" "$OUT/x86_64/probe.c" 2>/dev/null; then
    echo "build.sh: warning: static host libc unavailable (libc6-dev), linking x86_64 guests dynamically" >&2
    X86_LINK=()
fi
rm -f "$OUT/x86_64/probe" "$OUT/x86_64/probe.c"
for o in O0 O2; do
    step "x86_64/prog-$o"
    gcc "-$o" "${X86_LINK[@]}" "${COMMON[@]}" -o "$OUT/x86_64/prog-$o" "${X86_SRC[@]}"
done
"$OUT/x86_64/prog-O2" >"$OUT/x86_64/expected-output.txt"
"$OUT/x86_64/prog-O0" | cmp -s - "$OUT/x86_64/expected-output.txt" \
    || { echo "build.sh: error: x86_64 prog-O0 and prog-O2 disagree" >&2; exit 1; }

# ---------------------------------------------------------------- manifest
{
    echo "# generated by tests/guests/build.sh"
    for c in mips-linux-gnu-gcc mipsel-linux-gnu-gcc xtensa-lx106-elf-gcc gcc; do
        echo "# $c: $("$c" --version | head -n1)"
    done
    echo "# picolibc: $(dpkg-query -W -f='${Version}' picolibc-xtensa-lx106-elf 2>/dev/null || echo unknown)"
    (cd "$OUT" && sha256sum mips/prog-* xtensa-lx106/*.elf x86_64/prog-*)
} >"$OUT/MANIFEST"
step "done -> $OUT"
