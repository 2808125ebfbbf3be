"""Self-guided mode, under the step list: what a resumed run means for the shell, and the last
check's verdict with what it printed (a failed check tells the attendee how to try again)."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from tui.engine.events import Resumed, StepStatus
from tui.scenario.model import Step

OUTPUT_LINES = 4  # the end of a failed check's output: where it says why


class GuideBox(Static):
    DEFAULT_CSS = "GuideBox { height: auto; padding: 0 1; }"

    def __init__(self) -> None:
        super().__init__("", classes="guide-box")
        self._notice: Text | None = None
        self._check: Text | None = None
        self.display = False

    def resumed(self, event: Resumed, next_label: str | None) -> None:
        text = Text()
        text.append("Resumed: ", style="bold")
        text.append(f"{len(event.done)} of {event.total} steps were done in an earlier run. ")
        text.append("This shell is new: what those steps changed in it (directory, variables, jobs) is gone; "
                    "files they made are still there.")
        then = f"then ‘{next_label}’" if next_label else "then nothing: every step is done"
        text.append("\n⏎ ", style="bold")
        text.append(f"runs the setup again, {then}" if event.has_setup else
                    (f"runs ‘{next_label}’" if next_label else "has nothing left to run"))
        text.append(" · u ", style="bold")
        text.append("re-runs the setup and the steps that passed, to rebuild the shell")
        self._notice = text
        self._show()

    def started(self, step: Step) -> None:
        """A main step runs: the resume notice has served its purpose."""
        if step.kind != "check" and self._notice is not None:
            self._notice = None
            self._show()

    def check_finished(self, step: Step, status: StepStatus, message: str, output: str) -> None:
        text = Text()
        if status.ok:
            text.append("✓ check passed: ", style="bold green")
            text.append(step.label)
            first = next((line.strip() for line in output.splitlines() if line.strip()), "")
            if first:
                text.append(f" — {first}", style="dim")
        else:
            lines = [line.rstrip() for line in output.splitlines() if line.strip()][-OUTPUT_LINES:]
            text.append("✗ check failed: ", style="bold red")
            text.append(step.label)
            if message:  # its `FAIL: why` line is in the output below, when there is output
                text.append(f" — {message.split(' — ')[0] if lines else message}", style="red")
            # how to go on comes before the output, so a small pane cuts the output, not this
            text.append("\nFix it (Tab types into the shell), then press ")
            text.append("c", style="bold")
            text.append(" to run the check again.")
            for line in lines:
                text.append(f"\n  │ {line}", style="dim")
        self._check = text
        self._show()

    @property
    def plain(self) -> str:
        """What the box says, without styles (tests, and anything that reads it back)."""
        return "\n".join(part.plain for part in (self._notice, self._check) if part is not None)

    def _show(self) -> None:
        parts = [part for part in (self._notice, self._check) if part is not None]
        self.update(Group(*parts))
        self.display = bool(parts)
