"""The local sysext lab: systemd-sysext for real on any Linux machine, no VM, the host untouched.

`build` makes small extension images with mksquashfs and a Flatcar-like alternate root:

    DIR/src/NAME/...          the trees the images are made of (usr/bin/..., the extension-release file)
    DIR/images/NAME.raw       hello (matches), hello-2.0 (the update, for refresh), fedora-tools
                              (wrong OS), hello-ARCH (wrong architecture)
    DIR/root/                 R: usr/lib/os-release (ID=flatcar, VERSION_ID, SYSEXT_LEVEL), etc/os-release
                              linking to it, usr/bin/os-info; etc/extensions/ holds copies of three
                              images (systemd 252 ignores symlinked images under --root)

`demo` builds a lab and runs the talk's commands against R inside a private mount namespace
(`unshare -m --propagation private`), printing each command and what it printed, and checks the
results. The namespace ends with its shell, so every mount and loop device goes with it; the lab
directory is removed unless --keep, on every way out (an error, Ctrl+C, SIGTERM).

No Textual here; the CLI only parses arguments and calls `main`.
"""

from __future__ import annotations

import os
import platform
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TextIO

MARKER = ".flatdeck-sysext-lab"  # a directory holding this file is a lab `build` may wipe and `clean` may remove
OS_RELEASE = {"ID": "flatcar", "VERSION_ID": "4230.2.0", "SYSEXT_LEVEL": "1.0"}
TOOLS = {  # tool → the Debian package that has it
    "mksquashfs": "squashfs-tools",
    "systemd-sysext": "systemd",
    "unshare": "util-linux",
    "mount": "mount",
}
BUILD_TOOLS = ("mksquashfs",)
DEMO_TOOLS = ("mksquashfs", "systemd-sysext", "unshare", "mount")
COMMAND_TIMEOUT = 60.0

# `uname -m` → systemd's architecture names (ARCHITECTURE= in extension-release files)
_ARCHES = {"x86_64": "x86-64", "amd64": "x86-64", "aarch64": "arm64", "arm64": "arm64", "i386": "x86",
           "i486": "x86", "i586": "x86", "i686": "x86", "armv7l": "arm", "ppc64le": "ppc64-le",
           "ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64", "loongarch64": "loongarch64"}


def host_arch(machine: str | None = None) -> str:
    machine = machine or platform.machine()
    return _ARCHES.get(machine, machine)


def other_arch(arch: str) -> str:
    """An architecture this host is not: what the mismatching image claims."""
    return "arm64" if arch != "arm64" else "x86-64"


class LabError(Exception):
    """A refusal or failure the CLI prints as one line and exits 2 for."""


@dataclass(frozen=True)
class Extension:
    name: str  # the name systemd-sysext uses: extension-release.NAME, and NAME.raw in etc/extensions
    image: str  # the file under images/
    release: dict[str, str]
    version: str
    enabled: bool  # copied into R/etc/extensions by `build`
    outcome: str  # what merging it should do, for the printout

    def release_text(self) -> str:
        return "".join(f"{k}={v}\n" for k, v in self.release.items())

    def script(self) -> str:
        return (f"#!/bin/sh\n# usr/bin/{self.name} from the system extension {self.name!r}, version {self.version}\n"
                f"echo \"Hello from the system extension '{self.name}', version {self.version}!\"\n")


def extensions(arch: str | None = None) -> list[Extension]:
    arch = arch or host_arch()
    wrong = other_arch(arch)
    flatcar = {"ID": "flatcar", "SYSEXT_LEVEL": "1.0", "ARCHITECTURE": arch}
    return [
        Extension("hello", "hello.raw", flatcar, "1.0", True, "merges: ID, SYSEXT_LEVEL and ARCHITECTURE match"),
        Extension("hello", "hello-2.0.raw", flatcar, "2.0", False, "the update: copy it over hello.raw, then refresh"),
        Extension("fedora-tools", "fedora-tools.raw", {**flatcar, "ID": "fedora"}, "1.0", True,
                  "refused: it is for OS 'fedora'"),
        Extension(f"hello-{wrong}", f"hello-{wrong}.raw", {**flatcar, "ARCHITECTURE": wrong}, "1.0", True,
                  f"refused: it is for architecture '{wrong}'"),
    ]


@dataclass
class Lab:
    dir: Path
    arch: str = field(default_factory=host_arch)

    @property
    def root(self) -> Path:
        return self.dir / "root"

    @property
    def images(self) -> Path:
        return self.dir / "images"

    @property
    def src(self) -> Path:
        return self.dir / "src"

    @property
    def extensions(self) -> list[Extension]:
        return extensions(self.arch)

    def image(self, name: str) -> Path:
        return self.images / name


