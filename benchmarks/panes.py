"""flatdeck pane benchmarks: PTY ingest, key latency under a flood, screen mode, idle CPU.

    .venv/bin/python benchmarks/panes.py            # ≈ 1.5–2 minutes
    .venv/bin/python benchmarks/panes.py --quick    # ≈ 1 minute, smaller inputs
    .venv/bin/python benchmarks/panes.py --only ingest,screen --json results.json

Every figure is printed next to a baseline measured in the same invocation and their ratio, plus
the target with "ok"/"over" (informational: the exit code is 0 unless a benchmark cannot run).
Public tools only: the standard library, tmux, the project's own code, and (in a throwaway venv
outside the repo) textual-terminal from PyPI. See benchmarks/README.md, section "Terminal panes".
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import tmuxctl  # noqa: E402
from run import app_pid, cpu_seconds, memory_mib  # noqa: E402  (run.py's /proc readers, unchanged)
from screen_feed import CHUNK, HEIGHT, WIDTH, make_stream  # noqa: E402
from terminal_ingest import make_log  # noqa: E402
from tmuxctl import Tmux, TmuxError, alive, quote, wait_gone  # noqa: E402

# a server of our own per run, so run.py, this script and a second run never kill each other's
tmuxctl.SOCKET = f"flatdeck-bench-panes-{os.getpid()}"

DECK = ROOT / "tests" / "fixtures" / "feature-deck.md"
DEMO_SLIDE, PLAIN_SLIDE = 8, 2  # "A demo slide" (binds fixture-demo), "Headings and text" (no demo)
ROWS = 40  # rows a pane repaints
FRAME = 1 / 60  # at most one repaint per frame, as Textual coalesces refreshes
POLL = 0.0005
TIMEOUT = 20.0  # what is not on screen by then is a failure, not a slow sample
SETTLE = 1.0
PAUSE = 0.25  # between key presses
PEER_PINS = ("textual-terminal==0.3.0", "textual==8.2.8", "pyte==0.8.2")
PEER_VENV = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "flatdeck-bench" / "peer-venv"
TARGETS = {  # (comparison, value, unit)
    "ingest": ("≥", 6.0, "MB/s"),
    "latency": ("≤", 50.0, "ms"),
    "screen": ("≥", 2.0, "×"),
    "idle_cpu": ("≤", 0.5, "%"),
}
COMPONENTS = ("kubelet", "containerd", "etcd", "kube-apiserver", "capi-controller")


class BenchError(RuntimeError):
    pass


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile: the smallest sample ≥ 95 % of them."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def spread(samples: list[float], scale: float = 1.0, digits: int = 1) -> str:
    values = [s * scale for s in samples]
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


# 1. line-mode ingest through a real PTY -----------------------------------------------------------
def raw_pty_read(path: Path) -> float:
    """Seconds for `cat FILE` in a PTY, the master read with os.read as fast as possible."""
    master, slave = os.openpty()
    process = subprocess.Popen(["cat", str(path)], stdin=slave, stdout=slave, stderr=slave,
                               start_new_session=True, close_fds=True)
    os.close(slave)
    start = time.perf_counter()
    try:
        while True:
            try:
                if not os.read(master, 65536):
                    break
            except OSError:  # EIO: cat exited and the slave side is closed
                break
        elapsed = time.perf_counter() - start
    finally:
        os.close(master)
        process.wait()
    if process.returncode != 0:
        raise BenchError(f"cat {path} exited with {process.returncode}")
    return elapsed


def from_ansi_lines(text: str) -> float:
    """Seconds for `Text.from_ansi` on every line (what a naive pane does per line)."""
    from rich.text import Text

    start = time.perf_counter()
    for line in text.split("\n"):
        Text.from_ansi(line)
    return time.perf_counter() - start


async def _pane_ingest(path: Path, cwd: Path) -> dict:
    """LocalShell runs `cat FILE`; each PaneOutput goes into a TerminalModel as the pane feeds it,
    and the last ROWS rows are rendered at most once per 1/60 s (a repaint). Timed from typing the
    command until its exit status arrives. LocalShell reads at most READ_BUDGET bytes per
    READ_WINDOW (so a flood leaves room for keys): that bounds this figure from above."""
    from tui.engine.events import EventBus, PaneOutput
    from tui.engine.local import LocalShell
    from tui.engine.session import SessionError
    from tui.terminal import TerminalModel

    bus = EventBus()
    model = TerminalModel(WIDTH, ROWS)
    seen = {"events": 0, "renders": 0, "dirty": False}

    def on_event(event) -> None:
        if isinstance(event, PaneOutput):
            model.feed(event.data)
            seen["events"] += 1
            seen["dirty"] = True

    def repaint() -> None:  # what a pane following its output draws (TerminalPane.render_line)
        seen["dirty"] = False
        seen["renders"] += 1
        for y in range(ROWS):
            model.render_tail_row(y, ROWS)

    async def painter() -> None:
        while True:
            await asyncio.sleep(FRAME)
            if seen["dirty"]:
                repaint()

    bus.subscribe(on_event)
    shell = LocalShell("bench", bus, cwd=str(cwd), cols=WIDTH, rows=ROWS)
    try:
        await shell.start()
    except SessionError as exc:
        raise BenchError(f"the LocalShell did not start: {exc}") from None
    task = asyncio.get_running_loop().create_task(painter())
    try:
        seen["events"] = seen["renders"] = 0
        start = time.perf_counter()
        result = await shell.run(f"cat {path.name}", timeout=300)
        repaint()  # the last frame
        elapsed = time.perf_counter() - start
    finally:
        task.cancel()
        await shell.close()
    if result.exit_code != 0:
        raise BenchError(f"`cat {path.name}` in the LocalShell ended with {result.exit_code} "
                         f"(timed out: {result.timed_out})")
    tail = [model.row_text(row).plain.strip() for row in range(max(0, model.row_count - 3), model.row_count)]
    return {"elapsed": elapsed, "events": seen["events"], "renders": seen["renders"], "tail": tail}


def bench_ingest(work: Path, megabytes: float, runs: int) -> dict:
    text = make_log(megabytes).replace("\r\n", "\n")  # a file has \n; the PTY adds the \r
    path = work / "log.txt"
    path.write_text(text, encoding="utf-8")
    size = path.stat().st_size
    mb = size / 1e6
    log(f"[ingest] {mb:.1f} MB of coloured log lines in {path.name}; {runs} runs of each")
    raw, pane, infos = [], [], []
    raw_pty_read(path)  # warm-up: page cache, first fork
    for run in range(runs):
        raw.append(mb / raw_pty_read(path))
        info = asyncio.run(_pane_ingest(path, work))
        infos.append(info)
        pane.append(mb / info["elapsed"])
        log(f"[ingest] run {run + 1}/{runs}: raw PTY {raw[-1]:.1f} MB/s, LocalShell→TerminalModel "
            f"{pane[-1]:.1f} MB/s ({info['events']} PaneOutput events, {info['renders']} repaints "
            f"in {info['elapsed']:.2f} s)")
    expected_last = text.rstrip("\n").rsplit("\n", 1)[-1]
    seq = re.search(r"seq=\d+", expected_last).group(0)
    for info in infos:  # the file's last line, then the next prompt: all of it went through the model
        if not any(row.endswith(seq) for row in info["tail"]):
            raise BenchError(f"the pane's last rows are {info['tail']!r}; expected one to end with {seq}")
    ansi = [mb / from_ansi_lines(text)]
    log(f"[ingest] Text.from_ansi per line {ansi[0]:.1f} MB/s")
    return {"bytes": size, "raw": raw, "pane": pane, "from_ansi": ansi,
            "events": [i["events"] for i in infos], "renders": [i["renders"] for i in infos],
            "seconds": [i["elapsed"] for i in infos]}


# 3. screen mode against textual-terminal ----------------------------------------------------------
def peer_python(venv: Path) -> tuple[Path, str]:
    """The interpreter of a throwaway venv with textual-terminal (never the project's venv).
    Returns (python, what happened). When no venv with it can be made, the project's own python
    (pyte 0.8.2 and rich are there) runs screen_feed's copy of its pyte configuration instead."""
    python = venv / "bin" / "python"
    stamp = venv / "flatdeck-bench-pins.txt"
    pins = "\n".join(PEER_PINS)
    if python.exists() and stamp.exists() and stamp.read_text() == pins:
        return python, f"reused the peer venv {venv}"
    log(f"[screen] creating a throwaway venv for textual-terminal: {sys.executable} -m venv --clear {venv}")
    start = time.perf_counter()
    try:
        venv.parent.mkdir(parents=True, exist_ok=True)
        made = subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], capture_output=True, text=True)
    except OSError as exc:
        made = subprocess.CompletedProcess([], 1, "", str(exc))
    if made.returncode != 0:
        log(f"[screen] python -m venv failed: {made.stderr.strip()[-500:]}")
        return Path(sys.executable), f"NO peer venv ({venv}: python -m venv failed); the project's venv ran the copy"
    for pins_tried in (PEER_PINS, PEER_PINS[1:]):  # without textual-terminal: the copied fallback
        log(f"[screen] {python} -m pip install {' '.join(pins_tried)}")
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               *pins_tried], capture_output=True, text=True)
        if done.returncode == 0:
            break
        log(f"[screen] pip failed: {done.stderr.strip()[-800:]}")
    else:
        return Path(sys.executable), f"NO peer venv (pip failed in {venv}); the project's venv ran the copy"
    if pins_tried == PEER_PINS:
        stamp.write_text(pins)
        return python, (f"created the peer venv {venv} and installed {', '.join(PEER_PINS)} "
                        f"in {time.perf_counter() - start:.0f} s")
    return python, f"created {venv}; textual-terminal could NOT be installed, only {', '.join(pins_tried)}"


