"""flatdeck record → files asciinema reads → replay to the same screen; redaction; crash safety."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.recording.asciicast import read_cast
from tui.recording.replay import Replayer
from tui.recording.screen import final_screen, play_into

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = Path(__file__).parent / "scenarios"
ASCIINEMA = Path(sys.executable).parent / "asciinema"


def flatdeck(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120, **kwargs)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    """One real recording of tests/scenarios/roundtrip.yaml, with a lab that redacts its secret."""
    root = tmp_path_factory.mktemp("recordings")
    lab = root / "lab.yaml"
    lab.write_text("vars: {secret: s3cr3t-value-planted}\nredact: [s3cr3t-value-planted]\n")
    result = flatdeck("record", str(SCENARIOS / "roundtrip.yaml"), "--recordings", str(root), "--lab", str(lab),
                      "--typing-speed", "0")
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "roundtrip"


def test_one_cast_per_step_and_a_manifest(recorded: Path):
    names = sorted(p.name for p in recorded.glob("*.cast"))
    assert names == ["01-colours--local.cast", "02-progress--local.cast", "03-cursor--local.cast",
                     "04-size--local.cast", "05-leak--local.cast"]
    manifest = json.loads((recorded / "manifest.json").read_text())
    assert manifest["scenario"] == "roundtrip" and manifest["flatdeck"]
    assert {s["id"]: (s["status"], s["exit_code"]) for s in manifest["steps"].values()} == {
        "colours": ("passed", 0), "progress": ("passed", 0), "cursor": ("passed", 0), "size": ("passed", 0),
        "leak": ("passed", 0)}


def test_casts_have_header_markers_and_are_read_by_asciinema(recorded: Path):
    for path in recorded.glob("*.cast"):
        cast = read_cast(path)
        assert cast.warnings == []
        assert (cast.header.version, cast.header.width, cast.header.height) == (2, 200, 40)
        assert cast.header.env["TERM"] == "xterm-256color" and cast.header.title and cast.header.timestamp
        labels = [label for _, label in cast.markers]
        assert labels[0].startswith("start ") and labels[-1].startswith("end ")
        out = subprocess.run([str(ASCIINEMA), "cat", str(path)], capture_output=True, timeout=60)
        assert out.returncode == 0
        assert out.stdout.decode() == cast.output_text()


def test_replay_gives_the_screens_the_live_run_showed(recorded: Path):
    screens = {p.name.split("--")[0][3:]: final_screen(read_cast(p)) for p in recorded.glob("*.cast")}
    assert "red orange blue" in screens["colours"]
    lines = {name: screen.splitlines() for name, screen in screens.items()}
    assert "100%" in lines["progress"] and " 10%" not in lines["progress"]  # \r overwrote the line
    assert "line one\nline 2 rewritten" in screens["cursor"] and "line two" not in lines["cursor"]
    assert "\n200\n" in screens["size"] + "\n"  # tput saw the recorded 200 columns
    colours = play_into(read_cast(recorded / "01-colours--local.cast"))
    styles = {str(s.style.color) for y in range(colours.row_count) for s in colours.render_row(y) if s.style and s.style.color}
    assert any("208" in c for c in styles)  # the 256-colour orange survived the round trip


def test_planted_secrets_never_reach_disk(recorded: Path):
    for path in recorded.iterdir():
        data = path.read_bytes()
        assert b"s3cr3t-value-planted" not in data, path
        assert b"eyJhbGciOi.planted.token" not in data, path
    assert "[REDACTED]" in (recorded / "05-leak--local.cast").read_text()


def test_flatdeck_replay_print_shows_the_final_screen(recorded: Path):
    result = flatdeck("replay", "--print", str(recorded / "03-cursor--local.cast"))
    assert result.returncode == 0
    assert "line one\nline 2 rewritten\n" in result.stdout and "line two" not in result.stdout.splitlines()


def test_asciinema_rec_cast_replays_here_to_the_same_final_screen(tmp_path: Path):
    """A cast made by the real asciinema (headless) gives the screen tmux shows for the same bytes."""
    cast_file = tmp_path / "rec.cast"
    command = "printf '\\033[32mgreen\\033[0m\\n'; printf 'abc\\rX\\n'; printf 'one\\ntwo\\n\\033[1A\\033[2Ktwo!\\n'"
    rec = subprocess.run([str(ASCIINEMA), "rec", "-q", "--cols", "80", "--rows", "24", "-c", command, str(cast_file)],
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert rec.returncode == 0, rec.stderr
    ours = flatdeck("replay", "--print", str(cast_file)).stdout.rstrip("\n")
    assert ours.splitlines()[-3:] == ["Xbc", "one", "two!"]
    assert "green" in ours


def test_failed_rerecord_keeps_the_previous_recording(tmp_path: Path):
    scenario = tmp_path / "flaky.yaml"
    scenario.write_text("title: flaky\nsteps:\n  - id: s\n    run: echo first take\n")
    root = tmp_path / "rec"
    assert flatdeck("record", str(scenario), "--recordings", str(root), "--typing-speed", "0").returncode == 0
    good = (root / "flaky" / "01-s--local.cast").read_bytes()
    scenario.write_text("title: flaky\nsteps:\n  - id: s\n    run: echo second take; false\n")
    result = flatdeck("record", str(scenario), "--recordings", str(root), "--typing-speed", "0")
    assert result.returncode == 1 and "previous recording is unchanged" in result.stdout
    assert (root / "flaky" / "01-s--local.cast").read_bytes() == good
    assert b"second take" in (root / "flaky" / "01-s--local.cast.partial").read_bytes()


def test_sigkill_during_recording_leaves_files_both_readers_accept(tmp_path: Path):
    scenario = tmp_path / "long.yaml"
    scenario.write_text("title: long\nsteps:\n  - id: s\n    run: for i in $(seq 1 200); do echo line $i; sleep 0.01; done; sleep 30\n")
    root = tmp_path / "rec"
    process = subprocess.Popen([sys.executable, "-m", "tui", "record", str(scenario), "--recordings", str(root),
                                "--typing-speed", "0"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    partial = root / "long" / "01-s--local.cast.partial"
    deadline = time.monotonic() + 20
    while (not partial.exists() or b"line 150" not in partial.read_bytes()) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    cast = read_cast(partial)
    assert "line 150" in cast.output_text()
    out = subprocess.run([str(ASCIINEMA), "cat", str(partial)], capture_output=True, timeout=60)
    assert out.returncode == 0 and b"line 150" in out.stdout
    subprocess.run(["pkill", "-f", "sleep 30"], capture_output=True)


async def test_replayer_timing_speed_pause_and_jump(tmp_path: Path):
    path = tmp_path / "t.cast"
    lines = [{"version": 2, "width": 80, "height": 24},
             [0.0, "o", "a"], [0.2, "o", "b"], [0.4, "m", "half"], [3.0, "o", "c"], [4.0, "o", "d"]]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    cast = read_cast(path)
    seen: list[tuple[float, str]] = []
    start = time.monotonic()
    replayer = Replayer(cast, lambda text: seen.append((time.monotonic() - start, text)), speed=2.0,
                        idle_time_limit=1.0)
    task = asyncio.create_task(replayer.play())
    await asyncio.sleep(0.15)
    assert [t for _, t in seen] == ["a", "b"]  # b at 0.1 s: speed 2
    assert 0.08 <= seen[1][0] <= 0.14
    replayer.pause()
    await asyncio.sleep(0.6)
    assert [t for _, t in seen] == ["a", "b"]  # paused: nothing more
    replayer.resume()
    # c: the 2.6 s gap is capped at 1 s, so it plays at 1.4 cast seconds = 0.7 s at ×2, plus the
    # 0.6 s pause = 1.3 s after the start; d at 2.4 cast seconds = 1.2 s + 0.6 = 1.8 s
    await asyncio.sleep(0.75)
    assert [t for _, t in seen] == ["a", "b", "c"]
    replayer.finish()
    await asyncio.wait_for(task, 1)
    assert "".join(t for _, t in seen) == "abcd"


async def test_next_marker_plays_up_to_it_at_once(tmp_path: Path):
    path = tmp_path / "m.cast"
    lines = [{"version": 2, "width": 80, "height": 24}, [0.0, "o", "1"], [10.0, "o", "2"], [10.0, "m", "m1"],
             [20.0, "o", "3"]]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    seen: list[str] = []
    replayer = Replayer(read_cast(path), seen.append)
    task = asyncio.create_task(replayer.play())
    await asyncio.sleep(0.05)
    assert replayer.next_marker()
    await asyncio.sleep(0.05)
    assert "".join(seen) == "12"
    assert not replayer.next_marker()
    replayer.finish()
    await asyncio.wait_for(task, 1)
    assert "".join(seen) == "123"


def test_recorder_writes_resizes_and_replay_follows_them(tmp_path: Path):
    """A pane resized mid-step: the cast gets an "r" event and the replayed screen has the new width."""
    from tui.engine.events import PaneOutput, PaneResized, StepFinished, StepStarted, StepStatus
    from tui.recording.recorder import Recorder
    from tui.recording.redact import Redactor
    from tui.scenario.load import parse_scenario

    scenario = parse_scenario("title: t\nsteps:\n  - id: wide\n    run: tput cols\n", tmp_path / "resize.yaml")
    clock = iter(x / 10 for x in range(100))
    recorder = Recorder(scenario, tmp_path / "rec", Redactor(), "test", lambda pane: (40, 10), lambda: next(clock))
    recorder(StepStarted("wide", "local", "tput cols"))
    recorder(PaneOutput("local", "40\r\n"))
    recorder(PaneResized("local", 60, 12))
    recorder(PaneOutput("local", "x" * 50 + "\r\n"))
    recorder(StepFinished("wide", StepStatus.PASSED, 0, 0.3))
    cast = read_cast(tmp_path / "rec" / "resize" / "01-wide--local.cast")
    assert [e.data for e in cast.events if e.code == "r"] == ["60x12"]
    assert "x" * 50 in final_screen(cast).splitlines()  # 50 columns fit on one row only after the resize


def test_a_late_prompt_during_a_check_is_no_recording_of_the_check(tmp_path: Path):
    """A check runs beside the pane: a prompt the pane prints late, while the check runs, must not
    become a recording of the check; it is where the next step's recording starts."""
    from tui.engine.events import PaneOutput, StepFinished, StepStarted, StepStatus
    from tui.recording.recorder import Recorder
    from tui.recording.redact import Redactor
    from tui.scenario.load import parse_scenario

    scenario = parse_scenario("title: t\nsteps:\n  - id: hi\n    run: echo hi\n  - id: ok\n    check: 'true'\n"
                              "  - id: bye\n    run: echo bye\n", tmp_path / "late.yaml")
    clock = iter(x / 10 for x in range(100))
    recorder = Recorder(scenario, tmp_path / "rec", Redactor(), "test", lambda pane: (40, 10), lambda: next(clock))
    recorder(StepStarted("hi", "local", "echo hi"))
    recorder(PaneOutput("local", "echo hi\r\nhi\r\n"))
    recorder(StepFinished("hi", StepStatus.PASSED, 0, 0.1))
    recorder(StepStarted("ok", None, "true"))
    recorder(PaneOutput("local", "$ "))  # the prompt, late
    recorder(StepFinished("ok", StepStatus.PASSED, 0, 0.1))
    recorder(StepStarted("bye", "local", "echo bye"))
    recorder(PaneOutput("local", "echo bye\r\nbye\r\n"))
    recorder(StepFinished("bye", StepStatus.PASSED, 0, 0.1))
    folder = tmp_path / "rec" / "late"
    assert sorted(p.name for p in folder.glob("*.cast")) == ["01-hi--local.cast", "03-bye--local.cast"]
    assert final_screen(read_cast(folder / "03-bye--local.cast")).splitlines()[0] == "$ echo bye"


