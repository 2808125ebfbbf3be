"""flatdeck benchmarks: start, slide switch, idle CPU and memory of `flatdeck present`, in tmux.

    .venv/bin/python benchmarks/run.py [--runs N] [--deck PATH] [--talk DIR] [--json FILE]

Two decks: --deck (default benchmarks/deck.md, every metric) and --talk (default slides/, the real
talk with its title slide, pauses and demo panes: start and switch; `--talk ''` skips it).

Each latency is measured against a floor taken in the same invocation with the same method (a
plain shell printing the slide's text), so the ratio says how much flatdeck adds over the terminal
path itself; start also gets a second floor, a bare Textual app showing the same text
(textual_floor.py). Targets are informational: the exit code is 0 unless the benchmark could not run.
See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tmuxctl import Tmux, TmuxError, alive, wait_gone  # noqa: E402

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT = 120, 40
POLL = 0.0005  # seconds between captures: resolution ≈ this + one control-mode round trip
TIMEOUT = 15.0  # a slide not visible by then is a failure, not a slow sample
SETTLE = 1.0  # after the first slide shows, flatdeck still builds the next slide in the background
IDLE = 10.0  # idle window for CPU
PAUSE = 0.5  # between key presses: a presenter does not press faster, and background builds finish
TARGETS = {"start": 240.0, "switch": 20.0, "idle_cpu": 0.5, "rss": 80.0, "talk_start": 240.0, "talk_switch": 20.0}
TALK = HERE.parent / "slides"
HEADING = 30  # characters of a talk slide's heading to look for: fits a demo slide's narrow column


class BenchError(RuntimeError):
    pass


# the deck: slide texts and what must be on screen for each ---------------------------------------
def read_slides(path: Path) -> list[str]:
    """Split a deck into slide texts the way flatdeck does: `---` lines outside code fences."""
    files = sorted(p for p in path.iterdir() if p.suffix == ".md") if path.is_dir() else [path]
    slides: list[str] = []
    for file in files:
        lines = file.read_text(encoding="utf-8").splitlines()
        if lines and lines[0].strip() == "---":
            raise BenchError(f"{file}: front matter (a title slide) is not supported; use a deck shaped like benchmarks/deck.md")
        current: list[str] = []
        fence = None
        for line in lines:
            marker = re.match(r"\s*(```|~~~)", line)
            if marker and (fence is None or marker.group(1) == fence):
                fence = marker.group(1) if fence is None else None
            if fence is None and line.strip() == "---":
                slides.append("\n".join(current).strip("\n"))
                current = []
            else:
                current.append(line)
        slides.append("\n".join(current).strip("\n"))
    return [s for s in slides if s.strip()]


def _plain(text: str) -> str:
    """Inline Markdown → the text flatdeck shows; cut to 50 characters so it cannot wrap."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*`]", "", text).strip()[:50].strip()


def expected(slide: str, number: int, total: int) -> list[re.Pattern]:
    """Lines that must all be on screen for the slide to count as fully shown: the heading, the
    first code line, the last bullet, the last table row (its cells, in order, on one line), the
    quote, and the footer `n / N`. They are spread over the whole slide, top to bottom."""
    heading = code = quote = None
    bullets: list[str] = []
    rows: list[list[str]] = []
    fence = None
    for line in slide.splitlines():
        stripped = line.strip()
        marker = re.match(r"(```|~~~)", stripped)
        if marker:
            fence = marker.group(1) if fence is None else None if marker.group(1) == fence else fence
            continue
        if fence is not None:
            code = code or (stripped or None)
        elif stripped.startswith("#") and heading is None:
            heading = stripped.lstrip("#")
        elif re.match(r"([-*+]|\d+[.)])\s", stripped):
            bullets.append(re.sub(r"^([-*+]|\d+[.)])\s+", "", stripped))
        elif stripped.startswith("|") and not re.fullmatch(r"[|:\-\s]+", stripped):
            rows.append([_plain(c) for c in stripped.strip("|").split("|")])
        elif stripped.startswith(">") and quote is None:
            quote = stripped.lstrip("> ")
    texts = [t for t in (heading, code, bullets[-1] if bullets else None, quote) if t]
    patterns = [re.compile(re.escape(_plain(t))) for t in texts if _plain(t)]
    if len(rows) > 1:  # rows[0] is the header
        patterns.append(re.compile(".*".join(re.escape(c) for c in rows[-1] if c)))
    patterns.append(re.compile(rf"(?<!\d){number} / {total}(?!\d)"))
    return patterns


