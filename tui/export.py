"""`flatdeck export DECK --svg DIR --html FILE`: the talk as files, for sharing after it.

`--svg` writes one SVG per slide as the app draws it (tui/screenshots.py), named
`NN-title-slug.svg`; `--html` writes one self-contained page (tui/render/html.py). Nothing
executes: demos show what their recordings end on. A bad deck is a LoadError (located, exit 1);
an output that cannot be written is one line naming it (exit 1).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
import unicodedata
from pathlib import Path
from typing import TextIO

from tui.atomicfile import write_atomic
from tui.deck.model import Deck, Slide
from tui.demostage import DemoStage, scenarios_dir_for
from tui.errors import LoadError
from tui.render.html import DemoView, StepView

SLIDE_FILE = re.compile(r"\d{2,}-[a-z0-9-]+\.svg")


def slug(title: str, limit: int = 48) -> str:
    """'Demo: merge without a VM' → 'demo-merge-without-a-vm'; accents dropped, never empty."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return "-".join(re.findall(r"[a-z0-9]+", plain))[:limit].strip("-") or "slide"


def slide_file_name(slide: Slide, count: int) -> str:
    """`01-title-slug.svg`: numbered wide enough that the files sort in slide order."""
    return f"{slide.number:0{max(2, len(str(count)))}d}-{slug(slide.title)}.svg"


def demo_views(deck: Deck, stage: DemoStage) -> dict[str, DemoView]:
    """What the page shows of each demo: its steps, each with the screen its recording ends on, or
    its command marked "not recorded yet". A scenario that cannot be loaded says why, as on stage."""
    from tui.recording.asciicast import read_cast
    from tui.recording.screen import final_screen
    from tui.recording.store import recorded_casts
    from tui.scenario.inventory import default_inventory
    from tui.scenario.load import find_scenario, load_scenario
    from tui.scenario.variables import shown_command, values_for

    views: dict[str, DemoView] = {}
    for name in deck.demos:
        try:
            scenario = load_scenario(find_scenario(name, stage.scenarios_dir))
        except LoadError as exc:
            views[name] = DemoView(name, error="\n".join(str(e) for e in exc.errors))
            continue
        values = values_for(scenario, default_inventory().vars)
        steps = []
        for section, step in [("setup", s) for s in scenario.setup] + [("", s) for s in scenario.steps]:
            screens = []
            casts = recorded_casts(stage.recordings, scenario, step)
            for pane, path in casts.items():
                try:
                    if pane in scenario.kube_panes:  # a kube pane's event log: the table or tree it ends on
                        from tui.recording.kubelog import final_text, read_kubelog

                        shown = [s.kube for s in scenario.all_steps[:scenario.all_steps.index(step) + 1]
                                 if s.kube is not None and s.pane_name == pane]
                        text = final_text(read_kubelog(path), shown[-1]) if shown else ""
                    else:
                        text = final_screen(read_cast(path))
                except LoadError as exc:
                    text = f"(recording unreadable: {exc.errors[0]})"
                screens.append(text if len(casts) == 1 else f"[{pane}]\n{text}")
            label = (step.text or "") if step.kind == "say" else step.label
            steps.append(StepView(
                step.kind, f"{section}: {label}" if section else label,
                shown_command(step.command, values) if step.command else None,
                "\n".join(screens) if casts else None,
                step.expect.output if step.expect else None))
        views[name] = DemoView(name, scenario.title, tuple(steps))
    return views


def export(deck_path: Path, svg_dir: Path | None, html_file: Path | None, size: tuple[int, int],
           theme: str | None = None, scenarios: Path | None = None, recordings: Path | None = None,
           out: TextIO = sys.stdout) -> int:
    from tui.deck.parse import load_deck

    deck = load_deck(deck_path)
    stage = DemoStage(scenarios or scenarios_dir_for(deck_path), mode="replay", recordings=recordings)
    if html_file is not None:
        from tui.render.html import deck_html

        page = deck_html(deck, theme or deck.meta.theme, demo_views(deck, stage))
        problem = _write(html_file, page)
        if problem:
            return _fail(f"cannot write {html_file}: {problem}")
        print(f"wrote {html_file} ({len(deck.slides)} slides, {len(page.encode()) // 1024 + 1} KiB)", file=out)
    if svg_dir is not None:
        problem = _directory(svg_dir)
        if problem:
            return _fail(f"cannot write SVGs to {svg_dir}: {problem}")
        names = [slide_file_name(slide, len(deck.slides)) for slide in deck.slides]
        others = sorted(p.name for p in svg_dir.iterdir() if SLIDE_FILE.fullmatch(p.name) and p.name not in names)
        started = time.monotonic()
        from tui.screenshots import write_svgs

        try:
            write_svgs(deck, [svg_dir / name for name in names], size, theme, stage)
        except OSError as exc:
            return _fail(f"cannot write SVGs to {svg_dir}: {exc.strerror or exc}")
        print(f"wrote {len(names)} SVGs to {svg_dir} ({size[0]}x{size[1]}, {time.monotonic() - started:.1f}s)",
              file=out)
        if others:
            shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
            print(f"note: {svg_dir} also holds {len(others)} slide SVG(s) this export did not write "
                  f"(from an earlier export?): {shown}", file=out)
    return 0


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def _blocked(path: Path) -> str | None:
    """A file where a directory of `path` must be: mkdir would only say "File exists"."""
    for folder in [path, *path.parents]:
        if folder.exists():
            return None if folder.is_dir() else f"{folder} is a file, not a directory"
    return None


def _directory(path: Path) -> str | None:
    """Make the output directory; why not, if it cannot be made or written to."""
    blocked = _blocked(path)
    if blocked:
        return blocked
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path, prefix=".flatdeck-", suffix=".tmp")
        probe.close()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def _write(path: Path, text: str) -> str | None:
    """Write atomically (a half-written page never replaces a good one); why not, if it fails."""
    if path.is_dir():
        return "it is a directory; expected a file name like talk.html"
    blocked = _blocked(path.parent)
    if blocked:
        return blocked
    try:
        write_atomic(path, text, mode=0o644)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None
