"""The kit's Butane configs: the Butane "flatcar" variant's documented schema (spec 1.0.0), and what
the demos need from them.

No `butane` binary can be installed here (no Debian 12, bookworm-backports or Debian 13 package, no
npm package; on PyPI only wrappers that run a `butane` they do not ship), so instead of a real
translation to Ignition the configs are checked against the spec's fields, types, required and
mutually exclusive entries, and their references against the kit (`local:` files, the lab server's
URLs, the link target, the network of the cluster).
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest
import yaml

from tui.lab import fetch

KIT = fetch.DEFAULT_MANIFEST.parent
CONFIGS = sorted((KIT / "butane").glob("*.yaml"))
LAB_URL = "http://10.0.2.2:8000/"

# Butane config spec, variant flatcar, version 1.0.0 (generates Ignition 3.3.0): each object maps
# its keys to a type: str, int, bool, [str], another object (dict), or [object] (a one-item list).
# Keys in REQUIRED must be present; keys in EXCLUSIVE are mutually exclusive.
_VERIFICATION = {"hash": str}
_HEADERS = [{"name": str, "value": str}]
_RESOURCE = {"compression": str, "source": str, "inline": str, "local": str, "http_headers": _HEADERS,
             "verification": _VERIFICATION}
_OWNER = {"id": int, "name": str}
SCHEMA = {
    "variant": str, "version": str,
    "ignition": {"config": {"merge": [_RESOURCE], "replace": _RESOURCE},
                 "timeouts": {"http_response_headers": int, "http_total": int},
                 "security": {"tls": {"certificate_authorities": [_RESOURCE]}},
                 "proxy": {"http_proxy": str, "https_proxy": str, "no_proxy": [str]}},
    "storage": {
        "disks": [{"device": str, "wipe_table": bool, "partitions": [{
            "label": str, "number": int, "size_mib": int, "start_mib": int, "type_guid": str, "guid": str,
            "wipe_partition_entry": bool, "should_exist": bool, "resize": bool}]}],
        "raid": [{"name": str, "level": str, "devices": [str], "spares": int, "options": [str]}],
        "filesystems": [{"device": str, "format": str, "path": str, "wipe_filesystem": bool, "label": str,
                         "uuid": str, "options": [str], "mount_options": [str], "with_mount_unit": bool}],
        "files": [{"path": str, "overwrite": bool, "contents": _RESOURCE, "append": [_RESOURCE], "mode": int,
                   "user": _OWNER, "group": _OWNER}],
        "directories": [{"path": str, "overwrite": bool, "mode": int, "user": _OWNER, "group": _OWNER}],
        "links": [{"path": str, "overwrite": bool, "user": _OWNER, "group": _OWNER, "target": str, "hard": bool}],
        "luks": [{"name": str, "device": str, "key_file": _RESOURCE, "label": str, "uuid": str, "options": [str],
                  "wipe_volume": bool}],
        "trees": [{"local": str, "path": str}],
    },
    "systemd": {"units": [{"name": str, "enabled": bool, "mask": bool, "contents": str,
                           "dropins": [{"name": str, "contents": str}]}]},
    "passwd": {
        "users": [{"name": str, "password_hash": str, "ssh_authorized_keys": [str], "uid": int, "gecos": str,
                   "home_dir": str, "no_create_home": bool, "primary_group": str, "groups": [str],
                   "no_user_group": bool, "no_log_init": bool, "shell": str, "should_exist": bool,
                   "system": bool}],
        "groups": [{"name": str, "gid": int, "password_hash": str, "should_exist": bool, "system": bool}],
    },
    "kernel_arguments": {"should_exist": [str], "should_not_exist": [str]},
}
REQUIRED = {"": {"variant", "version"}, "storage.disks": {"device"}, "storage.files": {"path"},
            "storage.directories": {"path"}, "storage.links": {"path", "target"}, "storage.trees": {"local"},
            "storage.filesystems": {"device", "format"}, "systemd.units": {"name"},
            "systemd.units.dropins": {"name"}, "passwd.users": {"name"}, "passwd.groups": {"name"}}
EXCLUSIVE = ("source", "inline", "local")
UNIT_TYPES = ("service", "socket", "device", "mount", "automount", "swap", "target", "path", "timer", "slice",
              "scope")


def schema_errors(config, spec=SCHEMA, where: str = "") -> list[str]:
    """Everything in `config` the Butane flatcar 1.0.0 spec does not allow, as 'where: what' lines."""
    errors: list[str] = []
    if isinstance(spec, dict):
        if not isinstance(config, dict):
            return [f"{where or 'the document'}: expected an object, got {type(config).__name__}"]
        for key, value in config.items():
            at = f"{where}.{key}" if where else key
            if key not in spec:
                errors.append(f"{at}: not a field of Butane flatcar 1.0.0")
            else:
                errors += schema_errors(value, spec[key], at)
        path = re.sub(r"\[\d+\]", "", where)
        for key in REQUIRED.get(path, ()):
            if key not in config:
                errors.append(f"{where or 'the document'}: `{key}` is required")
        given = [k for k in EXCLUSIVE if k in config]
        if len(given) > 1 and "source" in spec:
            errors.append(f"{where}: {' and '.join(given)} are mutually exclusive")
    elif isinstance(spec, list):
        if not isinstance(config, list):
            return [f"{where}: expected a list, got {type(config).__name__}"]
        for i, item in enumerate(config):
            errors += schema_errors(item, spec[0], f"{where}[{i}]")
    elif not isinstance(config, spec) or (spec is int and isinstance(config, bool)):
        errors.append(f"{where}: expected {spec.__name__}, got {type(config).__name__} {config!r}")
    return errors


def semantic_errors(config: dict) -> list[str]:
    """The spec's rules beyond types: absolute unique paths, modes, unit and drop-in names, overwrite."""
    errors = []
    if config.get("variant") != "flatcar" or config.get("version") != "1.0.0":
        errors.append("variant/version: expected flatcar 1.0.0")
    storage = config.get("storage", {})
    paths = [e["path"] for kind in ("files", "directories", "links") for e in storage.get(kind, []) if "path" in e]
    errors += [f"{p}: listed twice" for p in sorted({p for p in paths if paths.count(p) > 1})]
    errors += [f"{p}: not an absolute path" for p in paths if not p.startswith("/")]
    for entry in storage.get("files", []):
        mode = entry.get("mode", 0o644)
        if not 0 <= mode <= 0o777:
            errors.append(f"{entry['path']}: mode {oct(mode)} (setuid/setgid/sticky are not supported)")
        if entry.get("overwrite") and "contents" not in entry:
            errors.append(f"{entry['path']}: overwrite needs contents")
    for unit in config.get("systemd", {}).get("units", []):
        if unit["name"].rpartition(".")[2] not in UNIT_TYPES:
            errors.append(f"{unit['name']}: not a unit name (name.service, name.timer, ...)")
        errors += [f"{unit['name']}: drop-in {d['name']} must end in .conf"
                   for d in unit.get("dropins", []) if not d["name"].endswith(".conf")]
    return errors


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def kit_files() -> dict[str, Path]:
    """What `lab fetch` copies, by its path in the cache (= relative to the kit): what `local:` can name."""
    return {f"{a.dir}/{a.name}" if a.dir else a.name: a.path
            for a in fetch.load_manifest(fetch.DEFAULT_MANIFEST) if a.path is not None}


