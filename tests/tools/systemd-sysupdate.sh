#!/usr/bin/env bash
# Make a systemd-sysupdate the tests can run, in DEST (default .venv/systemd-sysupdate), without
# installing anything system-wide. Debian 12's systemd 252 is built without systemd-sysupdate; the
# systemd 254 of bookworm-backports has it (package systemd), with the systemd-pull it runs for
# url-file sources (package systemd-container) and the library both link (libsystemd-shared).
# Those three .debs are downloaded with apt-get through a private package list (nothing is added to
# the machine's apt sources) and unpacked with dpkg -x. When the machine's own systemd has
# systemd-sysupdate (Debian 13, Fedora, ...), DEST just records that, and nothing is downloaded.
#
# DEST/env then holds the variables the tests read: SYSUPDATE, SYSTEMD_PULL_PATH, LD_LIBRARY_PATH.
set -euo pipefail
dest=$(realpath -m "${1:-.venv/systemd-sysupdate}")
mkdir -p "$dest"
for own in /usr/lib/systemd/systemd-sysupdate /lib/systemd/systemd-sysupdate; do
    if [ -x "$own" ]; then
        printf 'SYSUPDATE=%s\n' "$own" > "$dest/env"
        echo "systemd-sysupdate: the machine's own $own"
        exit 0
    fi
done
if [ "$(id -u)" != 0 ]; then
    echo "systemd-sysupdate: not fetched (its test mounts in a private namespace and needs root anyway)"
    exit 0
fi
. /etc/os-release
if [ "${VERSION_CODENAME:-}" != bookworm ]; then
    echo "no systemd-sysupdate on this machine, and no recipe for ${PRETTY_NAME:-it} (only Debian 12)" >&2
    exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb http://deb.debian.org/debian bookworm-backports main" > "$work/sources.list"
apt=(-o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=/nonexistent
     -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache"
     -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false -o APT::Sandbox::User=root)
apt-get "${apt[@]}" -qq update
(cd "$work" && apt-get "${apt[@]}" -qq download \
    systemd/bookworm-backports systemd-container/bookworm-backports libsystemd-shared/bookworm-backports)
rm -rf "$dest/root"
for deb in "$work"/*.deb; do dpkg -x "$deb" "$dest/root"; done
root="$dest/root"
lib=$(dirname "$(find "$root" -name 'libsystemd-shared-*.so' | head -n 1)")
cat > "$dest/env" <<VARS
SYSUPDATE=$root/lib/systemd/systemd-sysupdate
SYSTEMD_PULL_PATH=$root/lib/systemd/systemd-pull
LD_LIBRARY_PATH=$lib
VARS
LD_LIBRARY_PATH="$lib" "$root/lib/systemd/systemd-sysupdate" --version | head -n 1
