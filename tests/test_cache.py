"""The start-up cache: a hit skips parsing, any change or doubt is a miss, never an error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FEATURE_DECK
from tui.cache import DeckCache
from tui.deck.parse import load_deck
from tui.deck.watch import deck_signature
from tui.render.markdown import render_markdown


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    path = tmp_path / "deck.md"
    shutil.copy(FEATURE_DECK, path)
    return path


def _save(path: Path, cache_dir: Path) -> DeckCache:
    cache = DeckCache(path, cache_dir)
    signature = deck_signature(path)
    parsed = load_deck(path)
    render_markdown(parsed.slides[1].elements[0].text)
    cache.save(parsed, signature)
    return cache


def test_hit_returns_the_same_deck(deck: Path, tmp_path: Path):
    _save(deck, tmp_path / "c")
    assert DeckCache(deck, tmp_path / "c").load() == load_deck(deck)


def test_an_edit_is_a_miss(deck: Path, tmp_path: Path):
    _save(deck, tmp_path / "c")
    deck.write_text(deck.read_text() + "\n---\n\n# One more\n")
    assert DeckCache(deck, tmp_path / "c").load() is None


def test_a_touch_is_a_miss(deck: Path, tmp_path: Path):
    _save(deck, tmp_path / "c")
    stat = deck.stat()
    os.utime(deck, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert DeckCache(deck, tmp_path / "c").load() is None


@pytest.mark.parametrize("junk", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_a_corrupt_cache_file_is_a_miss(deck: Path, tmp_path: Path, junk: bytes):
    cache = _save(deck, tmp_path / "c")
    cache.file.write_bytes(junk)
    assert DeckCache(deck, tmp_path / "c").load() is None


def test_another_version_is_a_miss(deck: Path, tmp_path: Path, monkeypatch):
    _save(deck, tmp_path / "c")
    import tui.cache

    monkeypatch.setattr(tui.cache, "FORMAT", tui.cache.FORMAT + 1)
    assert DeckCache(deck, tmp_path / "c").load() is None


def test_an_unwritable_cache_directory_is_ignored(deck: Path, tmp_path: Path):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    _save(deck, blocker / "sub")  # cannot create a directory under a file: no exception
    assert DeckCache(deck, blocker / "sub").load() is None


def test_a_warm_start_does_not_import_the_parsers(deck: Path, tmp_path: Path):
    """The point of the cache: no markdown-it, PyYAML or Pygments before the first slide; and the
    engine, pyte and the SSH/Kubernetes clients wait for the first demo slide."""
    _save(deck, tmp_path / "c")
    code = (
        "import sys; from pathlib import Path; from tui.cache import DeckCache\n"
        f"deck = DeckCache(Path({str(deck)!r}), Path({str(tmp_path / 'c')!r})).load()\n"
        "assert deck is not None, 'expected a cache hit'\n"
        "from tui.render.markdown import render_markdown\n"
        "render_markdown(deck.slides[1].elements[0].text)\n"
        "import tui.cli, tui.app, tui.config, tui.demostage, tui.screens.present  # the rest of the start path\n"
        "heavy = ('markdown_it', 'yaml', 'pygments', 'pyte', 'tui.engine', 'asyncssh', 'kubernetes',\n"
        "         'tui.guided', 'tui.browser', 'textual_serve', 'aiohttp', 'playwright')\n"
        "loaded = [m for m in heavy if m in sys.modules]\n"
        "print(','.join(loaded) or 'none')\n"
    )
    assert _python(code) == "none"


def _python(code: str) -> str:
    """What a fresh interpreter running `code` prints."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_directory_deck_of_several_files_has_a_signature_and_caches(tmp_path: Path):
    deck = tmp_path / "slides"
    deck.mkdir()
    (deck / "10-b.md").write_text("# B\n")
    (deck / "00-a.md").write_text("# A\n")
    signature = deck_signature(deck)
    assert [Path(name).name for name, _, _ in signature] == ["00-a.md", "10-b.md"]
    cache = DeckCache(deck, tmp_path / "c")
    cache.save(load_deck(deck), signature)
    assert DeckCache(deck, tmp_path / "c").load() == load_deck(deck)
    (deck / "20-c.md").write_text("# C\n")  # a new file is a change
    assert DeckCache(deck, tmp_path / "c").load() is None


def test_kube_panes_import_kubernetes_only_when_a_live_kube_step_runs(tmp_path: Path):
    """The kube pane's widget, views, recordings and engine load without the `kubernetes` client
    (≈ 0.4 s of imports); a replayed kube pane never loads it; the first live kube step does."""
    log = tmp_path / "01-machines--mgmt.jsonl"
    code = (
        "import asyncio, sys\n"
        "from pathlib import Path\n"
        "import tui.widgets.kube_pane, tui.widgets.demo_panel, tui.engine.kube, tui.recording.kubelog, tui.demo\n"
        "from tui.engine.drivers import drivers_for\n"
        "from tui.scenario.inventory import parse_inventory\n"
        "from tui.recording.kubelog import KubeLogHeader, KubeLogWriter, read_kubelog\n"
        "from tui.recording.replay import KubeReplayer\n"
        "drivers = drivers_for(parse_inventory('targets: {mgmt: {kind: kube, kubeconfig: /nonexistent}}'))\n"
        f"writer = KubeLogWriter(Path({str(log)!r}), KubeLogHeader(snapshot=0))\n"
        "writer.event(0.0, 'ADDED', {'kind': 'Node', 'metadata': {'name': 'n1'}}); writer.commit()\n"
        f"KubeReplayer(read_kubelog(Path({str(log)!r})), lambda *a: None).finish()\n"
        "before = 'kubernetes' in sys.modules\n"
        "from tui.kube.query import KubeQuery\n"
        "from tui.kube.kinds import parse_resource_name\n"
        "from tui.engine.events import EventBus\n"
        "async def live():\n"
        "    try:\n"
        "        await drivers['mgmt'].watch('p', KubeQuery(parse_resource_name('nodes')), EventBus(), 5)\n"
        "    except Exception as exc:\n"
        "        print(type(exc).__name__, exc)\n"
        "asyncio.run(live())\n"
        "print(before, 'kubernetes' in sys.modules)\n"
    )
    assert _python(code).splitlines() == [
        "KubeError mgmt: no kubeconfig at /nonexistent; expected the file the lab's `kubeconfig:` names",
        "False True"]


def test_the_speaker_view_adds_nothing_heavy_to_the_start():
    """`flatdeck present` starts the notes server after the first slide is on screen: none of it is
    on the start path, and starting it loads only json beside its own modules."""
    code = (
        "import sys\n"
        "import tui.cli, tui.app, tui.config, tui.demostage, tui.screens.present\n"
        "early = sorted(m for m in sys.modules if m.startswith(('tui.remote', 'json')))\n"
        "before = set(sys.modules)\n"
        "import tui.remote.server, tui.remote.state, tui.remote.paths\n"
        "added = sorted(m for m in set(sys.modules) - before if not m.startswith(('tui.remote', 'json', '_json')))\n"
        "print(','.join(early) or 'none', ','.join(added) or 'none')\n"
    )
    assert _python(code).split() == ["none", "none"]
