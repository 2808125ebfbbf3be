"""asciicast reading and writing, checked against the real asciinema 2.4.0: it reads what CastWriter
writes (also after a SIGKILL mid-recording), and read_cast reads what `asciinema rec` writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.errors import LoadError
from tui.recording.asciicast import Cast, CastHeader, CastWriter, parse_cast, read_cast
from tui.textfile import normalize

ROOT = Path(__file__).resolve().parent.parent
P = Path("demo.cast")
H2 = '{"version": 2, "width": 80, "height": 24}'
H3 = '{"version": 3, "term": {"cols": 100, "rows": 30, "type": "xterm-256color"}}'
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NO_SURROGATES = st.characters(blacklist_categories=("Cs",))


def asciinema(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[bytes]:
    """The real asciinema CLI from this venv, in its own session: without a controlling terminal
    it never puts the developer's terminal into raw mode."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "SHELL": "/bin/bash", "TERM": "xterm-256color"}
    return subprocess.run([sys.executable, "-m", "asciinema", *args], stdin=subprocess.DEVNULL, capture_output=True,
                          env=env, timeout=timeout, start_new_session=True)


def asciinema_cat(path: Path) -> str:
    result = asciinema("cat", str(path))
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode("utf-8")


def error_of(text: str) -> LoadError:
    with pytest.raises(LoadError) as info:
        parse_cast(text, P)
    return info.value


# --- CastWriter → asciinema --------------------------------------------------------------------

CHUNKS = [
    "$ ls --color\r\n",
    "\x1b[1;34mdir\x1b[0m  \x1b[32mscript.sh\x1b[0m\r\n",
    "progress 10%\rprogress 55%\rprogress 100%\r\n",
    "UTF-8: héllo ✓ 日本語 🚀\r\n",
    'quotes " and \\ backslash \t tab \x07 bell \x00 nul\r\n',
    "",
    "\u2028 line separator stays inside one JSON line\r\n",
]


def test_cast_writer_output_is_what_asciinema_cat_prints(tmp_path):
    path = tmp_path / "step.cast"
    header = CastHeader(120, 40, timestamp=1700000000, title="Flatcar ✓", command="bash -l", idle_time_limit=1.5,
                        env={"SHELL": "/bin/bash", "TERM": "xterm-256color", "AWS_SECRET": "never written"})
    with CastWriter(path, header) as writer:
        writer.marker(0.0, "step: ls")
        for i, chunk in enumerate(CHUNKS):
            writer.output(0.1 * i, chunk)
        writer.resize(1.0, 100, 30)
        writer.marker(1.2)
    assert asciinema_cat(path) == "".join(CHUNKS)
    cast = read_cast(path)
    assert cast.output_text() == "".join(CHUNKS) and cast.warnings == []
    assert cast.markers == [(0.0, "step: ls"), (1.2, "")]
    assert [e.code for e in cast.events] == ["m", *"o" * len(CHUNKS), "r", "m"]
    assert cast.header == CastHeader(120, 40, 2, 1700000000, "Flatcar ✓", "bash -l", 1.5,
                                     {"SHELL": "/bin/bash", "TERM": "xterm-256color"})


def test_cast_writer_header_follows_asciinema(tmp_path):
    path = tmp_path / "a.cast"
    CastWriter(path, CastHeader(80, 24, timestamp=5, title="t", env={"TERM": "xterm", "HOME": "/root"})).commit()
    first = path.read_text(encoding="utf-8").split("\n")[0]
    assert first == '{"version": 2, "width": 80, "height": 24, "timestamp": 5, "title": "t", "env": {"TERM": "xterm"}}'
    CastWriter(path, CastHeader(80, 24, title="é")).commit()
    assert '"title": "é"' in path.read_text(encoding="utf-8")  # ensure_ascii=False: readable files


def test_cast_writer_rounds_to_microseconds_and_never_goes_back(tmp_path):
    path = tmp_path / "t.cast"
    with CastWriter(path, CastHeader(80, 24)) as writer:
        for t in (-1.0, 0.1234567891, 0.5, 0.4, 2.0000004):
            writer.output(t, "x")
        with pytest.raises(ValueError):
            writer.output(float("nan"), "x")
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    assert [json.loads(line)[0] for line in lines] == [0.0, 0.123457, 0.5, 0.5, 2.0]


