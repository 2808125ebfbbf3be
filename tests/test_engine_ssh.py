"""SSH panes against asyncssh's own server in this process, running a real bash in a real PTY."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import asyncssh
import pytest

from sshservers import AsyncsshServer, free_port
from tui.engine.events import ConnectionLost, ConnectionRestored, EventBus, PaneOutput, StepStatus
from tui.engine.executor import Executor
from tui.engine.session import SessionError
from tui.engine.ssh import SshDriver, flatdeck_known_hosts
from tui.errors import LoadError
from tui.scenario.inventory import SshTarget, parse_inventory, validate_targets
from tui.scenario.load import parse_scenario


@pytest.fixture
async def server(tmp_path: Path):
    srv = await AsyncsshServer(tmp_path).start()
    yield srv
    await srv.stop()


def target(srv: AsyncsshServer, **kw) -> SshTarget:
    fields = dict(name="node", host="127.0.0.1", port=srv.port, user="core", identity=(srv.client_key_path,),
                  host_key="insecure-lab", agent=False)
    fields.update(kw)
    return SshTarget(**fields)


@pytest.fixture
async def shell(server):
    bus = EventBus()
    output: list[str] = []
    bus.subscribe(lambda e: output.append(e.data) if isinstance(e, PaneOutput) else None)
    driver = SshDriver(target(server))
    session = driver.open_shell("node", bus, 80, 24)
    session.output = output  # type: ignore[attr-defined]
    await session.start(10)
    yield session
    await session.close()
    await driver.close()


async def test_exit_codes_and_output(shell):
    ok = await shell.run("echo hello")
    assert (ok.exit_code, ok.output) == (0, "hello\n")
    assert (await shell.run("(exit 7)")).exit_code == 7


async def test_state_persists_across_commands(shell):
    await shell.run("cd /tmp")
    await shell.run("export FLATDECK_TEST=kept")
    result = await shell.run('echo "$FLATDECK_TEST in $PWD"')
    assert result.output == "kept in /tmp\n"


async def test_the_integration_helpers_do_not_leak_into_the_environment(shell):
    result = await shell.run("env | grep -c -E '^(FLATDECK_RC|PROMPT_COMMAND|PS1)=' || true")
    assert result.output.strip() == "0"


async def test_insecure_lab_shows_the_fingerprint_it_accepted(shell):
    assert "insecure-lab: accepted" in "".join(shell.output) and "SHA256:" in "".join(shell.output)


async def test_resize_reaches_the_remote_terminal(shell):
    assert (await shell.run("tput cols")).output == "80\n"
    shell.resize(132, 40)
    await asyncio.sleep(0.3)
    assert (await shell.run("tput cols; tput lines")).output == "132\n40\n"


async def test_interrupt_stops_the_running_command(shell):
    task = asyncio.ensure_future(shell.run("sleep 30", timeout=20))
    await asyncio.sleep(0.5)
    shell.interrupt()
    result = await asyncio.wait_for(task, 5)
    assert result.interrupted and result.exit_code == 130
    assert (await shell.run("echo still here")).output == "still here\n"


async def test_keyboard_input_reaches_the_shell(shell):
    task = asyncio.ensure_future(shell.run("read line; echo got $line", timeout=10))
    await asyncio.sleep(0.3)
    shell.write("typed\n")
    assert (await asyncio.wait_for(task, 5)).output.endswith("got typed\n")


async def test_exit_ends_the_shell_with_its_status(shell):
    result = await shell.run("exit 3")
    assert result.exit_code == 3 and result.shell_exited


async def test_exec_runs_out_of_band(server):
    driver = SshDriver(target(server))
    try:
        result = await driver.exec("echo oob; echo err >&2; exit 5", 5)
        assert (result.exit_code, result.output) == (5, "oob\nerr\n")
    finally:
        await driver.close()


# --- clear errors ------------------------------------------------------------------------------


async def test_auth_failure_message(server, tmp_path):
    other = tmp_path / "other_key"
    asyncssh.generate_private_key("ssh-ed25519").write_private_key(str(other))
    driver = SshDriver(target(server, identity=(other,)))
    with pytest.raises(SessionError) as error:
        await driver.connection(5)
    assert str(error.value) == (f"node: authentication failed for core@127.0.0.1:{server.port} (tried {other}); "
                                f"check `user`, `identity` and ssh-agent")


async def test_refused_connection_message():
    port = free_port()
    driver = SshDriver(SshTarget("node", "127.0.0.1", port, agent=False))
    with pytest.raises(SessionError) as error:
        await driver.connection(3)
    assert str(error.value) == f"node: connection refused by 127.0.0.1:{port}; is sshd running there and is the port right?"


async def test_dns_failure_message():
    driver = SshDriver(SshTarget("node", "no-such-node.invalid", agent=False))
    with pytest.raises(SessionError) as error:
        await driver.connection(5)
    assert str(error.value).startswith("node: cannot resolve host name 'no-such-node.invalid'")


async def test_timeout_message():
    with socket.socket() as listener:  # accepts TCP (backlog) but never speaks SSH
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        port = listener.getsockname()[1]
        driver = SshDriver(SshTarget("node", "127.0.0.1", port, agent=False))
        with pytest.raises(SessionError) as error:
            await driver.connection(1)
    assert str(error.value).startswith(f"node: no answer from 127.0.0.1:{port} within 1s")


async def test_missing_identity_file(server, tmp_path):
    driver = SshDriver(target(server, identity=(tmp_path / "nope",)))
    with pytest.raises(SessionError, match="cannot use identity file .*nope: no such file"):
        await driver.connection(3)


# --- host keys ---------------------------------------------------------------------------------


async def test_verify_refuses_an_unknown_key(server, tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text("")
    driver = SshDriver(target(server, host_key="verify", known_hosts=known))
    with pytest.raises(SessionError) as error:
        await driver.connection(5)
    fingerprint = server.host_key.get_fingerprint("sha256")
    assert str(error.value).startswith(f"node: unknown host key for 127.0.0.1:{server.port}: ssh-ed25519 {fingerprint} "
                                       f"is not in {known}. Refusing to connect")


async def test_verify_accepts_a_known_key_and_refuses_a_changed_one(server, tmp_path):
    known = tmp_path / "known_hosts"
    known.write_text(f"[127.0.0.1]:{server.port} " + server.host_key.export_public_key("openssh").decode())
    driver = SshDriver(target(server, host_key="verify", known_hosts=known))
    assert (await driver.exec("echo ok", 5)).output == "ok\n"
    await driver.close()
    await server.stop()
    server.host_key = asyncssh.generate_private_key("ssh-ed25519")  # the node was "reinstalled"
    await server.start()
    with pytest.raises(SessionError) as error:
        await driver.connection(5)
    assert str(error.value).startswith(f"node: HOST KEY MISMATCH for 127.0.0.1:{server.port} — the server offered "
                                       f"ssh-ed25519 {server.host_key.get_fingerprint('sha256')}")
    assert "Refusing to connect" in str(error.value)


async def test_accept_new_trusts_on_first_use_then_refuses_a_change(server, tmp_path):
    known = tmp_path / "user_known_hosts"
    known.write_text("")
    driver = SshDriver(target(server, host_key="accept-new", known_hosts=known))
    assert (await driver.exec("echo first", 5)).output == "first\n"
    own = flatdeck_known_hosts()
    assert own.read_text().startswith(f"[127.0.0.1]:{server.port} ssh-ed25519 ")
    assert known.read_text() == ""  # the user's own file is never written
    await driver.close()
    again = SshDriver(target(server, host_key="accept-new", known_hosts=known))
    assert (await again.exec("echo second", 5)).output == "second\n"  # now known: no second entry
    assert len(own.read_text().splitlines()) == 1
    await again.close()
    await server.stop()
    server.host_key = asyncssh.generate_private_key("ssh-ed25519")
    await server.start()
    with pytest.raises(SessionError, match="HOST KEY MISMATCH"):
        await again.connection(5)


# --- reconnect ---------------------------------------------------------------------------------

REBOOT = """
title: reboot
steps:
  - id: before
    run: cd /tmp && export MARK=kept && echo before
    target: node
  - id: back
    wait: {reconnect: node, timeout: 20s}
  - id: after
    run: echo "after ${MARK:-fresh} in $PWD"
    target: node
    expect: {output: after fresh}