def feed_stream(python: Path, impl: str, stream: Path, chunk: int) -> dict:
    done = subprocess.run([str(python), str(HERE / "screen_feed.py"), "--impl", impl, str(stream),
                           "--chunk", str(chunk), "--width", str(WIDTH), "--height", str(HEIGHT)],
                          capture_output=True, text=True, cwd=str(ROOT))
    if done.returncode != 0:
        raise BenchError(f"screen_feed.py --impl {impl} failed:\n{done.stderr.strip()[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_screen(work: Path, frames: int, chunk: int, venv: Path, rounds: int) -> dict:
    """Both sides feed the same stream, alternating (ours first, then the peer first, …) so that
    a change in the machine's load hits both; `rounds` rounds of `frames` frames each."""
    stream = make_stream(frames)
    path = work / "screen.txt"
    path.write_text(stream, encoding="utf-8")
    mb = path.stat().st_size / 1e6
    log(f"[screen] {frames} frames of an htop-like {WIDTH}×{HEIGHT} redraw (CUP per row, SGR colours, "
        f"alternate screen): {mb:.1f} MB in chunks of {chunk}; {rounds} rounds, the two sides alternating")
    python, setup = peer_python(venv)
    log(f"[screen] {setup}")
    ours, peer = [], []
    for n in range(rounds):
        order = ("ours", "peer") if n % 2 == 0 else ("peer", "ours")
        for side in order:
            if side == "ours":
                ours.append(feed_stream(Path(sys.executable), "flatdeck", path, chunk))
                if ours[-1]["screen_chunks"] < ours[-1]["chunks"] - 1:
                    raise BenchError(f"TerminalModel was in screen mode for {ours[-1]['screen_chunks']} of "
                                     f"{ours[-1]['chunks']} chunks")
            else:
                peer.append(feed_stream(python, "textual-terminal", path, chunk))
                if n == 0 and peer[-1].get("note"):
                    log(f"[screen] note: {peer[-1]['note']}")
        log(f"[screen] round {n + 1}/{rounds}: flatdeck TerminalModel {mb / ours[-1]['elapsed']:.2f} MB/s "
            f"({frames / ours[-1]['elapsed']:.0f} frames/s), {peer[-1]['impl']} {mb / peer[-1]['elapsed']:.2f} MB/s "
            f"({frames / peer[-1]['elapsed']:.0f} frames/s)")
    return {"bytes": path.stat().st_size, "frames": frames, "chunk": chunk, "setup": setup,
            "ours": [r["elapsed"] for r in ours], "peer": [r["elapsed"] for r in peer],
            "how": ours[0]["how"], "peer_how": peer[0]["how"], "peer_impl": peer[0]["impl"],
            "fallback": bool(peer[0].get("fallback")), "note": peer[0].get("note", "")}


# 2 and 4. the installed app in tmux ------------------------------------------------------------
FLOOD_AWK = (
    "BEGIN { split(\"" + " ".join(COMPONENTS) + "\", c, \" \"); for (i = 0; ; i++) "
    "printf \"\\033[32mINFO\\033[0m 2026-11-24T12:%02d:%02d \\033[36mcomponent\\033[0m=%s "
    "msg=\\\"reconciled node flatcar-%d\\\" seq=%d\\n\", int(i / 60) % 60, i % 60, c[i % 5 + 1], i % 7, i }"
)


def flood_line(i: int) -> str:
    """What the awk program prints for line i, as the PTY sends it (\\r\\n)."""
    return (f"\x1b[32mINFO\x1b[0m 2026-11-24T12:{i // 60 % 60:02d}:{i % 60:02d} \x1b[36mcomponent\x1b[0m="
            f"{COMPONENTS[i % 5]} msg=\"reconciled node flatcar-{i % 7}\" seq={i}\r\n")


def write_scenario(folder: Path, flood_seconds: int) -> None:
    """`fixture-demo` (the name the fixture deck's slide 8 binds): its first step floods the pane
    with coloured log lines as fast as the pane takes them, for at most `flood_seconds`."""
    folder.mkdir(parents=True, exist_ok=True)
    command = f"timeout {flood_seconds} awk '{FLOOD_AWK}'"
    (folder / "fixture-demo.yaml").write_text(
        "# written by benchmarks/panes.py: a pane flood for the key-latency benchmark\n"
        "title: Pane flood\n"
        "steps:\n"
        "  - id: flood\n"
        "    title: flood the pane with coloured log lines\n"
        f"    run: {json.dumps(command)}\n"
        f"    timeout: {flood_seconds + 30}s\n"
        "  - id: after\n"
        "    run: echo done\n", encoding="utf-8")


HELP_TITLE = re.compile(r"(^|[^\w])Keys([^\w]|$)")
HELP_HINT = "Esc or ? closes this help."
PROMPT = re.compile(r"demo:\S*\$")
SEQ = re.compile(r"seq=(\d+)")


def help_shown(lines: list[str]) -> bool:
    return any(HELP_TITLE.search(line) for line in lines) and any(HELP_HINT in line for line in lines)


def help_gone(lines: list[str]) -> bool:
    return not any(HELP_TITLE.search(line) for line in lines) and not any(HELP_HINT in line for line in lines)


class App:
    """`flatdeck present` as the only pane of a tmux session (the pane runs it directly)."""

    def __init__(self, tmux: Tmux, name: str, argv: list[str], cwd: Path):
        self.tmux, self.name = tmux, name
        self.pane, self.pid = tmux.new_session(name, argv, str(cwd))
        self.started = time.perf_counter()

    def screen(self) -> list[str]:
        return self.tmux.capture(self.pane)

    def wait(self, test, t0: float, what: str, timeout: float = TIMEOUT) -> float:
        """Poll until test(screen lines) holds; seconds since t0."""
        while True:
            lines = self.tmux.capture(self.pane)
            now = time.perf_counter()
            if test(lines):
                return now - t0
            if now - t0 > timeout or not alive(self.pid):
                screen = "\n".join(line.rstrip() for line in self.tmux.capture(self.pane) if line.strip())
                why = f"not after {timeout:g} s" if alive(self.pid) else "the app exited"
                raise BenchError(f"waiting for {what}: {why}; screen:\n{screen}")
            time.sleep(POLL)

    def press(self, key: str) -> float:
        t0 = time.perf_counter()  # right before the command goes out
        self.tmux.command(f"send-keys -t {self.pane} {quote(key)}")
        return t0

    def idle_cpu(self, seconds: float) -> float:
        pid = app_pid(self.pid)
        cpu0, w0 = cpu_seconds(pid), time.perf_counter()
        time.sleep(seconds)
        cpu1, w1 = cpu_seconds(pid), time.perf_counter()
        return 100 * (cpu1 - cpu0) / (w1 - w0)

    def key_samples(self, presses: int) -> tuple[list[float], list[float]]:
        """`?` opens the help (its title "Keys" and its last line appear), `?` closes it again."""
        opened, closed = [], []
        for n in range(presses):
            time.sleep(PAUSE)
            if n % 2 == 0:
                opened.append(self.wait(help_shown, self.press("?"), "the help screen"))
            else:
                closed.append(self.wait(help_gone, self.press("?"), "the help screen to close"))
        if len(opened) > len(closed):  # leave it closed
            time.sleep(PAUSE)
            self.wait(help_gone, self.press("?"), "the help screen to close")
        return opened, closed

    def quit(self) -> float:
        """`q`; seconds until the app process is gone."""
        t0 = self.press("q")
        pid = app_pid(self.pid)
        while alive(pid):
            if time.perf_counter() - t0 > TIMEOUT:
                raise BenchError(f"the app did not exit within {TIMEOUT:g} s of `q`")
            time.sleep(0.005)
        return time.perf_counter() - t0

    def close(self) -> None:
        self.tmux.kill_session(self.name)
        wait_gone(self.pid)


def marked_processes(marker: str, exclude: set[int]) -> list[tuple[int, str]]:
    """Live processes (not zombies) whose environment holds our run's marker: (pid, command line)."""
    found = []
    needle = f"FLATDECK_BENCH_RUN={marker}".encode()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) in exclude or int(entry.name) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry.name}/environ", "rb") as f:
                if needle not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if alive(int(entry.name)):
            found.append((int(entry.name), cmdline))
    return found


