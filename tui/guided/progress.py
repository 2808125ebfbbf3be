"""Self-guided progress: the slide an attendee is on, and how far each demo got, kept between runs.

One small JSON file per deck, keyed by the deck's resolved path, in `$XDG_STATE_HOME/flatdeck/progress/`
(default `~/.local/state/flatdeck/progress/`). Every change is written at once, atomically (a temporary
file beside it, fsync, rename), so a crash or a power cut leaves the previous or the new file, never
half of one. A file that cannot be read or understood is moved aside (`….corrupt`) and the attendee
starts afresh with a clear message — never a traceback.

    {"format": 1, "deck": "/home/me/talk/slides", "saved": "2026-11-24T10:00:00+00:00", "slide": 4,
     "demos": {"hello-shell": {"steps": {"go-to-tmp": "passed", "is-linux": "failed"},
                               "checks": {"is-linux": {"status": "failed", "message": "…", "output": "…"}}}}}

`slide` is 1-based, as `--slide` is. Only the main steps of a scenario are kept: setup belongs to a
shell, and every run starts a fresh one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TypeVar

from tui.atomicfile import write_atomic
from tui.engine.events import StepStatus

T = TypeVar("T")

FORMAT = 1
OUTPUT_KEPT = 2000  # characters of a check's output kept (its last ones: where the verdict is)
# what a step can have been left at; a step that was running when flatdeck stopped did not finish
SAVED_STATUSES = {s.value for s in StepStatus if s.done}


def state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "flatdeck"


@dataclass
class CheckRecord:
    status: str
    message: str = ""
    output: str = ""


@dataclass
class DemoProgress:
    steps: dict[str, str] = field(default_factory=dict)  # step id → StepStatus value
    checks: dict[str, CheckRecord] = field(default_factory=dict)


class ProgressError(Exception):
    """The progress file exists but cannot be used; the message says where and why."""


class Progress:
    def __init__(self, deck_path: Path, directory: Path | None = None):
        import hashlib  # guided mode only: not on the start path of a plain `present`

        self.deck = deck_path.resolve()
        digest = hashlib.sha256(str(self.deck).encode()).hexdigest()[:16]
        self.file = (directory or state_dir() / "progress") / f"{self.deck.stem[:40] or 'deck'}-{digest}.json"
        self.slide: int | None = None  # 1-based; None: nothing saved yet
        self.demos: dict[str, DemoProgress] = {}
        self.saved_at: str | None = None
        self.save_error: str | None = None  # why the last save failed (a read-only home, a full disk)

    # reading ----------------------------------------------------------------------------------
    def load(self) -> bool:
        """Read the saved progress; False when there is none. ProgressError when the file is bad."""
        raw = self._on_file(self.file.read_bytes, "read", "expected a progress file (JSON)")
        if raw is None:
            return False
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ProgressError(f"{self.file}: byte {exc.start}: invalid UTF-8; expected JSON text") from None
        except json.JSONDecodeError as exc:
            raise ProgressError(f"{self.file}:{exc.lineno}:{exc.colno}: {exc.msg}; expected JSON") from None
        self._take(data)
        return True

    def _take(self, data: object) -> None:
        def bad(what: str) -> ProgressError:
            return ProgressError(f"{self.file}: {what}")

        if not isinstance(data, dict):
            raise bad(f"expected a JSON object, found {type(data).__name__}")
        if data.get("format") != FORMAT:
            raise bad(f"format {data.get('format')!r}; expected {FORMAT}")
        if data.get("deck") != str(self.deck):
            raise bad(f"is the progress of {data.get('deck')!r}; expected {str(self.deck)!r}")
        slide = data.get("slide")
        if slide is not None and (not isinstance(slide, int) or isinstance(slide, bool) or slide < 1):
            raise bad(f"slide {slide!r}; expected a slide number from 1")
        demos = data.get("demos", {})
        if not isinstance(demos, dict):
            raise bad("demos: expected an object of scenario name → progress")
        parsed: dict[str, DemoProgress] = {}
        for name, entry in demos.items():
            if not isinstance(entry, dict) or set(entry) - {"steps", "checks"}:
                raise bad(f"demos.{name}: expected an object with 'steps' and 'checks'")
            steps = entry.get("steps", {})
            if not isinstance(steps, dict) or any(v not in SAVED_STATUSES for v in steps.values()):
                raise bad(f"demos.{name}.steps: expected step id → one of {', '.join(sorted(SAVED_STATUSES))}")
            checks = {}
            for step_id, check in (entry.get("checks") or {}).items():
                if not (isinstance(check, dict) and check.get("status") in SAVED_STATUSES
                        and all(isinstance(check.get(k, ""), str) for k in ("message", "output"))):
                    raise bad(f"demos.{name}.checks.{step_id}: expected {{status, message, output}}")
                checks[step_id] = CheckRecord(check["status"], check.get("message", ""), check.get("output", ""))
            parsed[name] = DemoProgress(dict(steps), checks)
        self.slide, self.demos = slide, parsed
        saved = data.get("saved")
        self.saved_at = saved if isinstance(saved, str) else None

    def set_aside(self) -> Path | None:
        """Move a bad file out of the way (kept for a look) so the next save starts a good one."""
        aside = self.file.with_name(self.file.name + ".corrupt")
        try:
            os.replace(self.file, aside)
        except OSError:
            return None
        return aside

    def forget(self) -> bool:
        """--restart: remove the saved progress; True when there was some."""
        self.slide, self.demos, self.saved_at = None, {}, None
        return self._on_file(lambda: self.file.unlink() or True, "remove", "remove it to restart") is not None

    def _on_file(self, action: Callable[[], T], doing: str, if_directory: str) -> T | None:
        """`action()` on the file; None when there is no file; ProgressError for any other problem."""
        try:
            return action()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise ProgressError(f"{self.file}: is a directory; {if_directory}") from None
        except OSError as exc:
            raise ProgressError(f"{self.file}: cannot {doing}: {exc.strerror or exc}") from None

    # what changed ---------------------------------------------------------------------------------
    def demo(self, name: str) -> DemoProgress:
        return self.demos.get(name) or DemoProgress()

    def set_slide(self, index: int) -> None:
        """The attendee is on slide `index` (0-based, as the app counts)."""
        if self.slide != index + 1:
            self.slide = index + 1
            self.save()

    def record(self, demo: str, step_id: str, status: StepStatus, is_check: bool,
               message: str = "", output: str = "") -> None:
        """A main step of `demo` finished (or was skipped) with `status`."""
        if not status.done:
            return
        entry = self.demos.setdefault(demo, DemoProgress())
        check = CheckRecord(status.value, message, output[-OUTPUT_KEPT:]) if is_check else None
        if entry.steps.get(step_id) == status.value and entry.checks.get(step_id) == check:
            return
        entry.steps[step_id] = status.value
        if check is not None:
            entry.checks[step_id] = check
        self.save()

    # writing ----------------------------------------------------------------------------------
    def data(self) -> dict:
        return {
            "format": FORMAT,
            "deck": str(self.deck),
            "saved": self.saved_at,
            "slide": self.slide,
            "demos": {name: {"steps": entry.steps,
                             "checks": {k: vars(v) for k, v in entry.checks.items()}}
                      for name, entry in self.demos.items()},
        }

    def save(self) -> bool:
        """Write the whole file atomically; False (and `save_error`) when it cannot be written."""
        self.saved_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        text = json.dumps(self.data(), indent=1, ensure_ascii=False) + "\n"
        try:
            write_atomic(self.file, text, durable=True)
        except OSError as exc:
            self.save_error = f"{self.file}: cannot save progress: {exc.strerror or exc}"
            return False
        self.save_error = None
        return True
