"""Every error path of the scenario loader: located at file:line:column, saying what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.errors import LoadError, LocatedError
from tui.scenario.load import load_scenario, parse_scenario

P = Path("demo.yaml")
HEAD = "title: T\nsteps:\n"  # steps start on line 3


def errors_of(text: str) -> list[LocatedError]:
    with pytest.raises(LoadError) as info:
        parse_scenario(text, P)
    for error in info.value.errors:
        assert error.location.path == P
    return info.value.errors


def only(text: str) -> tuple[int, int, str]:
    errors = errors_of(text)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0].location.line, errors[0].location.column, errors[0].message


def step(body: str) -> str:
    """One step at line 3, column 5 (after '  - ')."""
    return HEAD + "  - " + body.replace("\n", "\n    ") + "\n"


# --- the file as a whole ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "\ufeff"])
def test_empty_file(text):
    line, column, message = only(text)
    assert (line, column) == (0, 0)
    assert "the file is empty; expected a scenario" in message


@pytest.mark.parametrize("text, found", [
    ("- a\n- b\n", "a list"), ("hello\n", "a string 'hello'"), ("42\n", "a number '42'"), ("~\n", None),
])
def test_top_level_must_be_a_mapping(text, found):
    if found is None:  # a lone null is as good as an empty file
        assert only(text)[:2] == (0, 0)
        return
    assert only(text) == (1, 1, f"the scenario is {found}; expected a mapping with keys: "
                                "title, description, vars, setup, steps, cleanup")


def test_invalid_yaml_is_located():
    assert only("title: T\nsteps: [\n") == (3, 1, "invalid YAML: did not find expected node content")
    line, column, message = only("title: T\ntitle2: 'open\n")
    assert line == 3 and "invalid YAML" in message


def test_two_documents():
    line, column, message = only("title: T\n---\ntitle: U\n")
    assert (line, column, message) == (2, 1, "invalid YAML: but found another document")


def test_control_character_is_located():
    assert only("title: T\nsteps: \x07\n")[:2] == (2, 8)


def test_undefined_alias():
    assert only("title: *nope\n")[:2] == (1, 8)


def test_unknown_top_level_key():
    assert only(step("id: a\nrun: x") + "bogus: 1\n") == (
        5, 1, "unknown key 'bogus' in the scenario; expected one of: title, description, vars, setup, steps, cleanup")


def test_duplicate_top_level_key_names_the_first():
    assert only(step("id: a\nrun: x") + "title: U\n") == (5, 1, "duplicate key 'title' in the scenario; the first is at line 1")


def test_title_and_steps_are_required():
    errors = errors_of("description: hi\n")
    assert [(e.location.line, e.location.column, e.message) for e in errors] == [
        (1, 1, "the scenario has no 'title'; expected a 'title' key at the top level"),
        (1, 1, "the scenario has no 'steps'; expected a 'steps' key at the top level"),
    ]


@pytest.mark.parametrize("value, found", [
    ("[a]", "a list"), ("{a: 1}", "a mapping"), ("", "empty (null)"), ("~", "empty (null)"),
])
def test_title_must_be_a_string(value, found):
    assert only(f"title: {value}\nsteps: [{{id: a, run: x}}]\n") == (1, 8 if value else 7, f"title is {found}; expected a string")


def test_empty_title():
    assert only("title: '  '\nsteps: [{id: a, run: x}]\n") == (1, 8, "title is an empty string; expected some text")


def test_nul_in_a_string():
    assert only('title: "a\\0b"\nsteps: [{id: a, run: x}]\n') == (1, 8, "title contains a NUL character; expected text")


def test_description_must_be_a_string():
    assert only(step("id: a\nrun: x") + "description: [1]\n") == (5, 14, "description is a list; expected a string")


@pytest.mark.parametrize("value, found", [("x", "a string 'x'"), ("{id: a}", "a mapping"), ("", "empty (null)")])
def test_steps_must_be_a_list(value, found):
    assert only(f"title: T\nsteps: {value}\n") == (2, 8 if value else 7, f"steps is {found}; expected a list of steps")


def test_steps_must_not_be_empty():
    assert only("title: T\nsteps: []\n") == (2, 8, "steps is an empty list; expected at least one step")


def test_setup_and_cleanup_must_be_lists():
    errors = errors_of(step("id: a\nrun: x") + "setup: x\ncleanup: {a: 1}\n")
    assert [(e.location.line, e.location.column, e.message) for e in errors] == [
        (5, 8, "setup is a string 'x'; expected a list of steps"),
        (6, 10, "cleanup is a mapping; expected a list of steps"),
    ]


def test_a_key_that_is_not_a_name():
    assert only("title: T\n[a]: 1\nsteps: [{id: a, run: x}]\n") == (2, 1, "a key in the scenario is a list; expected a name")


# --- vars --------------------------------------------------------------------------------------


def test_vars_must_be_a_mapping():
    assert only(step("id: a\nrun: x") + "vars: [a]\n") == (5, 7, "vars is a list; expected a mapping of names to values")


def test_var_value_must_be_a_string_or_null():
    assert only(step("id: a\nrun: x") + "vars:\n  a: [1]\n") == (6, 6, "variable 'a' is a list; expected a string")


def test_var_name_must_be_an_identifier():
    assert only(step("id: a\nrun: x") + "vars:\n  1a: x\n") == (
        6, 3, "variable name '1a'; expected letters, digits and '_', not starting with a digit")


def test_var_default_with_a_control_character():
    assert only(step("id: a\nrun: x") + 'vars:\n  a: "x\\ty"\n') == (
        6, 6, "variable 'a' contains the control character U+0009; expected one line of text")


def test_duplicate_var():
    assert only(step("id: a\nrun: x") + "vars:\n  a: x\n  a: y\n") == (7, 3, "duplicate name 'a' in vars; the first is at line 6")


# --- steps: shape and kind -------------------------------------------------------------------


def test_a_step_must_be_a_mapping():
    assert only(HEAD + "  - echo hi\n") == (
        3, 5, "a step is a string 'echo hi'; expected a mapping with keys: id, run, wait, say, check, kube, target, pane, expect, timeout, title")


def test_unknown_step_key():
    assert only(step("id: a\nrun: x\nbogus: 1")) == (
        5, 5, "unknown key 'bogus' in a step; expected one of: id, run, wait, say, check, kube, target, pane, expect, timeout, title")


def test_a_step_needs_a_kind():
    assert only(step("id: a\ntitle: t")) == (3, 5, "a step has no kind; expected exactly one of: run, wait, say, check, kube")


def test_a_step_has_only_one_kind():
    assert only(step("id: a\nrun: x\nsay: y")) == (5, 5, "this step has both 'run' and 'say'; expected exactly one of: run, wait, say, check, kube")


def test_a_kube_step_needs_a_target():
    message = "a kube step has no 'target'; expected the name of a kube target of the lab inventory, like target: mgmt"
    assert only(step("id: a\nkube: {get: pods}")) == (3, 5, message)
    assert only(step("id: a\n<<: {kube: {get: pods}}")) == (3, 5, message)


def test_key_of_another_kind():
    assert only(step("id: a\nsay: hi\ntarget: node1")) == (
        5, 5, "'target' does not apply to a say step; a say step takes: id, say, title")


def test_wait_keys_at_step_level_get_a_hint():
    assert only(step("id: a\nwait: {output: x}\ntimeout: 5s")) == (
        5, 5, "'timeout' does not apply to a wait step (it goes inside the wait mapping); a wait step takes: id, wait, target, title")


def test_duplicate_step_key():
    assert only(step("id: a\nrun: x\nrun: y")) == (5, 5, "duplicate key 'run' in a step; the first is at line 4")


# --- ids ---------------------------------------------------------------------------------------


def test_id_is_required():
    assert only(step("run: x")) == (3, 5, "a step has no 'id'; expected a unique name, like id: start-vm")


@pytest.mark.parametrize("value", ["'has space'", "'a/b'", "'é'"])
def test_id_must_be_a_plain_name(value):
    line, column, message = only(step(f"id: {value}\nrun: x"))
    assert (line, column) == (3, 9)
    assert message.endswith("is not a plain name; expected letters, digits, '_', '.' and '-'")


def test_id_must_be_a_string():
    assert only(step("id: [a]\nrun: x")) == (3, 9, "step id is a list; expected a string")


def test_numeric_id_is_a_name():
    assert parse_scenario(step("id: 10\nrun: x")).steps[0].id == "10"


def test_duplicate_id_names_the_first_line_across_sections():
    text = HEAD + "  - {id: a, run: x}\n" + "cleanup:\n  - {id: a, run: y}\n"
    assert only(text) == (5, 10, "duplicate step id 'a'; the first is at line 3, expected unique ids")


# --- run / check / say -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["run", "check"])
def test_command_must_be_a_string(kind):
    assert only(step(f"id: a\n{kind}: [ls]")) == (4, 10 if kind == "run" else 12, f"{kind} is a list; expected a string")


def test_empty_command():
    assert only(step("id: a\nrun: ''")) == (4, 10, "run is an empty string; expected some text")


def test_say_must_be_text():
    assert only(step("id: a\nsay:")) == (4, 9, "say is empty (null); expected a string")


@pytest.mark.parametrize("key", ["target", "pane"])
def test_target_and_pane_must_be_plain_names(key):
    assert only(step(f"id: a\nrun: x\n{key}: 'node 1'")) == (
        5, len(key) + 7, f"{key} 'node 1' is not a plain name; expected letters, digits, '_', '.' and '-'")


@pytest.mark.parametrize("value", ["30", "2.5", "soon", "0s", "-1s", "[30s]", "''"])
def test_timeout_must_be_a_duration(value):
    line, column, message = only(step(f"id: a\nrun: x\ntimeout: {value}"))
    assert (line, column) == (5, 14)
    assert "expected a duration like 90s, 2m or 1m30s" in message
    if value in ("30", "2.5"):
        assert message.endswith("(a bare number has no unit: write 30s)")


def test_title_of_a_step_must_be_a_string():
    assert only(step("id: a\nrun: x\ntitle: {a: 1}")) == (5, 12, "title is a mapping; expected a string")


# --- expect ------------------------------------------------------------------------------------


def test_expect_must_be_a_mapping():
    assert only(step("id: a\nrun: x\nexpect: hello")) == (
        5, 13, "expect is a string 'hello'; expected a mapping with keys: output, exit")


def test_expect_must_not_be_empty():
    assert only(step("id: a\nrun: x\nexpect: {}")) == (5, 13, "expect is an empty mapping; expected output: REGEX and/or exit: CODE")


def test_expect_unknown_key():
    assert only(step("id: a\nrun: x\nexpect: {stdout: x}")) == (
        5, 14, "unknown key 'stdout' in expect; expected one of: output, exit")


def test_expect_output_regex_must_compile():
    line, column, message = only(step("id: a\nrun: x\nexpect: {output: 'a(b'}"))
    assert (line, column) == (5, 22)
    assert message == "expect output 'a(b' is not a valid regular expression: missing ), unterminated subpattern at position 1"


@pytest.mark.parametrize("value", ["-1", "256", "1.5", "yes", "x", "99999999999999999999999999", "1" * 5000])
def test_expect_exit_must_be_a_code(value):
    line, column, message = only(step(f"id: a\nrun: x\nexpect: {{exit: {value}}}"))
    assert (line, column) == (5, 20)
    assert message.startswith("expect exit is ") and message.endswith("; expected a whole number from 0 to 255")


@pytest.mark.parametrize("value", ["!!int ''", "!!int -", "!!float _", "!!int 0x"])
def test_explicit_tags_on_bad_numbers_are_load_errors(value):
    errors = errors_of(step(f"id: a\nrun: x\nexpect: {{exit: {value}}}") + f"  - {{id: b, wait: {{seconds: {value}}}}}\n")
    assert [(e.location.line, e.location.column) for e in errors] == [(5, 20), (6, 29)]


def test_expect_does_not_apply_to_say():
    assert only(step("id: a\nsay: x\nexpect: {exit: 1}"))[:2] == (5, 5)


# --- wait --------------------------------------------------------------------------------------


def test_wait_must_be_a_mapping():
    assert only(step("id: a\nwait: 5s")) == (
        4, 11, "wait is a string '5s'; expected a mapping with keys: output, command, seconds, for, reconnect, kube, pane, interval, timeout, namespace, selector, cluster, name, columns, phase, condition, where, count")


def test_wait_needs_a_mode():
    assert only(step("id: a\nwait: {timeout: 5s}")) == (
        4, 11, "wait has none of: output, command, seconds, for, reconnect, kube; expected exactly one")


def test_wait_has_only_one_mode():
    assert only(step("id: a\nwait: {output: x, command: y}")) == (
        4, 23, "wait has both 'output' and 'command'; expected exactly one of: output, command, seconds, for, reconnect, kube")


def test_wait_unknown_key():
    assert only(step("id: a\nwait: {output: x, every: 2s}")) == (
        4, 23, "unknown key 'every' in wait; expected one of: output, command, seconds, for, reconnect, kube, pane, interval, timeout, namespace, selector, cluster, name, columns, phase, condition, where, count")


@pytest.mark.parametrize("body, column, message", [
    ("{command: x, pane: p}", 24, "'pane' does not apply to a wait on 'command'; it goes with: output"),
    ("{output: x, interval: 2s}", 23, "'interval' does not apply to a wait on 'output'; it goes with: command"),
    ("{seconds: 5, timeout: 9s}", 24, "'timeout' does not apply to a wait on 'seconds'; it goes with: output, command, reconnect, kube"),
    ("{for: 5s, timeout: 9s}", 21, "'timeout' does not apply to a wait on 'for'; it goes with: output, command, reconnect, kube"),
])
def test_wait_options_belong_to_one_mode(body, column, message):
    assert only(step(f"id: a\nwait: {body}")) == (4, column, message)


def test_wait_output_regex_must_compile():
    line, column, message = only(step("id: a\nwait: {output: '[a'}"))
    assert (line, column) == (4, 20)
    assert message.startswith("wait output '[a' is not a valid regular expression: unterminated character set")


@pytest.mark.parametrize("value", ["0", "-3", ".inf", ".nan", "1e999", "x", "5s"])
def test_wait_seconds_must_be_a_positive_number(value):
    line, column, message = only(step(f"id: a\nwait: {{seconds: {value}}}"))
    assert (line, column) == (4, 21)
    assert message.endswith("; expected a positive number of seconds")


def test_wait_for_must_be_a_duration():
    assert only(step("id: a\nwait: {for: 5}"))[:2] == (4, 17)


def test_wait_interval_and_timeout_must_be_durations():
    errors = errors_of(step("id: a\nwait: {command: x, interval: 2, timeout: 3}"))
    assert [(e.location.line, e.location.column) for e in errors] == [(4, 34), (4, 46)]


def test_wait_pane_must_be_a_name():
    assert only(step("id: a\nwait: {output: x, pane: 'a b'}"))[:2] == (4, 29)


# --- placeholders ------------------------------------------------------------------------------


def test_undeclared_placeholder_is_located_at_the_command():
    assert only(step("id: a\nrun: echo {{ who }}") + "vars: {greeting: hi}\n") == (
        4, 10, "placeholder {{ who }} names no variable declared under 'vars' (declared: greeting); expected a declared name")


def test_undeclared_placeholder_without_vars():
    assert only(step("id: a\nwait: {command: 'test {{ x }}'}"))[2].endswith("(declared: none); expected a declared name")


def test_placeholder_with_a_dash_is_reported_not_run_literally():
    assert "{{ node-ip }} names no variable" in only(step("id: a\nrun: ping {{ node-ip }}"))[2]


@pytest.mark.parametrize("command, where", [
    ("echo '{{ x }}'", "inside single quotes"),
    ('echo "hi {{ x }}"', "inside double quotes"),
    ("echo $'{{ x }}'", "inside $'…' quotes"),
])
def test_placeholder_inside_quotes(command, where):
    text = step("id: a\nrun: |\n  " + command) + "vars: {x: v}\n"  # a block scalar: no YAML quoting
    assert only(text) == (4, 10, f"placeholder {{{{ x }}}} is {where}; expected it outside quotes (its value is shell-quoted for you)")


def test_placeholder_inside_a_here_document():
    text = step("id: a\nrun: |\n  cat <<EOF\n  {{ x }}\n  EOF") + "vars: {x: v}\n"
    assert only(text)[2].startswith("placeholder {{ x }} is inside a here-document")


def test_broken_vars_do_not_make_every_placeholder_undeclared():
    errors = errors_of(step("id: a\nrun: echo {{ x }}") + "vars: [x]\n")
    assert [e.message for e in errors] == ["vars is a list; expected a mapping of names to values"]


def test_a_var_with_a_bad_default_is_still_declared():
    errors = errors_of(step("id: a\nrun: echo {{ x }}") + "vars: {x: [1]}\n")
    assert [e.message for e in errors] == ["variable 'x' is a list; expected a string"]


# --- gathering ---------------------------------------------------------------------------------


def test_all_errors_are_gathered_in_file_order():
    text = (
        "title: [T]\n"                       # 1
        "steps:\n"                           # 2
        "  - {id: a, run: x, bogus: 1}\n"    # 3
        "  - {id: a, say: y}\n"              # 4
        "  - {id: c, wait: {seconds: 0}}\n"  # 5
        "cleanup:\n"                         # 6
        "  - {id: d, kube: {get: 'a b'}}\n"  # 7
        "extra: 1\n"                         # 8
    )
    errors = errors_of(text)
    assert [(e.location.line, e.location.column) for e in errors] == [(1, 8), (3, 21), (4, 10), (5, 29), (7, 5), (7, 25), (8, 1)]
    assert str(errors[0]) == "demo.yaml:1:8: title is a list; expected a string"


def test_merge_keys_share_step_fields():
    text = "title: T\nsteps:\n  - &base {id: a, run: x, target: node1, timeout: 30s}\n  - {<<: *base, id: b, run: y}\n"
    scenario = parse_scenario(text, P)
    assert [(s.id, s.command, s.target, s.timeout) for s in scenario.steps] == [("a", "x", "node1", 30.0), ("b", "y", "node1", 30.0)]


def test_merge_of_a_non_mapping():
    assert only(step("id: a\nrun: x\n<<: [1]"))[:2] == (5, 10)


def test_self_merging_anchor_ends():
    assert parse_scenario(HEAD + "  - &s {id: a, run: x, <<: *s}\n").steps[0].id == "a"


def test_load_scenario_reports_unreadable_files(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"title: \xff\n")
    with pytest.raises(LoadError) as info:
        load_scenario(path)
    assert str(info.value) == f"{path}:1:8: invalid UTF-8 (byte 0xff); expected UTF-8 YAML text"
    with pytest.raises(LoadError) as info:
        load_scenario(tmp_path / "missing.yaml")
    assert "cannot read" in str(info.value)
