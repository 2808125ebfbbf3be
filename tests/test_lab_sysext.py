"""The local sysext lab, for real: Debian's systemd-sysext and squashfs-tools in a private mount namespace.

The demo tests need root (CI is root) and the tools; they skip, saying which, when either is missing.
Each one checks that the host's mount table is the same afterwards and that the lab directory is gone.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.lab import sysext

REPO = Path(__file__).resolve().parent.parent
TOOLS = ("mksquashfs", "unsquashfs", "systemd-sysext", "unshare", "mount", "nsenter")
missing = [t for t in TOOLS if shutil.which(t) is None]
needs_tools = pytest.mark.skipif(bool(missing), reason=f"not installed: {', '.join(missing)} "
                                 "(apt-get install squashfs-tools systemd util-linux)")
needs_root = pytest.mark.skipif(os.geteuid() != 0 or not sysext.has_sys_admin(),
                                reason="the sysext lab mounts in a private mount namespace: needs root (CAP_SYS_ADMIN)")
needs_mksquashfs = pytest.mark.skipif(shutil.which("mksquashfs") is None or shutil.which("unsquashfs") is None,
                                      reason="squashfs-tools is not installed")
OTHER = sysext.other_arch(sysext.host_arch())


def flatdeck(*args: str, env: dict | None = None, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout, env=env, **kw)


def mountinfo() -> str:
    return Path("/proc/self/mountinfo").read_text()


def loops_backed_by(path: Path) -> list[str]:
    """Loop devices whose backing file is under `path` (a leaked image mount would keep one)."""
    found = []
    for backing in Path("/sys/block").glob("loop*/loop/backing_file"):
        try:
            if str(path) in backing.read_text():
                found.append(backing.parent.parent.name)
        except OSError:
            pass
    return found


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.fixture
def host_untouched():
    """The test process's mount table before == after; no loop device or process left for the lab."""
    before = mountinfo()
    yield
    assert mountinfo() == before, "the host's mount table changed"


# pure parts --------------------------------------------------------------------------------------
def test_architecture_names_follow_systemd():
    assert sysext.host_arch("x86_64") == "x86-64"
    assert sysext.host_arch("aarch64") == "arm64"
    assert sysext.other_arch("x86-64") == "arm64"
    assert sysext.other_arch("arm64") == "x86-64"


def test_extensions_one_matches_one_wrong_os_one_wrong_arch():
    exts = {e.image: e for e in sysext.extensions("x86-64")}
    assert exts["hello.raw"].release == {"ID": "flatcar", "SYSEXT_LEVEL": "1.0", "ARCHITECTURE": "x86-64"}
    assert exts["fedora-tools.raw"].release["ID"] == "fedora"
    assert exts["hello-arm64.raw"].release["ARCHITECTURE"] == "arm64"
    assert not exts["hello-2.0.raw"].enabled  # the update waits outside etc/extensions


# build (no root needed) --------------------------------------------------------------------------
@needs_mksquashfs
def test_build_makes_images_and_a_flatcar_like_root(tmp_path):
    result = flatdeck("lab", "sysext", "build", "--dir", str(tmp_path / "lab"))
    assert result.returncode == 0, result.stderr
    assert "built the sysext lab in" in result.stdout and "images/fedora-tools.raw" in result.stdout
    lab = tmp_path / "lab"
    root = lab / "root"
    assert "ID=flatcar" in (root / "usr/lib/os-release").read_text()
    assert "VERSION_ID=4230.2.0" in (root / "usr/lib/os-release").read_text()
    assert os.readlink(root / "etc/os-release") == "../usr/lib/os-release"
    enabled = sorted(p.name for p in (root / "etc/extensions").iterdir())
    assert enabled == sorted(["hello.raw", "fedora-tools.raw", f"hello-{OTHER}.raw"])
    assert not any((root / "etc/extensions" / name).is_symlink() for name in enabled)  # 252 ignores symlinks
    listing = subprocess.run(["unsquashfs", "-l", str(lab / "images/hello.raw")], capture_output=True, text=True)
    assert "squashfs-root/usr/bin/hello" in listing.stdout
    release = subprocess.run(["unsquashfs", "-cat", str(lab / "images/hello.raw"),
                              "usr/lib/extension-release.d/extension-release.hello"], capture_output=True, text=True)
    assert release.stdout.splitlines() == ["ID=flatcar", "SYSEXT_LEVEL=1.0", f"ARCHITECTURE={sysext.host_arch()}"]
    # again on the same directory: a previous lab is rebuilt; `clean` removes it
    assert flatdeck("lab", "sysext", "build", "--dir", str(lab)).returncode == 0
    cleaned = flatdeck("lab", "sysext", "clean", "--dir", str(lab))
    assert cleaned.returncode == 0 and not lab.exists()


@needs_mksquashfs
def test_build_and_clean_refuse_a_directory_that_is_not_a_lab(tmp_path):
    (tmp_path / "precious.txt").write_text("keep me")
    for action in ("build", "clean"):
        result = flatdeck("lab", "sysext", action, "--dir", str(tmp_path))
        assert result.returncode == 2
        assert "not a sysext lab" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert (tmp_path / "precious.txt").read_text() == "keep me"


