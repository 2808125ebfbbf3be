"""SSH panes: a persistent interactive bash on a node, over an asyncssh connection and a PTY channel.

One connection per target (the SshDriver), shared by the target's panes and by out-of-band
commands (`check`, `wait: {command}`), each on its own channel.

Shell integration: the remote command is
    exec env FLATDECK_RC='…' PROMPT_COMMAND='eval "$FLATDECK_RC"; …' bash --noprofile --norc -i
run by the user's login shell (bash on Flatcar). Before its first prompt, bash evaluates the same rc
text local panes use (BASH_RC: OSC 133 marks, a clean prompt, no history file) and then un-exports
and unsets the helpers, so nothing is written on the node and child shells do not inherit the marks.
Every value on that command line is printable ASCII, shell-quoted; AcceptEnv is not needed.

Host keys (policy per target): `verify` trusts only the known_hosts file (the target's
`known_hosts`, else ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts); `accept-new` also trusts
$XDG_STATE_HOME/flatdeck/known_hosts and adds an unknown key there on first use; `insecure-lab`
checks nothing and the pane shows the fingerprint it accepted. A changed key is refused under
`verify` and `accept-new`.

Reconnect: when the connection drops, each pane publishes ConnectionLost, a step running there
fails with "connection lost: …", and the pane retries with backoff (0.5 s doubling to 5 s) until
the node answers; then it opens a fresh shell and publishes ConnectionRestored. `wait_reconnect`
backs the step `wait: {reconnect: NODE}`.

asyncssh is imported inside functions only: `flatdeck present` never loads it in replay.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import signal
import weakref
from pathlib import Path
from typing import Any

from tui.engine import sshtext
from tui.engine.events import ConnectionLost, ConnectionRestored, EventBus
from tui.engine.executor import TargetDriver
from tui.engine.session import CommandResult, SessionError, ShellSession
from tui.engine.shell import BASH_RC, MarkScanner
from tui.keys_first import GATE
from tui.scenario.inventory import SshTarget

TERM = "xterm-256color"
CONNECT_TIMEOUT = 10.0  # opening a pane or a check
PREFLIGHT_TIMEOUT = 3.0  # --auto and `check --lab`
RETRY_FIRST, RETRY_MAX = 0.5, 5.0  # reconnect backoff: 0.5 s doubling up to 5 s
RETRY_CONNECT_TIMEOUT = 5.0  # one reconnect attempt
KEEPALIVE_INTERVAL, KEEPALIVE_COUNT = 3.0, 3  # a node that vanished silently is noticed within ~10 s
STILL_DOWN_EVERY = 15.0  # how often a pane repeats that it is still reconnecting


def flatdeck_known_hosts() -> Path:
    """The known_hosts file `accept-new` writes: flatdeck's own, never the user's."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "flatdeck" / "known_hosts"


def remote_command() -> str:
    setup = 'eval "$FLATDECK_RC"; unset FLATDECK_RC; export -n PROMPT_COMMAND PS1 PS0 PS2; __flatdeck_prompt'
    return (f"exec env FLATDECK_RC={shlex.quote(BASH_RC)} PROMPT_COMMAND={shlex.quote(setup)} "
            f"bash --noprofile --norc -i")


def _fingerprint(key: Any) -> str:
    return f"{key.get_algorithm()} {key.get_fingerprint('sha256')}"


def _exit_code(status: int | None, signal_name: str | None) -> int | None:
    if status is not None:
        return status
    if signal_name:
        number = getattr(signal, f"SIG{signal_name}", None)
        return 128 + int(number) if number is not None else 255
    return None


