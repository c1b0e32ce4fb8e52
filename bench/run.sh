#!/usr/bin/env bash
# specemu's benchmark (issue 4): the same MIPS (mipsel) workloads natively, under specemu's
# JIT, under specemu's IR interpreter and under Debian's qemu-mipsel, timed in one run with
# the runs interleaved (round 1: native, JIT, interp, qemu for every workload; round 2: ...),
# medians of N rounds, ratios against qemu-mipsel and the max RSS of specemu-JIT and qemu.
# Every run's stdout must be byte-identical to the native run's, or the script fails.
#
# usage: bench/run.sh [-n N] [--no-interp] [--only W1,W2,...] [--loops K] [--no-build]
#                     [--baseline BIN] [--callgrind] [--qemu10]
#   -n N          rounds (runs of each workload in each configuration), default 3; the table
#                 shows the median
#   --no-interp   skip specemu's interpreter (-accel interp); it is ~100x slower than the JIT
#                 and would take about two hours (3 rounds) at the default sizes
#   --only LIST   only these workloads (comma-separated): sha256 gzip bzip2 sort awk cbench
#                 bash perl python true hello
#   --loops K     start-up workloads (true, hello): invocations per timed run, default 50
#   --no-build    use the existing release build instead of running `cargo build --release`
#   --callgrind   also run bench/insns.sh (host instructions per guest instruction under
#                 callgrind, at reduced input sizes) after the timed rounds, and add its
#                 figures to the table (with --baseline, the baseline's too)
#   --qemu10      also time QEMU 10's qemu-mipsel (Debian bookworm-backports' qemu-user,
#                 statically linked, fetched once with tests/guests/fetch-debian.sh's private
#                 apt configuration into the guest cache) in the same interleaved rounds; the
#                 table gets its times, specemu JIT's ratio to it and its max RSS
#   --baseline BIN  also time another specemu binary (e.g. a release build of the commit
#                 before a change, copied aside) in the same interleaved rounds, under each
#                 specemu configuration timed (JIT, and the interpreter unless --no-interp);
#                 the table gets its columns beside the current build's and the ratio
#                 current/baseline per workload, marking every workload more than 5% slower
#                 than the baseline. In each round the current build and the baseline swap
#                 order, so that neither always runs first.
#
# Environment: CARGO_TARGET_DIR (where specemu is built, default ./target), SPECEMU_BIN (a
# specemu binary to use instead of building one), QEMU_MIPSEL (default qemu-mipsel),
# BENCH_DIR (inputs, binaries and outputs; default ./target/bench).
#
# Needs: cargo, gcc, mipsel-linux-gnu-gcc (gcc-mipsel-linux-gnu), qemu-mipsel (qemu-user),
# the host busybox (busybox), GNU time (time), apt-get and dpkg-deb for
# tests/guests/fetch-debian.sh (Debian's busybox-static and a root for mipsel), the host's bash,
# perl and python3; valgrind with --callgrind.
set -euo pipefail
export LC_ALL=C

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

# Tools, specemu, the workloads' binaries and inputs, and `workload` (shared with
# bench/insns.sh).
# shellcheck source=bench/common.sh
. "$ROOT/bench/common.sh"

ROUNDS=3
INTERP=1
ONLY=""
LOOPS=50
BUILD=1
BASELINE=""
CALLGRIND=0
QEMU10=0
while [ $# -gt 0 ]; do
    case $1 in
        -n) [ $# -ge 2 ] || usage; ROUNDS=$2; shift 2 ;;
        --no-interp) INTERP=0; shift ;;
        --only) [ $# -ge 2 ] || usage; ONLY=$2; shift 2 ;;
        --loops) [ $# -ge 2 ] || usage; LOOPS=$2; shift 2 ;;
        --no-build) BUILD=0; shift ;;
        --baseline) [ $# -ge 2 ] || usage; BASELINE=$2; shift 2 ;;
        --callgrind) CALLGRIND=1; shift ;;
        --qemu10) QEMU10=1; shift ;;
        -h | --help) usage 0 ;;
        *) echo "bench/run.sh: unknown argument: $1" >&2; usage ;;
    esac
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "-n wants a positive integer, not '$ROUNDS'"
[[ $LOOPS =~ ^[1-9][0-9]*$ ]] || die "--loops wants a positive integer, not '$LOOPS'"

