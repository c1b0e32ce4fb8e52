#!/usr/bin/env bash
# Download a Debian binary package for a (possibly foreign) architecture and
# unpack it, WITHOUT touching the host's apt/dpkg state (no
# `dpkg --add-architecture`): apt runs against private lists/cache directories
# under OUTDIR, a private sources list and an empty dpkg status file.
#
# usage: tests/guests/fetch-debian.sh OUTDIR [ARCH] [PACKAGE]
#        tests/guests/fetch-debian.sh --root NAME OUTDIR ARCH PACKAGE...
#   ARCH     Debian architecture, default mipsel
#   PACKAGE  binary package name, default busybox-static
#
# Result: OUTDIR/<PACKAGE minus a trailing "-static">-<ARCH>/ holds the unpacked
# package (e.g. OUTDIR/busybox-mipsel/bin/busybox), plus a .fetched stamp file
# naming the .deb, its version, its sha256 and the inputs (this script's sha256, mirror,
# suite). The .deb itself stays in OUTDIR.
# With --root, every PACKAGE is unpacked into one tree, OUTDIR/NAME-ARCH/: a root for
# `specemu run -L` (name each library a program needs: dependencies are not followed). Its
# .fetched stamp names every .deb.
# Idempotent: does nothing when the stamp exists with the same inputs (a changed script,
# mirror or suite fetches again). Safe to run concurrently on the same OUTDIR (the test
# binaries and bench/run.sh share target/guest-cache/debian): an flock(1) lock on
# OUTDIR/.lock-ARCH serializes runs, the second finds the first one's stamp, and the
# package is unpacked into a temporary folder renamed into place.
#
# Environment overrides:
#   DEBIAN_MIRROR  default http://deb.debian.org/debian
#   DEBIAN_SUITE   default bookworm (note: bookworm still has mipsel, but no
#                  longer the big-endian "mips" port)
#   DEBIAN_KEYRING default /usr/share/keyrings/debian-archive-keyring.gpg
set -euo pipefail

die() {
    echo "fetch-debian.sh: error: $*" >&2
    exit 1
}

