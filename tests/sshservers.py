"""Real SSH servers for the SSH pane tests, on 127.0.0.1 only, cleaned up by their fixtures.

- AsyncsshServer: asyncssh's own server in this process; each session runs `bash -c COMMAND` in a
  real PTY (or with pipes when the client asked for none), like sshd with a bash login shell.
- OpenSshServer: Debian's /usr/sbin/sshd in the foreground on a loopback port, with a temp host key.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import asyncssh

from tui.engine.local import session_members, set_window_size

SSHD = "/usr/sbin/sshd"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_key(path: Path, key: asyncssh.SSHKey) -> Path:
    key.write_private_key(str(path))
    os.chmod(path, 0o600)
    key.write_public_key(str(path) + ".pub")
    return path


def _kill_session(sid: int) -> None:
    for pid in session_members(sid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class AsyncsshServer:
    def __init__(self, directory: Path, host_key: asyncssh.SSHKey | None = None, jump_host: bool = False):
        self.jump_host = jump_host  # allow direct-tcpip: it can be a ProxyJump host
        self.dir = directory
        self.host_key = host_key or asyncssh.generate_private_key("ssh-ed25519")
        self.client_key_path = write_key(directory / "id_client", asyncssh.generate_private_key("ssh-ed25519"))
        self.authorized = directory / "authorized_keys"
        self.authorized.write_text(Path(str(self.client_key_path) + ".pub").read_text())
        self.port = 0
        self.acceptor = None
        self.connections: list = []
        self.sessions: list[int] = []  # session ids of the shells it started
        self.tasks: set[asyncio.Task] = set()

    async def start(self) -> "AsyncsshServer":
        server = self

        class Server(asyncssh.SSHServer):
            def connection_made(self, conn):
                server.connections.append(conn)

            def connection_requested(self, dest_host, dest_port, orig_host, orig_port):
                return server.jump_host  # True: asyncssh forwards the connection itself

        self.acceptor = await asyncssh.listen(
            "127.0.0.1", self.port, server_host_keys=[self.host_key], authorized_client_keys=str(self.authorized),
            process_factory=self._handle, server_factory=Server, line_editor=False, encoding=None,
            keepalive_interval=0)
        self.port = self.acceptor.get_port()
        return self

    async def stop(self) -> None:
        """Like a node going down: the listener closes, connections are cut, shells are killed."""
        if self.acceptor is not None:
            self.acceptor.close()
            await self.acceptor.wait_closed()
            self.acceptor = None
        for conn in self.connections:
            conn.abort()
        self.connections.clear()
        for sid in self.sessions:
            _kill_session(sid)
        self.sessions.clear()
        for task in list(self.tasks):
            task.cancel()
        await asyncio.sleep(0.05)

    async def _handle(self, process: asyncssh.SSHServerProcess) -> None:
        task = asyncio.current_task()
        self.tasks.add(task)
        try:
            if process.term_type:
                await self._pty(process)
            else:
                await self._pipes(process)
        finally:
            self.tasks.discard(task)

    async def _pipes(self, process) -> None:
        proc = await asyncio.create_subprocess_exec(
            "bash", "-c", process.command or "bash", stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True)
        self.sessions.append(proc.pid)
        out, _ = await proc.communicate()
        process.stdout.write(out)
        process.exit(proc.returncode if proc.returncode >= 0 else 128 - proc.returncode)

    async def _pty(self, process) -> None:
        loop = asyncio.get_running_loop()
        master, slave = os.openpty()
        cols, rows = process.term_size[:2]
        set_window_size(slave, cols or 80, rows or 24)
        env = {"PATH": os.environ["PATH"], "HOME": str(self.dir), "TERM": process.term_type, "LANG": "C.UTF-8"}
        proc = subprocess.Popen([shutil.which("setsid"), "--ctty", "bash", "-c", process.command or "bash -i"],
                                stdin=slave, stdout=slave, stderr=slave, env=env, cwd=str(self.dir), close_fds=True)
        os.close(slave)
        self.sessions.append(proc.pid)
        os.set_blocking(master, False)
        done = loop.create_future()

        def readable():
            try:
                data = os.read(master, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:
                loop.remove_reader(master)
                if not done.done():
                    done.set_result(None)
                return
            process.stdout.write(data)

        loop.add_reader(master, readable)

        async def pump_input():
            while True:
                try:
                    data = await process.stdin.read(4096)
                except asyncssh.TerminalSizeChanged as change:
                    set_window_size(master, change.width, change.height)
                    continue
                except (asyncssh.Error, OSError, BrokenPipeError):
                    break
                if not data:
                    break
                try:
                    os.write(master, data)
                except OSError:
                    break
            _kill_session(proc.pid)

        feeder = loop.create_task(pump_input())
        try:
            await done
            for _ in range(100):
                if proc.poll() is not None:
                    break
                await asyncio.sleep(0.02)
            status = proc.returncode
            process.exit(status if status is not None and status >= 0 else 128 - (status or -1))
        finally:
            feeder.cancel()
            try:
                loop.remove_reader(master)
            except Exception:
                pass
            os.close(master)
            _kill_session(proc.pid)
            proc.poll()


class OpenSshServer:
    """sshd -D on 127.0.0.1:PORT as root, key auth from a temp authorized_keys, no PAM."""

    def __init__(self, directory: Path, port: int | None = None):
        self.dir = directory
        self.port = port or free_port()
        self.host_key = write_key(directory / "ssh_host_ed25519_key", asyncssh.generate_private_key("ssh-ed25519"))
        self.client_key_path = write_key(directory / "id_client", asyncssh.generate_private_key("ssh-ed25519"))
        self.authorized = directory / "authorized_keys"
        self.authorized.write_text(Path(str(self.client_key_path) + ".pub").read_text())
        os.chmod(self.authorized, 0o600)
        self.config = directory / "sshd_config"
        self.log = directory / "sshd.log"
        self.process: subprocess.Popen | None = None

    def public_host_key(self) -> asyncssh.SSHKey:
        return asyncssh.read_public_key(str(self.host_key) + ".pub")

    def write_config(self) -> None:
        self.config.write_text("\n".join([
            "ListenAddress 127.0.0.1",
            f"HostKey {self.host_key}",
            "PidFile none",
            "StrictModes no",
            f"AuthorizedKeysFile {self.authorized}",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "PermitRootLogin yes",
            "PrintMotd no",
            "PrintLastLog no",
            "UseDNS no",
            "",
        ]))

    def start(self) -> "OpenSshServer":
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        self.write_config()
        log = open(self.log, "ab")
        self.process = subprocess.Popen([SSHD, "-D", "-e", "-f", str(self.config), "-p", str(self.port)],
                                        stdout=log, stderr=log, start_new_session=True)
        log.close()
        import time

        for _ in range(200):
            if self.process.poll() is not None:
                raise RuntimeError(f"sshd exited: {self.log.read_text()}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.02)
        raise RuntimeError(f"sshd did not listen on {self.port}: {self.log.read_text()}")

    def stop(self) -> None:
        """Kill sshd and every session it started (its children run in their own sessions)."""
        if self.process is None:
            return
        pid = self.process.pid
        children = _descendants(pid)
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for child in children:
            try:
                os.kill(child, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(5)
        self.process = None


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_bytes()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2:].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
