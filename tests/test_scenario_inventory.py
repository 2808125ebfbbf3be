"""The lab inventory: targets, vars and redactions, with located errors; targets checked per step."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.errors import LoadError, LocatedError
from tui.scenario.inventory import (
    Inventory, KubeTarget, LocalTarget, Redaction, SshTarget, default_inventory, load_inventory, parse_inventory,
    validate_targets,
)
from tui.scenario.load import load_scenario, parse_scenario

REPO = Path(__file__).parent.parent
LAB = Path("/labs/mine/lab.yaml")

FULL = """\
vars:
  channel: stable
  version: 3815.2.0
  empty: ''
targets:
  local: {kind: local, shell: /bin/zsh, cwd: work, env: {LANG: C.UTF-8}}
  node1:
    kind: ssh
    host: 127.0.0.1
    port: 2222
    user: core
    identity: [~/.ssh/id_ed25519, keys/lab]
    host_key: accept-new
    proxy_jump: me@bastion
    known_hosts: /etc/ssh/known
    agent: false
  node2: {kind: ssh, host: node2.lab, identity: key}
  mgmt: {kind: kube, kubeconfig: ~/.kube/config, context: kind-mgmt}
  plain: {kind: kube}
redact: ["literal secret", {regex: "token-[a-z0-9]+"}]
"""


def errors_of(text: str) -> list[LocatedError]:
    with pytest.raises(LoadError) as info:
        parse_inventory(text, LAB)
    return info.value.errors


def only(text: str) -> tuple[int, int, str]:
    errors = errors_of(text)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0].location.line, errors[0].location.column, errors[0].message


def test_a_full_inventory(monkeypatch):
    monkeypatch.setenv("HOME", "/home/me")
    inventory = parse_inventory(FULL, LAB)
    assert inventory.path == LAB
    assert inventory.vars == {"channel": "stable", "version": "3815.2.0", "empty": ""}
    assert inventory.targets == {
        "local": LocalTarget(shell="/bin/zsh", cwd=Path("/labs/mine/work"), env={"LANG": "C.UTF-8"}),
        "node1": SshTarget(name="node1", host="127.0.0.1", port=2222, user="core",
                           identity=(Path("/home/me/.ssh/id_ed25519"), Path("/labs/mine/keys/lab")),
                           host_key="accept-new", proxy_jump="me@bastion", known_hosts=Path("/etc/ssh/known"), agent=False),
        "node2": SshTarget(name="node2", host="node2.lab", identity=(Path("/labs/mine/key"),)),
        "mgmt": KubeTarget(name="mgmt", kubeconfig=Path("/home/me/.kube/config"), context="kind-mgmt"),
        "plain": KubeTarget(name="plain"),
    }
    assert inventory.redact == (Redaction("literal secret"), Redaction("token-[a-z0-9]+", regex=True))
    assert [t.kind for t in inventory.targets.values()] == ["local", "ssh", "ssh", "kube", "kube"]


def test_ssh_defaults_are_safe():
    target = parse_inventory("targets: {n: {kind: ssh, host: h}}", LAB).targets["n"]
    assert (target.port, target.user, target.identity, target.host_key, target.agent) == (22, None, (), "verify", True)


def test_redactions_blank_what_they_name():
    literal, regex = parse_inventory(FULL, LAB).redact
    assert literal.pattern.sub("***", "a literal secret. here") == "a ***. here"
    assert regex.pattern.sub("***", "token-abc1 and token-") == "*** and token-"


def test_local_is_always_there():
    assert parse_inventory("targets: {n: {kind: ssh, host: h}}", LAB).targets["local"] == LocalTarget()
    assert parse_inventory("vars: {a: b}", LAB).targets == {"local": LocalTarget()}
    for empty in ("", "# comments only\n", "---\n", "~\n"):
        assert parse_inventory(empty, LAB) == Inventory(path=LAB, targets={"local": LocalTarget()})
    assert default_inventory() == Inventory(path=None, targets={"local": LocalTarget()}, vars={}, redact=())


def test_a_local_target_under_another_name():
    assert parse_inventory("targets: {build: {kind: local, cwd: /src}}", LAB).targets["build"] == LocalTarget(
        name="build", cwd=Path("/src"))


def test_the_shipped_lab_file_is_local_only_and_fits_the_example():
    inventory = load_inventory(REPO / "scenarios" / "lab.yaml")
    assert inventory.targets == {"local": LocalTarget()}
    assert inventory.vars == {} and inventory.redact == ()
    assert validate_targets(load_scenario(REPO / "scenarios" / "hello-shell.yaml"), inventory) == []


def test_the_commented_examples_in_the_shipped_lab_file_are_valid():
    # uncomment the example targets (one '# ' of indentation) and the file must still load
    lines = (REPO / "scenarios" / "lab.yaml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  # node1:"))
    end = next(i for i, line in enumerate(lines) if i > start and line and not line.startswith(" "))
    for i in range(start, end):
        if lines[i].startswith("  # ") and ":" in lines[i] and not lines[i].startswith("  # The"):
            lines[i] = lines[i].replace("  # ", "  ", 1)
    text = "\n".join(lines)
    inventory = parse_inventory(text, LAB)
    assert inventory.targets["node1"].host_key == "accept-new"
    assert inventory.targets["node1"].port == 2222 and inventory.targets["node1"].user == "core"
    assert inventory.targets["mgmt"].context == "kind-mgmt"


# --- errors ------------------------------------------------------------------------------------


def test_inventory_must_be_a_mapping():
    assert only("- local\n") == (1, 1, "the lab inventory is a list; expected a mapping with keys: vars, targets, redact")


def test_unknown_top_level_key():
    assert only("hosts: {}\n") == (1, 1, "unknown key 'hosts' in the lab inventory; expected one of: vars, targets, redact")


def test_invalid_yaml():
    assert only("targets: {a: [\n")[2].startswith("invalid YAML")


def test_vars_must_be_strings():
    errors = errors_of("vars:\n  a: ~\n  b: [1]\n  '1c': x\n  d: \"\\x03\"\n")
    assert [(e.location.line, e.location.column, e.message) for e in errors] == [
        (2, 6, "variable 'a' is empty (null); expected a string"),
        (3, 6, "variable 'b' is a list; expected a string"),
        (4, 3, "variable name '1c'; expected letters, digits and '_', not starting with a digit"),
        (5, 6, "variable 'd' contains the control character U+0003; expected one line of text"),
    ]


def test_numbers_as_var_values_keep_their_spelling():
    assert parse_inventory("vars: {v: 1.10, n: 0x1F, b: yes}", LAB).vars == {"v": "1.10", "n": "0x1F", "b": "yes"}


def test_targets_must_be_a_mapping():
    assert only("targets: [local]\n") == (1, 10, "targets is a list; expected a mapping of names to values")


def test_target_must_be_a_mapping():
    assert only("targets:\n  n:\n")[:2] == (2, 5)
    assert only("targets:\n  n: ssh\n")[2].startswith("target 'n' is a string 'ssh'; expected a mapping with keys: kind,")


def test_target_needs_a_kind():
    assert only("targets:\n  n: {host: h}\n") == (2, 6, "target 'n' has no 'kind'; expected kind: local, ssh, kube")


def test_target_kind_must_be_known():
    assert only("targets:\n  n: {kind: docker}\n") == (2, 13, "target 'n' kind is 'docker'; expected one of: local, ssh, kube")


def test_option_of_another_kind():
    assert only("targets:\n  n: {kind: local, host: h}\n") == (
        2, 20, "'host' does not apply to a local target; it takes: kind, shell, cwd, env")


def test_unknown_target_option():
    assert only("targets:\n  n: {kind: ssh, host: h, password: x}\n")[:2] == (2, 27)


def test_ssh_needs_a_host():
    assert only("targets:\n  n: {kind: ssh, user: core}\n") == (2, 6, "ssh target 'n' has no 'host'; expected host: NAME-OR-ADDRESS")


@pytest.mark.parametrize("option, value, message", [
    ("port", "0", "target 'n' port is a number '0'; expected a whole number from 1 to 65535"),
    ("port", "65536", "target 'n' port is a number '65536'; expected a whole number from 1 to 65535"),
    ("port", "'22'", "target 'n' port is a string '22'; expected a whole number from 1 to 65535"),
    ("port", "9" * 5000, None),
    ("host_key", "yolo", "target 'n' host_key is 'yolo'; expected one of: verify, accept-new, insecure-lab"),
    ("agent", "maybe", "target 'n' agent is a string 'maybe'; expected true or false"),
    ("agent", "!!bool maybe", "target 'n' agent is a boolean 'maybe'; expected true or false"),
    ("port", "!!int ''", "target 'n' port is a number ''; expected a whole number from 1 to 65535"),
    ("user", "'a b'", "target 'n' user 'a b' contains a space; expected a single word"),
    ("identity", "{a: 1}", "target 'n' identity is a mapping; expected a string"),
    ("known_hosts", "''", "target 'n' known_hosts is an empty string; expected some text"),
])
def test_ssh_option_values(option, value, message):
    line, column, got = only(f"targets:\n  n:\n    kind: ssh\n    host: h\n    {option}: {value}\n")
    assert (line, column) == (5, len(option) + 7)
    if message:
        assert got == message


def test_identity_list_items_are_located():
    assert only("targets:\n  n: {kind: ssh, host: h, identity: [a, [b]]}\n") == (
        2, 41, "target 'n' identity is a list; expected a string")


def test_local_env_must_map_names_to_strings():
    errors = errors_of("targets:\n  l: {kind: local, env: {A: [1], 'B C': x}}\n")
    assert [(e.location.column, e.message) for e in errors] == [
        (29, "target 'l' env A is a list; expected a string"),
        (34, "environment variable name 'B C'; expected letters, digits and '_'"),
    ]


def test_the_name_local_is_kept_for_the_local_shell():
    assert only("targets:\n  local: {kind: ssh, host: h}\n") == (
        2, 17, "the target name 'local' is kept for the local shell; expected kind: local")


def test_target_names_must_be_plain():
    assert only("targets:\n  'my node': {kind: local}\n") == (
        2, 3, "target name 'my node' is not a plain name; expected letters, digits, '_', '.' and '-'")


def test_duplicate_target():
    assert only("targets:\n  n: {kind: local}\n  n: {kind: local}\n") == (3, 3, "duplicate name 'n' in targets; the first is at line 2")


def test_redact_errors():
    errors = errors_of("redact:\n  - ''\n  - {regex: '(a'}\n  - {regex: 'a*'}\n  - {pattern: x}\n  - [x]\n  - {}\n")
    assert [(e.location.line, e.location.column) for e in errors] == [(2, 5), (3, 13), (4, 13), (5, 6), (6, 5), (7, 5)]
    messages = [e.message for e in errors]
    assert messages[0] == "a redact entry is an empty string; expected some text"
    assert messages[1].startswith("redact regex '(a' is not a valid regular expression: missing )")
    assert messages[2] == "redact regex 'a*' matches the empty string; expected a pattern that matches only the secret"
    assert messages[3] == "unknown key 'pattern' in a redact entry; expected one of: regex"
    assert messages[4] == 'a redact entry is a list; expected a literal string or {regex: "PATTERN"}'
    assert messages[5] == 'a redact mapping has no \'regex\'; expected {regex: "PATTERN"}'


def test_redact_must_be_a_list():
    assert only("redact: secret\n")[:2] == (1, 9)


def test_unreadable_inventory(tmp_path):
    with pytest.raises(LoadError) as info:
        load_inventory(tmp_path / "nope.yaml")
    assert "cannot read" in str(info.value)
    with pytest.raises(LoadError) as info:
        load_inventory(tmp_path)
    assert "is a directory; expected a YAML file" in str(info.value)


# --- targets named by steps --------------------------------------------------------------------

SCENARIO = """\
title: T
steps:
  - {id: a, run: x}
  - {id: b, run: y, target: node1}
  - {id: c, say: on node9 nothing runs}
  - {id: d, wait: {command: z, timeout: 5s}, target: node9}
  - {id: e, check: kubectl get nodes, target: mgmt}
  - {id: f, wait: {seconds: 1}, target: node9}
"""


def test_validate_targets_locates_each_step():
    scenario = parse_scenario(SCENARIO, Path("s.yaml"))
    inventory = parse_inventory(FULL, LAB)
    assert [str(e) for e in validate_targets(scenario, inventory)] == [
        "s.yaml:6:5: step 'd' runs on target 'node9', which /labs/mine/lab.yaml does not define; "
        "expected one of: local, mgmt, node1, node2, plain",
        "s.yaml:7:5: step 'e' runs a command on 'mgmt', a Kubernetes cluster; expected a local or ssh target",
    ]


def test_validate_targets_against_the_default_lab():
    scenario = parse_scenario(SCENARIO, Path("s.yaml"))
    messages = [e.message for e in validate_targets(scenario, default_inventory())]
    assert messages[0] == ("step 'b' runs on target 'node1', which the default lab (local only) does not define; "
                           "expected one of: local")
    assert len(messages) == 3