def talk_plan(deck: Path) -> tuple[list[list[re.Pattern]], list[str], list[int]]:
    """For a deck with front matter, directives and demo panes (the talk), read with flatdeck's own
    deck model: what must be on screen for each slide (the start of its heading, cut at a word so a
    narrow column cannot wrap it, and the footer `n / N`), the floor's text for each slide, and how
    many reveal presses (its pauses) each slide takes before the next Right switches slides."""
    from tui.deck.parse import load_deck  # the model only: no Textual
    from tui.errors import LoadError

    try:
        model = load_deck(deck)
    except LoadError as exc:
        raise BenchError(str(exc)) from None
    total = len(model.slides)
    expect, texts, reveals = [], [], []
    for n, slide in enumerate(model.slides, 1):
        title = _plain(slide.title or model.meta.title)
        head = title if len(title) <= HEADING else title[:HEADING].rsplit(" ", 1)[0]
        expect.append([re.compile(re.escape(head)), re.compile(rf"(?<!\d){n} / {total}(?!\d)")])
        texts.append(f"{title}\n\n{n} / {total}\n")
        reveals.append(slide.steps - 1)
    return expect, texts, reveals


# measuring -------------------------------------------------------------------------------------
def wait_visible(tmux: Tmux, pane: str, pid: int, patterns: list[re.Pattern], t0: float) -> float:
    """Poll the pane until every pattern matches some line; return seconds since t0."""
    while True:
        lines = tmux.capture(pane)
        now = time.perf_counter()
        if all(any(p.search(line) for line in lines) for p in patterns):
            return now - t0
        if now - t0 > TIMEOUT or not alive(pid):
            screen = "\n".join(line for line in tmux.capture(pane, history=20) if line.strip())
            missing = [p.pattern for p in patterns if not any(p.search(line) for line in lines)]
            why = f"not done after {TIMEOUT:g} s" if alive(pid) else "program exited"
            raise BenchError(f"pane {why}; missing {missing}; screen:\n{screen}")
        time.sleep(POLL)


def press(tmux: Tmux, pane: str, key: str) -> float:
    t0 = time.perf_counter()  # right before the command goes out
    tmux.command(f"send-keys -t {pane} {key}")
    return t0


def launch(tmux: Tmux, name: str, argv: list[str], cwd: str) -> tuple[str, int, float]:
    t0 = time.perf_counter()
    pane, pid = tmux.new_session(name, argv, cwd)
    return pane, pid, t0


