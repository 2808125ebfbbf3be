"""`flatdeck lab fetch` and `flatdeck lab serve` against real local HTTP servers on 127.0.0.1.

Fixture files are made per test; fetch talks to either `lab serve`'s own handler (honours Range) or
the stdlib's plain SimpleHTTPRequestHandler (ignores Range), both wrapped to record request headers.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tui.cli import main as cli_main
from tui.lab import fetch, serve

REPO = Path(__file__).resolve().parent.parent
PAYLOAD = bytes(range(256)) * 1000  # 256 000 bytes


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Recorder:
    def __init__(self) -> None:
        self.ranges: list[str | None] = []
        self.paths: list[str] = []


def _start(directory: Path, honour_range: bool):
    recorder = _Recorder()
    base = serve.SysupdateHandler if honour_range else SimpleHTTPRequestHandler

    class Handler(base):  # type: ignore[misc, valid-type]
        def send_head(self):
            recorder.ranges.append(self.headers.get("Range"))
            recorder.paths.append(self.path)
            return super().send_head()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(directory)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, recorder, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(params=[True, False], ids=["range", "no-range"])
def origin(request, tmp_path):
    directory = tmp_path / "origin"
    directory.mkdir()
    (directory / "kubernetes-v1.32.2-x86-64.raw").write_bytes(PAYLOAD)
    server, recorder, url = _start(directory, request.param)
    yield directory, recorder, url, request.param
    server.shutdown()
    server.server_close()


def write_manifest(path: Path, url: str, digest: str, name: str = "kubernetes-v1.32.2-x86-64.raw", extra: str = "") -> Path:
    path.write_text(f"artifacts:\n  - name: {name}\n    url: {url}{name}\n    sha256: {digest}\n{extra}")
    return path


def run_fetch(manifest: Path, cache: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = fetch.main(manifest, cache, out, err, timeout=10)
    return rc, out.getvalue(), err.getvalue()


# fetch ------------------------------------------------------------------------------------------
def test_good_download_lands_verified_then_is_skipped(origin, tmp_path):
    _, recorder, url, _ = origin
    cache = tmp_path / "cache"
    manifest = write_manifest(tmp_path / "m.yaml", url, sha(PAYLOAD))
    rc, out, err = run_fetch(manifest, cache)
    assert (rc, err) == (0, "")
    target = cache / "kubernetes-v1.32.2-x86-64.raw"
    assert target.read_bytes() == PAYLOAD
    assert not (cache / "kubernetes-v1.32.2-x86-64.raw.part").exists()
    assert "downloaded" in out
    requests = len(recorder.paths)
    rc, out, err = run_fetch(manifest, cache)
    assert rc == 0 and "cached" in out
    assert len(recorder.paths) == requests  # nothing downloaded again


def test_checksum_mismatch_is_refused_and_nothing_is_kept(origin, tmp_path):
    _, _, url, _ = origin
    cache = tmp_path / "cache"
    manifest = write_manifest(tmp_path / "m.yaml", url, "0" * 64)
    rc, out, err = run_fetch(manifest, cache)
    assert rc == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "SHA-256 mismatch" in lines[0] and "Traceback" not in err
    assert list(cache.iterdir()) == []  # neither the file nor its .part


def test_size_mismatch_is_refused(origin, tmp_path):
    _, _, url, _ = origin
    cache = tmp_path / "cache"
    manifest = write_manifest(tmp_path / "m.yaml", url, sha(PAYLOAD), extra="    size: 12\n")
    rc, _, err = run_fetch(manifest, cache)
    assert rc == 1 and "manifest says 12" in err
    assert list(cache.iterdir()) == []


def test_partial_download_is_resumed_or_restarted(origin, tmp_path):
    _, recorder, url, honours_range = origin
    cache = tmp_path / "cache"
    cache.mkdir()
    part = cache / "kubernetes-v1.32.2-x86-64.raw.part"
    part.write_bytes(PAYLOAD[:100_000])
    manifest = write_manifest(tmp_path / "m.yaml", url, sha(PAYLOAD))
    rc, out, err = run_fetch(manifest, cache)
    assert (rc, err) == (0, "")
    assert (cache / "kubernetes-v1.32.2-x86-64.raw").read_bytes() == PAYLOAD
    assert not part.exists()
    assert recorder.ranges == ["bytes=100000-"]  # it asked to resume either way
    assert ("resuming at byte 100000" if honours_range else "restarting") in out


def test_a_corrupt_part_is_not_kept(origin, tmp_path):
    """A .part whose bytes are wrong: resumed, the hash fails, and it is deleted, not kept."""
    _, _, url, honours_range = origin
    cache = tmp_path / "cache"
    cache.mkdir()
    part = cache / "kubernetes-v1.32.2-x86-64.raw.part"
    part.write_bytes(b"\xff" * 1000)
    manifest = write_manifest(tmp_path / "m.yaml", url, sha(PAYLOAD))
    rc, _, err = run_fetch(manifest, cache)
    if honours_range:
        assert rc == 1 and "SHA-256 mismatch" in err and not part.exists()
        rc, _, err = run_fetch(manifest, cache)  # the next run starts from scratch
    assert (rc, err) == (0, "")
    assert (cache / "kubernetes-v1.32.2-x86-64.raw").read_bytes() == PAYLOAD


def test_part_longer_than_the_file_restarts_on_416(tmp_path):
    directory = tmp_path / "origin"
    directory.mkdir()
    (directory / "a.raw").write_bytes(PAYLOAD[:1000])
    server, recorder, url = _start(directory, honour_range=True)
    try:
        cache = tmp_path / "cache"
        cache.mkdir()
        (cache / "a.raw.part").write_bytes(PAYLOAD[:5000])
        rc, out, err = run_fetch(write_manifest(tmp_path / "m.yaml", url, sha(PAYLOAD[:1000]), name="a.raw"), cache)
        assert (rc, err) == (0, "")
        assert "refused to resume" in out
        assert recorder.ranges == ["bytes=5000-", None]
        assert (cache / "a.raw").read_bytes() == PAYLOAD[:1000]
    finally:
        server.shutdown()
        server.server_close()


def test_sha256sums_url_gives_the_hash(origin, tmp_path):
    directory, _, url, _ = origin
    (directory / "SHA256SUMS").write_text(f"{sha(PAYLOAD)}  kubernetes-v1.32.2-x86-64.raw\n{'1' * 64}  other.raw\n")
    manifest = tmp_path / "m.yaml"
    manifest.write_text(f"artifacts:\n  - name: kubernetes-v1.32.2-x86-64.raw\n"
                        f"    url: {url}kubernetes-v1.32.2-x86-64.raw\n    sha256sums: {url}SHA256SUMS\n    dir: sysext\n")
    rc, _, err = run_fetch(manifest, tmp_path / "cache")
    assert (rc, err) == (0, "")
    assert (tmp_path / "cache" / "sysext" / "kubernetes-v1.32.2-x86-64.raw").read_bytes() == PAYLOAD


def test_404_is_one_clear_line(origin, tmp_path):
    _, _, url, _ = origin
    manifest = write_manifest(tmp_path / "m.yaml", url, sha(PAYLOAD), name="missing.raw")
    rc, _, err = run_fetch(manifest, tmp_path / "cache")
    assert rc == 1
    assert err == f"error: missing.raw: HTTP 404 File not found: {url}missing.raw\n"


def test_unreachable_host_is_one_clear_line(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    manifest = write_manifest(tmp_path / "m.yaml", f"http://127.0.0.1:{port}/", "0" * 64, name="a.raw")
    rc, _, err = run_fetch(manifest, tmp_path / "cache")
    assert rc == 1
    assert err.startswith(f"error: a.raw: cannot reach 127.0.0.1:{port}: ") and err.count("\n") == 1


@pytest.mark.parametrize(("text", "where", "what"), [
    ("artifacts: [\n", ":2:", "invalid YAML"),
    ("artifact: []\n", ":1:", "`artifacts:` to be a list"),
    ("artifacts:\n  - name: a.raw\n    url: http://x/a.raw\n    sha256: nothex\n", ":4:", "not 64 hex digits"),
    ("artifacts:\n  - name: a.raw\n    url: ftp://x/a.raw\n    sha256: " + "0" * 64 + "\n", ":3:", "http:// or https://"),
    ("artifacts:\n  - name: a.raw\n    url: http://x/a.raw\n", ":2:", "needs `sha256`, `sha256sums` or `digests`"),
    ("artifacts:\n  - name: ../a.raw\n    url: http://x/a.raw\n    sha256: " + "0" * 64 + "\n", ":2:", "plain file name"),
    ("artifacts:\n  - name: a.raw\n    url: http://x/a.raw\n    sha256: " + "0" * 64 + "\n    colour: red\n", ":5:",
     "unknown field"),
])
def test_bad_manifest_is_located(tmp_path, text, where, what):
    manifest = tmp_path / "m.yaml"
    manifest.write_text(text)
    rc, _, err = run_fetch(manifest, tmp_path / "cache")
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith(f"error: {manifest}{where}") and what in err, err


def test_placeholder_checksum_fails_that_artifact_only(origin, tmp_path):
    _, _, url, _ = origin
    manifest = tmp_path / "m.yaml"
    manifest.write_text(f"artifacts:\n  - name: a.img\n    url: {url}a.img\n    sha256: FILL-ME\n"
                        f"  - name: kubernetes-v1.32.2-x86-64.raw\n    url: {url}kubernetes-v1.32.2-x86-64.raw\n"
                        f"    sha256: {sha(PAYLOAD)}\n")
    rc, out, err = run_fetch(manifest, tmp_path / "cache")
    assert rc == 1 and "1 of 2 artifacts" in out
    assert err == f"error: {manifest}:4: a.img: sha256 is still FILL-ME: fill in the checksum you verified " \
                  "(or use `digests:` / `sha256sums:`)\n"
    assert (tmp_path / "cache" / "kubernetes-v1.32.2-x86-64.raw").read_bytes() == PAYLOAD


def test_default_cache_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert fetch.default_cache() == tmp_path / "flatdeck" / "lab"


def test_cli_fetch_exits_nonzero_with_one_line_errors(origin, tmp_path, capsys):
    _, _, url, _ = origin
    manifest = write_manifest(tmp_path / "m.yaml", url, "0" * 64)
    assert cli_main(["lab", "fetch", "--manifest", str(manifest), "--cache", str(tmp_path / "c")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SHA-256 mismatch" in err
    assert cli_main(["lab", "fetch", "--manifest", str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read the manifest" in err


# serve ------------------------------------------------------------------------------------------
@pytest.fixture
def served(tmp_path):
    directory = tmp_path / "sysext"
    directory.mkdir()
    (directory / "kubernetes-v1.32.2-x86-64.raw").write_bytes(PAYLOAD)
    (directory / "kubernetes-v1.32.3-x86-64.raw").write_bytes(PAYLOAD[::-1])
    (directory / "kubernetes-v1.32.conf").write_text("[Transfer]\nVerify=false\n")
    server = serve.make_server(directory, 0, "127.0.0.1", quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield directory, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def request(url: str, method: str = "GET", headers: dict[str, str] | None = None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method, headers=headers or {}), timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_serve_get_and_head(served):
    _, url = served
    status, headers, body = request(url + "kubernetes-v1.32.2-x86-64.raw")
    assert status == 200 and body == PAYLOAD and headers["Content-Length"] == str(len(PAYLOAD))
    assert headers["Accept-Ranges"] == "bytes"
    status, headers, body = request(url + "kubernetes-v1.32.2-x86-64.raw", "HEAD")
    assert status == 200 and body == b"" and headers["Content-Length"] == str(len(PAYLOAD))
    assert request(url + "nope.raw")[0] == 404


@pytest.mark.parametrize(("spec", "start", "end"), [("bytes=100-199", 100, 199), ("bytes=255990-", 255990, 255999),
                                                    ("bytes=-10", 255990, 255999), ("bytes=0-999999", 0, 255999)])
def test_serve_range(served, spec, start, end):
    _, url = served
    status, headers, body = request(url + "kubernetes-v1.32.2-x86-64.raw", headers={"Range": spec})
    assert status == 206
    assert body == PAYLOAD[start:end + 1]
    assert headers["Content-Range"] == f"bytes {start}-{end}/{len(PAYLOAD)}"
    assert headers["Content-Length"] == str(end - start + 1)


def test_serve_range_not_satisfiable(served):
    _, url = served
    status, headers, _ = request(url + "kubernetes-v1.32.2-x86-64.raw", headers={"Range": "bytes=999999-"})
    assert status == 416 and headers["Content-Range"] == f"bytes */{len(PAYLOAD)}"


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="coreutils sha256sum is not installed")
def test_serve_sha256sums_matches_sha256sum(served):
    directory, url = served
    expected = subprocess.run("sha256sum *.raw", shell=True, cwd=directory, capture_output=True, text=True,
                              check=True, env={**os.environ, "LC_ALL": "C"}).stdout
    status, headers, body = request(url + "SHA256SUMS")
    assert status == 200 and body.decode() == expected
    assert headers["Content-Length"] == str(len(body))
    assert "kubernetes-v1.32.conf" not in body.decode()
    status, headers, body = request(url + "SHA256SUMS", "HEAD")
    assert status == 200 and body == b"" and headers["Content-Length"] == str(len(expected.encode()))
    # sysupdate checks the download against its line: `sha256sum -c` agrees
    fetched = directory.parent / "fetched"
    fetched.mkdir()
    (fetched / "SHA256SUMS").write_bytes(request(url + "SHA256SUMS")[2])
    for name in ("kubernetes-v1.32.2-x86-64.raw", "kubernetes-v1.32.3-x86-64.raw"):
        (fetched / name).write_bytes(request(url + name)[2])
    subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=fetched, check=True, capture_output=True)


def test_serve_prefers_an_existing_sha256sums(served):
    directory, url = served
    (directory / "SHA256SUMS").write_text("published\n")
    assert request(url + "SHA256SUMS")[2] == b"published\n"


def test_cli_serve_prints_the_url_and_stops_cleanly_on_ctrl_c(served, tmp_path):
    directory, _ = served
    proc = subprocess.Popen([sys.executable, "-m", "tui", "lab", "serve", str(directory), "--port", "0"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert first.startswith("serving ") and " at http://127.0.0.1:" in first
        url = first.split(" at ", 1)[1].split(" ", 1)[0]
        assert "Path=http://10.0.2.2:" in proc.stdout.readline()
        assert request(url + "kubernetes-v1.32.3-x86-64.raw")[2] == PAYLOAD[::-1]
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0 and "stopped" in out and "Traceback" not in err


def test_cli_serve_errors_are_one_line(tmp_path, capsys):
    assert cli_main(["lab", "serve", str(tmp_path / "nope")]) == 1
    assert capsys.readouterr().err == f"error: not a directory: {tmp_path / 'nope'}\n"
    with ThreadingHTTPServer(("127.0.0.1", 0), SimpleHTTPRequestHandler) as busy:
        port = busy.server_address[1]
        assert cli_main(["lab", "serve", str(tmp_path), "--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot listen on 127.0.0.1:{port}: ") and err.count("\n") == 1