class _HostKeys:
    """The host-key policy of one connection attempt: what matched, what was refused and why."""

    def __init__(self, driver: "SshDriver"):
        self.driver = driver
        self.target = driver.target
        self.matched = False  # the known_hosts files hold some key for this host
        self.problem: str | None = None  # why the key was refused
        self.fingerprint: str | None = None
        self.note: str | None = None  # what the pane shows about the key (insecure-lab, first use)

    def sources(self) -> list[Path]:
        t = self.target
        if t.host_key == "insecure-lab":
            return []
        if t.known_hosts is not None:
            files = [t.known_hosts]
        else:
            files = [Path.home() / ".ssh" / "known_hosts", Path("/etc/ssh/ssh_known_hosts")]
        if t.host_key == "accept-new":
            files.append(flatdeck_known_hosts())
        return [f for f in files if f.is_file()]

    def source_name(self) -> str:
        t = self.target
        if t.known_hosts is not None:
            return str(t.known_hosts)
        return "~/.ssh/known_hosts" if t.host_key == "verify" else f"~/.ssh/known_hosts or {flatdeck_known_hosts()}"

    def match(self, host: str, addr: str, port: int | None):
        """asyncssh's known_hosts callable: (trusted keys, CA keys, revoked keys) for this host."""
        import asyncssh

        self.host, self.port = host, port or 22
        files = self.sources()
        if not files:
            return [], [], []
        try:
            known = asyncssh.read_known_hosts([str(f) for f in files])
        except (OSError, ValueError) as exc:
            self.problem = sshtext.ssh_error(self.target.name, f"cannot read known_hosts: {exc}")
            return [], [], []
        keys, ca_keys, revoked, *_ = known.match(host, addr, port)
        self.matched = bool(keys or ca_keys)
        self.revoked = list(revoked)
        return list(keys), list(ca_keys), list(revoked)

    def validate(self, host: str, addr: str, port: int, key: Any) -> bool:
        """Called by asyncssh for a key the known_hosts files do not trust."""
        t = self.target
        self.fingerprint = _fingerprint(key)
        if t.host_key == "insecure-lab":
            self.note = sshtext.insecure_accepted(host, port, self.fingerprint)
            return True
        if self.problem is not None:
            return False
        if self.matched:
            self.problem = sshtext.host_key_changed(t.name, host, port, self.fingerprint, self.source_name())
            return False
        if t.host_key == "accept-new":
            path = flatdeck_known_hosts()
            try:
                self._remember(path, host, port, key)
            except OSError as exc:
                self.problem = sshtext.ssh_error(t.name, f"cannot write {path}: {exc.strerror or exc}")
                return False
            self.note = sshtext.trusted_first_use(host, port, self.fingerprint, str(path))
            return True
        self.problem = sshtext.host_key_unknown(t.name, host, port, self.fingerprint, self.source_name())
        return False

    @staticmethod
    def _remember(path: Path, host: str, port: int, key: Any) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        name = host if port == 22 else f"[{host}]:{port}"
        entry = key.export_public_key("openssh").decode().split()
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with os.fdopen(fd, "a") as f:
            f.write(f"{name} {entry[0]} {entry[1]}\n")


def _asyncssh_classes():
    """The asyncssh subclasses, built on first use so the module loads without asyncssh."""
    global _CLASSES
    if _CLASSES is not None:
        return _CLASSES
    import asyncssh

    class Client(asyncssh.SSHClient):
        def __init__(self, driver: "SshDriver", keys: _HostKeys):
            self.driver, self.keys = driver, keys

        def validate_host_public_key(self, host, addr, port, key) -> bool:
            return self.keys.validate(host, addr, port, key)

        def connection_lost(self, exc) -> None:
            self.driver._connection_lost(self, exc)

    class Channel(asyncssh.SSHClientSession):
        def __init__(self, shell: "SshShell"):
            self.shell = shell
            self.status: int | None = None
            self.signal: str | None = None

        def data_received(self, data, datatype) -> None:
            self.shell._channel_data(self, data)

        def exit_status_received(self, status) -> None:
            self.status = status

        def exit_signal_received(self, signal, core_dumped, msg, lang) -> None:
            self.signal = signal

        def connection_lost(self, exc) -> None:
            self.shell._channel_closed(self, exc)

    _CLASSES = (Client, Channel)
    return _CLASSES


_CLASSES = None