# preflight ----------------------------------------------------------------------------------------
def missing_tools(names: tuple[str, ...]) -> list[str]:
    return [name for name in names if shutil.which(name) is None]


def has_sys_admin() -> bool:
    """Root with CAP_SYS_ADMIN in its effective set: what unshare -m and mount need."""
    if os.geteuid() != 0:
        return False
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> 21 & 1)  # CAP_SYS_ADMIN is bit 21
    except OSError:
        pass
    return True


def preflight(action: str) -> None:
    """Raise LabError naming what is missing for `action` (build needs mksquashfs; demo also root)."""
    tools = BUILD_TOOLS if action == "build" else DEMO_TOOLS
    missing = missing_tools(tools)
    if missing:
        packages = " ".join(sorted({TOOLS[t] for t in missing}))
        raise LabError(f"the sysext lab needs {', '.join(missing)} on PATH (Debian/Ubuntu: apt-get install {packages})")
    if action == "demo" and not has_sys_admin():
        raise LabError("the sysext lab needs root (CAP_SYS_ADMIN) to mount in a private mount namespace; "
                       "run it with sudo")


# build --------------------------------------------------------------------------------------------
def prepare_dir(path: Path) -> None:
    """Make `path` an empty lab directory: new, empty, or a previous lab (which is wiped)."""
    if path.exists():
        if not path.is_dir():
            raise LabError(f"{path} exists and is not a directory")
        if any(path.iterdir()) and not (path / MARKER).exists():
            raise LabError(f"{path} is not empty and not a sysext lab; give a new or empty directory")
        for child in path.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    path.mkdir(parents=True, exist_ok=True)
    (path / MARKER).write_text("made by `flatdeck lab sysext build`; `flatdeck lab sysext clean` removes it\n")


