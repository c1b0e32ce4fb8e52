# bench/common.sh: what bench/run.sh (wall-clock times) and bench/insns.sh (host instructions
# per guest instruction) share: the tools they need, the specemu binary, the workloads'
# binaries and inputs, and `workload NAME`, which sets a workload's label and command lines.
# Sourced, not run; it defines functions (die, log and usage, named after the script that
# sources it; select_workloads; bench_setup; workload) and ALL_WORKLOADS. Before
# `bench_setup` the caller sets ROOT (the checkout), BUILD (1: cargo build --release),
# BASELINE (another specemu binary, or empty) and, before `workload`, SIZE: `full` (the
# timed inputs) or `small` (reduced inputs: callgrind runs about 50 times slower than the
# JIT, and counting guest instructions takes the interpreter).

# Python randomizes its string hashes per run; fixed, every run executes the same instructions.
export PYTHONHASHSEED=0

ALL_WORKLOADS=(sha256 gzip bzip2 sort awk cbench bash perl python true hello)

# The Debian mipsel root of the bash, perl and python workloads (`-L`): bash-static, perl-base,
# python3.11-minimal and the libraries they load.
ROOT_PACKAGES=(libc6 libcrypt1 perl-base python3.11-minimal libpython3.11-minimal zlib1g libexpat1 bash-static)

BENCH_SCRIPT="bench/$(basename "$0")"

die() {
    echo "$BENCH_SCRIPT: error: $*" >&2
    exit 1
}

log() {
    echo "$BENCH_SCRIPT: $*" >&2
}

# The script's header comment (from line 2 to `set -euo`) as its help; exits with $1 (2).
usage() {
    sed -n '2,/^set -euo/p' "$ROOT/$BENCH_SCRIPT" | sed '$d; s/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

# Sets WORKLOADS from a comma-separated list (every workload when it is empty).
select_workloads() { # list
    WORKLOADS=()
    if [ -z "$1" ]; then
        WORKLOADS=("${ALL_WORKLOADS[@]}")
        return
    fi
    local want w
    IFS=, read -r -a want <<<"$1"
    for w in "${want[@]}"; do
        [[ " ${ALL_WORKLOADS[*]} " == *" $w "* ]] || die "unknown workload '$w' (have: ${ALL_WORKLOADS[*]})"
        WORKLOADS+=("$w")
    done
}

INSTALL_HINT="apt-get install gcc gcc-mipsel-linux-gnu libc6-dev-mipsel-cross qemu-user busybox time dpkg-dev debian-archive-keyring bash perl python3 valgrind"
need() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed (try: $INSTALL_HINT)"
}

