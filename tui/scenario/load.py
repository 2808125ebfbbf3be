"""scenarios/NAME.yaml → Scenario. Every problem is gathered, located, and raised as one LoadError."""

from __future__ import annotations

from pathlib import Path

from yaml.nodes import Node

from tui.errors import LoadError
from tui.scenario.inventory import LAB_FILE
from tui.scenario.model import Scenario, Step
from tui.scenario.nodes import Reader, is_null
from tui.scenario.steps import StepParser
from tui.scenario.variables import VAR_NAME, control_character
from tui.textfile import normalize, read_text
from tui.yamltext import compose_yaml

TOP_KEYS = ("title", "description", "vars", "setup", "steps", "cleanup")
SECTIONS = ("setup", "steps", "cleanup")


def find_scenario(name_or_path: str, scenarios_dir: Path) -> Path:
    """An existing file as given, or NAME → scenarios_dir/NAME.yaml; else a LoadError naming them all."""
    given = Path(name_or_path)
    try:
        if given.is_file():
            return given
        is_name = name_or_path and "/" not in name_or_path and not name_or_path.startswith(".")
        if is_name and (scenarios_dir / f"{name_or_path}.yaml").is_file() and name_or_path + ".yaml" != LAB_FILE:
            return scenarios_dir / f"{name_or_path}.yaml"
        names = scenario_names(scenarios_dir)
    except OSError as exc:  # a name too long for the file system, a directory we may not list
        raise LoadError.at(given, 0, 0, f"cannot read: {exc.strerror or exc}; expected a scenario name or file") from None
    known = ", ".join(names) if names else f"none (no .yaml files in {scenarios_dir})"
    if not is_name or given.suffix in (".yaml", ".yml"):
        raise LoadError.at(given, 0, 0, f"no such file; expected a scenario file or one of the names: {known}")
    raise LoadError.at(scenarios_dir / f"{name_or_path}.yaml", 0, 0,
                       f"no scenario named {name_or_path!r}; expected one of: {known}")


def scenario_names(scenarios_dir: Path) -> list[str]:
    """The scenario names in a directory (every .yaml but the lab inventory)."""
    if not scenarios_dir.is_dir():
        return []
    return sorted(p.stem for p in scenarios_dir.glob("*.yaml") if p.name != LAB_FILE and p.is_file())


def load_scenario(path: Path) -> Scenario:
    return parse_scenario(read_text(path, "YAML"), path)


def parse_scenario(text: str, path: Path = Path("scenario.yaml")) -> Scenario:
    """The scenario in `text`, which came from `path` (tests, stdin)."""
    text = normalize(text)
    root = compose_yaml(text, path)
    if root is None or is_null(root):  # nothing, or `---` alone, or `~`
        raise LoadError.at(path, 0, 0, f"the file is empty; expected a scenario: a mapping with keys {', '.join(TOP_KEYS)}")
    reader = Reader(path, text)
    keys = reader.mapping(root, "the scenario", TOP_KEYS)
    if keys is None:
        raise LoadError(reader.errors)
    for required in ("title", "steps"):
        if required not in keys:
            reader.error(root, f"the scenario has no {required!r}; expected a {required!r} key at the top level")
    title = reader.string(keys["title"][1], "title") if "title" in keys else None
    description = reader.string(keys["description"][1], "description", allow_empty=True) if "description" in keys else ""
    variables = _vars(reader, keys["vars"][1]) if "vars" in keys else {}
    parser = StepParser(reader, variables)
    sections: dict[str, tuple[Step, ...]] = {}
    for section in SECTIONS:
        sections[section] = _section(reader, parser, keys[section][1], section) if section in keys else ()
    if reader.errors:
        raise LoadError(sorted(reader.errors, key=lambda e: (e.location.line, e.location.column)))
    return Scenario(name=path.stem, path=path, title=title or "", description=description or "",
                    vars=variables or {}, **sections)


def _vars(reader: Reader, node: Node) -> dict[str, str | None] | None:
    """Declared names → default value or None; None as a whole when the mapping is unreadable."""
    before = len(reader.errors)
    result: dict[str, str | None] = {}
    for name, key, value_node in reader.entries(node, "vars"):
        if not VAR_NAME.fullmatch(name):
            reader.error(key, f"variable name {name!r}; expected letters, digits and '_', not starting with a digit")
            continue
        result[name] = None  # declared, even if its default is wrong: no "undeclared" noise later
        ok, value = reader.optional_string(value_node, f"variable {name!r}")
        bad = control_character(value) if value is not None else None
        if bad:
            reader.error(value_node, f"variable {name!r} contains the control character {bad}; expected one line of text")
        elif ok:
            result[name] = value
    if len(reader.errors) > before and not result:
        return None
    return result


def _section(reader: Reader, parser: StepParser, node: Node, section: str) -> tuple[Step, ...]:
    items = reader.sequence(node, section, "a list of steps")
    steps = []
    for item in items or ():
        step = parser.parse(item)
        if step is not None:
            steps.append(step)
    if items is not None and not items and section == "steps":
        reader.error(node, "steps is an empty list; expected at least one step")
    return tuple(steps)