def end_leftovers(leftovers: list[tuple[int, str]]) -> None:
    """Processes this run started that outlived the app: SIGKILL each by its pid."""
    for pid, _ in leftovers:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def flood_keys(app: App, presses: int, pid: int) -> dict:
    """2: key samples with the pane quiet, then with the first step flooding it."""
    result: dict = {"rss_before": memory_mib(pid)[0]}
    opened, closed = app.key_samples(presses)
    result["quiet"] = {"open": opened, "close": closed}
    log(f"[keys] no flood: ? → help {spread(opened, 1000)} ms, ? → closed {spread(closed, 1000)} ms")
    app.press("Enter")
    app.wait(lambda lines: sum(bool(SEQ.search(line)) for line in lines) >= 5, time.perf_counter(),
             "the flood in the pane")
    time.sleep(SETTLE)  # well under way
    first = max(int(m) for line in app.screen() for m in SEQ.findall(line))
    t_first = time.perf_counter()
    opened, closed = app.key_samples(presses)
    last = max(int(m) for line in app.screen() for m in SEQ.findall(line))
    t_last = time.perf_counter()
    if last <= first:
        raise BenchError(f"the flood stopped during the samples (seq {first} → {last}); raise its duration")
    result["flood"] = {"open": opened, "close": closed}
    lines_per_s = (last - first) / (t_last - t_first)
    line_bytes = (len(flood_line(first).encode()) + len(flood_line(last).encode())) / 2
    result["flood_rate"] = {"lines_per_s": lines_per_s, "mb_per_s": lines_per_s * line_bytes / 1e6,
                            "seconds": t_last - t_first}
    log(f"[keys] pane flooding ({lines_per_s:,.0f} lines/s ≈ {lines_per_s * line_bytes / 1e6:.1f} MB/s "
        f"reach the pane): ? → help {spread(opened, 1000)} ms, ? → closed {spread(closed, 1000)} ms")
    result["rss_after"], result["hwm_after"] = memory_mib(pid)
    log(f"[keys] app RSS before the flood {result['rss_before']:.0f} MiB, after {result['rss_after']:.0f} MiB "
        f"(peak {result['hwm_after']:.0f} MiB)")
    return result