def build(directory: Path, arch: str | None = None) -> Lab:
    """Images with mksquashfs, and the Flatcar-like alternate root with three of them in etc/extensions."""
    lab = Lab(directory.resolve(), arch or host_arch())
    prepare_dir(lab.dir)
    lab.images.mkdir()
    for ext in lab.extensions:
        tree = lab.src / Path(ext.image).stem
        (tree / "usr/bin").mkdir(parents=True)
        (tree / "usr/lib/extension-release.d").mkdir(parents=True)
        binary = tree / "usr/bin" / ext.name
        binary.write_text(ext.script())
        binary.chmod(0o755)
        (tree / "usr/lib/extension-release.d" / f"extension-release.{ext.name}").write_text(ext.release_text())
        result = subprocess.run(["mksquashfs", str(tree), str(lab.image(ext.image)), "-all-root", "-noappend"],
                                stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if result.returncode != 0:
            last = (result.stderr or result.stdout).strip().splitlines()[-1:] or [f"exit {result.returncode}"]
            raise LabError(f"mksquashfs failed for {ext.image}: {last[0]}")
    root = lab.root
    for sub in ("usr/lib", "usr/bin", "etc/extensions"):
        (root / sub).mkdir(parents=True)
    (root / "usr/lib/os-release").write_text(
        'NAME="Flatcar Container Linux by Kinvolk"\n' + "".join(f"{k}={v}\n" for k, v in OS_RELEASE.items()))
    (root / "etc/os-release").symlink_to("../usr/lib/os-release")
    os_info = root / "usr/bin/os-info"
    os_info.write_text("#!/bin/sh\n# part of the base OS in this lab root, not of an extension\n"
                       "cat \"$(dirname \"$0\")/../lib/os-release\"\n")
    os_info.chmod(0o755)
    for ext in lab.extensions:
        if ext.enabled:  # copies: systemd 252 ignores symlinked images under --root
            shutil.copyfile(lab.image(ext.image), root / "etc/extensions" / f"{ext.name}.raw")
    return lab


def describe(lab: Lab) -> list[str]:
    """What `build` made, for people: one line per image, then the root."""
    lines = [f"built the sysext lab in {lab.dir}"]
    for ext in lab.extensions:
        fields = " ".join(f"{k}={v}" for k, v in ext.release.items())
        lines.append(f"  images/{ext.image:<20} {ext.name} {ext.version}: {fields}  → {ext.outcome}")
    lines.append(f"  root/{'':<22} the alternate root R: " + " ".join(f"{k}={v}" for k, v in OS_RELEASE.items()))
    enabled = " ".join(f"{e.name}.raw" for e in lab.extensions if e.enabled)
    lines.append(f"  root/etc/extensions/{'':<6} {enabled} (copies)")
    return lines


def clean(directory: Path) -> bool:
    """Remove a lab directory (only one `build` made). False when there was nothing to remove."""
    if not directory.exists():
        return False
    if not (directory / MARKER).exists():
        raise LabError(f"{directory} is not a sysext lab (no {MARKER}); not removing it")
    shutil.rmtree(directory)
    return True


# the namespace shell -------------------------------------------------------------------------------
_RC = "\x1eflatdeck-rc "


class NamespaceShell:
    """A bash in a private mount namespace, fed one command at a time; the namespace dies with it."""

    def __init__(self, cwd: Path):
        self.process = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "bash", "--noprofile", "--norc"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd,
            text=True, encoding="utf-8", errors="replace", bufsize=1,
            start_new_session=True,  # its own process group: close() ends everything started in it
            env={**os.environ, "LC_ALL": "C.UTF-8", "SYSTEMD_PAGER": "", "SYSTEMD_COLORS": "0"})
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self._send("set -o pipefail\n")

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text)
        self.process.stdin.flush()

    def run(self, command: str, on_line: Callable[[str], None], timeout: float = COMMAND_TIMEOUT) -> tuple[int | None, str]:
        """Run `command`; each output line goes to `on_line` as it comes. (exit status, all output)."""
        self._send(f"{{ {command}\n}} </dev/null 2>&1; printf '{_RC}%d\\n' $?\n")
        output: list[str] = []
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                return None, "".join(output)
            if line is None:
                return None, "".join(output)
            at = line.find(_RC)
            if at >= 0:  # the marker, maybe after a last line that had no newline of its own
                if at > 0:
                    output.append(line[:at] + "\n")
                    on_line(output[-1])
                return int(line[at + len(_RC):].strip()), "".join(output)
            output.append(line)
            on_line(line)

    def close(self) -> None:
        """End the shell and so the namespace: EOF, then TERM, then KILL to its whole process group."""
        process = self.process
        try:
            process.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass
        for sig, grace in ((None, 1.0), (signal.SIGTERM, 3.0), (signal.SIGKILL, 5.0)):
            if sig is not None:
                try:
                    os.killpg(process.pid, sig)  # the shell led its own session: pgid == pid
                except (ProcessLookupError, PermissionError):
                    pass
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                continue
            if sig is None:
                # the shell left on EOF; anything it started in the background goes too
                try:
                    os.killpg(process.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            break
        try:
            if process.stdout is not None:
                process.stdout.close()
        except OSError:
            pass


# the demo -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoStep:
    why: str  # a comment printed above the command
    command: str
    exit: int | None = 0  # the exit status it should have; None: any but 0
    shows: tuple[str, ...] = ()  # regexes its output must match
    hides: tuple[str, ...] = ()  # regexes its output must not match

    def problems(self, status: int | None, output: str) -> list[str]:
        found = []
        if status is None:
            found.append("it did not finish")
        elif self.exit is None and status == 0:
            found.append("it succeeded; it should have failed")
        elif self.exit is not None and status != self.exit:
            found.append(f"exit {status}, expected {self.exit}")
        found += [f"no /{p}/ in its output" for p in self.shows if not re.search(p, output, re.MULTILINE)]
        found += [f"/{p}/ in its output" for p in self.hides if re.search(p, output, re.MULTILINE)]
        return found


def demo_steps(lab: Lab) -> list[DemoStep]:
    q = shlex.quote
    root, usr = str(lab.root), str(lab.root / "usr")
    wrong = other_arch(lab.arch)
    sysext = f"systemd-sysext --root={q(root)}"
    return [
        DemoStep("systemd-sysext needs shared propagation inside the namespace, else nothing merged is visible",
                 "mount --make-rshared /"),
        DemoStep("and its own mount of /run (systemd 252: else 'Failed to mount n/a ... on /run')",
                 "mount --bind /run /run"),
        DemoStep("the alternate root R: a Flatcar release, no extensions merged", f"cat {q(root)}/etc/os-release",
                 shows=(r"^ID=flatcar$", r"^SYSEXT_LEVEL=1\.0$")),
        DemoStep("what R/etc/extensions offers", f"{sysext} list",
                 shows=(r"^hello\s", r"^fedora-tools\s", rf"^hello-{wrong}\s")),
        DemoStep("merge; the reasons for refusing an image are debug messages in systemd 252",
                 f"SYSTEMD_LOG_LEVEL=debug {sysext} merge 2>&1 | grep -E 'but deployed on top of|Using extensions|Merged extensions'",
                 shows=(r"Extension 'fedora-tools' is for OS 'fedora', but deployed on top of 'flatcar'",
                        rf"Extension 'hello-{wrong}' is for architecture '{wrong}', but deployed on top of '{lab.arch}'",
                        r"^Using extensions 'hello'\.$", r"Merged extensions into ")),
        DemoStep("the extension's binary is now part of /usr", f"{q(usr)}/bin/hello",
                 shows=(r"Hello from the system extension 'hello', version 1\.0",)),
        DemoStep("only the matching image is merged (systemd 252: `status --root` fails, so read the list)",
                 f"cat {q(usr)}/.systemd-sysext/extensions; ls {q(usr)}/bin",
                 shows=(r"^hello$", r"^os-info$"), hides=(r"fedora-tools", rf"hello-{wrong}")),
        DemoStep("the merged /usr is a read-only overlay", f"touch {q(usr)}/bin/x", exit=None,
                 shows=(r"Read-only file system",)),
        DemoStep("version 2.0 arrives (a new file, not an overwrite: the old one is still mounted)",
                 f"cp --remove-destination {q(str(lab.image('hello-2.0.raw')))} {q(root)}/etc/extensions/hello.raw"),
        DemoStep("refresh: unmerge and merge again with what is there now", f"{sysext} refresh",
                 shows=(r"Merged extensions into ",)),
        DemoStep("the new version, without a reboot", f"{q(usr)}/bin/hello",
                 shows=(r"version 2\.0",)),
        DemoStep("unmerge: back to the plain /usr", f"{sysext} unmerge", shows=(r"Unmerged ",)),
        DemoStep("hello is gone, the base OS is as it was", f"ls {q(usr)}/bin",
                 shows=(r"^os-info$",), hides=(r"^hello$",)),
    ]


def run_demo(lab: Lab, out: TextIO, color: bool = False) -> list[str]:
    """Run the demo in a private mount namespace, printing a transcript; the problems found (none: as expected)."""

    def say(text: str, sgr: str) -> None:
        out.write(f"\x1b[{sgr}m{text}\x1b[0m\n" if color else f"{text}\n")
        out.flush()

    def echo(line: str) -> None:
        out.write(line)
        out.flush()

    problems: list[str] = []
    say("# a private mount namespace: whatever is mounted in it goes away with it", "2")
    say("$ unshare -m --propagation private bash", "1")
    shell = NamespaceShell(lab.dir)
    try:
        for step in demo_steps(lab):
            say(f"\n# {step.why}", "2")
            say(f"$ {step.command}", "1")
            status, output = shell.run(step.command, echo)
            found = step.problems(status, output)
            if found:
                say(f"✗ {'; '.join(found)}", "31")
                problems += [f"{step.command.split(' ', 1)[0]}…: {p}" for p in found]
                if status is None:
                    break
    finally:
        shell.close()
    say("\n$ exit    # the namespace ends with its shell; the host never saw these mounts", "1")
    return problems


# entry point --------------------------------------------------------------------------------------
def _as_exit(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(action: str = "demo", directory: Path | None = None, keep: bool = False,
         out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """`flatdeck lab sysext [demo|build|clean] [--dir DIR] [--keep]`; 0 as expected, 1 not, 2 refused."""
    if action == "clean":
        if directory is None:
            print("error: flatdeck lab sysext clean needs --dir DIR", file=err)
            return 2
        try:
            removed = clean(directory)
        except LabError as exc:
            print(f"error: {exc}", file=err)
            return 2
        print(f"removed {directory}" if removed else f"nothing to remove: {directory} does not exist", file=out)
        return 0
    try:
        preflight(action)
    except LabError as exc:
        print(f"error: {exc}", file=err)
        return 2
    if action == "build":
        if directory is None:
            directory = Path(tempfile.mkdtemp(prefix="flatdeck-sysext-lab-"))
        try:
            lab = build(directory)
        except LabError as exc:
            print(f"error: {exc}", file=err)
            return 2
        print("\n".join(describe(lab)), file=out)
        return 0
    # the demo: the lab dir goes on every way out, unless --keep
    previous = {sig: signal.signal(sig, _as_exit) for sig in (signal.SIGTERM, signal.SIGHUP)}
    created: Path | None = None
    try:
        if directory is None:
            directory = created = Path(tempfile.mkdtemp(prefix="flatdeck-sysext-lab-"))
        else:
            existed = directory.exists()
            try:
                prepare_dir(directory)  # refuses a directory that holds something else before we own it
            except LabError as exc:
                print(f"error: {exc}", file=err)
                return 2
            created = directory if not existed or (directory / MARKER).exists() else None
        try:
            lab = build(directory)
        except LabError as exc:
            print(f"error: {exc}", file=err)
            return 1
        color = out.isatty()
        print("\n".join(describe(lab)), file=out)
        problems = run_demo(lab, out, color)
        if problems:
            print(f"\nnot as expected ({len(problems)}):", file=out)
            for problem in problems:
                print(f"  {problem}", file=out)
            return 1
        print("\nthe lab behaved as expected: merged, ran, read-only, refreshed, unmerged", file=out)
        return 0
    finally:
        try:
            if created is not None and created.exists():
                if keep:
                    print(f"kept the lab in {created} (remove it with: flatdeck lab sysext clean --dir {created})", file=out)
                else:
                    shutil.rmtree(created, ignore_errors=True)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