select_workloads "$ONLY"
# The specemu configurations (accelerators) timed, and with --baseline the same for the
# baseline binary (configurations base-jit, base-interp).
ACCELS=(jit)
[ "$INTERP" = 1 ] && ACCELS+=(interp)
CONFIGS=(native)
for a in "${ACCELS[@]}"; do
    CONFIGS+=("$a")
    [ -n "$BASELINE" ] && CONFIGS+=("base-$a")
done
CONFIGS+=(qemu)
[ "$QEMU10" = 1 ] && CONFIGS+=(qemu10)

SIZE=full
bench_setup
QEMU=${QEMU_MIPSEL:-qemu-mipsel}
need "$QEMU"
if [ "$QEMU10" = 1 ]; then
    host_arch=$(dpkg --print-architecture)
    DEBIAN_SUITE=bookworm-backports bash tests/guests/fetch-debian.sh "$DEBIAN" "$host_arch" qemu-user >&2 ||
        die "fetching qemu-user from bookworm-backports failed"
    QEMU10_DIR=$DEBIAN/qemu-user-$host_arch
    QEMU10_BIN=$QEMU10_DIR/usr/bin/qemu-mipsel
    [ -x "$QEMU10_BIN" ] || die "$QEMU10_BIN missing after fetch-debian.sh"
fi

# Sets CMD for configuration $1 of the current workload.
command_for() {
    case $1 in
        native) CMD=("${NATIVE[@]}") ;;
        jit) CMD=("$SPECEMU" run -accel jit "${GUEST_OPTS[@]}" "${GUEST[@]}") ;;
        interp) CMD=("$SPECEMU" run -accel interp "${GUEST_OPTS[@]}" "${GUEST[@]}") ;;
        base-jit) CMD=("$BASELINE" run -accel jit "${GUEST_OPTS[@]}" "${GUEST[@]}") ;;
        base-interp) CMD=("$BASELINE" run -accel interp "${GUEST_OPTS[@]}" "${GUEST[@]}") ;;
        qemu) CMD=("$QEMU" "${GUEST_OPTS[@]}" "${GUEST[@]}") ;;
        qemu10) CMD=("$QEMU10_BIN" "${GUEST_OPTS[@]}" "${GUEST[@]}") ;;
    esac
}

# Compare one run's output with the native reference; fail loudly on any difference.
check_output() { # workload config file
    local ref=$OUT/$1.ref
    if [ "$2" = native ] && [ ! -f "$ref" ]; then
        cp "$3" "$ref"
        return
    fi
    if ! cmp -s "$ref" "$3"; then
        echo "bench/run.sh: FAIL: $1 under $2: output differs from native" >&2
        cmp "$ref" "$3" >&2 || true
        diff <(head -c 2000 "$ref") <(head -c 2000 "$3") | head -20 >&2 || true
        die "$1 under $2 computed a different result (outputs kept in $OUT)"
    fi
}

# Run CMD once under GNU time: sets RUN_T (wall seconds, from EPOCHREALTIME) and RUN_RSS (KiB).
timed_once() { # workload config
    local out=$OUT/$1.$2.out err=$OUT/$1.$2.err tf=$OUT/time.txt t0 t1 e rss
    t0=$EPOCHREALTIME
    if ! /usr/bin/time -f '%e %M' -o "$tf" "${CMD[@]}" >"$out" 2>"$err" </dev/null; then
        cat "$err" "$tf" >&2 || true
        die "$1 under $2 failed: ${CMD[*]}"
    fi
    t1=$EPOCHREALTIME
    RUN_T=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')
    read -r e rss <"$tf" || die "cannot read GNU time's output"
    : "$e"
    RUN_RSS=$rss
    check_output "$1" "$2" "$out"
}