def files_of(config: dict) -> dict[str, dict]:
    return {f["path"]: f for f in config.get("storage", {}).get("files", [])}


def units_of(config: dict) -> dict[str, dict]:
    return {u["name"]: u for u in config.get("systemd", {}).get("units", [])}


# the validator itself ----------------------------------------------------------------------------
@pytest.mark.parametrize(("config", "error"), [
    ({"variant": "flatcar"}, "the document: `version` is required"),
    ({"variant": "flatcar", "version": "1.0.0", "storage": {"files": [{"path": "/a", "mode": "0644"}]}},
     "storage.files[0].mode: expected int, got str '0644'"),
    ({"variant": "flatcar", "version": "1.0.0", "storage": {"links": [{"path": "/a"}]}},
     "storage.links[0]: `target` is required"),
    ({"variant": "flatcar", "version": "1.0.0", "systemd": {"units": [{"name": "a.service", "dropins": [
        {"name": "x.conf", "contents_local": "x"}]}]}}, "systemd.units[0].dropins[0].contents_local: not a field"),
    ({"variant": "flatcar", "version": "1.0.0", "storage": {"files": [
        {"path": "/a", "contents": {"inline": "x", "local": "y"}}]}}, "inline and local are mutually exclusive"),
    ({"variant": "flatcar", "version": "1.0.0", "passwd": {"users": [{"name": "core", "ssh_authorized_keys": "k"}]}},
     "passwd.users[0].ssh_authorized_keys: expected a list"),
])
def test_the_validator_finds_what_butane_would_refuse(config, error):
    assert any(error in e for e in schema_errors(config)), schema_errors(config)


