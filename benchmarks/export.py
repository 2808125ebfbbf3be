"""flatdeck benchmarks: how long `flatdeck export` takes on the talk (28 slides, 8 demo slides).

    .venv/bin/python benchmarks/export.py [--runs 3] [--deck slides]

Each figure is printed beside a baseline measured in the same invocation, with the same method
(wall time of the whole command, in a fresh process each time):
- SVG: `flatdeck export DECK --svg DIR` against exporting a one-slide deck (the deck's first
  slide, same theme and size): the baseline is the fixed cost (Python, Textual, the headless app,
  one screenshot), so (talk - baseline) / (slides - 1) is what each further slide costs.
- HTML: `flatdeck export DECK --html FILE` against `flatdeck check DECK` (parsing the same deck and
  its scenarios, writing nothing).
Runs alternate baseline and measured command so that a change in the machine's load hits both.
Targets (informational; exit 0 unless the benchmark cannot run): SVG export of the talk <= 15 s on
two cores, <= 0.4 s per further slide; HTML <= 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tui.deck.parse import load_deck  # noqa: E402

TARGETS = {"svg": 15.0, "per-slide": 0.4, "html": 2.0}


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "tui", *args], cwd=REPO, capture_output=True, text=True,
                            timeout=600)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"flatdeck {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def one_slide_deck(deck_path: Path, work: Path) -> Path:
    """The deck's first slide alone: its front matter (the generated title slide), or its first slide."""
    first = sorted(deck_path.glob("*.md"))[0] if deck_path.is_dir() else deck_path
    text = first.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        cut = text[:text.index("\n---\n", 3) + 5]  # the front matter only
    else:
        cut = text.split("\n---\n", 1)[0] + "\n"
    one = work / "one.md"
    one.write_text(cut, encoding="utf-8")
    if len(load_deck(one).slides) != 1:
        sys.exit(f"could not cut a one-slide deck from {first}")
    return one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--deck", type=Path, default=REPO / "slides")
    args = parser.parse_args()
    deck = load_deck(args.deck)
    count = len(deck.slides)
    figures: dict[str, list[float]] = {"svg": [], "one": [], "html": [], "check": []}
    with tempfile.TemporaryDirectory(prefix="flatdeck-bench-export-") as tmp:
        work = Path(tmp)
        one = one_slide_deck(args.deck, work)
        timed(["export", str(one), "--svg", str(work / "warm")])  # warm-up: disk cache, .pyc files
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs}", file=sys.stderr)
            figures["one"].append(timed(["export", str(one), "--svg", str(work / f"one-{run}")]))
            figures["svg"].append(timed(["export", str(args.deck), "--svg", str(work / f"svg-{run}")]))
            figures["check"].append(timed(["check", str(args.deck)]))
            figures["html"].append(timed(["export", str(args.deck), "--html", str(work / f"talk-{run}.html")]))
            written = len(list((work / f"svg-{run}").glob("*.svg")))
            if written != count:
                sys.exit(f"expected {count} SVGs, found {written}")
    median = {name: statistics.median(values) for name, values in figures.items()}
    per_slide = (median["svg"] - median["one"]) / max(1, count - 1)

    def verdict(name: str, value: float) -> str:
        return "ok" if value <= TARGETS[name] else "over"

    print(f"\nflatdeck export, {count} slides of {args.deck}, median of {args.runs} runs (min–max)\n")
    print(f"{'metric':<28} {'flatdeck':>10} {'baseline':>10} {'ratio':>7}  target")
    rows = [
        ("SVG export, whole deck", "svg", median["svg"], median["one"], f"≤ {TARGETS['svg']:g} s", "svg"),
        ("SVG, each further slide", None, per_slide, median["one"], f"≤ {TARGETS['per-slide']:g} s", "per-slide"),
        ("HTML export", "html", median["html"], median["check"], f"≤ {TARGETS['html']:g} s", "html"),
    ]
    for label, key, value, base, target, target_key in rows:
        spread = f"  ({min(figures[key]):.2f}–{max(figures[key]):.2f})" if key else ""
        print(f"{label:<28} {value:>9.2f}s {base:>9.2f}s {value / base:>6.2f}x  {target} {verdict(target_key, value)}"
              f"{spread}")
    print("\nbaselines: a one-slide export of the same deck (start-up and one screenshot) for the SVG rows;"
          "\n`flatdeck check` of the same deck (parsing, no writing) for the HTML row.")


if __name__ == "__main__":
    main()