"""


def executor_for(text: str, driver: SshDriver) -> tuple[Executor, list]:
    scenario = parse_scenario(text)
    executor = Executor(scenario, {"node": driver}, {})
    events: list = []
    executor.bus.subscribe(events.append)
    return executor, events


async def test_reboot_then_wait_reconnect_then_the_next_step_runs(server):
    driver = SshDriver(target(server))
    executor, events = executor_for(REBOOT, driver)
    try:
        first = await executor.run_step(executor.scenario.step("before"))
        assert first.status is StepStatus.PASSED
        await server.stop()  # the node goes down ...
        waiting = asyncio.ensure_future(executor.run_step(executor.scenario.step("back")))
        await asyncio.sleep(1.0)
        assert not waiting.done()
        await server.start()  # ... and comes back on the same port
        back = await asyncio.wait_for(waiting, 20)
        assert back.status is StepStatus.PASSED, back.message
        assert back.message.startswith("node is back after")
        after = await executor.run_step(executor.scenario.step("after"))
        assert after.status is StepStatus.PASSED, after.message
        assert after.output.startswith("after fresh in ")  # a fresh shell: nothing carried over
        lost = [e for e in events if isinstance(e, ConnectionLost)]
        assert lost and lost[0].pane == "node" and lost[0].reason.endswith("reconnecting")
        assert any(isinstance(e, ConnectionRestored) for e in events)
    finally:
        await executor.close()


async def test_a_step_whose_connection_drops_fails_clearly(server):
    driver = SshDriver(target(server))
    executor, _ = executor_for("title: t\nsteps:\n  - {id: long, run: sleep 30, target: node}\n", driver)
    try:
        await executor.session(executor.scenario.step("long"))
        running = asyncio.ensure_future(executor.run_step(executor.scenario.step("long")))
        await asyncio.sleep(0.5)
        await server.stop()
        result = await asyncio.wait_for(running, 5)
        assert result.status is StepStatus.FAILED
        assert result.message.startswith("connection lost: ")
    finally:
        await executor.close()


async def test_a_node_that_never_comes_back_times_out(server):
    driver = SshDriver(target(server))
    text = ("title: t\nsteps:\n  - {id: a, run: 'true', target: node}\n"
            "  - {id: back, wait: {reconnect: node, timeout: 2s}}\n")
    executor, _ = executor_for(text, driver)
    try:
        assert (await executor.run_step(executor.scenario.step("a"))).status is StepStatus.PASSED
        await server.stop()
        result = await asyncio.wait_for(executor.run_step(executor.scenario.step("back")), 10)
        assert result.status is StepStatus.TIMED_OUT
        assert result.message.startswith("node did not come back within 2s (last error: node: connection refused")
    finally:
        await executor.close()


async def test_wait_reconnect_when_the_connection_never_drops(server):
    driver = SshDriver(target(server))
    text = ("title: t\nsteps:\n  - {id: a, run: 'true', target: node}\n"
            "  - {id: back, wait: {reconnect: node, timeout: 1s}}\n")
    executor, _ = executor_for(text, driver)
    try:
        await executor.run_step(executor.scenario.step("a"))
        result = await executor.run_step(executor.scenario.step("back"))
        assert result.status is StepStatus.TIMED_OUT
        assert result.message == "the connection to node never dropped within 1s; expected the node to reboot"
    finally:
        await executor.close()


async def test_dropped_between_steps_the_pane_reconnects_by_itself(server):
    driver = SshDriver(target(server))
    executor, events = executor_for(
        "title: t\nsteps:\n  - {id: a, run: 'echo one', target: node}\n  - {id: b, run: 'echo two', target: node}\n",
        driver)
    try:
        assert (await executor.run_step(executor.scenario.step("a"))).status is StepStatus.PASSED
        await server.stop()
        await server.start()
        for _ in range(100):
            if any(isinstance(e, ConnectionRestored) for e in events):
                break
            await asyncio.sleep(0.1)
        assert any(isinstance(e, ConnectionRestored) for e in events)
        assert (await executor.run_step(executor.scenario.step("b"))).output == "two\n"
    finally:
        await executor.close()


# --- scenario model and lab -------------------------------------------------------------------


def test_wait_reconnect_parses_with_its_node_as_target():
    scenario = parse_scenario("title: t\nsteps:\n  - {id: w, wait: {reconnect: node1, timeout: 5m}}\n")
    step = scenario.step("w")
    assert (step.wait_reconnect, step.target, step.timeout) == ("node1", "node1", 300.0)
    assert step.label == "wait for node1 to reconnect"
    assert scenario.targets == frozenset({"node1"})


def test_wait_reconnect_errors_are_located():
    with pytest.raises(LoadError) as error:
        parse_scenario("title: t\nsteps:\n  - id: w\n    wait: {reconnect: node1}\n    target: node2\n")
    (only,) = error.value.errors
    assert (only.location.line, only.location.column) == (5, 13)
    assert "differs from the node this wait reconnects to ('node1')" in only.message
    with pytest.raises(LoadError) as error:
        parse_scenario("title: t\nsteps:\n  - {id: w, wait: {reconnect: node1, interval: 2s}}\n")
    assert "'interval' does not apply to a wait on 'reconnect'" in error.value.errors[0].message


def test_wait_reconnect_needs_an_ssh_target():
    scenario = parse_scenario("title: t\nsteps:\n  - {id: w, wait: {reconnect: local}}\n")
    inventory = parse_inventory("targets:\n  node: {kind: ssh, host: n}\n")
    (error,) = validate_targets(scenario, inventory)
    assert "waits for 'local' to reconnect, but it is a local target; expected an ssh target" in error.message


async def test_check_lab_preflight_lines(server, tmp_path):
    from tui.checkdeck import preflight_lab

    lab = tmp_path / "lab.yaml"
    lab.write_text(f"targets:\n"
                   f"  good: {{kind: ssh, host: 127.0.0.1, port: {server.port}, user: core, "
                   f"identity: {server.client_key_path}, host_key: accept-new, agent: false}}\n"
                   f"  down: {{kind: ssh, host: 127.0.0.1, port: {free_port()}, agent: false}}\n")
    from tui.scenario.inventory import load_inventory

    ok, lines = await preflight_lab(load_inventory(lab))
    assert not ok
    assert lines[1].startswith(f"  ✓ good (core@127.0.0.1:{server.port}): reachable, authenticates, host key matches "
                               f"(ssh-ed25519 SHA256:")
    assert lines[2].startswith("  ✗ down (127.0.0.1:") and "connection refused" in lines[2]


async def test_a_flood_over_ssh_waits_while_a_key_is_answered_and_loses_nothing(shell):
    """tui/keys_first.py: the channel stops reading while the gate is held (SSH flow
    control then stalls the command), and every line still arrives, in order."""
    import re
    import time

    from tui.keys_first import GATE

    task = asyncio.create_task(shell.run("seq 1 1000000"))
    deadline = time.monotonic() + 10
    while "\n1000\r\n" not in "".join(shell.output):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.01)
    GATE.hold(1.0)
    try:
        await asyncio.sleep(0.1)  # what was already on its way arrives
        held_at = len("".join(shell.output))
        await asyncio.sleep(0.3)
        assert len("".join(shell.output)) == held_at, "output was read while the gate was held"
        assert not task.done()  # seq waits on the channel's window
    finally:
        GATE.release()
    assert (await asyncio.wait_for(task, 60)).exit_code == 0
    text = re.sub(r"\x1b\][^\x07]*\x07", "", "".join(shell.output))
    assert [int(n) for n in re.split(r"[\r\n]+", text) if n.isdigit()] == list(range(1, 1000001))
