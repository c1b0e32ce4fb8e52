#!/usr/bin/env bash
# specemu's stable measure (issue 15): host instructions per guest instruction for each of
# bench/run.sh's workloads, at reduced input sizes. Wall time on a shared machine moves by up
# to 20%; an instruction count does not.
#
# - Guest instructions: counted once per workload by the interpreter
#   (`specemu run -accel interp -d insns`), cached under BENCH_DIR/insns/ (the count depends
#   on the guest program and its input only).
# - Host instructions: `valgrind --tool=callgrind` of `specemu run` (the JIT, as users run
#   it), split by function: translation (`translate_debug`, and `translate_region` for loops)
#   plus optimization and compilation (`Engine::compile`), inclusive, is "compile"; everything else (compiled code, tier-0
#   interpretation, helpers, the dispatch loop, system calls, loading) is "run".
#
# Every run's output must equal the native run's, or the script fails.
#
# usage: bench/insns.sh [--only W1,W2,...] [--no-build] [--baseline BIN]
#   --only LIST     only these workloads (comma-separated), as bench/run.sh names them
#   --no-build      use the existing release build instead of running `cargo build --release`
#   --baseline BIN  also measure another specemu binary (e.g. a release build of the commit
#                   before a change, copied aside); the table gets its figures and the change
#
# Writes the table to BENCH_DIR/out/insns.md and one line per workload to
# BENCH_DIR/out/insns.tsv (workload, guest insns, host total, compile, run; then the
# baseline's total, compile and run), which `bench/run.sh --callgrind` reads.
# Environment: as bench/run.sh (CARGO_TARGET_DIR, SPECEMU_BIN, BENCH_DIR).
# Needs: what bench/run.sh needs, and valgrind (callgrind, callgrind_annotate).
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

ONLY=""
BUILD=1
BASELINE=""
while [ $# -gt 0 ]; do
    case $1 in
        --only) [ $# -ge 2 ] || usage; ONLY=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --baseline) [ $# -ge 2 ] || usage; BASELINE=$2; shift 2 ;;
        -h | --help) usage 0 ;;
        *) echo "bench/insns.sh: unknown argument: $1" >&2; usage ;;
    esac
done
select_workloads "$ONLY"

for t in valgrind callgrind_annotate; do need "$t"; done
SIZE=small
bench_setup
CACHE=$BENCH_DIR/insns
mkdir -p "$CACHE"

# A key for the guest instruction count of the current workload: its command line and the
# contents of every file it names.
count_key() {
    (
        cd "$IN"
        printf '%s\n' "${GUEST_OPTS[@]}" "${GUEST[@]}"
        for a in "${GUEST[@]}"; do
            if [ -f "$a" ]; then sha256sum <"$a"; fi
        done
    ) | sha256sum | cut -c1-32
}

# The native reference output of the current workload (reduced size).
reference() { # workload
    local ref=$OUT/$1.small.ref
    (cd "$IN" && "${NATIVE[@]}") >"$ref" </dev/null 2>/dev/null || die "$1 failed natively: ${NATIVE[*]}"
    echo "$ref"
}

same_output() { # workload what ref out
    cmp -s "$3" "$4" && return
    diff <(head -c 2000 "$3") <(head -c 2000 "$4") | head -20 >&2 || true
    die "$1 under $2 computed a different result from native (outputs in $OUT)"
}

# Sets GUEST_INSNS for the current workload (counted, or from the cache).
guest_insns() { # workload ref
    local key f out err
    key=$(count_key)
    f=$CACHE/$1-$key
    if [ ! -s "$f" ]; then
        log "$1: counting guest instructions (-accel interp -d insns)"
        out=$OUT/$1.interp.out
        err=$OUT/$1.interp.err
        (cd "$IN" && "$SPECEMU" run -accel interp -d insns "${GUEST_OPTS[@]}" "${GUEST[@]}") \
            >"$out" 2>"$err" </dev/null || { cat "$err" >&2; die "$1 failed under -accel interp"; }
        same_output "$1" "-accel interp" "$2" "$out"
        # One line per program the workload ran (execve starts another).
        sed -n 's/^specemu: \([0-9]*\) guest instructions executed by .*/\1/p' "$err" |
            awk '{ s += $1 } END { if (NR == 0) exit 1; print s }' >"$f.tmp" ||
            die "$1: no instruction count in $err"
        mv "$f.tmp" "$f"
    fi
    GUEST_INSNS=$(cat "$f")
}

