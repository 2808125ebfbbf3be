"""The CLI as a user runs it: real processes, exit codes, and never a traceback on bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FEATURE_DECK

REPO = Path(__file__).resolve().parent.parent


def flatdeck(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_check_summarises_a_good_deck():
    result = flatdeck("check", str(FEATURE_DECK))
    assert result.returncode == 0, result.stderr
    assert "11 slides" in result.stdout
    assert "demos: 1 (fixture-demo)" in result.stdout
    assert "time budget: 5m45s (5 of 11 slides have one)" in result.stdout


def test_check_defaults_to_the_talk_in_slides():
    result = flatdeck("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("slides:")


def test_check_prints_every_located_error_across_files(tmp_path: Path):
    (tmp_path / "a.md").write_text("# A\n\n<!-- colum: 1 -->\n\n---\n\n# B\n<!-- time: soon -->\n")
    (tmp_path / "b.md").write_text("# C\n\n<!-- column_layout: [1, 1] -->\n<!-- column: 2 -->\n")
    result = flatdeck("check", str(tmp_path))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {tmp_path / 'a.md'}:3:6: unknown directive 'colum'")
    assert lines[1].startswith(f"error: {tmp_path / 'a.md'}:8:")
    assert "expected a duration" in lines[1]
    assert lines[2].startswith(f"error: {tmp_path / 'b.md'}:4:")
    assert "column 2 is out of range" in lines[2]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "content, expected",
    [
        (b"\x00\x01\x02binary", "NUL byte"),
        (b"# ok\n\n\xff\xfe broken", ":3:1: invalid UTF-8 (byte 0xff)"),
        (b"", "the deck has no slides"),
        (b"---\ntitle: [unclosed\n---\n", "invalid YAML"),
        (b"---\ntitle: x\n", "front matter opened here is never closed"),
    ],
    ids=["binary", "bad-utf8", "empty", "bad-yaml", "unclosed-front-matter"],
)
def test_check_rejects_junk_with_a_located_error(tmp_path: Path, content: bytes, expected: str):
    deck = tmp_path / "deck.md"
    deck.write_bytes(content)
    result = flatdeck("check", str(deck))
    assert result.returncode == 1
    assert expected in result.stderr
    assert str(deck) in result.stderr
    assert "Traceback" not in result.stderr


def test_check_rejects_a_huge_file(tmp_path: Path):
    deck = tmp_path / "huge.md"
    with deck.open("wb") as f:
        f.truncate(9 * 1024 * 1024)  # sparse: 9 MiB without writing it
    result = flatdeck("check", str(deck))
    assert result.returncode == 1
    assert "9.0 MiB; expected Markdown text under 8 MiB" in result.stderr


@pytest.mark.parametrize("target", ["missing.md", "empty-dir"])
def test_check_rejects_missing_and_empty_paths(tmp_path: Path, target: str):
    (tmp_path / "empty-dir").mkdir()
    result = flatdeck("check", str(tmp_path / target))
    assert result.returncode == 1
    assert "expected" in result.stderr and "Traceback" not in result.stderr


def test_present_refuses_a_slide_out_of_range():
    result = flatdeck("present", str(FEATURE_DECK), "--slide", "99")
    assert result.returncode == 2
    assert "the deck has slides 1 to 11" in result.stderr


def test_bad_keymap_config_is_a_located_error(tmp_path: Path, monkeypatch):
    config = tmp_path / "flatdeck" / "config.yaml"
    config.parent.mkdir()
    config.write_text("keymap: [not, a, mapping]\n")
    result = subprocess.run([sys.executable, "-m", "tui", "present", str(FEATURE_DECK)], capture_output=True,
                            text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert f"{config}:1:1: keymap: expected a mapping" in result.stderr


def test_unknown_command_is_a_usage_error():
    result = flatdeck("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


# flatdeck run -----------------------------------------------------------------------------------

def test_run_passes_the_example_scenario():
    result = flatdeck("run", "hello-shell")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hello from /tmp" in result.stdout
    assert "all 9 steps passed" in result.stdout
    assert "\x1b" not in result.stdout  # not a terminal: plain text


def test_run_fails_naming_the_failed_step():
    result = flatdeck("run", "tests/scenarios/states.yaml")
    assert result.returncode == 1
    assert "FAILED: step 'fail' (exit 3, expected exit 0)" in result.stdout
    assert "cleanup ran" in result.stdout  # cleanup runs after a failure


def test_run_one_step_with_setup_and_cleanup():
    result = flatdeck("run", "tests/scenarios/states.yaml", "--step", "persisted")
    headers = [line.split("] ")[1].split(" ")[0] for line in result.stdout.splitlines() if line.startswith("── [")]
    assert headers == ["prepare", "persisted", "tidy"]
    # without the `cd` step the shell is not in /tmp, so the expectation fails: steps really ran alone
    assert result.returncode == 1 and "output did not match" in result.stdout


def test_run_unknown_step_and_unknown_scenario(tmp_path: Path):
    result = flatdeck("run", "hello-shell", "--step", "nope")
    assert result.returncode == 2 and "no step 'nope'" in result.stderr
    result = flatdeck("run", "no-such-demo")
    assert result.returncode == 1 and "hello-shell" in result.stderr  # lists what exists


def test_run_rejects_a_broken_scenario_with_its_location(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: t\nsteps:\n  - id: a\n    run: echo\n    timeout: soon\n")
    result = flatdeck("run", str(bad))
    assert result.returncode == 1
    assert f"{bad}:5:" in result.stderr and "Traceback" not in result.stderr


def test_run_rejects_an_unknown_target(tmp_path: Path):
    scenario = tmp_path / "remote.yaml"
    scenario.write_text("title: t\nsteps:\n  - id: a\n    run: hostname\n    target: node1\n")
    result = flatdeck("run", str(scenario))
    assert result.returncode == 1
    assert "runs on target 'node1'" in result.stderr


def test_check_lists_every_command_per_target():
    result = flatdeck("check", str(FEATURE_DECK))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    start = lines.index("commands the deck can run, by target (review them before --live):")
    listed = "\n".join(lines[start:])
    assert "fixture-demo — Fixture demo" in listed and "on local:" in listed
    assert "greet" in listed and "printf '\\033[32mhello\\033[0m from the main pane\\n'" in listed
    assert "step/check    linux" in listed


def test_check_reports_a_demo_with_no_scenario_at_its_slide(tmp_path: Path):
    deck = tmp_path / "deck.md"
    deck.write_text("# One\n\n---\n\n# Two\n\n<!-- demo: nowhere -->\n")
    (tmp_path / "scenarios").mkdir()
    result = flatdeck("check", str(deck))
    assert result.returncode == 1
    assert f"{deck}:4:1: slide 2 binds demo 'nowhere'" in result.stderr