def test_cast_writer_one_line_per_call(tmp_path):
    path = tmp_path / "t.cast"
    writer = CastWriter(path, CastHeader(80, 24))
    assert writer.partial == tmp_path / "t.cast.partial" and not path.exists()
    assert writer.partial.read_text(encoding="utf-8").count("\n") == 1  # the header is there at once
    writer.output(0.1, "a\nb\r\n")
    writer.marker(0.2, "m")
    writer.resize(0.3, 90, 20)
    assert writer.partial.read_text(encoding="utf-8").count("\n") == 4  # written through, nothing buffered
    writer.output(0.4, "lone surrogate \udcff")  # from surrogateescape: written as U+FFFD, the file stays UTF-8
    with pytest.raises(ValueError):
        writer.resize(0.5, 0, 24)
    writer.commit()
    assert not writer.partial.exists() and read_cast(path).events[-1].data == "lone surrogate \ufffd"
    with pytest.raises(ValueError):
        writer.output(1.0, "after commit")


def test_a_failed_rerecord_leaves_the_old_recording(tmp_path):
    path = tmp_path / "step.cast"
    with CastWriter(path, CastHeader(80, 24)) as writer:
        writer.output(0.1, "old\r\n")
    old = path.read_bytes()

    with pytest.raises(RuntimeError), CastWriter(path, CastHeader(80, 24)) as writer:
        writer.output(0.1, "new, half done\r\n")
        raise RuntimeError("the step failed")
    assert path.read_bytes() == old  # the exception kept the partial for inspection
    assert read_cast(writer.partial).output_text() == "new, half done\r\n"

    writer = CastWriter(path, CastHeader(80, 24))
    writer.output(0.1, "discarded\r\n")
    writer.discard()
    assert path.read_bytes() == old and not writer.partial.exists()

    with CastWriter(path, CastHeader(80, 24)) as writer:
        writer.output(0.1, "new\r\n")
    assert read_cast(path).output_text() == "new\r\n" and not writer.partial.exists()


def test_cast_writer_round_trips_through_read_cast(tmp_path):
    @given(st.lists(st.tuples(st.floats(0, 1e6), st.sampled_from("om"), st.text(NO_SURROGATES)), max_size=20))
    @settings(max_examples=100, deadline=None)
    def check(events):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "r.cast"
            with CastWriter(path, CastHeader(80, 24)) as writer:
                for t, code, data in events:
                    (writer.output if code == "o" else writer.marker)(t, data)
            cast = read_cast(path)
        assert [(e.code, e.data) for e in cast.events] == [(code, data) for _, code, data in events]
        expected, last = [], 0.0
        for t, _, _ in events:  # rounded to microseconds, never earlier than the event before
            last = max(round(t, 6), last)
            expected.append(last)
        assert [e.time for e in cast.events] == expected

    check()


# --- asciinema rec → read_cast -----------------------------------------------------------------

REC_COMMANDS = [
    r"printf '\033[1;31mred\033[0m plain \033[38;5;208morange\033[0m\n'; printf '10%%\r50%%\r100%%\n'; printf 'héllo ✓ 日本語\n'",
    r"for i in 1 2 3; do printf 'step %s\r' $i; sleep 0.05; done; echo; printf '\033[2J\033[Hcleared\n'; exit 3",
]


@pytest.mark.parametrize("command", REC_COMMANDS)
def test_casts_recorded_by_asciinema_read_back(tmp_path, command):
    path = tmp_path / "rec.cast"
    result = asciinema("rec", "-q", "--cols", "80", "--rows", "24", "-c", command, str(path))
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    cast = read_cast(path)
    assert cast.warnings == []
    assert (cast.header.version, cast.header.width, cast.header.height) == (2, 80, 24)
    assert isinstance(cast.header.timestamp, int) and cast.header.env.get("SHELL") == "/bin/bash"
    assert cast.output_text() == asciinema_cat(path)
    assert "\r\n" in cast.output_text() and cast.duration >= 0
    if "héllo" in command:
        assert "héllo ✓ 日本語\r\n" in cast.output_text() and "\x1b[1;31mred" in cast.output_text()
        assert "10%\r50%\r100%\r\n" in cast.output_text()


# --- asciicast v3 -------------------------------------------------------------------------------


