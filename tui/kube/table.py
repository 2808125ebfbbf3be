"""A watch table: one row per object, in a stable order (namespace, then name), updated by key.

A modification changes one row in place; an addition or deletion inserts or removes one row
(found by bisection). Cell texts are computed once per change, ages when drawn.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Iterable

from tui.kube.columns import Column, columns_for, human_duration
from tui.kube.objects import Key, key_of, labels_of
from tui.kube.query import KubeQuery
from tui.kube.store import ADDED, DELETED, MODIFIED, Change
from tui.kube.view import Cell, KubeView

SortKey = tuple[str, str, str, str]  # namespace, name, kind, group: stable and unique


@dataclass
class Row:
    key: Key
    obj: dict
    texts: list[str] = field(default_factory=list)  # static cell texts (timed columns: "")
    version: int = 0


def sort_key(key: Key) -> SortKey:
    group, kind, namespace, name = key
    return (namespace, name, kind, group)


class TableView(KubeView):
    def __init__(self, query: KubeQuery, kind: str | None = None, plural: str | None = None):
        self.query = query
        known = query.resource.known if query.resource is not None else None
        self.kind = kind or (known.kind if known is not None else None)
        self.plural = plural or (known.plural if known is not None else str(query.resource or "objects"))
        self.columns: tuple[Column, ...] = columns_for(self.kind or "", query.columns, query.all_namespaces)
        super().__init__()
        self._order: list[SortKey] = []
        self._rows: dict[SortKey, Row] = {}

    # what the table shows ---------------------------------------------------------------------
    def wants(self, obj: dict) -> bool:
        """Objects of another kind, name or labels than the query's are not this table's."""
        if self.kind is not None and obj.get("kind") not in (None, self.kind):
            return False
        if self.query.name is not None and (obj.get("metadata") or {}).get("name") != self.query.name:
            return False
        return self.query.selector.matches(labels_of(obj))

    @property
    def row_count(self) -> int:
        return len(self._order)

    def row(self, index: int) -> Row:
        return self._rows[self._order[index]]

    def row_key(self, index: int) -> object:
        return self._order[index]

    def row_version(self, index: int) -> int:
        return self._rows[self._order[index]].version

    def index_of(self, key: Key) -> int | None:
        sk = sort_key(key)
        at = bisect.bisect_left(self._order, sk)
        return at if at < len(self._order) and self._order[at] == sk else None

    def cells(self, index: int, now: float) -> list[Cell]:
        row = self.row(index)
        return [self._cell(column, row.obj, text or None if not column.timed else None, now)
                for column, text in zip(self.columns, row.texts)]

    def timed_texts(self, index: int, now: float) -> tuple[str, ...]:
        obj = self.row(index).obj
        return tuple(human_duration(None if (at := c.since(obj)) is None else now - at)
                     for c in self.columns if c.since is not None)

    def objects(self) -> list[dict]:
        return [self._rows[k].obj for k in self._order]

    @property
    def summary(self) -> str:
        count = len(self._order)
        noun = self.plural if count != 1 else (self.kind or self.plural).lower()
        return f"{count} {noun}"

    # changes ----------------------------------------------------------------------------------
    def apply(self, changes: Iterable[Change]) -> bool:
        changed = False
        for kind, obj in changes:
            changed = self._apply(kind, obj) or changed
        return changed

    def _apply(self, kind: str, obj: dict) -> bool:
        key = key_of(obj)
        sk = sort_key(key)
        row = self._rows.get(sk)
        if kind == DELETED or not self.wants(obj):
            if row is None:
                return False
            del self._rows[sk]
            del self._order[bisect.bisect_left(self._order, sk)]
            self.layout_version += 1
            return True
        texts = [("" if c.timed else c.get(obj)) for c in self.columns]
        if row is None:
            bisect.insort(self._order, sk)
            self._rows[sk] = Row(key, obj, texts)
            self.layout_version += 1
        elif kind in (ADDED, MODIFIED):
            if row.obj == obj:
                return False
            row.obj, row.texts, row.version = obj, texts, row.version + 1
            if self.moved is not None:
                self.moved.add(bisect.bisect_left(self._order, sk))
        self._grow(texts)
        return True

    def replace(self, objects: Iterable[dict]) -> bool:
        fresh = [obj for obj in objects if self.wants(obj)]
        keys = {sort_key(key_of(obj)) for obj in fresh}
        changes: list[Change] = [(DELETED, self._rows[k].obj) for k in self._order if k not in keys]
        changes += [(ADDED, obj) for obj in fresh]
        return self.apply(changes)
