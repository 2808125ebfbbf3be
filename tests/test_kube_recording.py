"""Kube event logs: written crash-safe and redacted by the recorder, read back with located errors,
replayed with their timing into the same views."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from kubeserver import machine
from tui.engine.events import EventBus, ResourceEvents, StepFinished, StepStarted, StepStatus
from tui.errors import LoadError
from tui.kube.objects import fields_for, trim
from tui.recording.kubelog import FORMAT, KubeLogHeader, KubeLogWriter, parse_kubelog, read_kubelog
from tui.recording.recorder import Recorder
from tui.recording.redact import Redactor
from tui.recording.replay import KubeReplayer
from tui.scenario.inventory import Redaction
from tui.scenario.load import parse_scenario

HEADER = {"version": 1, "format": FORMAT, "timestamp": 1767225600.0, "pane": "mgmt", "snapshot": 1}


def _m(name: str, phase: str = "Provisioning") -> dict:
    return trim(machine(name, phase), fields_for("Machine"))


def _write(path: Path, lines: list) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_written_then_read_back(tmp_path: Path):
    path = tmp_path / "01-machines--mgmt.jsonl"
    writer = KubeLogWriter(path, KubeLogHeader(timestamp=1767225600.0, pane="mgmt", query="kubectl get machines -w",
                                               idle_time_limit=2.0, snapshot=1))
    writer.event(0.0, "ADDED", _m("a"))
    writer.event(1.5, "MODIFIED", _m("a", "Running"))
    writer.event(1.2, "DELETED", _m("a", "Running"))  # clock jitter: clamped, the file stays valid
    assert not path.exists() and writer.partial.exists()
    # a writer killed here leaves a readable .partial: every line is whole
    assert [e.code for e in read_kubelog(writer.partial).events] == ["ADDED", "MODIFIED", "DELETED"]
    writer.commit()
    log = read_kubelog(path)
    assert (log.header.timestamp, log.header.pane, log.header.snapshot, log.header.idle_time_limit) == (1767225600.0, "mgmt", 1, 2.0)
    assert [(e.time, e.code, e.data["status"]["phase"]) for e in log.events] == [
        (0.0, "ADDED", "Provisioning"), (1.5, "MODIFIED", "Running"), (1.5, "DELETED", "Running")]
    assert not writer.partial.exists()


def test_unknown_types_are_ignored_and_a_cut_last_line_is_a_warning(tmp_path: Path):
    path = _write(tmp_path / "x.jsonl", [HEADER, [0, "ADDED", _m("a")], [0.5, "BOOKMARK", {"x": 1}], [1, "MODIFIED", _m("a", "Running")]])
    with path.open("a") as f:
        f.write('[1.2, "DELETED", {"metadata": {"na')
    log = read_kubelog(path)
    assert [e.code for e in log.events] == ["ADDED", "MODIFIED"]
    assert log.warnings == [f"{path}:5: line 5 is incomplete; ignored"]


@pytest.mark.parametrize("lines, where, message", [
    ([HEADER, "not json"], (2, 1), "invalid JSON"),
    ([{"version": 1, "format": "asciicast"}], (1, 26), "'format' is the string 'asciicast'; expected 'flatdeck-kube-events'"),
    ([HEADER, [0, "ADDED"]], (2, 1), "an array of 2; expected an event"),
    ([HEADER, ["0", "ADDED", {"metadata": {"name": "a"}}]], (2, 2), "the time is the string '0'; expected seconds ≥ 0"),
    ([HEADER, [2, "ADDED", {"metadata": {"name": "a"}}], [1, "ADDED", {"metadata": {"name": "b"}}]], (3, 2),
     "time 1 is before the previous event's 2.0"),
    ([HEADER, [0, "ADDED", {"kind": "Machine"}]], (2, 14), "an object without metadata.name"),
    ([HEADER, [0, 5, {}]], (2, 5), "event type is the number 5"),
    ([{**HEADER, "snapshot": -1}], (1, 105), "'snapshot' is the number -1"),
])
def test_invalid_logs_are_located_errors(tmp_path: Path, lines, where, message):
    text = "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)
    with pytest.raises(LoadError) as info:
        parse_kubelog(text, tmp_path / "bad.jsonl")
    (error,) = info.value.errors
    assert (error.location.line, error.location.column) == where
    assert message in error.message


def test_the_recorder_redacts_and_starts_each_step_from_the_pane_s_contents(tmp_path: Path):
    scenario = parse_scenario("title: T\nsteps:\n  - {id: watch, target: mgmt, kube: {get: machines}}\n"
                              "  - {id: wait, target: mgmt, wait: {kube: machines, phase: Running}}\n", tmp_path / "s.yaml")
    clock = iter(float(n) for n in range(100))
    recorder = Recorder(scenario, tmp_path / "rec", Redactor([Redaction("hunter2")]), "lab", lambda pane: (80, 24),
                        clock=lambda: next(clock))
    bus = EventBus()
    bus.subscribe(recorder)
    secret = _m("b")
    secret["status"]["conditions"] = [{"type": "Ready", "status": "False",
                                       "message": "bootstrap token abcdef.0123456789abcdef, Bearer eyJhbGciOi.eyJzdWIiOiJ4.sig, hunter2"}]
    bus.publish(StepStarted("watch", "mgmt", "kubectl get machines -w"))
    bus.publish(ResourceEvents("mgmt", (("ADDED", _m("a")), ("ADDED", secret))))
    bus.publish(StepFinished("watch", StepStatus.PASSED, None, 0.3))
    bus.publish(ResourceEvents("mgmt", (("MODIFIED", _m("a", "Running")),)))  # between steps: not in a log…
    bus.publish(StepStarted("wait", None, None))
    bus.publish(ResourceEvents("mgmt", (("DELETED", _m("b")),)))
    bus.publish(StepFinished("wait", StepStatus.PASSED, None, 2.0))
    first, second = (read_kubelog(tmp_path / "rec" / "s" / name) for name in ("01-watch--mgmt.jsonl", "02-wait--mgmt.jsonl"))
    assert first.header.snapshot == 0 and [e.code for e in first.events] == ["ADDED", "ADDED"]
    message = first.events[1].data["status"]["conditions"][0]["message"]
    assert "hunter2" not in message and "eyJzdWIi" not in message and message.count("[REDACTED]") == 2
    # …but the next step's log starts from what the pane held then
    assert second.header.snapshot == 2
    assert [(e.time, e.code, e.data["metadata"]["name"], e.data["status"]["phase"]) for e in second.events] == [
        (0.0, "ADDED", "a", "Running"), (0.0, "ADDED", "b", "Provisioning"), (1.0, "DELETED", "b", "Provisioning")]
    manifest = json.loads((tmp_path / "rec" / "s" / "manifest.json").read_text())
    assert manifest["steps"]["wait"]["files"] == ["02-wait--mgmt.jsonl"]


async def test_a_replay_sends_the_snapshot_as_one_replace_then_events_on_time(tmp_path: Path):
    path = _write(tmp_path / "x.jsonl", [{**HEADER, "snapshot": 2}, [0, "ADDED", _m("a")], [0, "ADDED", _m("b")],
                                         [0.2, "MODIFIED", _m("a", "Running")], [0.2, "DELETED", _m("b")],
                                         [0.4, "ADDED", _m("c")]])
    batches = []
    replayer = KubeReplayer(read_kubelog(path), lambda events, replace, at: batches.append(
        ([(k, o["metadata"]["name"]) for k, o in events], replace, at)))
    await asyncio.wait_for(replayer.play(), 5)
    assert batches == [
        ([("ADDED", "a"), ("ADDED", "b")], True, 1767225600.0),
        ([("MODIFIED", "a"), ("DELETED", "b")], False, 1767225600.2),  # due together: one batch
        ([("ADDED", "c")], False, 1767225600.4),
    ]


def test_enter_during_a_replay_shows_the_rest_at_once(tmp_path: Path):
    path = _write(tmp_path / "x.jsonl", [{**HEADER, "snapshot": 0}, [0, "ADDED", _m("a")], [30, "MODIFIED", _m("a", "Running")]])
    batches = []
    replayer = KubeReplayer(read_kubelog(path), lambda events, replace, at: batches.append((len(events), replace)))
    replayer.finish()
    assert batches == [(2, False)] and replayer.finished
