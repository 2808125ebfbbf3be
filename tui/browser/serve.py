"""Serve `flatdeck present` to web browsers with textual-serve.

Each browser tab that connects gets its own `flatdeck present` process, drawn by xterm.js in the
page. The page (templates/app_index.html) is a single full-window terminal with the font shipped
by textual-serve, so nothing is fetched from elsewhere; `?fontsize=N` sets the font size (the
server's `--font-size` when absent) and the browser's own zoom (Ctrl +/-) works too.
"""

from __future__ import annotations

import ipaddress
import shlex
import socket
import sys
from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
INSTALL_HINT = "textual-serve is not installed; `pip install -e .` (or `pip install textual-serve==1.1.3`) adds it"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def free_port(host: str) -> int:
    """--port 0: a port that is free now (the server binds it a moment later)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def present_command(present_args: list[str]) -> str:
    """The shell command textual-serve runs per browser tab: this flatdeck, presenting."""
    return shlex.join([sys.executable, "-m", "tui", "present", *present_args])


def serve(present_args: list[str], host: str, port: int, font_size: int, title: str) -> int:
    """Run the web server until Ctrl+C (or SIGTERM); 1 when it cannot listen."""
    try:
        from aiohttp import web
        from textual_serve.server import Server
    except ImportError:
        print(f"error: {INSTALL_HINT}", file=sys.stderr)
        return 2
    if port == 0:
        port = free_port(host)
    url_host = f"[{host}]" if ":" in host else host
    url = f"http://{url_host}:{port}/"

    class DeckServer(Server):
        async def handle_index(self, request):  # type: ignore[override]
            if "fontsize" not in request.query:  # the server's default size, visible in the address bar
                raise web.HTTPFound(str(request.rel_url.update_query(fontsize=font_size)))
            return await super().handle_index(request)

        async def on_startup(self, app) -> None:  # type: ignore[override]
            print(f"flatdeck serve: open {url} in a browser (each tab presents on its own; "
                  f"font size {font_size}: ?fontsize=N or the browser's zoom). Ctrl+C stops.", flush=True)

    server = DeckServer(present_command(present_args), host=host, port=port, title=title,
                        public_url=url.rstrip("/"), templates_path=TEMPLATES)
    try:
        server.serve()
    except OSError as exc:
        print(f"error: cannot listen on {url_host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 0