def test_v3_intervals_become_absolute_times():
    text = "\n".join([
        '{"version": 3, "term": {"cols": 100, "rows": 30, "type": "xterm-256color", '
        '"theme": {"fg": "#ffffff", "bg": "#000000", "palette": "#000000:#ffffff"}}, '
        '"timestamp": 1700000000, "idle_time_limit": 2, "command": "bash", "title": "demo", "env": {"SHELL": "/bin/zsh"}}',
        "# a comment, then a blank line",
        "",
        '[0.25, "o", "hello "]',
        '[0.5, "m", "half"]',
        "#another comment",
        '[0.125, "o", "world\\r\\n"]',
        '[1.0, "r", "120x40"]',
        '[0.0, "z", {"unknown": "code"}]',
        '[0.375, "x", "3"]',
        "",
    ])
    cast = parse_cast(text, P)
    assert cast.header == CastHeader(100, 30, 3, 1700000000, "demo", "bash", 2.0,
                                     {"SHELL": "/bin/zsh", "TERM": "xterm-256color"},
                                     {"fg": "#ffffff", "bg": "#000000", "palette": "#000000:#ffffff"})
    assert [(e.time, e.code) for e in cast.events] == [(0.25, "o"), (0.75, "m"), (0.875, "o"), (1.875, "r"), (2.25, "x")]
    assert cast.exit_status == 3 and cast.duration == 2.25 and cast.warnings == []
    assert cast.markers == [(0.75, "half")] and cast.output_text() == "hello world\r\n"


def test_v3_unknown_codes_still_move_the_clock():
    cast = parse_cast(H3 + '\n[1, "o", "a"]\n[2, "future", [1, 2]]\n[0.5, "o", "b"]\n', P)
    assert [(e.time, e.data) for e in cast.events] == [(1.0, "a"), (3.5, "b")]
    assert (cast.header.width, cast.header.height, cast.header.env) == (100, 30, {"TERM": "xterm-256color"})


def test_v2_ignores_unknown_codes_and_header_keys():
    cast = parse_cast('{"version": 2, "width": 80, "height": 24, "duration": 3.5, "future": [1], "env": {"SHELL": null}}\n'
                      '[0.5, "o", "a"]\n[0.5, "?", 42]\n[1, "i", "typed"]\n[2, "x", "0"]\n', P)
    assert [e.code for e in cast.events] == ["o", "i", "x"] and cast.exit_status == 0 and cast.header.env == {}


# --- a writer killed mid-recording --------------------------------------------------------------

CHILD = r"""
import sys
from pathlib import Path
from tui.recording.asciicast import CastHeader, CastWriter
writer = CastWriter(Path(sys.argv[1]), CastHeader(80, 24, timestamp=1))
i = 0
while True:
    writer.output(i / 1000, f"line {i} héllo ✓ \x1b[32m{'x' * (i % 97)}\x1b[0m\r\n")
    if i % 100 == 0:
        writer.marker(i / 1000, f"step {i}")
    i += 1
"""


def child_line(i: int) -> str:
    return f"line {i} héllo ✓ \x1b[32m{'x' * (i % 97)}\x1b[0m\r\n"


@pytest.mark.parametrize("kill_after", [1, 20_000, 300_000])
def test_sigkill_mid_recording_leaves_a_readable_partial_and_the_old_file(tmp_path, kill_after):
    path = tmp_path / "step.cast"
    with CastWriter(path, CastHeader(80, 24)) as writer:
        writer.output(0.5, "the previous recording\r\n")
    old = path.read_bytes()
    partial = path.with_name("step.cast.partial")

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path)], env=env)
    try:
        deadline = time.monotonic() + 30
        while not (partial.exists() and partial.stat().st_size >= kill_after):
            assert child.poll() is None and time.monotonic() < deadline, "the child stopped writing"
            time.sleep(0.001)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL

    assert path.read_bytes() == old
    cast = read_cast(partial)
    assert len(cast.warnings) <= 1  # whole-line writes: in practice none
    outputs = [e.data for e in cast.events if e.code == "o"]
    assert cast.header.width == 80 and outputs == [child_line(i) for i in range(len(outputs))]  # no line lost or garbled
    assert asciinema_cat(partial) == cast.output_text()


def test_a_truncated_last_line_is_a_warning():
    for cut in ('[1.5, "o", "ab', "[1.5", "[", '[1.5, "o", "\\u00'):
        cast = parse_cast(H2 + '\n[1, "o", "x"]\n' + cut, P)
        assert cast.warnings == [f"{P}:3: line 3 is incomplete; ignored"] and cast.output_text() == "x"


# --- malformed files: located errors -----------------------------------------------------------

