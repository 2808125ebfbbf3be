"""SSH panes against Debian's OpenSSH sshd on a loopback port (root's login shell: bash)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncssh
import pytest

from sshservers import SSHD, OpenSshServer
from tui.engine.events import ConnectionLost, ConnectionRestored, EventBus, StepStatus
from tui.engine.executor import Executor
from tui.engine.session import SessionError
from tui.engine.ssh import SshDriver, flatdeck_known_hosts
from tui.scenario.inventory import SshTarget
from tui.scenario.load import parse_scenario

pytestmark = [
    pytest.mark.skipif(not Path(SSHD).is_file(), reason=f"{SSHD} is missing (apt-get install openssh-server)"),
    pytest.mark.skipif(os.geteuid() != 0, reason="sshd logs in as the user running it; these tests run as root"),
]


@pytest.fixture
def sshd(tmp_path: Path):
    server = OpenSshServer(tmp_path).start()
    yield server
    server.stop()


def target(server: OpenSshServer, **kw) -> SshTarget:
    fields = dict(name="node", host="127.0.0.1", port=server.port, user="root", identity=(server.client_key_path,),
                  host_key="insecure-lab", agent=False)
    fields.update(kw)
    return SshTarget(**fields)


async def test_pty_shell_exit_codes_state_and_resize(sshd):
    driver = SshDriver(target(sshd))
    shell = driver.open_shell("node", EventBus(), 80, 24)
    try:
        await shell.start(10)
        assert (await shell.run("echo hello")).output == "hello\n"
        assert (await shell.run("(exit 9)")).exit_code == 9
        await shell.run("cd /tmp && export KEPT=yes")
        assert (await shell.run('echo "$KEPT $PWD"')).output == "yes /tmp\n"
        assert (await shell.run("tput cols")).output == "80\n"
        shell.resize(101, 33)
        await asyncio.sleep(0.3)
        assert (await shell.run("tput cols; tput lines")).output == "101\n33\n"
        assert (await driver.exec("echo oob; exit 4", 5)).exit_code == 4
    finally:
        await shell.close()
        await driver.close()


async def test_host_key_mismatch_is_refused(sshd, tmp_path):
    known = tmp_path / "known_hosts"
    other = asyncssh.generate_private_key("ssh-ed25519")
    known.write_text(f"[127.0.0.1]:{sshd.port} " + other.export_public_key("openssh").decode())
    driver = SshDriver(target(sshd, host_key="verify", known_hosts=known))
    with pytest.raises(SessionError) as error:
        await driver.connection(5)
    assert str(error.value).startswith(f"node: HOST KEY MISMATCH for 127.0.0.1:{sshd.port} — the server offered "
                                       f"ssh-ed25519 {sshd.public_host_key().get_fingerprint('sha256')}")


async def test_accept_new_writes_its_own_known_hosts(sshd, tmp_path):
    known = tmp_path / "user_known_hosts"
    known.write_text("")
    driver = SshDriver(target(sshd, host_key="accept-new", known_hosts=known))
    try:
        assert (await driver.exec("echo hi", 5)).output == "hi\n"
    finally:
        await driver.close()
    key = sshd.public_host_key().export_public_key("openssh").decode().split()
    assert flatdeck_known_hosts().read_text() == f"[127.0.0.1]:{sshd.port} {key[0]} {key[1]}\n"
    verify = SshDriver(target(sshd, host_key="verify", known_hosts=flatdeck_known_hosts()))
    try:
        assert (await verify.exec("echo again", 5)).output == "again\n"
    finally:
        await verify.close()


async def test_server_killed_and_restarted_the_pane_reconnects(sshd):
    scenario = parse_scenario("""
title: reboot
steps:
  - {id: before, run: echo before, target: node}
  - {id: back, wait: {reconnect: node, timeout: 30s}}
  - {id: after, run: echo after, target: node, expect: {output: after}}
""")
    executor = Executor(scenario, {"node": SshDriver(target(sshd))}, {})
    events: list = []
    executor.bus.subscribe(events.append)
    try:
        assert (await executor.run_step(scenario.step("before"))).status is StepStatus.PASSED
        sshd.stop()
        waiting = asyncio.ensure_future(executor.run_step(scenario.step("back")))
        await asyncio.sleep(1.0)
        sshd.start()
        back = await asyncio.wait_for(waiting, 30)
        assert back.status is StepStatus.PASSED, back.message
        after = await executor.run_step(scenario.step("after"))
        assert after.status is StepStatus.PASSED, after.message
        assert any(isinstance(e, ConnectionLost) for e in events)
        assert any(isinstance(e, ConnectionRestored) for e in events)
    finally:
        await executor.close()


def test_flatdeck_run_and_check_lab_say_what_happened(sshd, tmp_path):
    lab = tmp_path / "lab.yaml"
    lab.write_text(f"targets:\n  node: {{kind: ssh, host: 127.0.0.1, port: {sshd.port}, user: root, "
                   f"identity: {sshd.client_key_path}, host_key: insecure-lab, agent: false}}\n"
                   f"  bad: {{kind: ssh, host: 127.0.0.1, port: {sshd.port}, user: root, "
                   f"identity: {sshd.host_key}, host_key: insecure-lab, agent: false}}\n")
    scenario = tmp_path / "hello.yaml"
    scenario.write_text("title: t\nsteps:\n  - {id: a, run: 'echo on-node', target: node}\n"
                        "  - {id: b, run: 'echo never', target: bad}\n")
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    run = subprocess.run([sys.executable, "-m", "tui", "run", str(scenario), "--lab", str(lab)],
                         capture_output=True, text=True, env=env, timeout=60, cwd=Path(__file__).parent.parent)
    assert run.returncode == 1
    assert "on-node" in run.stdout
    assert "bad: authentication failed for root@127.0.0.1" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    deck = tmp_path / "deck.md"
    deck.write_text("# One slide\n")
    check = subprocess.run([sys.executable, "-m", "tui", "check", str(deck), "--lab", str(lab)],
                           capture_output=True, text=True, env=env, timeout=60, cwd=Path(__file__).parent.parent)
    lines = check.stdout.splitlines()
    assert check.returncode == 1, check.stderr
    assert any(line.startswith(f"  ✓ node (root@127.0.0.1:{sshd.port}): reachable, authenticates, host key matches")
               for line in lines)
    assert any(line.startswith(f"  ✗ bad (root@127.0.0.1:{sshd.port}): bad: authentication failed") for line in lines)
