"""The kit's systemd-sysupdate configuration, read and then run for real against `flatdeck lab serve`.

Debian 12's systemd 252 has no systemd-sysupdate; `tests/tools/systemd-sysupdate.sh` (run by
`make test`) unpacks the one of bookworm-backports (systemd 254) into .venv/systemd-sysupdate. The
run happens in a private mount namespace where /etc is an overlay (writes go to a tmpfs) and /opt
and /run are fresh tmpfs mounts: systemd-sysupdate works on the real paths a Flatcar node has
(/etc/sysupdate.kubernetes.d, /opt/extensions, /etc/extensions), exactly as the kit installs them,
and the host never sees any of it. (With `--root` instead, systemd-sysupdate follows the existing
CurrentSymlink and overwrites the old image with a link: a quirk of --root, not of a node.)
"""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from tui.lab import fetch, serve, sysext
from tui.scenario.load import load_scenario
from tui.scenario.variables import substitute

REPO = Path(__file__).resolve().parent.parent
KIT = REPO / "assets" / "lab"
CONF = KIT / "sysupdate" / "kubernetes.conf"
NOOP = KIT / "sysupdate" / "noop.conf"
DROPIN = KIT / "sysupdate" / "systemd-sysupdate-kubernetes.conf"
ENV_FILE = Path(os.environ.get("FLATDECK_SYSUPDATE_ENV", REPO / ".venv" / "systemd-sysupdate" / "env"))
LAB_URL = "http://10.0.2.2:8000/"  # `flatdeck lab serve` on the laptop, seen from a QEMU user-net guest

# sysupdate.d(5) of systemd 254: every key each section takes
KEYS = {
    "Transfer": {"MinVersion", "ProtectVersion", "Verify"},
    "Source": {"Type", "Path", "MatchPattern"},
    "Target": {"Type", "Path", "PathRelativeTo", "MatchPattern", "MatchPartitionType", "PartitionUUID",
               "PartitionFlags", "PartitionNoAuto", "PartitionGrowFileSystem", "ReadOnly", "Mode", "TriesDone",
               "TriesLeft", "InstancesMax", "RemoveTemporary", "CurrentSymlink"},
}
REQUIRED = {"Source": {"Type", "Path", "MatchPattern"}, "Target": {"Type", "Path"}}
SOURCES_FOR = {"regular-file": {"url-file", "regular-file"}, "partition": {"url-file", "regular-file"},
               "directory": {"url-tar", "tar", "directory", "subvolume"},
               "subvolume": {"url-tar", "tar", "directory", "subvolume"}}


def read_transfer(path: Path) -> configparser.ConfigParser:
    """A transfer file as INI: systemd's syntax (`#` comments, Key=Value), each key once (strict)."""
    parser = configparser.ConfigParser(interpolation=None, strict=True, empty_lines_in_values=False,
                                       comment_prefixes=("#", ";"), delimiters=("=",))
    parser.optionxform = str  # systemd keys are case-sensitive
    parser.read_string(path.read_text(), source=str(path))
    return parser


def read_unit(path: Path) -> list[tuple[str, str, str]]:
    """(section, key, value) of a unit file or drop-in, keys in order and repeatable (ExecStartPre=)."""
    entries, section = [], ""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, sep, value = line.partition("=")
        assert sep and section, f"{path}:{number}: not a Key=Value line in a section: {line!r}"
        entries.append((section, key.strip(), value.strip()))
    return entries


def pattern_regex(pattern: str, arch: str) -> re.Pattern:
    """A MatchPattern as a regex: `%a` expanded (a specifier), `@v` a version (a wildcard)."""
    text = re.escape(pattern.replace("%a", arch)).replace("@v", r"(?P<v>[A-Za-z0-9._+~^-]+)")
    return re.compile(text + "$")