def app_pid(pid: int) -> int:
    """The pane runs the app directly; if a shell sits in between, take its child."""
    comm = Path(f"/proc/{pid}/comm").read_text().strip()
    if comm in ("sh", "bash", "dash"):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        if children:
            return int(children[0])
    return pid


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of stat(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def memory_mib(pid: int) -> tuple[float, float]:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    return tuple(int(status[k].split()[0]) / 1024 for k in ("VmRSS", "VmHWM"))  # kB → MiB


class Bench:
    def __init__(self, tmux: Tmux, slides: list[str], deck: Path, work: Path,
                 plan: tuple[list[list[re.Pattern]], list[str], list[int]] | None = None, prefix: str = "s"):
        self.tmux, self.deck, self.work = tmux, deck, work
        total = len(slides)
        if plan is None:
            # floor texts: the slide's Markdown plus the footer line flatdeck would show
            plan = ([expected(s, n, total) for n, s in enumerate(slides, 1)],
                    [f"{slide}\n\n{n} / {total}\n" for n, slide in enumerate(slides, 1)], [0] * total)
        self.expect, floor_texts, self.reveals = plan
        self.texts = []
        for n, text in enumerate(floor_texts, 1):
            path = work / f"{prefix}{n}.txt"
            path.write_text(text, encoding="utf-8")
            self.texts.append(str(path))
        self.switch_script = work / "floor_switch.sh"
        self.switch_script.write_text(
            '# every slide is read up front, so a key costs one read and one printf (no fork)\n'
            'slides=(); for f in "$@"; do slides+=("$(<"$f")"); done\n'
            'printf \'%s\\n\' "${slides[0]}"\n'
            'for s in "${slides[@]:1}"; do\n'
            '  read -rsn3 _  # Right arrow = ESC [ C: three bytes, one key\n'
            '  printf \'\\033[H\\033[2J%s\\n\' "$s"\n'
            'done\n'
            'exec sleep 60\n')
        self.app = self._app_argv()
        self.count = 0

    def _app_argv(self) -> list[str]:
        exe = Path(sys.executable).parent / "flatdeck"
        if exe.exists():
            return [str(exe), "present", str(self.deck)]
        found = shutil.which("flatdeck")
        return [found, "present", str(self.deck)] if found else [sys.executable, "-m", "tui", "present", str(self.deck)]

    def _session(self) -> str:
        self.count += 1
        return f"run{self.count}"

    def _end(self, name: str, pid: int) -> None:
        self.tmux.kill_session(name)
        wait_gone(pid)

    def floor_start(self) -> float:
        name = self._session()
        pane, pid, t0 = launch(self.tmux, name, ["sh", "-c", 'cat "$1"; sleep 60', "sh", self.texts[0]], str(self.work))
        try:
            return wait_visible(self.tmux, pane, pid, self.expect[0], t0)
        finally:
            self._end(name, pid)

    def textual_start(self) -> float:
        """A bare Textual app showing the same first slide text (textual_floor.py), from this venv."""
        name = self._session()
        argv = [sys.executable, str(HERE / "textual_floor.py"), self.texts[0]]
        pane, pid, t0 = launch(self.tmux, name, argv, str(self.work))
        try:
            return wait_visible(self.tmux, pane, pid, self.expect[0], t0)
        finally:
            self._end(name, pid)

    def floor_switch(self) -> list[float]:
        name = self._session()
        pane, pid, t0 = launch(self.tmux, name, ["bash", str(self.switch_script), *self.texts], str(self.work))
        try:
            wait_visible(self.tmux, pane, pid, self.expect[0], t0)
            return self._switches(pane, pid, [0] * len(self.expect))
        finally:
            self._end(name, pid)

    def _switches(self, pane: str, pid: int, reveals: list[int]) -> list[float]:
        """Right to each next slide, timed; a slide with pauses first gets its reveal presses (untimed)."""
        times = []
        for patterns, reveal in zip(self.expect[1:], reveals):
            for _ in range(reveal):
                time.sleep(PAUSE)
                self.tmux.command(f"send-keys -t {pane} Right")
            time.sleep(PAUSE)
            times.append(wait_visible(self.tmux, pane, pid, patterns, press(self.tmux, pane, "Right")))
        return times

    def flatdeck(self, full: bool = True, idle: bool = True) -> dict:
        name = self._session()
        pane, pid, t0 = launch(self.tmux, name, self.app, str(self.work))
        try:
            result = {"start": wait_visible(self.tmux, pane, pid, self.expect[0], t0)}
            if not full:
                return result
            pid = app_pid(pid)
            time.sleep(SETTLE)
            if idle:
                cpu0, w0 = cpu_seconds(pid), time.perf_counter()
                time.sleep(IDLE)
                cpu1, w1 = cpu_seconds(pid), time.perf_counter()
                result["idle_cpu"] = 100 * (cpu1 - cpu0) / (w1 - w0)
                result["rss"], result["hwm"] = memory_mib(pid)
            result["switch"] = self._switches(pane, pid, self.reveals)
            return result
        finally:
            self._end(name, pid)


# report ----------------------------------------------------------------------------------------
def summary(samples: list[float]) -> dict:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "samples": samples}


