"""Every message an SSH pane, `flatdeck run` and `flatdeck check --lab` show about a connection.

One place, so the wording stays consistent and the tests can name what they expect. Each function
takes what it needs and returns one line (no trailing newline). `describe` turns an exception from
connecting into one of them; nothing here imports asyncssh at module level.
"""

from __future__ import annotations

import asyncio
import errno
import socket


def where(name: str, host: str, port: int, user: str | None) -> str:
    return f"{name} ({user + '@' if user else ''}{host}:{port})"


def refused(name: str, host: str, port: int) -> str:
    return f"{name}: connection refused by {host}:{port}; is sshd running there and is the port right?"


def dns_failure(name: str, host: str, detail: str) -> str:
    return f"{name}: cannot resolve host name {host!r} ({detail}); check `host:` in the lab file or ~/.ssh/config"


def unreachable(name: str, host: str, port: int, detail: str) -> str:
    return f"{name}: cannot reach {host}:{port} ({detail})"


def timed_out(name: str, host: str, port: int, seconds: float) -> str:
    return f"{name}: no answer from {host}:{port} within {seconds:g}s (node down, rebooting, or a firewall?)"


def auth_failed(name: str, user: str | None, host: str, port: int, tried: str) -> str:
    who = f"{user}@{host}:{port}" if user else f"{host}:{port}"
    return f"{name}: authentication failed for {who} (tried {tried}); check `user`, `identity` and ssh-agent"


def host_key_changed(name: str, host: str, port: int, fingerprint: str, source: str) -> str:
    return (f"{name}: HOST KEY MISMATCH for {host}:{port} — the server offered {fingerprint}, but {source} "
            f"holds a different key for it. Refusing to connect (this is what an attack looks like). "
            f"If the node was reinstalled, remove the old entry: ssh-keygen -R {_known_name(host, port)} -f {source}")


def host_key_unknown(name: str, host: str, port: int, fingerprint: str, source: str) -> str:
    return (f"{name}: unknown host key for {host}:{port}: {fingerprint} is not in {source}. Refusing to connect "
            f"(host_key: verify). Add it (ssh-keyscan -p {port} {host} >> {source}, after checking the fingerprint) "
            f"or use host_key: accept-new")


def host_key_revoked(name: str, host: str, port: int, fingerprint: str) -> str:
    return f"{name}: the host key {fingerprint} of {host}:{port} is marked @revoked; refusing to connect"


def insecure_accepted(host: str, port: int, fingerprint: str) -> str:
    return f"[insecure-lab: accepted {host}:{port}'s host key {fingerprint} without checking it]"


def trusted_first_use(host: str, port: int, fingerprint: str, path: str) -> str:
    return f"[accept-new: trusted {host}:{port}'s host key {fingerprint} on first use; saved in {path}]"


def identity_unreadable(name: str, path: str, detail: str) -> str:
    return f"{name}: cannot use identity file {path}: {detail}"


def closed_during_login(name: str, detail: str) -> str:
    return f"{name}: the server closed the connection during login ({detail})"


def ssh_error(name: str, detail: str) -> str:
    return f"{name}: ssh: {detail}"


def lost(reason: str) -> str:
    """A step whose connection dropped while it ran (or that found the connection down)."""
    return f"connection lost: {reason}"


def lost_reconnecting(reason: str) -> str:
    return f"{reason}; reconnecting"


def still_down(seconds: float, reason: str) -> str:
    return f"still down after {seconds:.0f}s ({reason}); reconnecting"


def server_closed() -> str:
    return "the server closed the connection"


def shell_lost(name: str) -> str:
    return f"the shell on {name} went away without an exit status"


def reconnected(name: str, seconds: float) -> str:
    return f"{name} is back after {seconds:.1f}s"


def reconnect_timeout(name: str, seconds: float, reason: str) -> str:
    return f"{name} did not come back within {seconds:g}s (last error: {reason})"


def never_dropped(name: str, seconds: float) -> str:
    return f"the connection to {name} never dropped within {seconds:g}s; expected the node to reboot"


def shells_not_back(name: str, seconds: float) -> str:
    return f"{name} answers again, but its panes' shells did not get a prompt within {seconds:g}s"


def preflight_ok(where_: str, fingerprint: str, policy: str) -> str:
    return f"✓ {where_}: reachable, authenticates, host key matches ({fingerprint}, {policy})"


def preflight_failed(where_: str, message: str) -> str:
    return f"✗ {where_}: {message}"


def _known_name(host: str, port: int) -> str:
    return host if port == 22 else f"'[{host}]:{port}'"


def describe(exc: BaseException, name: str, host: str, port: int, user: str | None, *,
             timeout: float, tried: str, host_key_problem: str | None = None) -> str:
    """The message for an exception raised while connecting and logging in."""
    import asyncssh

    if host_key_problem is not None:
        return host_key_problem
    if isinstance(exc, asyncio.TimeoutError):
        return timed_out(name, host, port, timeout)
    if isinstance(exc, socket.gaierror):
        return dns_failure(name, host, exc.strerror or str(exc))
    if isinstance(exc, ConnectionRefusedError):
        return refused(name, host, port)
    if isinstance(exc, asyncssh.PermissionDenied):
        return auth_failed(name, user, host, port, tried)
    if isinstance(exc, asyncssh.HostKeyNotVerifiable):
        return ssh_error(name, f"the host key could not be verified ({exc.reason})")
    if isinstance(exc, asyncssh.KeyImportError):
        return identity_unreadable(name, "(identity)", str(exc))
    if isinstance(exc, (asyncssh.ConnectionLost, asyncssh.DisconnectError)):
        return closed_during_login(name, getattr(exc, "reason", "") or str(exc))
    if isinstance(exc, asyncssh.Error):
        return ssh_error(name, exc.reason or str(exc))
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EHOSTDOWN):
            return unreachable(name, host, port, exc.strerror or str(exc))
        if exc.errno == errno.ECONNRESET:
            return closed_during_login(name, "connection reset")
        if exc.errno == errno.ETIMEDOUT:
            return timed_out(name, host, port, timeout)
        return unreachable(name, host, port, exc.strerror or str(exc))
    return ssh_error(name, f"{type(exc).__name__}: {exc}")


def describe_lost(exc: BaseException | None) -> str:
    """Why an established connection ended."""
    if exc is None:
        return server_closed()
    reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
    if reason.lower() in ("connection lost", "connection closed"):
        return server_closed()
    return reason
