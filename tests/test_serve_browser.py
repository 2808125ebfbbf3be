"""flatdeck serve for real: the installed CLI serves a deck over HTTP on loopback, and Debian's
headless Chromium, driven by Playwright (no browser download: executable_path), loads the page,
shows the first slide, takes a key and shows the second. Also: a bad deck never starts a server.

The page draws the terminal on a canvas (xterm.js), so the text is read from xterm.js's own screen
buffer: an init script keeps a reference to the buffer service when xterm.js registers it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import FEATURE_DECK

pytestmark = pytest.mark.e2e
FLATDECK = Path(sys.executable).parent / "flatdeck"
CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0  # seconds for the server to answer; generous for a loaded CI machine
SEEN_TIMEOUT = 60_000  # milliseconds for text to show in the browser

KEEP_XTERM = """
(() => {
  const set = Map.prototype.set;
  window.__xterm = [];
  Map.prototype.set = function (key, value) {
    if (value && typeof value === "object" && value.buffers && value.buffers.active
        && typeof value.buffers.active.translateBufferLineToString === "function") window.__xterm.push(value);
    return set.call(this, key, value);
  };
  window.__screen = () => {
    const service = window.__xterm[0];
    if (!service) return "";
    const buffer = service.buffers.active, rows = [];
    for (let y = 0; y < service.rows; y++) rows.push(buffer.translateBufferLineToString(buffer.ydisp + y, true));
    return rows.join("\\n");
  };
})();
"""
SHOWS = "(texts) => texts.every((t) => window.__screen().includes(t))"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Served:
    def __init__(self, args: list[str], log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        with log.open("w") as out:
            self.proc = subprocess.Popen([str(FLATDECK), "serve", *args, "--port", str(self.port)], cwd=REPO,
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"flatdeck serve exited ({self.proc.returncode}):\n{log.read_text()}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"flatdeck serve did not answer within {START_TIMEOUT}s:\n{log.read_text()}")
            time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM to the server, which tells each app to quit (their demo shells end with them);
        then make sure nothing of its process group is left."""
        from tui.engine.local import session_members

        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        deadline = time.monotonic() + 10
        while session_members(self.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in session_members(self.proc.pid):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def serve(tmp_path: Path):
    started: list[Served] = []

    def start(*args: str) -> Served:
        started.append(Served(list(args), tmp_path / f"serve-{len(started)}.log"))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def browser():
    if not CHROMIUM.exists():  # never a silent skip: CI must have the browser (make test installs it)
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`apt-get install chromium`; make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # nothing leaves this machine: any host name but loopback fails to resolve
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"])
        yield chromium
        chromium.close()


def _open(browser, url: str, requests: list[str] | None = None):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(KEEP_XTERM)
    if requests is not None:
        page.on("request", lambda request: requests.append(request.url))
    page.goto(url)
    return page


def _screen(page) -> str:
    return page.evaluate("window.__screen()")


def _shows(page, *texts: str) -> None:
    """Wait until the browser's terminal shows every one of `texts`; else say what it shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(SHOWS, arg=list(texts), timeout=SEEN_TIMEOUT)
    except PlaywrightTimeout:
        raise AssertionError(f"not all of {texts} in the browser after {SEEN_TIMEOUT} ms; it shows:\n"
                             f"{_screen(page)}") from None


def test_a_browser_shows_the_first_slide_and_a_key_shows_the_second(serve, browser):
    server = serve(str(FEATURE_DECK), "--no-watch")
    requests: list[str] = []
    page = _open(browser, server.url, requests)
    _shows(page, "The flatdeck feature tour", "Every deck feature on one deck", "1 / 11")
    assert page.url == f"{server.url}?fontsize=16"  # the server's font size, in the address bar to change
    page.locator(".xterm-helper-textarea").focus()  # keys to the app; a click would land on a widget
    page.keyboard.press("ArrowRight")
    _shows(page, "Headings and text", "2 / 11")
    assert "Every deck feature on one deck" not in _screen(page)
    # everything the page needed came from this server: fine on a stage with no internet
    assert requests and all(url.startswith(("http://127.0.0.1:", "ws://127.0.0.1:")) for url in requests), requests


def test_a_bigger_font_shows_fewer_columns(serve, browser):
    """Projector-friendly: --font-size (or ?fontsize=N) makes the text bigger, the app lays out anew."""
    server = serve(str(FEATURE_DECK), "--no-watch", "--font-size", "32")
    page = _open(browser, server.url)
    _shows(page, "The flatdeck feature tour")
    assert page.url.endswith("?fontsize=32")
    big = page.evaluate("window.__xterm[0].cols")
    small_page = _open(browser, f"{server.url}?fontsize=12")
    _shows(small_page, "The flatdeck feature tour")
    small = small_page.evaluate("window.__xterm[0].cols")
    assert 0 < big < small


def test_present_options_pass_through_to_the_browser(serve, browser):
    """--slide and --live reach the app each tab runs: a live demo step runs in a real shell."""
    server = serve(str(FEATURE_DECK), "--no-watch", "--slide", "8", "--live", "--typing-speed", "0")
    page = _open(browser, server.url)
    _shows(page, "LIVE", "8 / 11", "demo:")
    page.locator(".xterm-helper-textarea").focus()  # keys to the app; a click would land on a widget
    page.keyboard.press("Enter")  # the narration
    page.keyboard.press("Enter")  # the first command
    _shows(page, "hello from the main pane")


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(FLATDECK), *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_a_bad_deck_is_a_located_error_and_no_server(tmp_path: Path):
    broken = tmp_path / "broken.md"
    broken.write_text("# Hi\n\n<!-- colum: 1 -->\n")
    port = _free_port()
    result = _run("serve", str(broken), "--port", str(port))
    assert result.returncode == 1
    assert f"{broken}:3:6: unknown directive 'colum'" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "flatdeck serve: open" not in result.stdout
    assert _refused(port)


def test_a_missing_deck_and_a_bad_slide_start_no_server(tmp_path: Path):
    port = _free_port()
    missing = _run("serve", str(tmp_path / "nope.md"), "--port", str(port))
    assert missing.returncode == 1 and str(tmp_path / "nope.md") in missing.stderr
    slide = _run("serve", str(FEATURE_DECK), "--slide", "99", "--port", str(port))
    assert slide.returncode == 2 and "the deck has slides 1 to 11" in slide.stderr
    assert _refused(port)


def test_running_commands_for_other_hosts_is_refused():
    result = _run("serve", str(FEATURE_DECK), "--host", "0.0.0.0", "--live")
    assert result.returncode == 2 and "SSH tunnel" in result.stderr


def test_a_port_in_use_is_one_clear_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run("serve", str(FEATURE_DECK), "--port", str(port))
    assert result.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_restart_forgets_guided_progress_once_before_serving():
    """--restart is done by `serve` itself (not by every tab that connects): the progress is gone
    even when the server then cannot listen."""
    from tui.guided.progress import Progress

    progress = Progress(FEATURE_DECK)
    progress.set_slide(4)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = _run("serve", str(FEATURE_DECK), "--guided", "--restart", "--port", str(taken.getsockname()[1]))
    assert result.returncode == 1 and "cannot listen" in result.stderr
    assert not progress.file.exists()