# the files, read ---------------------------------------------------------------------------------
@pytest.mark.parametrize("path", [CONF, NOOP], ids=["kubernetes.conf", "noop.conf"])
def test_transfer_files_use_only_sysupdate_keys(path):
    conf = read_transfer(path)
    assert set(conf.sections()) <= set(KEYS), conf.sections()
    for section in conf.sections():
        unknown = set(conf[section]) - KEYS[section]
        assert not unknown, f"{path.name} [{section}]: keys systemd-sysupdate does not know: {unknown}"
    for section, keys in REQUIRED.items():
        assert keys <= set(conf[section]), f"{path.name} [{section}] lacks {keys - set(conf[section])}"
    for section in ("Source", "Target"):
        if "MatchPattern" in conf[section]:
            assert conf[section]["MatchPattern"].count("@v") == 1
    assert conf["Source"]["Type"] in SOURCES_FOR[conf["Target"]["Type"]]


def test_the_kubernetes_transfer_points_at_lab_serve():
    conf = read_transfer(CONF)
    source, target = conf["Source"], conf["Target"]
    assert (source["Type"], target["Type"]) == ("url-file", "regular-file")
    assert source["Path"] == LAB_URL  # lab serve's default port; the directory is served at /
    assert conf["Transfer"]["Verify"] == "false"  # no SHA256SUMS.gpg on the laptop
    assert int(target["InstancesMax"]) >= 2
    assert target["Path"] == "/opt/extensions/kubernetes"
    assert target["CurrentSymlink"] == "/etc/extensions/kubernetes.raw"
    regex = pattern_regex(source["MatchPattern"], "x86-64")
    served = [a.name for a in fetch.load_manifest(fetch.DEFAULT_MANIFEST) if a.dir == "sysext"]
    versions = sorted(int(regex.match(name)["v"]) for name in served)  # every served image matches
    assert versions == [2, 3]
    assert not regex.match("kubernetes-v1.33.0-x86-64.raw")  # a minor upgrade is not a patch update
    assert not regex.match("kubernetes-v1.32.3-arm64.raw")


def test_noop_never_matches():
    conf = read_transfer(NOOP)
    assert conf["Source"]["MatchPattern"] == "invalid@v.raw"
    assert conf["Source"]["Type"] == conf["Target"]["Type"] == "regular-file"


def test_the_dropin_updates_then_raises_the_sentinel():
    entries = read_unit(DROPIN)
    assert {section for section, _, _ in entries} == {"Service"}
    pre = [shlex.split(v) for _, k, v in entries if k == "ExecStartPre"]
    post = [shlex.split(v) for _, k, v in entries if k == "ExecStartPost"]
    assert {k for _, k, _ in entries} == {"ExecStartPre", "ExecStartPost"}
    assert ["/usr/lib/systemd/systemd-sysupdate", "-C", "kubernetes", "update"] in pre
    link = read_transfer(CONF)["Target"]["CurrentSymlink"]
    assert all(link in argv[-1] for argv in (pre[0], post[0]))  # before and after: the same link
    assert "touch /run/reboot-required" in post[-1][-1]


# the files, run ----------------------------------------------------------------------------------
def sysupdate_env() -> dict[str, str] | None:
    if not ENV_FILE.is_file():
        return None
    values = dict(line.split("=", 1) for line in ENV_FILE.read_text().splitlines() if "=" in line)
    return values if Path(values.get("SYSUPDATE", "")).is_file() else None


needs_sysupdate = pytest.mark.skipif(sysupdate_env() is None, reason=f"no systemd-sysupdate at {ENV_FILE}: run "
                                     "tests/tools/systemd-sysupdate.sh (make test does)")
needs_root = pytest.mark.skipif(not sysext.has_sys_admin(), reason="mounts in a private mount namespace: needs root")
needs_tools = pytest.mark.skipif(any(shutil.which(t) is None for t in ("mksquashfs", "unshare", "systemd-sysext", "curl")),
                                 reason="needs squashfs-tools, util-linux, systemd and curl")
SCENARIO = REPO / "scenarios" / "sysupdate-kubernetes.yaml"


def scenario_checks(hub: str) -> dict[str, str]:
    """The demo's `check` steps, as CHECK_<ID> variables, with {{ hub }} pointing at `url`."""
    steps = load_scenario(SCENARIO).all_steps
    return {f"CHECK_{s.id.replace('-', '_').upper()}": substitute(s.command or "", {"hub": hub})
            for s in steps if s.kind == "check"}


