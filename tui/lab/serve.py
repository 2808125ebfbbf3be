"""`flatdeck lab serve`: serve a sysext directory the way systemd-sysupdate's `url-file` source reads it.

sysupdate fetches `Path=` + `SHA256SUMS`, matches its lines against `MatchPattern=`, then downloads
the chosen `.raw` and checks it against that line. So the server gives: the directory's files, and a
`SHA256SUMS` (the file when the directory has one, else generated on the fly in `sha256sum` format,
"<hex>  <name>" for each `*.raw`, cached by size and mtime), with Content-Length, HEAD and a single
byte Range (206 / 416). Stdlib only (http.server), no Textual.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import sys
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO, TextIO

SUMS = "SHA256SUMS"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_cache: dict[tuple[str, int, int], str] = {}
_cache_lock = threading.Lock()


def file_sha256(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    with _cache_lock:
        _cache[key] = digest.hexdigest()
    return _cache[key]


def sha256sums(directory: Path) -> str:
    """What `cd DIR && sha256sum *.raw` prints (names in C-locale order)."""
    names = sorted(p.name for p in directory.glob("*.raw") if p.is_file())
    return "".join(f"{file_sha256(directory / name)}  {name}\n" for name in names)


class _Slice(io.RawIOBase):
    """`length` bytes of `f` from its current position (what a Range response sends)."""

    def __init__(self, f: BinaryIO, length: int):
        self.f, self.left = f, length

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self.left if size is None or size < 0 else min(size, self.left)
        data = self.f.read(size) if size else b""
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.f.close()
        super().close()


class SysupdateHandler(SimpleHTTPRequestHandler):
    """SimpleHTTPRequestHandler + a generated SHA256SUMS + single-range requests."""

    server_version = "flatdeck-lab-serve/1"
    quiet = False

    def send_head(self):  # type: ignore[override]
        path = Path(self.translate_path(self.path))
        if self.path.split("?", 1)[0] == "/" + SUMS and not path.exists():
            body = sha256sums(Path(self.directory)).encode()
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        header = self.headers.get("Range")
        if header is None or not path.is_file():
            return super().send_head()
        match = _RANGE.match(header.strip())
        if not match or match.groups() == ("", ""):
            return super().send_head()  # several ranges or a malformed one: the whole file (allowed)
        try:
            f = path.open("rb")
        except OSError:
            self.send_error(HTTPStatus.NOT_FOUND, "File not found")
            return None
        size = os.fstat(f.fileno()).st_size
        first, last = match.groups()
        if first == "":  # the last N bytes
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        if start >= size or start > end:
            f.close()
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        f.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Last-Modified", self.date_time_string(int(os.fstat(f.fileno()).st_mtime)))
        self.end_headers()
        return _Slice(f, end - start + 1)

    def end_headers(self) -> None:
        if self._headers_buffer and not any(b"Accept-Ranges" in h for h in self._headers_buffer):
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        if not self.quiet:
            super().log_message(format, *args)


def make_server(directory: Path, port: int = 8000, bind: str = "127.0.0.1", quiet: bool = False) -> ThreadingHTTPServer:
    handler = type("Handler", (SysupdateHandler,), {"quiet": quiet})
    server = ThreadingHTTPServer((bind, port), partial(handler, directory=str(directory)))
    server.daemon_threads = True
    return server


def main(directory: Path | None = None, port: int = 8000, bind: str = "127.0.0.1",
         out: TextIO | None = None, err: TextIO | None = None) -> int:
    """`flatdeck lab serve [DIR] [--port N] [--bind ADDR]`; runs until Ctrl+C (0), 1 when it cannot start."""
    out, err = out or sys.stdout, err or sys.stderr
    directory = directory or Path.cwd()
    if not directory.is_dir():
        print(f"error: not a directory: {directory}", file=err)
        return 1
    try:
        server = make_server(directory, port, bind)
    except OSError as exc:
        print(f"error: cannot listen on {bind}:{port}: {exc.strerror or exc}", file=err)
        return 1
    host, real_port = server.server_address[:2]
    url = f"http://{host}:{real_port}/"
    raws = sorted(p.name for p in directory.glob("*.raw"))
    print(f"serving {directory.resolve()} at {url} ({len(raws)} .raw file(s); "
          f"{SUMS} {'from the directory' if (directory / SUMS).exists() else 'generated'})", file=out)
    guest = f"http://10.0.2.2:{real_port}/" if host in ("127.0.0.1", "0.0.0.0") else url
    print(f"in the transfer file: [Source] Type=url-file  Path={guest}  (from a QEMU user-net guest the host "
          f"is 10.0.2.2); Ctrl+C stops", file=out, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=out)
    finally:
        server.server_close()
    return 0