# refusals ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("tool", ["mksquashfs", "systemd-sysext", "unshare"])
def test_refuses_when_a_tool_is_missing(tmp_path, tool):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for other in sysext.DEMO_TOOLS:
        real = shutil.which(other)
        if other != tool and real:
            (bin_dir / other).symlink_to(real)
    lab = tmp_path / "lab"
    result = flatdeck("lab", "sysext", "--dir", str(lab), env={**os.environ, "PATH": str(bin_dir)})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and tool in lines[0], result.stderr
    assert sysext.TOOLS[tool] in lines[0]  # the package to install
    assert not lab.exists()


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv to drop a capability")
def test_refuses_without_cap_sys_admin(tmp_path):
    """Root without CAP_SYS_ADMIN (dropped from the bounding set) cannot mount: refused like a non-root user."""
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}")  # a missing tool is refused first
    lab = tmp_path / "lab"
    result = subprocess.run(["setpriv", "--bounding-set=-sys_admin", "--", sys.executable, "-m", "tui", "lab",
                             "sysext", "--dir", str(lab)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "needs root" in lines[0], result.stderr
    assert not lab.exists()


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv to become nobody")
def test_refuses_as_nobody(tmp_path):
    probe = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-c",
                            "import tui.lab.sysext"], cwd=REPO, capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip(f"nobody cannot run this Python ({sys.executable}): {probe.stderr.strip().splitlines()[-1:]}")
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)}")
    lab = tmp_path / "lab"
    result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", sys.executable, "-m",
                             "tui", "lab", "sysext", "--dir", str(lab)], cwd=REPO, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "needs root" in result.stderr


# the demo, for real -------------------------------------------------------------------------------
@needs_tools
@needs_root
def test_demo_runs_for_real(tmp_path, host_untouched):
    lab = tmp_path / "lab"
    result = flatdeck("lab", "sysext", "--dir", str(lab))
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Using extensions 'hello'." in out
    assert "Extension 'fedora-tools' is for OS 'fedora', but deployed on top of 'flatcar'." in out
    assert f"Extension 'hello-{OTHER}' is for architecture '{OTHER}', but deployed on top of '{sysext.host_arch()}'." in out
    assert "Hello from the system extension 'hello', version 1.0!" in out  # the merged binary runs
    assert f"touch: cannot touch '{lab}/root/usr/bin/x': Read-only file system" in out
    assert "Hello from the system extension 'hello', version 2.0!" in out  # after refresh
    assert f"Unmerged '{lab}/root/usr'." in out
    assert "$ unshare -m --propagation private bash" in out and "$ mount --make-rshared /" in out
    assert "the lab behaved as expected" in out
    assert not lab.exists()
    assert loops_backed_by(lab) == []


@needs_tools
@needs_root
def test_demo_in_a_temporary_directory_and_keep(tmp_path, host_untouched):
    result = flatdeck("lab", "sysext")
    assert result.returncode == 0, result.stdout + result.stderr
    made = Path(result.stdout.split("built the sysext lab in ", 1)[1].split()[0])
    assert made.name.startswith("flatdeck-sysext-lab-") and not made.exists()
    kept = tmp_path / "kept"
    result = flatdeck("lab", "sysext", "--dir", str(kept), "--keep")
    assert result.returncode == 0 and "kept the lab in" in result.stdout
    assert (kept / "images/hello.raw").exists()
    assert not (kept / "root/usr/bin/hello").exists()  # nothing stays merged on the host's side
    assert flatdeck("lab", "sysext", "clean", "--dir", str(kept)).returncode == 0 and not kept.exists()


@needs_tools
@needs_root
@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupted_demo_cleans_up(tmp_path, host_untouched, how):
    """Stopped while merged (refresh hangs in a wrapper): the namespace, its loop devices and the lab go."""
    wrapper_dir = tmp_path / "bin"
    wrapper_dir.mkdir()
    wrapper = wrapper_dir / "systemd-sysext"
    wrapper.write_text(f'#!/bin/sh\nfor a; do [ "$a" = refresh ] && sleep 60; done\nexec {shutil.which("systemd-sysext")} "$@"\n')
    wrapper.chmod(0o755)
    lab = tmp_path / "lab"
    env = {**os.environ, "PATH": f"{wrapper_dir}:{os.environ.get('PATH', '')}"}
    process = subprocess.Popen([sys.executable, "-m", "tui", "lab", "sysext", "--dir", str(lab)], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        for line in process.stdout:
            seen.append(line)
            if line.startswith("$ systemd-sysext") and line.rstrip().endswith(" refresh"):
                break
            assert time.monotonic() < deadline, "".join(seen)
        else:
            pytest.fail("the demo never reached refresh:\n" + "".join(seen))
        assert "Hello from the system extension 'hello', version 1.0!" in "".join(seen)  # merged right now
        time.sleep(0.3)
        if how == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)  # what the terminal does: the whole foreground group
        else:
            process.send_signal(signal.SIGTERM)
        rest, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == (130 if how == "ctrl-c" else 128 + signal.SIGTERM), "".join(seen) + rest
    assert not lab.exists()
    assert loops_backed_by(lab) == []
    time.sleep(0.2)
    assert processes_mentioning(str(lab)) == []


# the scenarios ------------------------------------------------------------------------------------
@needs_tools
@needs_root
def test_scenario_sysext_merge_runs(host_untouched):
    result = flatdeck("run", "sysext-merge", timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    assert "all 21 steps passed" in result.stdout
    assert "Read-only file system" in result.stdout and "version 2.0" in result.stdout
    assert not Path("/tmp/flatdeck-sysext-lab").exists()


@needs_mksquashfs
@pytest.mark.skipif(shutil.which("systemd-dissect") is None, reason="systemd-dissect (systemd-container) is not installed")
def test_scenario_sysext_anatomy_local_runs():
    result = flatdeck("run", "sysext-anatomy-local", timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr
    assert "✓ extension for system" in result.stdout
    assert not Path("/tmp/flatdeck-sysext-anatomy").exists()
