"""The located error every loader raises: file, line, column and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    path: Path
    line: int = 0  # 1-based; 0 = the file as a whole
    column: int = 0  # 1-based; 0 = the line as a whole

    def __str__(self) -> str:
        text = str(self.path)
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        return text


@dataclass(frozen=True)
class LocatedError:
    """One problem in one input file, phrased as what was found and what was expected."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class LoadError(Exception):
    """Raised by every loader; carries one or more located errors, never a bare traceback."""

    def __init__(self, errors: list[LocatedError]):
        if not errors:
            raise ValueError("LoadError needs at least one error")
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))

    @classmethod
    def at(cls, path: Path, line: int, column: int, message: str) -> "LoadError":
        return cls([LocatedError(Location(path, line, column), message)])