def bench_app(work: Path, presses: int, idle: float, flood_seconds: int, marker: str) -> dict:
    scenarios = work / "scenarios"
    write_scenario(scenarios, flood_seconds)
    (work / "config").mkdir(exist_ok=True)
    exe = Path(sys.executable).parent / "flatdeck"
    if not exe.exists():
        raise BenchError(f"{exe} not found: install the project into its venv (pip install -e .)")
    base = [str(exe), "present", str(DECK), "--live", "--typing-speed", "0", "--scenarios", str(scenarios)]
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TEXTUAL", "TMUX")) and k not in ("NO_COLOR", "COLUMNS", "LINES")}
    env.update(XDG_CONFIG_HOME=str(work / "config"), XDG_CACHE_HOME=str(work / "cache"), COLORTERM="truecolor",
               FLATDECK_BENCH_RUN=marker)
    result: dict = {}
    tmux = Tmux(WIDTH, HEIGHT, env)
    try:
        ours = {tmux.proc.pid, int(tmux.command("display-message -p '#{pid}'")[0]),
                *(int(p) for p in tmux.command("list-panes -a -F '#{pane_pid}'"))}  # server, client, keeper
        # 4, baseline: a slide without a demo ---------------------------------------------------
        if idle:
            app = App(tmux, "plain", [*base, "--slide", str(PLAIN_SLIDE)], ROOT)
            try:
                app.wait(lambda lines: any("Headings and text" in line for line in lines)
                         and any(f"{PLAIN_SLIDE} / 11" in line for line in lines), app.started, "slide 2")
                time.sleep(SETTLE)
                result["idle_plain"] = app.idle_cpu(idle)
                log(f"[idle] slide {PLAIN_SLIDE} (no demo), --live: {result['idle_plain']:.2f} % of a core over {idle:g} s")
                app.quit()
            finally:
                app.close()

        # the demo slide: shells started, nothing running ----------------------------------------
        app = App(tmux, "demo", [*base, "--slide", str(DEMO_SLIDE)], ROOT)
        try:
            app.wait(lambda lines: any("A demo slide" in line for line in lines)
                     and any(PROMPT.search(line) for line in lines), app.started, "slide 8 with its shell's prompt")
            pid = app_pid(app.pid)
            shells = [p for p, cmd in marked_processes(marker, ours) if "--noprofile --rcfile" in cmd]
            if not shells:
                raise BenchError("the demo slide shows a prompt but no `bash --noprofile --rcfile` process was found")
            result["shells"] = len(shells)
            time.sleep(SETTLE)
            if idle:  # 4: an idle shell pane
                result["idle_demo"] = app.idle_cpu(idle)
                log(f"[idle] slide {DEMO_SLIDE}, idle shell pane: {result['idle_demo']:.2f} % of a core over {idle:g} s")
            if presses:
                result.update(flood_keys(app, presses, pid))
            result["quit_seconds"] = app.quit()
            log(f"[app] `q`{' during the flood' if presses else ''}: the app exited after {result['quit_seconds']:.2f} s")
        finally:
            app.close()
        time.sleep(0.5)  # the shells' HUP/TERM/KILL ladder has had its time
        leftovers = marked_processes(marker, ours)
        result["leftovers"] = [cmd for _, cmd in leftovers]
        if leftovers:
            log(f"[app] LEFTOVER processes after the app quit (ending them by pid): {leftovers}")
            end_leftovers(leftovers)
    finally:
        tmux.close()
        time.sleep(0.2)
        after = marked_processes(marker, set())  # anything of this run, the tmux server included
        if after:
            log(f"[app] processes of this run still there after tmux ended (ending them by pid): {after}")
            end_leftovers(after)
            result["leftovers"] = result.get("leftovers", []) + [cmd for _, cmd in after]
    return result