def test_a_cast_asciinema_plays_ends_on_the_screen_we_print(tmp_path: Path):
    """Ours and asciinema's player, same file: the final screens match (tmux shows asciinema's)."""
    import shutil

    if not shutil.which("tmux"):
        pytest.skip("tmux is not installed (make test installs it)")
    sys.path.insert(0, str(Path(__file__).parent))
    from tmux import Tmux

    cast_file = tmp_path / "play.cast"
    command = ("printf '\\033[1mtitle\\033[0m\\n'; for i in 1 2 3; do printf '\\rstep %s/3' $i; done; "
               "printf '\\nalpha\\nbeta\\n\\033[1A\\033[2Kgamma\\n'")
    rec = subprocess.run([str(ASCIINEMA), "rec", "-q", "--cols", "80", "--rows", "24", "-c", command, str(cast_file)],
                         stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    assert rec.returncode == 0, rec.stderr
    ours = [line.rstrip() for line in flatdeck("replay", "--print", str(cast_file)).stdout.splitlines() if line.strip()]
    term = Tmux(80, 24)
    try:
        term.start(f"{ASCIINEMA} play -s 4 {cast_file}")
        screen = term.wait_for("[exited]", timeout=30)
    finally:
        term.close()
    theirs = [line.rstrip() for line in screen.split("[exited]")[0].splitlines() if line.strip()]
    assert ours[-4:] == ["title", "step 3/3", "alpha", "gamma"]
    assert theirs[-len(ours):] == ours
