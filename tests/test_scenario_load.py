"""Well-formed scenarios load to exactly what was written; the model's helpers; finding by name."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tui.errors import LoadError
from tui.scenario.load import find_scenario, load_scenario, parse_scenario, scenario_names
from tui.scenario.model import Expect, Scenario, Step
from tui.scenario.variables import substitute, values_for

REPO = Path(__file__).parent.parent
SCENARIOS = REPO / "scenarios"

FULL = """\
title: Sysext on a node
description: |
  Two lines
  of description.
vars:
  version: 3815.2.0
  node_ip: ~
setup:
  - id: clean
    run: rm -rf /tmp/x
steps:
  - id: intro
    say: Let us begin.
  - id: fetch
    title: Fetch the image
    run: |
      curl -O https://example.org/{{ version }}.raw
      ls -l
    target: node1
    pane: node1-main
    timeout: 1m30s
    expect: {output: "^total", exit: 0}
  - id: wait-boot
    wait: {output: "login:", timeout: 2m}
  - id: wait-ssh
    target: node1
    wait: {command: "nc -z {{ node_ip }} 22", interval: 2s, timeout: 1m}
  - id: pause
    wait: {seconds: 2.5}
  - id: pause2
    wait: {for: 1m}
  - id: verify
    check: systemd-sysext status
    target: node1
    expect: {output: docker}
  - id: fail
    run: "false"
    expect: {exit: 1}
cleanup:
  - id: bye
    say: |
      Thanks.
      Questions?
"""


def test_a_full_scenario():
    s = parse_scenario(FULL, Path("scenarios/sysext.yaml"))
    assert (s.name, s.path, s.title) == ("sysext", Path("scenarios/sysext.yaml"), "Sysext on a node")
    assert s.description == "Two lines\nof description.\n"
    assert s.vars == {"version": "3815.2.0", "node_ip": None}
    assert s.setup == (Step(id="clean", kind="run", line=9, column=5, command="rm -rf /tmp/x"),)
    assert s.cleanup == (Step(id="bye", kind="say", line=40, column=5, text="Thanks.\nQuestions?\n"),)
    assert s.steps == (
        Step(id="intro", kind="say", line=12, column=5, text="Let us begin."),
        Step(id="fetch", kind="run", line=14, column=5, title="Fetch the image",
             command="curl -O https://example.org/{{ version }}.raw\nls -l\n", target="node1", pane="node1-main",
             timeout=90.0, expect=Expect(output="^total", exit=0)),
        # a wait on output with no pane named watches the pane of the step before it
        Step(id="wait-boot", kind="wait", line=23, column=5, wait_output="login:", timeout=120.0,
             target="node1", pane="node1-main"),
        Step(id="wait-ssh", kind="wait", line=25, column=5, target="node1", command="nc -z {{ node_ip }} 22",
             wait_interval=2.0, timeout=60.0),
        Step(id="pause", kind="wait", line=28, column=5, wait_seconds=2.5),
        Step(id="pause2", kind="wait", line=30, column=5, wait_seconds=60.0),
        Step(id="verify", kind="check", line=32, column=5, command="systemd-sysext status", target="node1",
             expect=Expect(output="docker")),
        Step(id="fail", kind="run", line=36, column=5, command="false", expect=Expect(exit=1)),
    )


def test_model_helpers():
    s = parse_scenario(FULL, Path("sysext.yaml"))
    assert [x.id for x in s.all_steps][:3] == ["clean", "intro", "fetch"] and s.all_steps[-1].id == "bye"
    assert s.step("verify").command == "systemd-sysext status"
    with pytest.raises(KeyError, match="no step 'nope' in scenario 'sysext'"):
        s.step("nope")
    assert s.targets == frozenset({"local", "node1"})  # say steps and plain pauses run nowhere
    # a check and wait-ssh run out of sight (out of band): no pane of their own
    assert s.panes == ("local", "node1-main")
    assert [x.label for x in s.all_steps] == [
        "rm -rf /tmp/x", "Let us begin.", "Fetch the image", "wait for /login:/", "nc -z {{ node_ip }} 22",
        "wait 2.5s", "wait 60s", "systemd-sysext status", "false", "Thanks."]


def test_wait_labels_and_pane_names():
    assert Step(id="x", kind="wait", line=1, column=1, wait_seconds=60).label == "wait 60s"
    assert Step(id="x", kind="wait", line=1, column=1).label == "x"
    assert Step(id="x", kind="run", line=1, column=1, command="ls", target="n1").pane_name == "n1"
    assert Step(id="x", kind="run", line=1, column=1, command="ls", target="n1", pane="p").pane_name == "p"


def test_an_explicit_pane_or_target_is_kept_by_a_wait():
    s = parse_scenario("title: T\nsteps:\n  - {id: a, run: x, target: n1}\n  - {id: b, wait: {output: y, pane: p}}\n"
                       "  - {id: c, wait: {output: z}, target: n2}\n  - {id: d, wait: {output: w}}\n")
    assert [(x.target, x.pane) for x in s.steps] == [("n1", None), ("local", "p"), ("n2", None), ("n2", None)]


def test_a_first_wait_on_output_watches_local():
    s = parse_scenario("title: T\nsteps:\n  - {id: a, wait: {output: y}}\n")
    assert s.steps[0].pane_name == "local"


def test_a_check_always_checks_the_exit_code():
    s = parse_scenario("title: T\nsteps:\n  - {id: a, check: 'true'}\n  - {id: b, run: 'true'}\n")
    assert s.steps[0].expect == Expect() and s.steps[1].expect is None


def test_output_patterns_match_per_line():
    assert Expect(output="^b$").pattern.search("a\nb\nc")
    assert Expect().pattern is None


def test_model_refuses_what_the_loader_would():
    with pytest.raises(re.error):
        Expect(output="(")
    with pytest.raises(ValueError):
        Step(id="x", kind="poll", line=1, column=1)


def test_yaml_scalars_keep_their_spelling():
    s = parse_scenario("title: 1.10\nvars: {v: 010, w: no}\nsteps: [{id: a, run: 1.50, expect: {exit: 0x1}}]\n")
    assert (s.title, s.vars, s.steps[0].command, s.steps[0].expect.exit) == ("1.10", {"v": "010", "w": "no"}, "1.50", 1)


def test_line_endings_and_bom_do_not_move_locations():
    text = "title: T\nsteps:\n  - {id: a, run: x}\n"
    for variant in (text.replace("\n", "\r\n"), "\ufeff" + text, text.replace("\n", "\r")):
        assert parse_scenario(variant).steps[0].line == 3


def test_columns_count_characters_not_bytes():
    s = parse_scenario("title: é€😀\nsteps: [{id: a, run: x}, {id: b, run: 'é'}]\n")
    assert [(x.line, x.column) for x in s.steps] == [(2, 9), (2, 26)]


# --- the shipped example -----------------------------------------------------------------------


def test_hello_shell_example():
    s = load_scenario(SCENARIOS / "hello-shell.yaml")
    assert s.name == "hello-shell" and s.targets == {"local"} and s.panes == ("local",)
    kinds = {x.kind for x in s.all_steps}
    assert kinds == {"run", "say", "wait", "check"}
    assert any(x.expect and x.expect.exit == 1 for x in s.all_steps)
    assert any(x.wait_output for x in s.all_steps)


def test_hello_shell_does_what_it_says_in_one_shell():
    """Run the example's commands in one bash, in order: state carries over, every expect holds."""
    s = load_scenario(SCENARIOS / "hello-shell.yaml")
    values = values_for(s, {})
    script, marks = [], []
    for step in s.all_steps:
        if step.command is not None:
            script += [f"echo '<<{step.id}'", substitute(step.command, values), f"echo \">>{step.id} $?\""]
            marks.append(step)
    out = subprocess.run(["bash", "--norc", "--noprofile"], input="\n".join(script) + "\n", capture_output=True,
                         text=True, timeout=30, cwd=REPO).stdout
    outputs = ""
    for step in marks:
        body, rest = out.split(f"<<{step.id}\n", 1)[1].split(f">>{step.id} ", 1)
        code = int(rest.split("\n", 1)[0])
        outputs += body
        expect = step.expect or Expect()
        assert code == expect.exit, (step.id, body)
        if expect.pattern:
            assert expect.pattern.search(body), (step.id, body)
    for step in s.all_steps:
        if step.wait_output:
            assert re.search(step.wait_output, outputs, re.MULTILINE)


