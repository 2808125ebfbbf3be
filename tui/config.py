"""The user's settings file: $XDG_CONFIG_HOME/flatdeck/config.yaml (keymap overrides for now)."""

from __future__ import annotations

import os
from pathlib import Path

from tui.errors import LoadError
from tui.textfile import read_text


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "flatdeck" / "config.yaml"


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """`keymap: {next: "n,right"}` maps binding ids (see `?` in the app) to keys."""
    path = path or config_path()
    if not path.is_file():
        return {}
    from tui.yamltext import load_yaml  # PyYAML only when there is a file to read

    data = load_yaml(read_text(path, "YAML"), path) or {}
    if not isinstance(data, dict) or set(data) - {"keymap"}:
        raise LoadError.at(path, 1, 1, "expected a mapping with the key 'keymap'")
    keymap = data.get("keymap") or {}
    if not isinstance(keymap, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in keymap.items()):
        raise LoadError.at(path, 1, 1, "keymap: expected a mapping of binding id to keys, like {next: \"n,right\"}")
    return keymap