# Start-up workloads: one run under GNU time (RSS, warm-up), then LOOPS invocations timed
# together; RUN_T is the time per invocation.
startup_loop() { # workload config
    local out=$OUT/$1.$2.out t0 t1 i
    timed_once "$1" "$2"
    t0=$EPOCHREALTIME
    for ((i = 0; i < LOOPS; i++)); do
        "${CMD[@]}" >"$out" </dev/null 2>/dev/null || die "$1 under $2 failed: ${CMD[*]}"
    done
    t1=$EPOCHREALTIME
    check_output "$1" "$2" "$out"
    RUN_T=$(awk -v a="$t0" -v b="$t1" -v n="$LOOPS" 'BEGIN { printf "%.6f", (b - a) / n }')
}

declare -A TIMES RSS
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- 2>/dev/null || commit="$commit (with uncommitted changes)"
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
date_start=$(date -u '+%Y-%m-%d %H:%M UTC')
rm -f "$OUT"/*.ref
cd "$IN" # the workloads name their inputs relative to it
log "configurations: ${CONFIGS[*]}; workloads: ${WORKLOADS[*]}; $ROUNDS rounds"
for ((r = 1; r <= ROUNDS; r++)); do
    # With a baseline, even rounds run it before the current build (jit, base-jit -> base-jit, jit).
    order=("${CONFIGS[@]}")
    if [ -n "$BASELINE" ] && [ $((r % 2)) = 0 ]; then
        order=()
        for c in "${CONFIGS[@]}"; do
            case $c in
                base-*) ;;
                jit | interp) order+=("base-$c" "$c") ;;
                *) order+=("$c") ;;
            esac
        done
    fi
    for w in "${WORKLOADS[@]}"; do
        workload "$w"
        for c in "${order[@]}"; do
            command_for "$c"
            if [ "$KIND" = startup ]; then
                startup_loop "$w" "$c"
            else
                timed_once "$w" "$c"
            fi
            TIMES[$w,$c]="${TIMES[$w,$c]:-} $RUN_T"
            if [ "${RSS[$w,$c]:-0}" -lt "$RUN_RSS" ]; then RSS[$w,$c]=$RUN_RSS; fi
            log "round $r/$ROUNDS  $w  $c  ${RUN_T}s  ${RUN_RSS} KiB"
        done
    done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# Host instructions per guest instruction (bench/insns.sh), by workload: HG (this build),
# HG_BASE (the baseline).
declare -A HG HG_BASE
if [ "$CALLGRIND" = 1 ]; then
    cd "$ROOT"
    only=$(IFS=,; echo "${WORKLOADS[*]}")
    insns_args=(--no-build --only "$only")
    [ -n "$BASELINE" ] && insns_args+=(--baseline "$BASELINE")
    SPECEMU_BIN=$SPECEMU BENCH_DIR=$BENCH_DIR bash bench/insns.sh "${insns_args[@]}" >&2 ||
        die "bench/insns.sh failed"
    while IFS=$'\t' read -r w g total _ _ btotal _ _; do
        HG[$w]=$(awk -v h="$total" -v g="$g" 'BEGIN { printf "%.2f", h / g }')
        [ -n "$btotal" ] && HG_BASE[$w]=$(awk -v h="$btotal" -v g="$g" 'BEGIN { printf "%.2f", h / g }')
    done <"$OUT/insns.tsv"
    cd "$IN"
fi

median() { # numbers...
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ---- report ------------------------------------------------------------------------------
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
qemu_version=$("$QEMU" --version | head -n1)
[ "$QEMU10" = 1 ] && qemu_version="$qemu_version; $("$QEMU10_BIN" --version | head -n1) ($QEMU10_BIN, $(sed -n 2p "$QEMU10_DIR/.fetched" 2>/dev/null))"
bb_version=$(sed -n 2p "$DEBIAN/busybox-mipsel/.fetched" 2>/dev/null || echo "?")
REPORT=$OUT/report.md
config_label() {
    case $1 in
        native) echo "native" ;;
        jit) echo "specemu JIT" ;;
        interp) echo "specemu interp" ;;
        base-jit) echo "baseline JIT" ;;
        base-interp) echo "baseline interp" ;;
        qemu) echo "qemu-mipsel" ;;
        qemu10) echo "qemu-mipsel 10" ;;
    esac
}
order_note=$(for c in "${CONFIGS[@]}"; do config_label "$c"; done | paste -sd, - | sed 's/,/, /g')
SLOWER=()
{
    echo "- date: $date_start; host: $cpu, $(nproc) cores, Linux $(uname -r)"
    echo "- $qemu_version; specemu $commit; busybox-static:mipsel $bb_version; host $("$HOST_BB" | sed -n '1s/ multi-call.*//p')"
    if [ -n "$BASELINE" ]; then
        echo "- baseline: $BASELINE ($("$BASELINE" --version 2>/dev/null | head -n1 || echo "no --version")); current: $SPECEMU"
    fi
    echo "- $ROUNDS rounds, interleaved ($order_note per workload per round$([ -n "$BASELINE" ] && echo "; the baseline first in even rounds")); medians; start-up: $LOOPS invocations per run"
    echo "- load average (1/5/15 min): $load_start at the start, $load_end at the end"
    echo
    hdr="| workload |"
    sep="|---|"
    for c in "${CONFIGS[@]}"; do
        hdr="$hdr $(config_label "$c") |"
        sep="$sep---:|"
        if [ "$c" = qemu10 ]; then
            hdr="$hdr specemu JIT ×qemu 10 |"
            sep="$sep---:|"
        elif [ "$c" != qemu ]; then
            hdr="$hdr ×qemu |"
            sep="$sep---:|"
        fi
        if [[ $c == base-* ]]; then
            hdr="$hdr $(config_label "${c#base-}") ÷ baseline |"
            sep="$sep---:|"
        fi
    done
    hdr="$hdr max RSS JIT |"
    sep="$sep---:|"
    if [ -n "$BASELINE" ]; then
        hdr="$hdr max RSS baseline JIT |"
        sep="$sep---:|"
    fi
    hdr="$hdr max RSS qemu |"
    sep="$sep---:|"
    if [ "$QEMU10" = 1 ]; then
        hdr="$hdr max RSS qemu 10 |"
        sep="$sep---:|"
    fi
    if [ "$CALLGRIND" = 1 ]; then
        hdr="$hdr host insns / guest insn |"
        sep="$sep---:|"
        if [ -n "$BASELINE" ]; then
            hdr="$hdr baseline host / guest |"
            sep="$sep---:|"
        fi
    fi
    echo "$hdr"
    echo "$sep"
    logsum=0
    declare -A baselog=()
    nw=0
    for w in "${WORKLOADS[@]}"; do
        workload "$w"
        declare -A med=()
        for c in "${CONFIGS[@]}"; do
            read -r -a ts <<<"${TIMES[$w,$c]}"
            med[$c]=$(median "${ts[@]}")
        done
        row="| $LABEL |"
        for c in "${CONFIGS[@]}"; do
            if [ "$KIND" = startup ]; then
                cell=$(awk -v t="${med[$c]}" 'BEGIN { printf "%.2f ms", t * 1000 }')
            else
                cell=$(awk -v t="${med[$c]}" 'BEGIN { printf "%.2f s", t }')
            fi
            row="$row $cell |"
            if [ "$c" = qemu10 ]; then
                row="$row $(awk -v a="${med[jit]}" -v q="${med[qemu10]}" 'BEGIN { printf "%.2f", a / q }') |"
            elif [ "$c" != qemu ]; then
                row="$row $(awk -v a="${med[$c]}" -v q="${med[qemu]}" 'BEGIN { printf "%.2f", a / q }') |"
            fi
            if [[ $c == base-* ]]; then
                # current / baseline: above 1.05 is more than 5% slower than the baseline.
                cur=${c#base-}
                ratio=$(awk -v a="${med[$cur]}" -v b="${med[$c]}" 'BEGIN { printf "%.3f", a / b }')
                if awk -v r="$ratio" 'BEGIN { exit !(r > 1.05) }'; then
                    row="$row **$ratio slower** |"
                    SLOWER+=("$LABEL ($(config_label "$cur")): $(awk -v r="$ratio" 'BEGIN { printf "+%.1f%%", (r - 1) * 100 }')")
                else
                    row="$row $ratio |"
                fi
                baselog[$cur]=$(awk -v s="${baselog[$cur]:-0}" -v r="$ratio" 'BEGIN { printf "%.12f", s + log(r) }')
            fi
        done
        row="$row $(awk -v k="${RSS[$w,jit]}" 'BEGIN { printf "%.1f MiB", k / 1024 }') |"
        if [ -n "$BASELINE" ]; then
            row="$row $(awk -v k="${RSS[$w,base-jit]}" 'BEGIN { printf "%.1f MiB", k / 1024 }') |"
        fi
        row="$row $(awk -v k="${RSS[$w,qemu]}" 'BEGIN { printf "%.1f MiB", k / 1024 }') |"
        if [ "$QEMU10" = 1 ]; then
            row="$row $(awk -v k="${RSS[$w,qemu10]}" 'BEGIN { printf "%.1f MiB", k / 1024 }') |"
            logsum10=$(awk -v s="${logsum10:-0}" -v a="${med[jit]}" -v q="${med[qemu10]}" 'BEGIN { printf "%.12f", s + log(a / q) }')
            max10=$(awk -v m="${max10:-0}" -v a="${med[jit]}" -v q="${med[qemu10]}" 'BEGIN { r = a / q; printf "%.4f", (r > m ? r : m) }')
        fi
        if [ "$CALLGRIND" = 1 ]; then
            row="$row ${HG[$w]:-?} |"
            [ -n "$BASELINE" ] && row="$row ${HG_BASE[$w]:-?} |"
        fi
        echo "$row"
        logsum=$(awk -v s="$logsum" -v a="${med[jit]}" -v q="${med[qemu]}" 'BEGIN { printf "%.12f", s + log(a / q) }')
        maxq=$(awk -v m="${maxq:-0}" -v a="${med[jit]}" -v q="${med[qemu]}" 'BEGIN { r = a / q; printf "%.4f", (r > m ? r : m) }')
        nw=$((nw + 1))
        unset med
    done
    echo
    awk -v s="$logsum" -v n="$nw" -v m="$maxq" 'BEGIN { printf "Geometric mean of specemu-JIT / qemu-mipsel over %d workloads: **%.2f** (below 1: faster than QEMU); highest ratio %.2f\n", n, exp(s / n), m }'
    if [ "$QEMU10" = 1 ]; then
        awk -v s="$logsum10" -v n="$nw" -v m="$max10" 'BEGIN { printf "Geometric mean of specemu-JIT / qemu-mipsel 10 over %d workloads: **%.2f**; highest ratio %.2f\n", n, exp(s / n), m }'
    fi
    if [ -n "$BASELINE" ]; then
        for a in "${ACCELS[@]}"; do
            awk -v s="${baselog[$a]}" -v n="$nw" -v what="$(config_label "$a")" 'BEGIN { printf "Geometric mean of %s / baseline over %d workloads: **%.3f** (above 1: slower than the baseline)\n", what, n, exp(s / n) }'
        done
        echo
        if [ ${#SLOWER[@]} -eq 0 ]; then
            echo "No workload is more than 5% slower than the baseline."
        else
            echo "**More than 5% slower than the baseline:** $(printf '%s; ' "${SLOWER[@]}" | sed 's/; $//')"
        fi
    fi
    echo
    echo "×qemu = time / qemu-mipsel's time in the same run$([ "$QEMU10" = 1 ] && echo "; ×qemu 10 = specemu JIT's time / QEMU 10's")$([ -n "$BASELINE" ] && echo "; ÷ baseline = the current build's time / the baseline's in the same run"). Every run's output was byte-identical to native's."
    if [ "$CALLGRIND" = 1 ]; then
        echo
        echo "Host instructions per guest instruction, from bench/insns.sh (reduced inputs; its own table, with translation and compilation apart):"
        echo
        cat "$OUT/insns.md"
    fi
} >"$REPORT"
cat "$REPORT"
log "report written to $REPORT"