class SshShell(ShellSession):
    def __init__(self, pane: str, bus: EventBus, driver: "SshDriver", cols: int = 80, rows: int = 24):
        super().__init__(pane, driver.name, bus, cols, rows)
        self.driver = driver
        self._chan: Any = None
        self._session: Any = None
        self._exit: int | None = None
        self._note: str | None = None  # shown in the pane before the shell's first output
        self.down: str | None = None  # why the connection is lost, while it is
        self._lost_in_run: str | None = None
        self._reconnecting: asyncio.Task | None = None
        self._nudge = asyncio.Event()

    # transport hooks --------------------------------------------------------------------------
    async def _spawn(self, timeout: float | None = None) -> None:
        conn = await self.driver.connection(timeout)
        Client, Channel = _asyncssh_classes()
        import asyncssh

        self._decoder.reset()
        self._scanner = MarkScanner()
        self._ready.clear()
        self._exit = None
        note = self.driver.take_note()
        if note:
            self._note = note
        def factory():
            self._session = Channel(self)
            return self._session

        try:
            chan, session = await conn.create_session(
                factory, remote_command(), term_type=TERM, term_size=(self.cols, self.rows),
                encoding=None)
        except (asyncssh.Error, OSError) as exc:
            raise SessionError(sshtext.ssh_error(self.target, f"cannot open a shell: {getattr(exc, 'reason', exc)}")) from None
        self._chan = chan
        self.driver._shells.add(self)

    def _send(self, data: bytes) -> None:
        chan = self._chan
        if chan is not None and not chan.is_closing():
            try:
                chan.write(data)
            except Exception:  # the channel closed under us; the close callback says so
                pass

    def _apply_size(self) -> None:
        chan = self._chan
        if chan is not None and not chan.is_closing():
            try:
                chan.change_terminal_size(self.cols, self.rows)
            except Exception:
                pass

    async def _terminate(self) -> None:
        if self._reconnecting is not None:
            self._reconnecting.cancel()
            self._reconnecting = None
        self.driver._shells.discard(self)
        chan, self._chan, self._session = self._chan, None, None
        if chan is not None:
            chan.close()
            try:
                await asyncio.wait_for(chan.wait_closed(), 2.0)
            except (asyncio.TimeoutError, Exception):
                pass

    async def _exit_status(self) -> int | None:
        return self._exit

    # channel callbacks ------------------------------------------------------------------------
    def _channel_data(self, session: Any, data: bytes) -> None:
        if session is not self._session or self.closed:
            return
        if self._note:
            note, self._note = self._note, None
            self._text_received(f"\x1b[2m{note}\x1b[0m\r\n")
        self._received(data)
        if GATE.held and self._chan is not None:  # a key is being answered: its frame first
            self._chan.pause_reading()
            GATE.wait(self._resume_reading)

    def _resume_reading(self) -> None:
        if self._chan is not None:
            self._chan.resume_reading()

    def _channel_closed(self, session: Any, exc: BaseException | None) -> None:
        if session is not self._session or self.closed:
            return
        status = _exit_code(session.status, session.signal)
        self._chan = self._session = None
        if status is not None:
            self._exit = status
            self._eof("the shell exited")
            return
        # no exit status: the connection (or the sshd behind it) went away
        reason = self.driver.loss_reason or sshtext.describe_lost(exc)
        self._connection_lost(reason)

    def _connection_lost(self, reason: str) -> None:
        self.down = reason
        self._ready.clear()
        if self._finished is not None and not self._finished.done():
            self._lost_in_run = reason
            self._finished.set_result(None)
        self.bus.publish(ConnectionLost(self.pane, sshtext.lost_reconnecting(reason)))
        if self._reconnecting is None or self._reconnecting.done():
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        loop = asyncio.get_running_loop()
        started = last_said = loop.time()
        delay = RETRY_FIRST
        while not self.closed:
            self._nudge.clear()
            try:
                await self._spawn(RETRY_CONNECT_TIMEOUT)
            except SessionError as exc:
                if loop.time() - last_said >= STILL_DOWN_EVERY:
                    last_said = loop.time()
                    self.bus.publish(ConnectionLost(self.pane, sshtext.still_down(loop.time() - started, str(exc))))
                try:
                    await asyncio.wait_for(self._nudge.wait(), delay)
                except asyncio.TimeoutError:
                    pass
                delay = min(delay * 2, RETRY_MAX)
                continue
            self.down = None
            self.bus.publish(ConnectionRestored(self.pane))
            return

    def nudge(self) -> None:
        """Try to reconnect now (the driver saw the node answer)."""
        self._nudge.set()

    async def restored(self, timeout: float) -> bool:
        """True once the shell is back at a prompt after a lost connection."""
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
            return self.down is None
        except asyncio.TimeoutError:
            return False

    # steps ------------------------------------------------------------------------------------
    async def run(self, command: str, timeout: float | None = None, type_delay: float = 0.0) -> CommandResult:
        if self.down is not None:
            self.nudge()
            if not await self.restored(RETRY_CONNECT_TIMEOUT):
                raise SessionError(sshtext.lost(f"{self.down} (still reconnecting; a `wait: {{reconnect: {self.target}}}` step waits for it)"))
        self._lost_in_run = None
        result = await super().run(command, timeout, type_delay)
        if self._lost_in_run is not None:
            reason, self._lost_in_run = self._lost_in_run, None
            raise SessionError(sshtext.lost(reason))
        return result


