"""`flatdeck check`: validate a deck and its demos, and list every command the deck can run."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tui.deck.model import Deck, format_duration
from tui.errors import LoadError, LocatedError
from tui.scenario.model import Scenario


@dataclass
class DeckReport:
    deck: Deck
    scenarios: dict[str, Scenario] = field(default_factory=dict)
    errors: list[LocatedError] = field(default_factory=list)

    def lines(self) -> list[str]:
        deck = self.deck
        budgets = sum(1 for s in deck.slides if s.budget)
        demos = deck.demos
        out = [
            f"{deck.path}: {len(deck.slides)} slides, {len(deck.files)} file(s)",
            f"  demos: {len(demos)}" + (f" ({', '.join(demos)})" if demos else ""),
            f"  time budget: {format_duration(deck.total_budget)} ({budgets} of {len(deck.slides)} slides have one)",
            f"  speaker notes: {sum(1 for s in deck.slides if s.notes)} of {len(deck.slides)} slides",
        ]
        if self.scenarios:
            out.append("commands the deck can run, by target (review them before --live):")
        for name, scenario in self.scenarios.items():
            out.append(f"  {name} — {scenario.title} ({scenario.path})")
            for target in sorted(scenario.targets):
                out.append(f"    on {target}:")
                for section, steps in (("setup", scenario.setup), ("step", scenario.steps), ("cleanup", scenario.cleanup)):
                    for step in steps:
                        if step.is_kube and step.target == target:  # reads only: what kubectl would show
                            what = step.kube.summary() if step.kube else f"until {step.wait_kube.summary()}"  # type: ignore[union-attr]
                            out.append(f"      {section + '/kube':<13} {step.id:<20} {what}")
                        if step.command is not None and step.target == target:
                            kind = section if step.kind == "run" else f"{section}/{step.kind}"
                            first, *more = step.command.strip().splitlines()
                            out.append(f"      {kind:<13} {step.id:<20} {first}")
                            out.extend(f"      {'':<13} {'':<20} {line}" for line in more)
        return out


def check_deck(deck: Deck, scenarios_dir: Path) -> DeckReport:
    """Load every scenario the deck binds; a missing or broken one is a located error."""
    from tui.scenario.load import find_scenario, load_scenario

    report = DeckReport(deck)
    for slide in deck.slides:
        if slide.demo is None or slide.demo in report.scenarios:
            continue
        try:
            report.scenarios[slide.demo] = load_scenario(find_scenario(slide.demo, scenarios_dir))
        except LoadError as exc:
            for error in exc.errors:
                report.errors.append(LocatedError(slide.source, f"slide {slide.number} binds demo {slide.demo!r}: {error}"))
    return report


async def preflight_lab(inventory) -> tuple[bool, list[str]]:
    """`check --lab`: one line per SSH target — reachable, authenticates, host key matches — and
    per kube target — the API answers and accepts the kubeconfig's credentials."""
    from tui.engine.ssh import PREFLIGHT_TIMEOUT, SshDriver
    from tui.scenario.inventory import KubeTarget, SshTarget

    lines, ok = [f"lab {inventory.path or '(built-in)'}: preflight of its SSH targets"], True
    targets = [t for t in inventory.targets.values() if isinstance(t, SshTarget)]
    if not targets:
        lines.append("  no ssh targets")
    clusters = [t for t in inventory.targets.values() if isinstance(t, KubeTarget)]
    drivers = [SshDriver(t) for t in targets]
    if clusters:
        from tui.engine.kube import KubeDriver

        drivers += [KubeDriver(t) for t in clusters]
    for driver in drivers:
        try:
            passed, line = await driver.diagnose(PREFLIGHT_TIMEOUT)
        finally:
            await driver.close()
        ok = ok and passed
        lines.append(f"  {line}")
    return ok, lines
