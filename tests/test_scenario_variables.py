"""Placeholders: found, declared, placed where quoting works, and substituted inert."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.scenario.load import parse_scenario
from tui.scenario.shellcontext import quoted_spans
from tui.scenario.variables import missing_values, placeholder_problems, placeholders, substitute, values_for


def bash(command: str, cwd: Path) -> str:
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, cwd=cwd, timeout=10)
    assert result.returncode == 0, result.stderr
    return result.stdout


# --- finding placeholders --------------------------------------------------------------------


def test_placeholders_in_order_without_repeats():
    assert placeholders("ssh {{ user }}@{{host}} -p {{  port  }} {{ user }}") == ["user", "host", "port"]


@pytest.mark.parametrize("text", [
    "docker inspect --format '{{.State.Status}}' c", "{{ json . }}", "{ x }", "{{}}", "{{ 1x }}", "${x}", "{{ a b }}",
])
def test_other_braces_are_not_placeholders(text):
    assert placeholders(text) == []
    assert substitute(text, {}) == text


def test_placeholder_names_may_carry_dots_and_dashes_so_they_are_reported():
    assert placeholders("{{ node-ip }} {{ a.b }}") == ["node-ip", "a.b"]


# --- substitution ------------------------------------------------------------------------------


def test_substitute_quotes_every_value():
    assert substitute("echo {{ a }} {{b}} {{ a }}", {"a": "x y", "b": "plain"}) == "echo 'x y' plain 'x y'"
    assert substitute("echo {{ a }}", {"a": ""}) == "echo ''"


def test_substitute_without_a_value_raises_key_error():
    with pytest.raises(KeyError, match="no value for placeholder"):
        substitute("echo {{ a }}", {})


@pytest.mark.parametrize("value", ["a\nb", "\x03", "tab\there", "\x7f"])
def test_substitute_refuses_control_characters(value):
    with pytest.raises(ValueError, match="control character"):
        substitute("echo {{ a }}", {"a": value})


HOSTILE = [
    "two words", "it's", 'say "hi"', "$(touch PWNED)", "`touch PWNED`", "; touch PWNED", "&& touch PWNED",
    "| tee PWNED", "> PWNED", "$HOME", "${HOME}", "*", "~", "!!", "a\\b", "'; touch PWNED; '", '"; touch PWNED; "',
    "$'\\x41'", "-n", "--", "#comment", "{a,b}", "é ✓ 😀", "", " ", "'", '"', "\\",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_substituted_values_are_inert_in_bash(tmp_path, value):
    command = substitute("printf '%s|' {{ v }} {{ v }}", {"v": value})
    assert bash(command, tmp_path) == f"{value}|{value}|"
    assert not (tmp_path / "PWNED").exists()


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=30))
def test_any_printable_value_comes_out_literally(value):
    here = Path("/tmp")
    assert bash(substitute("printf '%s' {{ v }}", {"v": value}), here) == value


def test_a_value_from_the_lab_overrides_the_default_and_null_must_be_given():
    scenario = parse_scenario("title: T\nvars: {a: one, b: ~, c: ~}\nsteps: [{id: s, run: 'echo {{ a }} {{ b }} {{ c }}'}]\n")
    assert scenario.vars == {"a": "one", "b": None, "c": None}
    assert missing_values(scenario, {"b": "two"}) == ["c"]
    assert missing_values(scenario, {"b": "two", "c": "three", "unused": "x"}) == []
    assert values_for(scenario, {"a": "lab", "b": "two", "unused": "x"}) == {"a": "lab", "b": "two"}


def test_end_to_end_substitution_runs_in_bash(tmp_path):
    scenario = parse_scenario("title: T\nvars: {name: ~}\nsteps: [{id: s, run: 'echo hello {{ name }}'}]\n")
    values = values_for(scenario, {"name": "$(touch PWNED) & co"})
    assert bash(substitute(scenario.steps[0].command, values), tmp_path) == "hello $(touch PWNED) & co\n"
    assert not (tmp_path / "PWNED").exists()


# --- where a placeholder may stand -------------------------------------------------------------


def where_problems(command: str) -> list[str]:
    return placeholder_problems(command, {"x": None})


@pytest.mark.parametrize("command", [
    "echo {{ x }}", "echo a{{ x }}b", "ssh host -- ls {{ x }}", "echo 'a' {{ x }} \"b\"", "echo \\' {{ x }}",
    "cat <<< {{ x }}", "cat <<EOF\nbody\nEOF\necho {{ x }}", "echo hi # '{{ x }}'", "echo `echo {{ x }}`",
    "echo $(echo {{ x }})", "echo {{ x }} # it's fine",
])
def test_bare_placeholders_are_fine(command):
    assert where_problems(command) == []


@pytest.mark.parametrize("command, why", [
    ("echo '{{ x }}'", "inside single quotes"),
    ("echo 'a' '{{ x }}'", "inside single quotes"),
    ('echo "{{ x }}"', "inside double quotes"),
    ('echo "a \\" {{ x }}"', "inside double quotes"),
    ("echo $'{{ x }}'", "inside $'…' quotes"),
    ("echo '{{ x }}", "inside single quotes"),  # never closed: the rest of the line is quoted
    ("cat <<EOF\n{{ x }}\nEOF", "inside a here-document"),
    ("cat <<'EOF'\n{{ x }}\nEOF", "inside a here-document"),
    ("cat <<-EOF\n\t{{ x }}\n\tEOF", "inside a here-document"),
    ("cat <<A <<B\na\nA\n{{ x }}\nB", "inside a here-document"),
    ("cat <<EOF\nnever closed\n{{ x }}", "inside a here-document"),
    ('echo "$(echo {{ x }})"', "inside double quotes"),  # safe in fact; refused on purpose
])
def test_quoted_placeholders_are_refused(command, why):
    assert where_problems(command) == [
        f"placeholder {{{{ x }}}} is {why}; expected it outside quotes (its value is shell-quoted for you)"]


def test_quoted_spans_are_exact():
    command = "a 'bc' \"d\\\"e\" $'f'"
    assert [(command[s:e], why) for s, e, why in quoted_spans(command)] == [
        ("bc", "inside single quotes"), ('d\\"e', "inside double quotes"), ("f", "inside $'…' quotes")]


def test_heredoc_body_span_stops_at_its_delimiter():
    command = "cat <<EOF >f\nline 1\nline 2\nEOF\necho after"
    [(start, end, _)] = quoted_spans(command)
    assert command[start:end] == "line 1\nline 2\n"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab'\"\\$<-\n #{}x E", max_size=40))
def test_quoted_spans_never_fail_and_stay_in_bounds(command):
    for start, end, why in quoted_spans(command):
        assert 0 <= start <= end <= len(command) and why