class SshDriver(TargetDriver):
    """One SSH target: its connection (opened on first use, reopened after a drop), panes, checks."""

    def __init__(self, target: SshTarget, connect_timeout: float = CONNECT_TIMEOUT):
        self.target = target
        self.name = target.name
        self.connect_timeout = connect_timeout
        self._conn: Any = None
        self._client: Any = None
        self._lock = asyncio.Lock()
        self._shells: weakref.WeakSet[SshShell] = weakref.WeakSet()
        self._note: str | None = None
        self.losses = 0  # connections that dropped (not closed by us)
        self.loss_reason: str | None = None
        self.fingerprint: str | None = None  # the host key of the last connection

    # connection -------------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    async def connection(self, timeout: float | None = None) -> Any:
        async with self._lock:
            if self.connected:
                return self._conn
            self._conn = None
            conn = await self._connect(timeout or self.connect_timeout)
            self._conn = conn
            self.loss_reason = None
            for shell in list(self._shells):
                if shell.down is not None:
                    shell.nudge()
            return conn

    def take_note(self) -> str | None:
        note, self._note = self._note, None
        return note

    def _options(self) -> dict:
        t = self.target
        options: dict = {}
        if t.port != 22:  # port 22 is the default: ~/.ssh/config may say otherwise
            options["port"] = t.port
        if t.user:
            options["username"] = t.user
        if t.identity:
            options["client_keys"] = [str(p) for p in t.identity]
        if not t.agent:
            options["agent_path"] = None
        if t.proxy_jump:
            options["tunnel"] = t.proxy_jump
        return options

    def _tried(self) -> str:
        t = self.target
        parts = [", ".join(str(p) for p in t.identity) if t.identity else "the default keys in ~/.ssh"]
        if t.agent:
            parts.append("ssh-agent" if os.environ.get("SSH_AUTH_SOCK") else "ssh-agent (none running)")
        return " and ".join(parts)

    async def _connect(self, timeout: float) -> Any:
        import asyncssh

        Client, _ = _asyncssh_classes()
        t = self.target
        keys = _HostKeys(self)
        client = Client(self, keys)
        for path in t.identity:
            if not path.is_file():
                raise SessionError(sshtext.identity_unreadable(t.name, str(path), "no such file"))
        try:
            conn = await asyncio.wait_for(asyncssh.connect(
                t.host, known_hosts=keys.match, client_factory=lambda: client, connect_timeout=timeout,
                login_timeout=timeout, keepalive_interval=KEEPALIVE_INTERVAL, keepalive_count_max=KEEPALIVE_COUNT,
                **self._options()), timeout + 1.0)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # every failure becomes one clear line, never a traceback
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            if isinstance(exc, asyncssh.KeyImportError) and t.identity:
                raise SessionError(sshtext.identity_unreadable(t.name, ", ".join(map(str, t.identity)), str(exc))) from None
            problem = keys.problem if isinstance(exc, asyncssh.HostKeyNotVerifiable) or keys.problem else None
            raise SessionError(sshtext.describe(exc, t.name, t.host, t.port, t.user, timeout=timeout,
                                                tried=self._tried(), host_key_problem=problem)) from None
        self._client = client
        self.fingerprint = keys.fingerprint
        if keys.fingerprint is None:
            key = conn.get_server_host_key()
            self.fingerprint = _fingerprint(key) if key is not None else None
        if keys.note:
            self._note = keys.note
        return conn

    def _connection_lost(self, client: Any, exc: BaseException | None) -> None:
        if client is not self._client:
            return
        self._client = None
        if self._conn is None:
            return  # closed by us
        self._conn = None
        self.losses += 1
        self.loss_reason = sshtext.describe_lost(exc)

    async def close(self) -> None:
        conn, self._conn, self._client = self._conn, None, None
        if conn is not None:
            conn.close()
            try:
                await asyncio.wait_for(conn.wait_closed(), 2.0)
            except (asyncio.TimeoutError, Exception):
                pass

    # TargetDriver -----------------------------------------------------------------------------
    def open_shell(self, pane: str, bus: EventBus, cols: int, rows: int) -> SshShell:
        return SshShell(pane, bus, self, cols, rows)

    async def exec(self, command: str, timeout: float) -> CommandResult:
        import asyncssh

        conn = await self.connection()
        try:
            result = await asyncio.wait_for(
                conn.run(command, stdin=asyncssh.DEVNULL, stderr=asyncssh.STDOUT, encoding="utf-8", errors="replace"),
                timeout)
        except asyncio.TimeoutError:
            return CommandResult(None, "", timed_out=True)
        except (asyncssh.Error, OSError) as exc:
            raise SessionError(sshtext.lost(self.loss_reason or sshtext.describe_lost(exc))) from None
        status = _exit_code(result.exit_status if result.exit_status not in (None, -1) else None, result.exit_signal[0]
                            if result.exit_signal else None)
        if status is None:
            raise SessionError(sshtext.lost(self.loss_reason or sshtext.server_closed()))
        output = result.stdout if isinstance(result.stdout, str) else ""
        return CommandResult(status, output)

    async def preflight(self) -> bool:
        ok, _ = await self.diagnose(PREFLIGHT_TIMEOUT)
        return ok

    async def diagnose(self, timeout: float = PREFLIGHT_TIMEOUT) -> tuple[bool, str]:
        """(reachable, authenticates and the host key matches?, one line saying so)."""
        t = self.target
        where = sshtext.where(t.name, t.host, t.port, t.user)
        try:
            await self.connection(timeout)
        except SessionError as exc:
            return False, sshtext.preflight_failed(where, str(exc))
        return True, sshtext.preflight_ok(where, self.fingerprint or "?", t.host_key)

    async def wait_reconnect(self, timeout: float, since: int | None) -> str:
        """Wait for the node to drop (unless it already did since `since`) and answer again, and for
        this target's panes to get a fresh prompt. Returns what happened; raises SessionError when
        the node is not back in time."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + timeout
        if since is not None and self.losses <= since and self.connected:
            while self.losses <= since and self.connected:  # keepalives notice a node that vanished
                if loop.time() >= deadline:
                    raise _Timeout(sshtext.never_dropped(self.name, timeout))
                await asyncio.sleep(0.1)
        delay, last = RETRY_FIRST, self.loss_reason or sshtext.server_closed()
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise _Timeout(sshtext.reconnect_timeout(self.name, timeout, last))
            try:
                await self.connection(min(RETRY_CONNECT_TIMEOUT, max(remaining, 0.5)))
                break
            except SessionError as exc:
                last = str(exc)
            await asyncio.sleep(min(delay, max(0.0, deadline - loop.time())))
            delay = min(delay * 2, RETRY_MAX)
        for shell in list(self._shells):
            if shell.down is not None and not shell.closed:
                shell.nudge()
                if not await shell.restored(max(0.5, deadline - loop.time())):
                    raise _Timeout(sshtext.shells_not_back(self.name, timeout))
        return sshtext.reconnected(self.name, loop.time() - started)


class _Timeout(SessionError):
    """wait_reconnect ran out of time (the executor reports the step as timed out)."""


ReconnectTimeout = _Timeout
