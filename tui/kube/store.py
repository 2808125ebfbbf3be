"""Objects keyed by (group, kind, namespace, name), and the changes that keep a view in step.

The store is where "never duplicate or lose a row" is decided: an ADDED for a key already there
is a modification, a MODIFIED for an unknown key is an addition, an update that leaves the
(trimmed) object as it was is no change at all, and a relist (`replace`) turns into exactly the
additions, modifications and deletions that take the old contents to the new.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from tui.kube.objects import Key, key_of

ADDED, MODIFIED, DELETED = "ADDED", "MODIFIED", "DELETED"
TYPES = (ADDED, MODIFIED, DELETED)
Change = tuple[str, dict]  # (ADDED | MODIFIED | DELETED, object)


class ObjectStore:
    def __init__(self) -> None:
        self.objects: dict[Key, dict] = {}

    def __len__(self) -> int:
        return len(self.objects)

    def __iter__(self) -> Iterator[dict]:
        return iter(self.objects.values())

    def apply(self, kind: str, obj: dict) -> Change | None:
        """One watch event → the change it makes (None: nothing visible changed)."""
        key = key_of(obj)
        old = self.objects.get(key)
        if kind == DELETED:
            if old is None:
                return None
            del self.objects[key]
            return (DELETED, obj)
        if old == obj:
            return None
        self.objects[key] = obj
        return (MODIFIED if old is not None else ADDED, obj)

    def apply_all(self, events: Iterable[Change]) -> list[Change]:
        changes = []
        for kind, obj in events:
            change = self.apply(kind, obj)
            if change is not None:
                changes.append(change)
        return changes

    def replace(self, objects: Iterable[dict], owns: Callable[[Key], bool] = lambda key: True) -> list[Change]:
        """Make the keys that `owns` (e.g. one resource of several) exactly `objects`."""
        fresh = {key_of(obj): obj for obj in objects}
        changes: list[Change] = []
        for key in [k for k in self.objects if owns(k) and k not in fresh]:
            changes.append((DELETED, self.objects.pop(key)))
        for key, obj in fresh.items():
            change = self.apply(ADDED, obj)
            if change is not None:
                changes.append(change)
        return changes

    def snapshot(self) -> list[dict]:
        return list(self.objects.values())

    def clear(self) -> None:
        self.objects.clear()