# Check the tools, build or find specemu (SPECEMU), fetch busybox (BB), build the C
# workloads and generate the inputs (in IN); sets BIN, IN, OUT, HOST_BB, DEBIAN.
bench_setup() {
    # ---- tools -------------------------------------------------------------------------------
    if [ ! -x /usr/bin/time ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            log "installing GNU time (package 'time')"
            apt-get install -y time >/dev/null || die "apt-get install time failed"
        fi
        [ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is missing: apt-get install time"
    fi
    for t in gcc mipsel-linux-gnu-gcc busybox; do need "$t"; done
    HOST_BB=$(command -v busybox)

    # ---- specemu -----------------------------------------------------------------------------
    if [ -n "${SPECEMU_BIN:-}" ]; then
        SPECEMU=$SPECEMU_BIN
    else
        TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
        if [ "$BUILD" = 1 ]; then
            need cargo
            log "cargo build --release (CARGO_TARGET_DIR=$TARGET)"
            cargo build --release >&2 || die "cargo build --release failed"
        fi
        SPECEMU=$TARGET/release/specemu
    fi
    [ -x "$SPECEMU" ] || die "no specemu binary at $SPECEMU"
    if [ -n "$BASELINE" ]; then
        [ -f "$BASELINE" ] && [ -x "$BASELINE" ] || die "--baseline: no executable at $BASELINE"
        BASELINE=$(cd "$(dirname "$BASELINE")" && pwd)/$(basename "$BASELINE") # the runs happen in $IN
        [ "$BASELINE" -ef "$SPECEMU" ] && log "warning: the baseline is the binary being measured ($SPECEMU)"
    fi

    # ---- workloads: binaries and inputs ------------------------------------------------------
    BENCH_DIR=$(realpath -m "${BENCH_DIR:-$ROOT/target/bench}")
    BIN=$BENCH_DIR/bin
    IN=$BENCH_DIR/in
    OUT=$BENCH_DIR/out
    mkdir -p "$BIN" "$IN" "$OUT"

    # Debian's busybox-static for mipsel, in the guest cache the conformance tests use (the
    # script does nothing when it is there already, and takes a lock while it fetches).
    DEBIAN=${CARGO_TARGET_DIR:-$ROOT/target}/guest-cache/debian
    bash tests/guests/fetch-debian.sh "$DEBIAN" mipsel busybox-static >&2 ||
        die "fetching busybox-static:mipsel failed"
    BB=$DEBIAN/busybox-mipsel/bin/busybox
    [ -x "$BB" ] || die "$BB missing after fetch-debian.sh"
    bash tests/guests/fetch-debian.sh --root root "$DEBIAN" mipsel "${ROOT_PACKAGES[@]}" >&2 ||
        die "fetching the Debian mipsel root (${ROOT_PACKAGES[*]}) failed"
    DROOT=$DEBIAN/root-mipsel
    for t in /bin/bash /usr/bin/perl /usr/bin/python3; do
        [ -x "$t" ] || die "the native reference $t is missing (apt-get install bash perl python3)"
    done

    CFLAGS=(-O2 -ffp-contract=off -Wall -Wextra)
    gcc -O2 -Wall -Wextra -o "$BIN/gen" bench/gen.c || die "building bench/gen.c failed"
    gcc "${CFLAGS[@]}" -o "$BIN/cbench-native" bench/cbench.c || die "building bench/cbench.c (native) failed"
    mipsel-linux-gnu-gcc "${CFLAGS[@]}" -static -o "$BIN/cbench-mipsel" bench/cbench.c ||
        die "building bench/cbench.c (mipsel) failed"

    # Inputs: deterministic (fixed seed in gen.c); regenerated when gen.c changes.
    STAMP=$IN/.gen-$( (cat bench/gen.c; echo "inputs v2: 64M 32M 16M 1M, 4M 1M 50K") | sha256sum | cut -c1-16)
    if [ ! -f "$STAMP" ]; then
        log "generating inputs in $IN"
        rm -f "$IN"/.gen-*
        "$BIN/gen" random $((64 << 20)) >"$IN/random-64M.bin"
        "$BIN/gen" text $((32 << 20)) >"$IN/text-32M.txt"
        "$BIN/gen" text $((16 << 20)) >"$IN/text-16M.txt"
        "$BIN/gen" numbers 1000000 >"$IN/numbers-1M.txt"
        "$BIN/gen" random $((4 << 20)) >"$IN/random-4M.bin"
        "$BIN/gen" text $((1 << 20)) >"$IN/text-1M.txt"
        "$BIN/gen" numbers 50000 >"$IN/numbers-50K.txt"
        touch "$STAMP"
    fi
}

awk_prog() { # iterations
    echo "BEGIN{s=0; for(i=1;i<=$1;i++) s+=i*1.5/(i+0.25) - 1/i; printf \"%.6f\\n\", s}"
}

# Sets LABEL, KIND (time: seconds per run; startup: ms per invocation), GUEST and NATIVE
# (argument vectors; GUEST runs under specemu and qemu, after the options GUEST_OPTS).
workload() {
    KIND="time"
    local random=random-64M.bin text32=text-32M.txt text16=text-16M.txt numbers=numbers-1M.txt
    local awk_n=1000000 scale=3 mib32=32 mib16=16 mib64=64 lines=1M loop=1M cb=""
    local bash_n=60000 perl_n=1000000 py_n=200000
    if [ "$SIZE" = small ]; then
        random=random-4M.bin text32=text-1M.txt text16=text-1M.txt numbers=numbers-50K.txt
        awk_n=50000 scale=1 mib32=1 mib16=1 mib64=4 lines=50K loop=50K cb=" (scale 1)"
        bash_n=3000 perl_n=50000 py_n=10000
    fi
    local scripts=$ROOT/bench/scripts
    # Options of specemu run and qemu-mipsel before the program (-L for dynamic programs).
    GUEST_OPTS=()
    local awk_prog
    awk_prog=$(awk_prog "$awk_n")
    case $1 in
        sha256) LABEL="sha256sum $mib64 MiB"
            GUEST=("$BB" sha256sum "$random"); NATIVE=("$HOST_BB" sha256sum "$random") ;;
        gzip) LABEL="gzip -9 $mib32 MiB"
            GUEST=("$BB" gzip -9 -c "$text32"); NATIVE=("$HOST_BB" gzip -9 -c "$text32") ;;
        bzip2) LABEL="bzip2 $mib16 MiB"
            GUEST=("$BB" bzip2 -c "$text16"); NATIVE=("$HOST_BB" bzip2 -c "$text16") ;;
        sort) LABEL="sort -n $lines lines"
            GUEST=("$BB" sort -n "$numbers"); NATIVE=("$HOST_BB" sort -n "$numbers") ;;
        awk) LABEL="awk FP loop ($loop)"
            GUEST=("$BB" awk "$awk_prog"); NATIVE=("$HOST_BB" awk "$awk_prog") ;;
        cbench) LABEL="bench/cbench.c$cb"
            GUEST=("$BIN/cbench-mipsel" "$scale"); NATIVE=("$BIN/cbench-native" "$scale") ;;
        bash) LABEL="bash loop ($bash_n)"
            GUEST=("$DROOT/bin/bash-static" "$scripts/loop.bash" "$bash_n")
            NATIVE=(/bin/bash "$scripts/loop.bash" "$bash_n") ;;
        perl) LABEL="perl ($perl_n)"; GUEST_OPTS=(-L "$DROOT")
            GUEST=("$DROOT/usr/bin/perl" "$scripts/bench.pl" "$perl_n")
            NATIVE=(/usr/bin/perl "$scripts/bench.pl" "$perl_n") ;;
        python) LABEL="python3 ($py_n)"; GUEST_OPTS=(-L "$DROOT")
            GUEST=("$DROOT/usr/bin/python3.11" "$scripts/bench.py" "$py_n")
            NATIVE=(/usr/bin/python3 "$scripts/bench.py" "$py_n") ;;
        true) LABEL="start-up: busybox true"; KIND=startup
            GUEST=("$BB" true); NATIVE=("$HOST_BB" true) ;;
        hello) LABEL="start-up: static hello"; KIND=startup
            GUEST=("$ROOT/tests/guests/bin/hello-mipsel"); NATIVE=("$ROOT/tests/guests/bin/hello-x86_64") ;;
        *) die "unknown workload $1" ;;
    esac
}
