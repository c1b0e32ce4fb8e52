#!/usr/bin/env bash
# Install the Debian packages needed to build the guest programs
# (tests/guests/build.sh), fetch Debian guest binaries
# (tests/guests/fetch-debian.sh), run the objdump differential tests and the
# qemu-user differential tests, and build the runtime (CMake for SoftFloat).
# Idempotent: when every package is already installed it does nothing (no
# `apt-get update`), so it is fast on a prepared machine. Needs root (or sudo)
# only when something is missing. Debian 12 (bookworm) is the reference host.
set -euo pipefail

PACKAGES=(
    # MIPS32 cross toolchains + static glibc for big and little endian
    gcc-mips-linux-gnu binutils-mips-linux-gnu libc6-dev-mips-cross
    gcc-mipsel-linux-gnu binutils-mipsel-linux-gnu libc6-dev-mipsel-cross
    # Xtensa lx106 (ESP8266) bare-metal toolchain + C library
    gcc-xtensa-lx106 binutils-xtensa-lx106 picolibc-xtensa-lx106-elf
    # host toolchain (libc6-dev for static x86_64 guests)
    gcc libc6-dev binutils make
    # fetch-debian.sh: dpkg-deb, archive keys, .deb payload decompression
    dpkg-dev debian-archive-keyring xz-utils
    # ELF inspection in scripts/reports
    file
    # qemu-user: the execution oracle of the MIPS CPU test (tests/mips_cputest.rs)
    qemu-user
    # user-mode tests (tests/user_busybox.rs): the host busybox as the oracle, the mipsel
    # sysroots for dynamically linked guests (-L /usr/mipsel-linux-gnu, /usr/mips-linux-gnu)
    busybox libc6-mipsel-cross libc6-mips-cross
    # monitor tests (tests/qmp_monitor.rs): qemu-system-mips -M none is the QMP/HMP oracle;
    # python3 + venv for QEMU's own QMP client (qemu.qmp from PyPI, installed below)
    qemu-system-mips python3 python3-venv
    # gdb stub tests (tests/gdb_stub.rs): Debian's gdb for foreign architectures drives the stub
    gdb-multiarch
)

# Commands the scripts run directly; a package may be "installed" while its
# command is missing (e.g. a broken alternative), so check both.
COMMANDS=(
    mips-linux-gnu-gcc mips-linux-gnu-objdump
    mipsel-linux-gnu-gcc mipsel-linux-gnu-objdump
    xtensa-lx106-elf-gcc xtensa-lx106-elf-objdump
    gcc objdump make dpkg-deb apt-get xz file busybox
    qemu-mips qemu-mipsel qemu-system-mips qemu-system-mipsel python3 gdb-multiarch
)

# QEMU's Python QMP client, in a venv of its own (tests/qmp_monitor.rs looks here).
QMP_VENV=/opt/specemu-qmp-venv
install_qmp_client() {
    if "$QMP_VENV/bin/python3" -c 'import qemu.qmp' >/dev/null 2>&1; then
        return 0
    fi
    echo "install-tools.sh: creating $QMP_VENV with qemu.qmp"
    "${SUDO[@]}" /usr/bin/python3 -m venv "$QMP_VENV"
    "${SUDO[@]}" "$QMP_VENV/bin/pip" install --quiet qemu.qmp
    "$QMP_VENV/bin/python3" -c 'import qemu.qmp' || {
        echo "install-tools.sh: error: qemu.qmp still missing from $QMP_VENV" >&2
        exit 1
    }
}

missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done
missing_cmds=()
for c in "${COMMANDS[@]}"; do
    command -v "$c" >/dev/null 2>&1 || missing_cmds+=("$c")
done

SUDO=()
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
fi

if [ ${#missing[@]} -eq 0 ] && [ ${#missing_cmds[@]} -eq 0 ]; then
    install_qmp_client
    echo "install-tools.sh: all tools present"
    exit 0
fi

echo "install-tools.sh: missing packages: ${missing[*]:-(none)}; missing commands: ${missing_cmds[*]:-(none)}"

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "install-tools.sh: error: not root and no sudo; run as root:" >&2
        echo "  apt-get update && apt-get install -y --no-install-recommends ${PACKAGES[*]}" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update
# Install the whole list (not just the missing ones) so a package whose
# command went missing gets repaired/upgraded as well.
"${SUDO[@]}" apt-get install -y --no-install-recommends "${PACKAGES[@]}"

for c in "${COMMANDS[@]}"; do
    command -v "$c" >/dev/null 2>&1 || {
        echo "install-tools.sh: error: $c still missing after install" >&2
        exit 1
    }
done
install_qmp_client
echo "install-tools.sh: done"
