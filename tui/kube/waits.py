"""Resource waits: how far the objects are from what a `wait: {kube: …}` step asks, in words
the step list can show ("2/3 Running")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from tui.kube.columns import Column
from tui.kube.jsonpath import dig
from tui.kube.objects import condition, name_of
from tui.kube.query import KubeWait


@dataclass(frozen=True)
class Progress:
    done: bool
    matched: int
    total: int
    text: str  # "2/3 Running"
    pending: tuple[str, ...] = ()  # "demo-md-0-x: Provisioning", for a timeout's message


def evaluate(wait: KubeWait, objects: Iterable[dict], columns: tuple[Column, ...]) -> Progress:
    """`objects` are those the query watches (already filtered by kind, name and selector)."""
    by_title = {c.name: c for c in columns}
    matched, total, pending = 0, 0, []
    for obj in sorted(objects, key=name_of):
        total += 1
        failing = _failing(wait, obj, by_title)
        if failing is None:
            matched += 1
        else:
            pending.append(f"{name_of(obj)}: {failing}")
    needed = wait.count or 1
    done = total >= needed and matched == total
    shown_total = max(total, wait.count or 0)
    text = f"{matched}/{shown_total} {wait.goal(columns=False)}"
    return Progress(done, matched, shown_total, text, tuple(pending))


def _failing(wait: KubeWait, obj: dict, columns: dict[str, Column]) -> str | None:
    """What the object shows instead of what the wait asks, or None when it passes."""
    if wait.phase is not None:
        phase = dig(obj, "status", "phase")
        if phase != wait.phase:
            return f"phase {phase or '<none>'}"
    if wait.condition is not None:
        kind, status = wait.condition
        found = condition(obj, kind)
        if found is None or found.get("status") != status:
            seen = found.get("status") if found else "absent"
            reason = f" ({found['reason']})" if found and found.get("reason") else ""
            return f"{kind} {seen}{reason}"
    for title, expected in wait.where:
        column = columns.get(title)
        text = column.get(obj) if column is not None else "<no such column>"
        if text != expected:
            return f"{title} {text}"
    return None