def build_image(work: Path, version: str, out: Path) -> None:
    """A Kubernetes-like extension: usr/bin/kubelet printing its version, released for Flatcar."""
    tree = work / f"tree-{version}"
    (tree / "usr/bin").mkdir(parents=True)
    (tree / "usr/lib/extension-release.d").mkdir(parents=True)
    kubelet = tree / "usr/bin/kubelet"
    kubelet.write_text(f"#!/bin/sh\necho 'Kubernetes v{version}'\n")
    kubelet.chmod(0o755)
    (tree / "usr/lib/extension-release.d/extension-release.kubernetes").write_text(
        f"ID=flatcar\nSYSEXT_LEVEL=1.0\nARCHITECTURE={sysext.host_arch()}\n")
    subprocess.run(["mksquashfs", str(tree), str(out), "-all-root", "-noappend", "-quiet"], check=True,
                   stdin=subprocess.DEVNULL, capture_output=True)


STEP = r'''
step() {  # step NAME COMMAND...: output and exit code into $W/out/NAME.{txt,rc}
    local name=$1; shift
    set +e; "$@" > "$W/out/$name.txt" 2>&1; echo $? > "$W/out/$name.rc"; set -e
}
'''


@needs_sysupdate
@needs_root
@needs_tools
def test_sysupdate_installs_the_update_from_lab_serve(tmp_path):
    env = sysupdate_env()
    arch = sysext.host_arch()
    served = tmp_path / "sysext"
    served.mkdir()
    old, new = f"kubernetes-v1.32.2-{arch}.raw", f"kubernetes-v1.32.3-{arch}.raw"
    build_image(tmp_path, "1.32.2", served / old)
    build_image(tmp_path, "1.32.3", served / new)
    server = serve.make_server(served, 0, "127.0.0.1", quiet=True)  # what `flatdeck lab serve` runs
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"

    shipped = CONF.read_text()
    assert shipped.count(f"Path={LAB_URL}\n") == 1
    (tmp_path / "kubernetes.conf").write_text(shipped.replace(f"Path={LAB_URL}\n", f"Path={url}\n"))
    dropin = read_unit(DROPIN)

    def commands(key: str) -> str:
        lines = []
        for n, (_, k, value) in enumerate((e for e in dropin if e[1] == key), 1):
            argv = shlex.split(value)
            if argv[0] == "/usr/lib/systemd/systemd-sysupdate":
                argv[0] = env["SYSUPDATE"]
            lines.append(f"step \"$run-{key}-{n}\" {shlex.join(argv)}")
        return "\n".join(lines)

    service = "\n".join([  # what systemd-sysupdate.service runs, in its order, with the drop-in
        commands("ExecStartPre"), 'step "$run-ExecStart" "$SYSUPDATE" update', commands("ExecStartPost")])
    root = tmp_path / "root"  # a Flatcar-like root for systemd-sysext to merge the result into
    (root / "usr/lib").mkdir(parents=True)
    (root / "etc/extensions").mkdir(parents=True)
    (root / "usr/lib/os-release").write_text("ID=flatcar\nVERSION_ID=4230.2.0\nSYSEXT_LEVEL=1.0\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "ovl").mkdir()
    script = STEP + f'''
set -euo pipefail
mount -t tmpfs tmpfs "$W/ovl" && mkdir "$W/ovl/upper" "$W/ovl/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$W/ovl/upper,workdir=$W/ovl/work" /etc
mount -t tmpfs tmpfs /opt
mount -t tmpfs tmpfs /run
# what the Butane config provisions
mkdir -p /etc/sysupdate.kubernetes.d /etc/sysupdate.d /etc/extensions /opt/extensions/kubernetes
cp "$W/kubernetes.conf" /etc/sysupdate.kubernetes.d/kubernetes-v1.32.conf
cp "$W/sysext/{old}" /opt/extensions/kubernetes/
ln -s /opt/extensions/kubernetes/{old} /etc/extensions/kubernetes.raw
step no-noop "$SYSUPDATE" update
cp "{NOOP}" /etc/sysupdate.d/noop.conf
# the demo's checks before the update: the server and the transfer file are right, the rest not yet
for check in TRANSFER SERVER SYMLINK SENTINEL; do v=CHECK_CHECK_$check; step before-$check bash -c "${{!v}}"; done
run=first
{service}
for check in TRANSFER SERVER SYMLINK SENTINEL; do v=CHECK_CHECK_$check; step after-$check bash -c "${{!v}}"; done
readlink /etc/extensions/kubernetes.raw > "$W/out/link.txt"
ls /opt/extensions/kubernetes > "$W/out/opt.txt"
test -e /run/reboot-required && echo yes > "$W/out/sentinel.txt"
rm -f /run/reboot-required
run=second
{service}
test -e /run/reboot-required && echo yes > "$W/out/sentinel2.txt"
# activate it: merge what the link points at (systemd 252 ignores symlinked images under --root)
cp -L /etc/extensions/kubernetes.raw "$W/root/etc/extensions/kubernetes.raw"
mount --make-rshared /
step merge systemd-sysext --root="$W/root" merge
step kubelet "$W/root/usr/bin/kubelet"
PATH="$W/root/usr/bin:$PATH" step after-AFTER bash -c "$CHECK_CHECK_AFTER"
step unmerge systemd-sysext --root="$W/root" unmerge
'''
    before = Path("/proc/self/mountinfo").read_text()
    host_had = {p: Path(p).exists() for p in ("/etc/sysupdate.d", "/etc/extensions", "/run/reboot-required")}
    try:
        result = subprocess.run(["unshare", "-m", "--propagation", "private", "bash", "-c", script],
                                env={**os.environ, **env, **scenario_checks(url), "W": str(tmp_path)}, capture_output=True, text=True,
                                timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    out = {p.name: p.read_text() for p in (tmp_path / "out").iterdir()}
    assert result.returncode == 0, (result.stderr, out)

    # without noop.conf the service's own `systemd-sysupdate update` fails: why the kit ships it
    assert out["no-noop.rc"].strip() == "1" and "No transfer definitions found" in out["no-noop.txt"]
    first = {k: v for k, v in out.items() if k.startswith("first-")}
    assert all(first[k].strip() == "0" for k in first if k.endswith(".rc")), first
    update = first["first-ExecStartPre-2.txt"]
    assert f"Acquiring {url}{new}" in update and "Successfully installed update '3'" in update
    assert "No update needed" in first["first-ExecStart.txt"]  # the noop transfer: nothing to do, rc 0
    assert out["link.txt"].strip().endswith(f"/opt/extensions/kubernetes/{new}")
    assert out["opt.txt"].split() == [old, new]  # the old version stays: a way back
    assert out.get("sentinel.txt") == "yes\n"  # the link moved: kured's reboot sentinel is up
    second = out["second-ExecStartPre-2.txt"]
    assert out["second-ExecStartPre-2.rc"].strip() == "0" and "No update needed" in second
    assert "sentinel2.txt" not in out  # nothing changed, no reboot asked for
    assert out["merge.rc"].strip() == "0", out["merge.txt"]
    assert out["kubelet.txt"] == "Kubernetes v1.32.3\n"  # the update, merged

    # the demo's self-guided checks tell the truth on both sides of the update
    rc = {name[:-3]: int(text) for name, text in out.items() if name.endswith(".rc")}
    assert (rc["before-TRANSFER"], rc["before-SERVER"]) == (0, 0), (out["before-TRANSFER.txt"], out["before-SERVER.txt"])
    assert rc["before-SYMLINK"] == 1 and f"does not point at {new}" in out["before-SYMLINK.txt"]
    assert rc["before-SENTINEL"] == 1 and "FAIL: no /run/reboot-required" in out["before-SENTINEL.txt"]
    assert [rc[f"after-{c}"] for c in ("TRANSFER", "SERVER", "SYMLINK", "SENTINEL", "AFTER")] == [0] * 5, out

    assert Path("/proc/self/mountinfo").read_text() == before, "the host's mount table changed"
    assert {p: Path(p).exists() for p in host_had} == host_had, "the host's /etc or /run changed"
