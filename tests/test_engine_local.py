"""The local PTY shell and the executor against real processes: bash, coreutils, /proc."""

from __future__ import annotations

import asyncio
import os
import time
import re
from pathlib import Path

import pytest

from tui.engine.events import EventBus, PaneOutput, StepFinished, StepStarted, StepStatus
from tui.engine.executor import Executor
from tui.engine.local import LocalDriver, LocalShell, session_members
from tui.scenario.load import parse_scenario

SCENARIOS = Path(__file__).parent / "scenarios"


@pytest.fixture
async def shell():
    bus = EventBus()
    output: list[str] = []
    bus.subscribe(lambda e: output.append(e.data) if isinstance(e, PaneOutput) else None)
    session = LocalShell("main", bus, cols=80, rows=24)
    session.output = output  # type: ignore[attr-defined]
    await session.start()
    yield session
    await session.close()


async def test_exit_codes_and_output(shell):
    ok = await shell.run("echo hello")
    assert (ok.exit_code, ok.output) == (0, "hello\n")
    failed = await shell.run("(exit 7)")
    assert failed.exit_code == 7


async def test_state_persists_across_commands(shell):
    await shell.run("cd /tmp")
    await shell.run("export FLATDECK_TEST=kept")
    result = await shell.run('echo "$FLATDECK_TEST in $PWD"')
    assert result.output == "kept in /tmp\n"


async def test_colours_reach_the_pane_and_plain_text_reaches_expect(shell):
    result = await shell.run("printf '\\033[31mred\\033[0m é\\n'")
    assert result.output == "red é\n"
    assert "\x1b[31mred\x1b[0m é" in "".join(shell.output)


async def test_utf8_split_across_reads_is_decoded_whole():
    bus = EventBus()
    seen: list[str] = []
    bus.subscribe(lambda e: seen.append(e.data) if isinstance(e, PaneOutput) else None)
    session = LocalShell("p", bus)
    data = "é€𝄞\x1b[1;32mok\x1b[0m".encode()
    for i in range(len(data)):  # one byte per read, the worst split
        session._received(data[i:i + 1])
    assert "".join(seen) == "é€𝄞\x1b[1;32mok\x1b[0m"


async def test_a_mark_split_across_reads_is_still_found():
    session = LocalShell("p", EventBus())
    for piece in ("out\x1b]13", "3;A", "\x07"):
        session._text_received(piece)
    assert session._ready.is_set()


async def test_stdin_typed_into_the_pane_reaches_the_command(shell):
    task = asyncio.create_task(shell.run('read -r name; echo "hi $name"', timeout=10))
    await asyncio.sleep(0.3)
    shell.write("Flatcar\r")
    result = await task
    assert result.exit_code == 0 and "hi Flatcar" in result.output


async def test_ctrl_c_interrupts_a_running_sleep(shell):
    task = asyncio.create_task(shell.run("sleep 30", timeout=20))
    await asyncio.sleep(0.3)
    shell.interrupt()
    result = await asyncio.wait_for(task, 5)
    assert result.interrupted and result.exit_code == 130
    assert (await shell.run("echo alive")).output == "alive\n"


async def test_resize_is_seen_by_the_program(shell):
    assert (await shell.run("tput cols")).output.strip() == "80"
    shell.resize(133, 41)
    assert (await shell.run("tput cols; tput lines")).output.split() == ["133", "41"]


async def test_timeout_interrupts_and_says_so(shell):
    result = await shell.run("sleep 30", timeout=0.5)
    assert result.timed_out and result.exit_code is None
    assert (await shell.run("echo still usable")).exit_code == 0


async def test_wait_for_output_succeeds_and_times_out(shell):
    mark = shell.output_mark()
    await shell.run("(sleep 0.3; echo server listening) &")
    assert await shell.wait_for_output(re.compile("server listening"), mark, timeout=5)
    assert not await shell.wait_for_output(re.compile("never printed"), mark, timeout=0.3)


async def test_exit_ends_the_shell_with_that_status():
    session = LocalShell("p", EventBus())
    await session.start()
    result = await session.run("exit 3")
    assert result.exit_code == 3 and result.shell_exited and session.closed


def _all_sessions_gone(sids: list[int]) -> list[int]:
    return [pid for sid in sids for pid in session_members(sid)]


