#!/usr/bin/env bash
# Rebuild the small checked-in guest binaries in tests/guests/bin from hello.c.
# Needs gcc-mipsel-linux-gnu, gcc-mips-linux-gnu and gcc (see .ci/install-tools.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../bin"
mkdir -p "$out"
flags=(-Os -static -nostdlib -ffreestanding -fno-pic -fno-asynchronous-unwind-tables -Wl,--build-id=none)
mipsel-linux-gnu-gcc "${flags[@]}" -mno-abicalls -o "$out/hello-mipsel" "$here/hello.c"
mips-linux-gnu-gcc "${flags[@]}" -mno-abicalls -o "$out/hello-mips" "$here/hello.c"
gcc "${flags[@]}" -o "$out/hello-x86_64" "$here/hello.c"
# Self-modifying code needs a writable text segment (-N).
mipsel-linux-gnu-gcc "${flags[@]}" -mno-abicalls -Wl,-N -o "$out/smc-mipsel" "$here/smc.c"
mips-linux-gnu-gcc "${flags[@]}" -mno-abicalls -Wl,-N -o "$out/smc-mips" "$here/smc.c"
gcc "${flags[@]}" -Wl,-N -o "$out/smc-x86_64" "$here/smc.c"
# lx106-fsm.elf is fsm.c built -Os with -mtext-section-literals by tests/guests/build.sh.
tmp="$(mktemp -d)"
bash "$here/../build.sh" "$tmp" >/dev/null
cp "$tmp/xtensa-lx106/fsm-Os.elf" "$out/lx106-fsm.elf"
rm -rf "$tmp"
ls -l "$out"