# the shipped configs -----------------------------------------------------------------------------
def test_the_kit_has_the_configs():
    assert [p.name for p in CONFIGS] == ["control1.yaml", "node1.yaml", "worker1.yaml", "worker2.yaml"]
    shipped = {p.relative_to(KIT).as_posix() for p in CONFIGS}
    assert shipped <= set(kit_files()), "every Butane config is part of what `lab fetch` copies"


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_follows_the_flatcar_spec(path):
    config = load(path)
    assert schema_errors(config) + semantic_errors(config) == []


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_provisions_the_sysext_from_the_lab_server(path):
    config = load(path)
    files, kit = files_of(config), kit_files()
    served = {a.name for a in fetch.load_manifest(fetch.DEFAULT_MANIFEST) if a.dir == "sysext"}
    remote = {p: f["contents"]["source"] for p, f in files.items() if "source" in f.get("contents", {})}
    assert remote, "the extension comes from the lab server at provisioning time"
    for where, url in remote.items():
        assert url.startswith(LAB_URL) and url[len(LAB_URL):] in served, url
        assert where == f"/opt/extensions/kubernetes/{url[len(LAB_URL):]}"
    for where, entry in files.items():  # every `local:` file is in the cache, at the same relative path
        local = entry.get("contents", {}).get("local")
        if local:
            assert local in kit, f"{where}: local {local} is not a file `lab fetch` copies"
    (link,) = config["storage"]["links"]
    assert link == {"path": "/etc/extensions/kubernetes.raw", "target": next(iter(remote)), "hard": False}
    installed = {where: entry["contents"].get("local") for where, entry in files.items()}
    assert installed["/etc/sysupdate.kubernetes.d/kubernetes-v1.32.conf"] == "sysupdate/kubernetes.conf"
    assert installed["/etc/sysupdate.d/noop.conf"] == "sysupdate/noop.conf"
    assert installed["/etc/systemd/system/systemd-sysupdate.service.d/kubernetes.conf"] == \
        "sysupdate/systemd-sysupdate-kubernetes.conf"


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_config_is_kured_friendly_and_waits_for_a_key(path):
    config = load(path)
    units = units_of(config)
    assert units["systemd-sysupdate.timer"]["enabled"] is False  # the demos start it (node1, kured)
    assert units["locksmithd.service"]["mask"] is True  # only kured (or the presenter) reboots
    (core,) = [u for u in config["passwd"]["users"] if u["name"] == "core"]
    assert [k for k in core["ssh_authorized_keys"] if "REPLACE-WITH-YOUR-PUBLIC-KEY" in k]


CLUSTER = {"control1": "192.168.254.1", "worker1": "192.168.254.2", "worker2": "192.168.254.3"}


@pytest.mark.parametrize("name", sorted(CLUSTER))
def test_cluster_nodes_share_one_network(name):
    path = KIT / "butane" / f"{name}.yaml"
    text, config = path.read_text(), load(path)
    files = files_of(config)
    assert files["/etc/hostname"]["contents"]["inline"] == f"{name}\n"
    hosts = dict(reversed(line.split()) for line in files["/etc/hosts"]["contents"]["inline"].splitlines()
                 if not line.startswith(("127.", "::1")))
    assert hosts == CLUSTER
    network = configparser.ConfigParser()
    network.optionxform = str
    network.read_string(files["/etc/systemd/network/10-cluster.network"]["contents"]["inline"])
    assert network["Network"]["Address"] == f"{CLUSTER[name]}/24"
    mac = network["Match"]["MACAddress"]
    assert f"netdev=cluster,mac={mac}" in text  # the QEMU command in the header gives the card that MAC
    dropin = units_of(config)["kubelet.service"]["dropins"][0]["contents"]
    assert f"--node-ip={CLUSTER[name]}" in dropin