# --- finding a scenario by name ----------------------------------------------------------------


def test_find_by_name_and_by_path(tmp_path):
    (tmp_path / "a.yaml").write_text("x")
    (tmp_path / "lab.yaml").write_text("x")
    assert find_scenario("a", tmp_path) == tmp_path / "a.yaml"
    assert find_scenario(str(tmp_path / "a.yaml"), Path("/nowhere")) == tmp_path / "a.yaml"
    assert find_scenario("hello-shell", SCENARIOS) == SCENARIOS / "hello-shell.yaml"
    assert scenario_names(tmp_path) == ["a"]


def test_unknown_name_lists_the_known_ones(tmp_path):
    for name in ("b", "a", "lab"):
        (tmp_path / f"{name}.yaml").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    for name in ("nope", "lab"):  # the lab inventory is not a scenario
        with pytest.raises(LoadError) as info:
            find_scenario(name, tmp_path)
        assert str(info.value) == f"{tmp_path / (name + '.yaml')}: no scenario named {name!r}; expected one of: a, b"


def test_unknown_file_and_empty_directory(tmp_path):
    with pytest.raises(LoadError) as info:
        find_scenario("missing/x.yaml", tmp_path)
    assert str(info.value) == f"missing/x.yaml: no such file; expected a scenario file or one of the names: none (no .yaml files in {tmp_path})"
    with pytest.raises(LoadError) as info:
        find_scenario("x", tmp_path / "absent")
    assert "expected one of: none" in str(info.value)


@pytest.mark.parametrize("name", ["", ".", "..", "a" * 5000, "a\0b"])
def test_odd_names_give_load_errors(tmp_path, name):
    with pytest.raises(LoadError):
        find_scenario(name, tmp_path)


def test_every_shipped_scenario_loads():
    names = scenario_names(SCENARIOS)
    assert "hello-shell" in names
    for name in names:
        assert isinstance(load_scenario(find_scenario(name, SCENARIOS)), Scenario)