BAD = [
    ("", 1, 1, "the file is empty"),
    ("\n\n  \n", 1, 1, "the file is empty"),
    ("hello", 1, 1, "invalid JSON (Expecting value)"),
    ('[1, "o", "x"]', 1, 1, "the header is an array; expected a JSON object"),
    ('  "v2"', 1, 3, "the header is the string 'v2'"),
    ('{"version": 1, "width": 80, "height": 24}', 1, 13, "'version' is the number 1; expected asciicast version 2 or 3"),
    ('{"version": "2", "width": 80, "height": 24}', 1, 13, "'version' is the string '2'; expected asciicast version 2 or 3"),
    ('{"width": 80, "height": 24}', 1, 1, "no 'version'; expected asciicast version 2 or 3"),
    ('{"version": 2, "height": 24}', 1, 1, "no 'width'; expected width as a whole number"),
    ('{"version": 2, "width": "80", "height": 24}', 1, 25, "'width' is the string '80'"),
    ('{"version": 2, "width": 80, "height": 0}', 1, 39, "'height' is the number 0"),
    ('{"version": 2, "width": 80.0, "height": 24}', 1, 25, "'width' is the number 80.0"),
    ('{"version": 3, "width": 80, "height": 24}', 1, 1, "a version 3 header without 'term'"),
    ('{"version": 3, "term": [80, 24]}', 1, 24, "'term' is an array"),
    ('{"version": 3, "term": {"cols": 80}}', 1, 24, "no 'rows'"),
    ('{"version": 3, "term": {"cols": true, "rows": 24}}', 1, 33, "'cols' is the boolean true"),
    ('{"version": 2, "width": 80, "height": 24, "title": 7}', 1, 52, "'title' is the number 7; expected a string"),
    ('{"version": 2, "width": 80, "height": 24, "env": ["TERM"]}', 1, 50, "'env' is an array"),
    ('{"version": 2, "width": 80, "height": 24, "idle_time_limit": -1}', 1, 62, "'idle_time_limit' is the number -1"),
    ('{"version": 2, "width": 80, "height": 24, "timestamp": "now"}', 1, 56, "'timestamp' is the string 'now'"),
    (H2 + "\ngarbage\n[1, \"o\", \"x\"]", 2, 1, "invalid JSON"),
    (H2 + '\n[1, "o", "x"]\n\n[2, "o" "y"]\n[3, "o", "z"]', 4, 9, "invalid JSON (Expecting ',' delimiter)"),
    (H2 + '\n[1, "o", "ab\n[2, "o", "c"]', 2, 10, "invalid JSON (Unterminated string"),
    (H2 + '\n[1, "o", "x"]\nxyz', 3, 1, "invalid JSON"),  # the last line, but not the start of an event
    (H2 + '\n{"t": 1}', 2, 1, "an object; expected an event [time, code, data]"),
    (H2 + '\n  [1, "o"]', 2, 3, "an array of 2; expected an event"),
    (H2 + '\n[1, "o", "x", "y"]', 2, 1, "an array of 4"),
    (H2 + '\n"text"', 2, 1, "the string 'text'; expected an event"),
    (H2 + '\n["1", "o", "x"]', 2, 2, "the time is the string '1'; expected a number of seconds"),
    (H2 + '\n[null, "o", "x"]', 2, 2, "the time is null"),
    (H2 + '\n[true, "o", "x"]', 2, 2, "the time is the boolean true"),
    (H2 + '\n[ -0.5, "o", "x"]', 2, 3, "time -0.5 is negative; expected seconds ≥ 0"),
    (H2 + '\n[1e999, "o", "x"]', 2, 2, "the time is the number inf; expected a finite number"),
    (H2 + '\n[NaN, "o", "x"]', 2, 2, "the time is the number nan"),
    (H2 + '\n[1' + "0" * 400 + ', "o", "x"]', 2, 2, "the time is a number; expected a finite number"),
    (H2 + '\n[2, "o", "x"]\n[1.5, "o", "y"]', 3, 2, "time 1.5 is before the previous event's 2.0"),
    (H2 + '\n[2, "?", "x"]\n[1.5, "o", "y"]', 3, 2, "time 1.5 is before"),  # unknown codes keep the clock
    (H2 + '\n[1, 5, "x"]', 2, 5, "event code is the number 5"),
    (H2 + '\n[1, "", "x"]', 2, 5, "event code is the string ''"),
    (H2 + '\n[1, "o", 5]', 2, 10, "'o' event data is the number 5; expected a string"),
    (H2 + '\n[1, "m", null]', 2, 10, "'m' event data is null"),
    (H2 + '\n[1, "r", "80-24"]', 2, 10, "resize to '80-24'; expected \"COLSxROWS\""),
    (H2 + '\n[1, "r", "0x24"]', 2, 10, "resize to '0x24'"),
    (H2 + '\n[1, "r", "' + "9" * 1000 + '"]', 2, 10, "resize to '" + "9" * 40 + "'…; expected"),  # no 1000-character message
    (H2 + '\n[1, "x", "ok"]', 2, 10, "exit status 'ok'"),
    (H2 + "\n# a comment\n[1, \"o\", \"x\"]", 2, 1, "a '#' comment; expected an event [time, code, data] (comments are asciicast v3 only)"),
    (H3 + '\n[-0.5, "o", "x"]', 2, 2, "interval -0.5 is negative"),
    (H3 + '\n[0.5, "x", "zero"]', 2, 12, "exit status 'zero'"),
    (H2 + "\n[" * 1 + "[" * 100_000 + "]" * 100_000 + ', "o", "x"]', 2, 1, "nested too deeply"),  # complete: not a truncation
    (H2 + '\n[1' + "0" * 5000 + ', "o", "x"]\n', 2, 1, "JSON that cannot be read"),
]