ROWS = [  # key, label, unit, scale (seconds → ms for latencies), has floor, digits
    ("start", "start", "ms", 1000, True, 1),
    ("switch", "switch", "ms", 1000, True, 1),
    ("idle_cpu", "idle CPU", "%", 1, False, 2),
    ("rss", "RSS (VmRSS)", "MiB", 1, False, 1),
    ("hwm", "peak RSS (VmHWM)", "MiB", 1, False, 1),
]
TALK_ROWS = [("talk_start", "start, talk", "ms", 1000, True, 1), ("talk_switch", "switch, talk", "ms", 1000, True, 1)]


def report(app: dict[str, list[float]], floor: dict[str, list[float]]) -> tuple[str, dict]:
    header = ("metric", "flatdeck median (min–max)", "floor median (min–max)", "ratio", "target", "")
    table, data = [header], {}
    for key, label, unit, scale, has_floor, digits in ROWS + [row for row in TALK_ROWS if app.get(row[0])]:
        s = summary([x * scale for x in app[key]])
        cell = f"{s['median']:.{digits}f} {unit} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"
        entry = {"unit": unit, **s}
        floor_cell = ratio_cell = "–"
        if has_floor:
            f = summary([x * scale for x in floor[key]])
            floor_cell = f"{f['median']:.{digits}f} {unit} ({f['min']:.{digits}f}–{f['max']:.{digits}f})"
            entry["floor"] = f
            entry["ratio"] = s["median"] / f["median"] if f["median"] else None
            ratio_cell = f"{entry['ratio']:.1f}×" if entry["ratio"] else "–"
        target_cell = verdict = ""
        if key in TARGETS:
            entry["target"] = TARGETS[key]
            entry["ok"] = s["median"] <= TARGETS[key]
            target_cell, verdict = f"≤ {TARGETS[key]:g} {unit}", "ok" if entry["ok"] else "over"
        table.append((label, cell, floor_cell, ratio_cell, target_cell, verdict))
        data[key] = entry
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
    return "\n".join(lines), data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark `flatdeck present` in tmux against a plain-shell floor.")
    parser.add_argument("--runs", type=int, default=7, help="measured runs (default 7; at least 5 for stable medians)")
    parser.add_argument("--deck", type=Path, default=HERE / "deck.md", help="deck to present (default: benchmarks/deck.md)")
    parser.add_argument("--talk", type=str, default=str(TALK), metavar="DIR",
                        help="the talk's deck, measured too (start, switch; default: slides/; '' skips it)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the samples and summary as JSON")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    # SIGINT/SIGTERM/SIGHUP all unwind as KeyboardInterrupt (even if SIGINT was inherited as
    # ignored), so the `finally` below always stops the tmux server
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    tmux = None
    try:
        deck = args.deck.resolve()
        shown = os.path.relpath(deck) if deck.is_relative_to(Path.cwd()) else str(deck)  # for messages
        if not deck.exists():
            raise BenchError(f"{args.deck}: no such deck")
        slides = read_slides(deck)
        if len(slides) < 2:
            raise BenchError(f"{args.deck}: need at least 2 slides to measure switching, found {len(slides)}")
        talk = Path(args.talk).resolve() if args.talk else None
        if talk is not None and not talk.exists():
            raise BenchError(f"{args.talk}: no such deck")
        plan = talk_plan(talk) if talk else None
        with tempfile.TemporaryDirectory(prefix="flatdeck-bench-") as tmp:
            work = Path(tmp)
            (work / "config").mkdir()
            # a clean, reproducible environment: no user keymap, no Textual overrides
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TEXTUAL", "TMUX")) and k not in ("NO_COLOR", "COLUMNS", "LINES")}
            env.update(XDG_CONFIG_HOME=str(work / "config"), COLORTERM="truecolor")
            tmux = Tmux(WIDTH, HEIGHT, env)
            bench = Bench(tmux, slides, deck, work)
            talk_bench = Bench(tmux, [], talk, work, plan, prefix="t") if plan else None

            log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
            talk_presses = (len(plan[0]) - 1 + sum(plan[2])) if plan else 0
            log(f"deck {shown} ({len(slides)} slides){f', talk {os.path.relpath(talk)} ({len(plan[0])} slides)' if plan else ''}, "
                f"{args.runs} runs, tmux {WIDTH}×{HEIGHT}; ≈ {args.runs * (IDLE + SETTLE + PAUSE * 2 * (len(slides) - 1) + 1 + (SETTLE + PAUSE * 2 * talk_presses + 2 if plan else 0)):.0f} s")
            bench.flatdeck(full=False)  # warm-up (disk cache, .pyc files): not counted
            bench.floor_start()
            if talk_bench:
                talk_bench.flatdeck(full=False)
            app: dict[str, list[float]] = {k: [] for k in ("start", "switch", "idle_cpu", "rss", "hwm",
                                                           "talk_start", "talk_switch")}
            floor: dict[str, list[float]] = {"start": [], "switch": [], "talk_start": [], "talk_switch": []}
            textual: list[float] = []  # the second start floor: a bare Textual app
            bench.textual_start()  # warm-up, like flatdeck's
            for run in range(1, args.runs + 1):
                # floor and app alternate within each run, so both see the same machine state
                floor["start"].append(bench.floor_start())
                textual.append(bench.textual_start())
                floor["switch"] += bench.floor_switch()
                result = bench.flatdeck()
                for key in ("start", "idle_cpu", "rss", "hwm"):
                    app[key].append(result[key])
                app["switch"] += result["switch"]
                log(f"run {run}/{args.runs}: start {result['start'] * 1000:.0f} ms (floor {floor['start'][-1] * 1000:.1f}, "
                    f"bare Textual {textual[-1] * 1000:.0f}), "
                    f"switch {' '.join(f'{x * 1000:.0f}' for x in result['switch'])} ms, "
                    f"idle CPU {result['idle_cpu']:.2f} %, RSS {result['rss']:.1f} MiB")
                if talk_bench:
                    floor["talk_start"].append(talk_bench.floor_start())
                    floor["talk_switch"] += talk_bench.floor_switch()
                    result = talk_bench.flatdeck(idle=False)
                    app["talk_start"].append(result["start"])
                    app["talk_switch"] += result["switch"]
                    log(f"  talk: start {result['start'] * 1000:.0f} ms (floor {floor['talk_start'][-1] * 1000:.1f}), "
                        f"switch median {statistics.median(result['switch']) * 1000:.0f} ms, "
                        f"max {max(result['switch']) * 1000:.0f} ms")

        text, data = report(app, floor)
        bare = summary([x * 1000 for x in textual])
        data["start"]["textual_floor"] = bare
        print(f"flatdeck benchmarks — {shown} ({len(slides)} slides), {args.runs} runs, tmux {WIDTH}×{HEIGHT}, "
              f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
        print(text)
        start = data["start"]["median"]
        print(f"start, second floor: a bare Textual app showing the same text (textual_floor.py) starts in "
              f"{bare['median']:.1f} ms ({bare['min']:.1f}–{bare['max']:.1f}); flatdeck adds {start - bare['median']:.0f} ms "
              f"to it ({start / bare['median']:.2f}×)")
        print(f"switch: {len(app['switch'])} switches ({len(slides) - 1} per run); idle CPU over {IDLE:g} s starting "
              f"{SETTLE:g} s after the first slide showed; RSS read after that idle period")
        if talk_bench:
            print(f"talk: {os.path.relpath(talk)} ({len(plan[0])} slides, {sum(plan[2])} reveal presses untimed, demo "
                  f"panes replaying); start = its title slide's heading and footer on screen; "
                  f"{len(app['talk_switch'])} switches, each = the next slide's heading and footer on screen")
        print("targets are informational; see benchmarks/README.md")
        if args.json:
            args.json.write_text(json.dumps({
                "deck": shown, "slides": len(slides), "runs": args.runs, "size": [WIDTH, HEIGHT],
                "talk": os.path.relpath(talk) if talk_bench else None,
                "cpus": os.cpu_count(), "python": platform.python_version(), "metrics": data,
            }, indent=2) + "\n")
        return 0
    except (BenchError, TmuxError, OSError) as exc:
        print(f"benchmark could not run: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        if tmux is not None:
            tmux.close()


if __name__ == "__main__":
    sys.exit(main())