async def test_start_abort_loop_leaves_no_process_behind():
    """100 cycles: start, leave background jobs and a foreground job running, abort.
    Every tenth cycle also leaves a job that ignores SIGHUP, so TERM has to get it."""
    sids = []
    tag = f"{os.getpid()}{time.monotonic_ns() % 10**6}"  # `sleep 300.TAG`: ours, not another test run's
    for cycle in range(100):
        session = LocalShell("p", EventBus())
        await session.start()
        sids.append(session.pid)
        await session.run(f"sleep 300.{tag} &" + (f" (trap '' HUP; sleep 301.{tag}) &" if cycle % 10 == 0 else ""))
        task = asyncio.create_task(session.run(f"sleep 302.{tag}"))
        await asyncio.sleep(0)
        await session.close()
        task.cancel()
    assert _all_sessions_gone(sids) == []
    ours = [p for p in os.listdir("/proc") if p.isdigit() and _cmdline(p).startswith("sleep 30")
            and _cmdline(p).rstrip().endswith(f".{tag}")]
    assert ours == []


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


# the executor --------------------------------------------------------------------------------

def _executor(text: str, values=None) -> tuple[Executor, list]:
    scenario = parse_scenario(text, SCENARIOS / "inline.yaml")
    events: list = []
    executor = Executor(scenario, {"local": LocalDriver()}, values or {})
    executor.bus.subscribe(events.append)
    return executor, events


async def test_executor_runs_setup_steps_cleanup_and_judges_each():
    scenario_text = (SCENARIOS / "states.yaml").read_text()
    executor, events = _executor(scenario_text, {"word": "two words; $(echo injected)"})
    try:
        results = await executor.run_all()
    finally:
        await executor.close()
    status = {r.step.id: r.status for r in results}
    assert status == {"prepare": StepStatus.PASSED, "cd": StepStatus.PASSED, "export": StepStatus.PASSED,
                      "persisted": StepStatus.PASSED, "quoted": StepStatus.PASSED, "fail": StepStatus.FAILED,
                      "fresh-shell": StepStatus.PASSED, "tidy": StepStatus.PASSED}
    failed = next(r for r in results if r.step.id == "fail")
    assert failed.exit_code == 3 and "exit 3, expected exit 0" in failed.message
    started = [e.step_id for e in events if isinstance(e, StepStarted)]
    finished = [e.step_id for e in events if isinstance(e, StepFinished)]
    assert started == finished == list(status)


async def test_expect_output_mismatch_fails_with_the_regex():
    executor, _ = _executor("title: t\nsteps:\n  - id: a\n    run: echo nope\n    expect: {output: yes}\n")
    try:
        result = (await executor.run_all())[0]
    finally:
        await executor.close()
    assert result.status is StepStatus.FAILED and "did not match /yes/" in result.message


async def test_wait_steps_command_and_timeout():
    executor, _ = _executor(
        "title: t\nsteps:\n"
        "  - id: bg\n    run: (sleep 0.4; touch /tmp/flatdeck-wait-$$) & echo $! > /tmp/flatdeck-wait-pid\n"
        "  - id: ok\n    wait: {command: 'ls /tmp/flatdeck-wait-* >/dev/null 2>&1 && ! test -e /tmp/nothing', interval: 0.1s, timeout: 5s}\n"
        "  - id: never\n    wait: {output: never-printed, timeout: 0.3s}\n"
    )
    try:
        results = await executor.run_all()
    finally:
        await executor.close()
        for p in Path("/tmp").glob("flatdeck-wait-*"):
            p.unlink()
    assert [r.status for r in results] == [StepStatus.PASSED, StepStatus.PASSED, StepStatus.TIMED_OUT]


async def test_skip_a_running_step():
    executor, _ = _executor("title: t\nsteps:\n  - id: long\n    run: sleep 30\n  - id: next\n    run: echo next\n")
    try:
        task = asyncio.create_task(executor.run_step(executor.scenario.steps[0]))
        await asyncio.sleep(0.4)
        executor.skip()
        result = await asyncio.wait_for(task, 5)
        assert result.status is StepStatus.SKIPPED
        assert executor.next_step().id == "next"
        assert (await executor.run_step(executor.next_step())).status is StepStatus.PASSED
    finally:
        await executor.close()


async def test_check_failure_message_comes_from_a_fail_line():
    executor, _ = _executor("title: t\nsteps:\n  - id: c\n    check: \"echo 'FAIL: the extension is not merged'; exit 1\"\n")
    try:
        result = (await executor.run_all())[0]
    finally:
        await executor.close()
    assert result.status is StepStatus.FAILED and result.message.endswith("the extension is not merged")
