"""SSH panes record and replay like local panes, across a node's "reboot"; redaction applies."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from sshservers import AsyncsshServer
from tui.demo import DemoRuntime
from tui.engine.events import EventBus, PaneOutput, StepFinished, StepStatus
from tui.engine.executor import Executor
from tui.engine.ssh import SshDriver
from tui.recording.asciicast import read_cast
from tui.recording.recorder import Recorder
from tui.recording.redact import Redactor
from tui.recording.screen import final_screen
from tui.scenario.inventory import Redaction, default_inventory
from tui.scenario.load import parse_scenario
from tui.scenario.inventory import SshTarget

SCENARIO = """
title: reboot, recorded
steps:
  - id: before
    run: echo "before on the node, token=planted-ssh-secret"
    target: node
  - id: back
    wait: {reconnect: node, timeout: 20s}
  - id: after
    run: echo "after the reboot"
    target: node
    expect: {output: after the reboot}
"""


@pytest.fixture
async def server(tmp_path: Path):
    srv = await AsyncsshServer(tmp_path).start()
    yield srv
    await srv.stop()


async def test_an_ssh_scenario_records_across_a_reboot_and_replays(server, tmp_path: Path):
    target = SshTarget(name="node", host="127.0.0.1", port=server.port, user="core",
                       identity=(server.client_key_path,), host_key="insecure-lab", agent=False)
    scenario = parse_scenario(SCENARIO, tmp_path / "ssh-reboot.yaml")
    root = tmp_path / "recordings"
    driver = SshDriver(target)
    executor = Executor(scenario, {"node": driver}, {}, pane_size=lambda pane: (100, 30))
    executor.bus.subscribe(Recorder(scenario, root, Redactor([Redaction("planted-ssh-secret")]), "test",
                                    lambda pane: (100, 30)))
    try:
        assert (await executor.run_step(scenario.step("before"))).status is StepStatus.PASSED
        await server.stop()  # the node reboots …
        waiting = asyncio.ensure_future(executor.run_step(scenario.step("back")))
        await asyncio.sleep(1.0)
        await server.start()  # … and answers again on the same port
        assert (await asyncio.wait_for(waiting, 20)).status is StepStatus.PASSED
        assert (await executor.run_step(scenario.step("after"))).status is StepStatus.PASSED
    finally:
        await executor.close()

    folder = root / "ssh-reboot"
    before, after = folder / "01-before--node.cast", folder / "03-after--node.cast"
    assert before.is_file() and after.is_file()
    assert "before on the node" in final_screen(read_cast(before))
    assert "after the reboot" in final_screen(read_cast(after))
    for cast in folder.glob("*.cast"):
        assert b"planted-ssh-secret" not in cast.read_bytes()

    # replay: nothing connects (the server is stopped), the panes get the recorded output
    await server.stop()
    runtime = DemoRuntime(scenario, default_inventory(), "replay", recordings=root)
    shown: list[str] = []
    finished: list[StepFinished] = []
    runtime.bus.subscribe(lambda e: shown.append(e.data) if isinstance(e, PaneOutput) else None)
    runtime.bus.subscribe(lambda e: finished.append(e) if isinstance(e, StepFinished) else None)
    for _ in scenario.steps:
        task = runtime.advance()
        if task is not None:
            await asyncio.wait_for(task, 10)
    text = "".join(shown)
    assert "before on the node, token=[REDACTED]" in text and "after the reboot" in text
    assert [e.status for e in finished if e.step_id in ("before", "after")] == [StepStatus.PASSED] * 2


async def test_an_ssh_config_alias_and_a_proxy_jump(server, tmp_path: Path, monkeypatch):
    """`host:` may be a Host alias of ~/.ssh/config (asyncssh reads it), and proxy_jump goes
    through a jump host — here a second real SSH server that forwards the connection."""
    home = tmp_path / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "config").write_text(
        f"Host flatcar-lab\n  HostName 127.0.0.1\n  Port {server.port}\n  User core\n"
        f"  IdentityFile {server.client_key_path}\n")
    monkeypatch.setenv("HOME", str(home))
    alias = SshTarget(name="node", host="flatcar-lab", host_key="insecure-lab", agent=False)
    session = SshDriver(alias).open_shell("node", EventBus(), 80, 24)
    try:
        await session.start(10)
        assert (await session.run("echo via the alias")).output == "via the alias\n"
    finally:
        await session.close()

    jump_dir = tmp_path / "jump"
    jump_dir.mkdir()
    jump = await AsyncsshServer(jump_dir, jump_host=True).start()
    try:
        (home / ".ssh" / "config").write_text(
            f"Host jumpbox\n  HostName 127.0.0.1\n  Port {jump.port}\n  User core\n  IdentityFile {jump.client_key_path}\n")
        # the jump host's own key is checked against ~/.ssh/known_hosts (asyncssh's rule, as ssh's)
        public = jump.host_key.export_public_key().decode().strip()
        (home / ".ssh" / "known_hosts").write_text(f"[127.0.0.1]:{jump.port} {public}\n")
        via_jump = SshTarget(name="node", host="127.0.0.1", port=server.port, user="core",
                             identity=(server.client_key_path,), host_key="insecure-lab", agent=False,
                             proxy_jump="jumpbox")
        driver = SshDriver(via_jump)
        result = await driver.exec("echo through the jump host", 10)
        assert result.exit_code == 0 and result.output == "through the jump host\n"
        assert jump.connections, "the jump host was used"
        await driver.close()
    finally:
        await jump.stop()