@pytest.mark.parametrize(("text", "line", "column", "message"), BAD, ids=[f"{i}:{b[3][:30]}" for i, b in enumerate(BAD)])
def test_malformed_casts_give_located_errors(text, line, column, message):
    error = error_of(text)
    assert len(error.errors) == 1
    located = error.errors[0]
    assert (located.location.path, located.location.line, located.location.column) == (P, line, column), str(located)
    assert message in located.message, located.message
    assert str(error).startswith(f"{P}:{line}:{column}: ")


def test_read_cast_file_errors(tmp_path):
    cases = {
        "binary.cast": (b"\x7fELF\x02\x01\x01\x00\x00", 1, 8, "NUL byte"),
        "latin1.cast": (H2.encode() + b'\n[1, "o", "caf\xe9"]\n', 2, 14, "invalid UTF-8 (byte 0xe9)"),
        "v1.cast": (b'{\n  "version": 1,\n  "width": 80\n}', 1, 2, "invalid JSON"),
    }
    for name, (data, line, column, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(LoadError) as info:
            read_cast(tmp_path / name)
        located = info.value.errors[0]
        assert (located.location.line, located.location.column) == (line, column), str(located)
        assert message in located.message and located.location.path == tmp_path / name
    for path in (tmp_path / "missing.cast", tmp_path):
        with pytest.raises(LoadError):
            read_cast(path)


def test_crlf_files_and_a_bom_are_read():
    cast = parse_cast("\ufeff" + H2 + '\r\n[1, "o", "a"]\r\n[2, "o", "b"]\r\n', P)
    assert cast.output_text() == "ab" and cast.warnings == []


# --- any input: a Cast or a LoadError -----------------------------------------------------------


def check_result(text: str, parse) -> Cast | None:
    lines = normalize(text).split("\n")
    try:
        cast = parse()
    except LoadError as error:
        for located in error.errors:
            where = located.location
            assert located.message.strip() and 1 <= where.line <= len(lines), str(located)
            assert 1 <= where.column <= len(lines[where.line - 1]) + 1, str(located)
        return None
    times = [e.time for e in cast.events]
    assert times == sorted(times) and all(t >= 0 for t in times)
    assert all(isinstance(e.data, str) for e in cast.events) and len(cast.warnings) <= 1
    assert cast.header.width >= 1 and cast.header.height >= 1
    cast.markers, cast.output_text(), cast.duration  # noqa: B018 - they must not raise
    return cast


EVENT_LINE = st.one_of(
    st.builds(lambda t, c, d: json.dumps([t, c, d]), st.one_of(st.floats(-1, 10), st.integers(-1, 10), st.text(max_size=2)),
              st.sampled_from(["o", "m", "r", "x", "i", "q", ""]), st.one_of(st.text(max_size=5), st.integers(), st.just("80x24"))),
    st.text(max_size=20), st.just("# comment"), st.just(""),
)
HEADER_LINE = st.sampled_from([H2, H3, '{"version": 2}', "{}", "[]", '{"version": 3, "term": {"cols": 1, "rows": 1}}'])


@SETTINGS
@given(st.text())
def test_any_text_gives_a_cast_or_a_located_error(text):
    check_result(text, lambda: parse_cast(text, P))


@SETTINGS
@given(HEADER_LINE, st.lists(EVENT_LINE, max_size=8), st.integers(0, 40))
def test_near_valid_casts_give_a_cast_or_a_located_error(header, events, cut):
    text = "\n".join([header, *events])
    text = text[: len(text) - cut] if cut < len(text) else text
    check_result(text, lambda: parse_cast(text, P))


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_give_a_cast_or_a_located_error(data):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "any.cast"
        path.write_bytes(data)
        try:
            read_cast(path)
        except LoadError as error:
            assert all(e.location.path == path for e in error.errors)