# Sets HOST_TOTAL, HOST_COMPILE, HOST_RUN for binary $1 on the current workload.
host_insns() { # binary workload ref tag
    local cg=$OUT/$2.$4.callgrind out=$OUT/$2.$4.cg.out err=$OUT/$2.$4.cg.err ann
    rm -f "$cg"
    (cd "$IN" && valgrind --tool=callgrind --callgrind-out-file="$cg" \
        "$1" run "${GUEST_OPTS[@]}" "${GUEST[@]}") >"$out" 2>"$err" </dev/null ||
        { tail -20 "$err" >&2; die "$2 failed under callgrind ($1)"; }
    same_output "$2" "callgrind ($4)" "$3" "$out"
    [ -f "$cg" ] || die "callgrind wrote no profile for $2 (see $err)"
    ann=$(callgrind_annotate --inclusive=yes --threshold=100 "$cg" 2>/dev/null)
    HOST_TOTAL=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$cg" | head -n1)
    [ -n "$HOST_TOTAL" ] || die "no total in $cg"
    # Inclusive costs, "1,234,567 (12.3%)  ???:path::name [binary]"; the figures are summed
    # over every instance (a generic function has one per CPU type).
    HOST_COMPILE=$(printf '%s\n' "$ann" |
        awk '/tb::translate::translate_(debug|region)[ <]|tb::engine::Engine<[^>]*>::compile[ <]/ {
                 gsub(",", "", $1); s += $1 } END { printf "%d", s }')
    HOST_RUN=$((HOST_TOTAL - HOST_COMPILE))
}

per() { # host guest
    awk -v h="$1" -v g="$2" 'BEGIN { printf "%.2f", h / g }'
}

date_start=$(date -u '+%Y-%m-%d %H:%M UTC')
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- 2>/dev/null || commit="$commit (with uncommitted changes)"
TSV=$OUT/insns.tsv
REPORT=$OUT/insns.md
: >"$TSV"
declare -A ROW
for w in "${WORKLOADS[@]}"; do
    workload "$w"
    ref=$(reference "$w")
    guest_insns "$w" "$ref"
    log "$w: $GUEST_INSNS guest instructions; callgrind of $SPECEMU"
    host_insns "$SPECEMU" "$w" "$ref" cur
    line="$w	$GUEST_INSNS	$HOST_TOTAL	$HOST_COMPILE	$HOST_RUN"
    row="| $LABEL | $GUEST_INSNS | $(per "$HOST_TOTAL" "$GUEST_INSNS") | $(per "$HOST_COMPILE" "$GUEST_INSNS") | $(per "$HOST_RUN" "$GUEST_INSNS") |"
    if [ -n "$BASELINE" ]; then
        cur_total=$HOST_TOTAL cur_run=$HOST_RUN
        log "$w: callgrind of the baseline $BASELINE"
        host_insns "$BASELINE" "$w" "$ref" base
        line="$line	$HOST_TOTAL	$HOST_COMPILE	$HOST_RUN"
        change() { awk -v c="$1" -v b="$2" 'BEGIN { printf "%+.1f%%", (c / b - 1) * 100 }'; }
        row="$row $(per "$HOST_TOTAL" "$GUEST_INSNS") | $(per "$HOST_RUN" "$GUEST_INSNS") | $(change "$cur_total" "$HOST_TOTAL") | $(change "$cur_run" "$HOST_RUN") |"
    fi
    echo "$line" >>"$TSV"
    ROW[$w]=$row
    log "$row"
done

{
    echo "- date: $date_start; specemu $commit; $(valgrind --version)"
    [ -n "$BASELINE" ] && echo "- baseline: $BASELINE"
    echo "- host instructions per guest instruction (reduced inputs; callgrind's Ir; guest instructions counted by -accel interp -d insns)"
    echo
    if [ -n "$BASELINE" ]; then
        echo "| workload | guest insns | host/guest | compile/guest | run/guest | baseline host/guest | baseline run/guest | total change | run change |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    else
        echo "| workload | guest insns | host/guest | compile/guest | run/guest |"
        echo "|---|---:|---:|---:|---:|"
    fi
    for w in "${WORKLOADS[@]}"; do echo "${ROW[$w]}"; done
    echo
    echo "host/guest = all host instructions of specemu run (JIT) / guest instructions; compile = translation, optimization and compilation; run = the rest."
} >"$REPORT"
cat "$REPORT"
log "report written to $REPORT (and $TSV)"