# report ----------------------------------------------------------------------------------------
def verdict(key: str, value: float | None) -> tuple[str, str]:
    op, target, unit = TARGETS[key]
    if value is None:
        return f"{op} {target:g} {unit}", "–"
    ok = value >= target if op == "≥" else value <= target
    return (f"{op} {target:g}{unit}" if unit == "×" else f"{op} {target:g} {unit}"), ("ok" if ok else "over")


def table(rows: list[tuple[str, ...]]) -> str:
    header = ("benchmark", "flatdeck", "baseline", "baseline value", "ratio", "target", "")
    rows = [header, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report(results: dict) -> tuple[list[tuple[str, ...]], list[str]]:
    rows: list[tuple[str, ...]] = []
    notes: list[str] = []
    if "ingest" in results:
        r = results["ingest"]
        pane, raw, ansi = (statistics.median(r[k]) for k in ("pane", "raw", "from_ansi"))
        rows.append(("1 PTY ingest, line mode", f"{spread(r['pane'])} MB/s", "raw PTY read (os.read)",
                     f"{spread(r['raw'])} MB/s", f"{pane / raw:.2f}×", *verdict("ingest", pane)))
        rows.append(("  (second baseline)", "", "Text.from_ansi per line", f"{spread(r['from_ansi'])} MB/s",
                     f"{pane / ansi:.2f}×", "", ""))
        notes.append(f"1: {r['bytes'] / 1e6:.1f} MB of coloured log lines, `cat` in a LocalShell (bash in a PTY); "
                     f"PaneOutput → TerminalModel({WIDTH}×{ROWS}), last {ROWS} rows rendered ≤ 60/s; timed from "
                     f"typing the command to its exit status; median (min–max) of {len(r['pane'])} runs; "
                     f"{statistics.median(r['events']):.0f} events, {statistics.median(r['renders']):.0f} repaints "
                     f"a run; Text.from_ansi alone reaches {ansi / raw:.2f}× the raw read.")
    if "app" in results and "flood" in results["app"]:
        a = results["app"]
        flood = a["flood"]["open"] + a["flood"]["close"]
        quiet = a["quiet"]["open"] + a["quiet"]["close"]
        fp, qp = p95(flood) * 1000, p95(quiet) * 1000
        rows.append(("2 key → screen p95, pane flooding", f"{fp:.1f} ms (median {statistics.median(flood) * 1000:.1f})",
                     "same keys, no flood", f"{qp:.1f} ms (median {statistics.median(quiet) * 1000:.1f})",
                     f"{fp / qp:.1f}×", *verdict("latency", fp)))
        fr = a["flood_rate"]
        notes.append(
            f"2: `flatdeck present {DECK.relative_to(ROOT)} --slide {DEMO_SLIDE} --live --typing-speed 0` in tmux "
            f"{WIDTH}×{HEIGHT}; {len(flood)} samples each ({len(a['flood']['open'])} `?` → help shown, "
            f"{len(a['flood']['close'])} `?` → help gone), {PAUSE:g} s apart. Flood: awk printing coloured log lines "
            f"as fast as the pane takes them ({fr['lines_per_s']:,.0f} lines/s ≈ {fr['mb_per_s']:.1f} MB/s reached the "
            f"pane during the samples). Open/close p95 flooding {p95(a['flood']['open']) * 1000:.1f}/"
            f"{p95(a['flood']['close']) * 1000:.1f} ms, quiet {p95(a['quiet']['open']) * 1000:.1f}/"
            f"{p95(a['quiet']['close']) * 1000:.1f} ms; max flooding {max(flood) * 1000:.1f} ms.")
        notes.append(f"   `q` during the flood: exited after {a['quit_seconds']:.2f} s; app RSS {a['rss_before']:.0f} MiB "
                     f"before the flood, {a['rss_after']:.0f} MiB after (peak {a['hwm_after']:.0f} MiB); {a['shells']} pane "
                     f"shell(s) ran, leftover processes after quitting: "
                     f"{'none' if not a['leftovers'] else a['leftovers']}")
    if "screen" in results:
        s = results["screen"]
        mb = s["bytes"] / 1e6
        ours, peer = [mb / t for t in s["ours"]], [mb / t for t in s["peer"]]
        fps, peer_fps = statistics.median(s["frames"] / t for t in s["ours"]), \
            statistics.median(s["frames"] / t for t in s["peer"])
        ratio = statistics.median(ours) / statistics.median(peer)
        name = "textual-terminal 0.3.0" + (" (FALLBACK copy)" if s["fallback"] else "")
        rows.append((f"3 screen mode (pyte), {WIDTH}×{HEIGHT}", f"{spread(ours, digits=2)} MB/s ({fps:.0f} frames/s)",
                     name, f"{spread(peer, digits=2)} MB/s ({peer_fps:.0f} frames/s)", f"{ratio:.2f}×",
                     *verdict("screen", ratio)))
        notes.append(f"3: {s['frames']} htop-like full redraws ({mb:.1f} MB, alternate screen) fed in {s['chunk']}-character "
                     f"chunks, each side in a fresh interpreter, {len(ours)} alternating rounds (ratio per round: "
                     f"{', '.join(f'{o / q:.2f}×' for o, q in zip(ours, peer))}); flatdeck: {s['how']}; "
                     f"textual-terminal: {s['peer_how']} ({s['setup']}).")
        if s["note"]:
            notes.append(f"   NOTE: {s['note']}")
    if "app" in results and "idle_demo" in results["app"]:
        a = results["app"]
        ratio = f"{a['idle_demo'] / a['idle_plain']:.1f}×" if a["idle_plain"] > 0 else "–"
        rows.append(("4 idle CPU, idle shell pane", f"{a['idle_demo']:.2f} %", f"slide {PLAIN_SLIDE}, no demo",
                     f"{a['idle_plain']:.2f} %", ratio, *verdict("idle_cpu", a["idle_demo"])))
        notes.append(f"4: utime+stime of the app over {a['idle_seconds']:g} s, {SETTLE:g} s after the slide (and the "
                     "shell's prompt) showed, as % of one core; resolution one clock tick (10 ms) over the window.")
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark flatdeck's terminal panes against baselines.")
    parser.add_argument("--quick", action="store_true", help="smaller inputs and a shorter idle window (≈ 1 minute)")
    parser.add_argument("--only", default="ingest,keys,screen,idle",
                        help="comma-separated subset of: ingest, keys, screen, idle (keys and idle share one app run)")
    parser.add_argument("--peer-venv", type=Path, default=PEER_VENV,
                        help=f"where the throwaway textual-terminal venv lives (default {PEER_VENV})")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write every sample as JSON")
    args = parser.parse_args(argv)
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = only - {"ingest", "keys", "screen", "idle"}
    if unknown:
        parser.error(f"--only: unknown {', '.join(sorted(unknown))}")
    quick = args.quick
    sizes = {"mb": 5.0 if quick else 20.0, "runs": 2 if quick else 3, "frames": 150 if quick else 400, "rounds": 2 if quick else 3,
             "presses": 40 if quick else 60, "idle": 5.0 if quick else 10.0, "flood": 90}

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    results: dict = {}
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="flatdeck-panes-") as tmp:
            work = Path(tmp)
            if "ingest" in only:
                results["ingest"] = bench_ingest(work, sizes["mb"], sizes["runs"])
            if only & {"keys", "idle"}:
                idle = sizes["idle"] if "idle" in only else 0.0
                presses = sizes["presses"] if "keys" in only else 0
                results["app"] = bench_app(work, presses, idle, sizes["flood"], uuid.uuid4().hex)
                results["app"]["idle_seconds"] = idle
            if "screen" in only:
                results["screen"] = bench_screen(work, sizes["frames"], CHUNK, args.peer_venv, sizes["rounds"])
    except (BenchError, TmuxError, OSError) as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130

    rows, notes = report(results)
    print(f"flatdeck pane benchmarks{' (--quick)' if quick else ''} — {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, {time.perf_counter() - started:.0f} s")
    print(table(rows))
    for note in notes:
        print(note)
    print("targets are informational; see benchmarks/README.md (Terminal panes)")
    if args.json:
        args.json.write_text(json.dumps({"quick": quick, "cpus": os.cpu_count(), "python": platform.python_version(),
                                         "results": results}, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