ROOTNAME=""
if [ "${1:-}" = --root ]; then
    [ $# -ge 5 ] || die "usage: $0 --root NAME OUTDIR ARCH PACKAGE..."
    ROOTNAME=$2
    OUTDIR=$3
    ARCH=$4
    shift 4
    PACKAGES=("$@")
else
    [ $# -ge 1 ] && [ $# -le 3 ] || die "usage: $0 OUTDIR [ARCH] [PACKAGE]"
    OUTDIR=$1
    ARCH=${2:-mipsel}
    PACKAGES=("${3:-busybox-static}")
fi
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${DEBIAN_SUITE:-bookworm}
KEYRING=${DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

command -v apt-get >/dev/null || die "apt-get not found (this script needs a Debian-based host)"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
if [ -n "$ROOTNAME" ]; then
    DEST="$OUTDIR/$ROOTNAME-$ARCH"
else
    DEST="$OUTDIR/${PACKAGES[0]%-static}-$ARCH"
fi
STAMP="$DEST/.fetched"
INPUTS="script $(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16) mirror $MIRROR suite $SUITE packages ${PACKAGES[*]}"

# One fetch per architecture at a time (they share OUTDIR/apt-ARCH); held until exit.
if command -v flock >/dev/null 2>&1; then
    exec 9>>"$OUTDIR/.lock-$ARCH"
    flock 9 || die "cannot lock $OUTDIR/.lock-$ARCH"
else
    echo "fetch-debian.sh: warning: flock(1) missing (util-linux); concurrent runs may collide" >&2
fi

if [ -f "$STAMP" ] && grep -qxF "inputs $INPUTS" "$STAMP"; then
    echo "fetch-debian.sh: $DEST already present ($(head -n1 "$STAMP")), skipping"
    exit 0
fi

[ -r "$KEYRING" ] || die "keyring $KEYRING not readable (apt-get install debian-archive-keyring)"

APTDIR="$OUTDIR/apt-$ARCH"
LISTS="$APTDIR/lists"
CACHE="$APTDIR/cache"
ETC="$APTDIR/etc"
mkdir -p "$LISTS/partial" "$CACHE/archives/partial" "$ETC/sources.list.d" "$ETC/preferences.d"
: >"$APTDIR/status"
echo "deb [arch=$ARCH signed-by=$KEYRING] $MIRROR $SUITE main" >"$ETC/sources.list"
# Private copy of the host's apt.conf.d (so proxy settings etc. still apply)
# plus a last fragment dropping host hooks (appstream, packagekit,
# docker-clean) that must not run against our private state.
HOST_PARTS=$(eval "$(apt-config shell P Dir::Etc::parts/d)"; echo "${P:-/etc/apt/apt.conf.d/}")
rm -rf "$ETC/apt.conf.d"
mkdir -p "$ETC/apt.conf.d"
if [ -d "$HOST_PARTS" ]; then
    find "$HOST_PARTS" -maxdepth 1 -type f -exec cp {} "$ETC/apt.conf.d/" \;
fi
cat >"$ETC/apt.conf.d/zz-specemu-fetch" <<'CONF'
#clear APT::Update::Post-Invoke;
#clear APT::Update::Post-Invoke-Success;
#clear DPkg::Post-Invoke;
#clear DPkg::Pre-Install-Pkgs;
Acquire::IndexTargets::deb::DEP-11::DefaultEnabled "false";
Acquire::Languages "none";
CONF
# Dir::Etc::Parts must be set before apt reads the parts directory, i.e. via
# APT_CONFIG, not -o.
echo "Dir::Etc::Parts \"$ETC/apt.conf.d/\";" >"$ETC/apt.conf"
export APT_CONFIG="$ETC/apt.conf"

APT_OPTS=(
    -o "APT::Architecture=$ARCH"
    -o "APT::Architectures=$ARCH"
    -o "Dir::State::Lists=$LISTS"
    -o "Dir::State::Status=$APTDIR/status"
    -o "Dir::State::extended_states=$APTDIR/extended_states"
    -o "Dir::Cache=$CACHE"
    -o "Dir::Cache::pkgcache="
    -o "Dir::Cache::srcpkgcache="
    -o "Dir::Etc::SourceList=$ETC/sources.list"
    -o "Dir::Etc::SourceParts=$ETC/sources.list.d"
    -o "Dir::Etc::Preferences=$ETC/preferences"
    -o "Dir::Etc::PreferencesParts=$ETC/preferences.d"
)
# As root, apt would drop privileges to _apt for downloads, which usually
# can't write into OUTDIR; download as the invoking user instead.
if [ "$(id -u)" -eq 0 ]; then
    APT_OPTS+=(-o "APT::Sandbox::User=root")
fi

echo "fetch-debian.sh: apt-get update for $ARCH ($MIRROR $SUITE)"
apt-get -q "${APT_OPTS[@]}" update \
    || die "apt-get update for $ARCH failed (is $MIRROR reachable?)"

TMP="$DEST.tmp.$$"
rm -rf "$TMP"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP"
: >"$TMP/.fetched.debs"
for PACKAGE in "${PACKAGES[@]}"; do
    echo "fetch-debian.sh: downloading $PACKAGE:$ARCH"
    (cd "$OUTDIR" && apt-get -q "${APT_OPTS[@]}" download "$PACKAGE:$ARCH") \
        || die "apt-get download $PACKAGE:$ARCH failed"

    VERSION=$(apt-cache "${APT_OPTS[@]}" show --no-all-versions "$PACKAGE:$ARCH" \
        | sed -n 's/^Version: //p' | head -n1)
    [ -n "$VERSION" ] || die "could not determine the version of $PACKAGE:$ARCH"
    # .deb file names escape the epoch colon as %3a; an Architecture: all package is _all.
    DEB="$OUTDIR/${PACKAGE}_${VERSION//:/%3a}_$ARCH.deb"
    [ -f "$DEB" ] || DEB="$OUTDIR/${PACKAGE}_${VERSION//:/%3a}_all.deb"
    [ -f "$DEB" ] || die "expected $DEB after download, not found"
    dpkg-deb --info "$DEB" >/dev/null || die "$DEB is not a valid .deb"
    dpkg-deb -x "$DEB" "$TMP" || die "dpkg-deb -x $DEB failed"
    {
        echo "$(basename "$DEB")"
        echo "version $VERSION"
        echo "sha256 $(sha256sum "$DEB" | cut -d' ' -f1)"
    } >>"$TMP/.fetched.debs"
done
{
    cat "$TMP/.fetched.debs"
    echo "inputs $INPUTS"
} >"$TMP/.fetched"
rm -f "$TMP/.fetched.debs"
rm -rf "$DEST"
mv "$TMP" "$DEST"
trap - EXIT
echo "fetch-debian.sh: unpacked ${PACKAGES[*]} into $DEST"
