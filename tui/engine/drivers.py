"""Lab inventory targets → the drivers that reach them."""

from __future__ import annotations

from tui.engine.executor import TargetDriver
from tui.engine.local import LocalDriver
from tui.engine.session import SessionError
from tui.scenario.inventory import Inventory, KubeTarget, LocalTarget, SshTarget


class UnsupportedTarget(TargetDriver):
    """A target kind whose panes have not been built yet: every use says so clearly."""

    def __init__(self, name: str, kind: str):
        self.name, self.kind = name, kind

    def open_shell(self, pane, bus, cols, rows):
        raise SessionError(f"{self.name}: {self.kind} targets cannot run commands in this version of flatdeck")

    async def exec(self, command, timeout):
        raise SessionError(f"{self.name}: {self.kind} targets cannot run commands in this version of flatdeck")

    async def preflight(self) -> bool:
        return False


def drivers_for(inventory: Inventory) -> dict[str, TargetDriver]:
    drivers: dict[str, TargetDriver] = {}
    for name, target in inventory.targets.items():
        if isinstance(target, LocalTarget):
            cwd = str(target.cwd) if target.cwd else None
            drivers[name] = LocalDriver(name, target.shell, cwd, dict(target.env))
        elif isinstance(target, SshTarget):
            from tui.engine.ssh import SshDriver  # asyncssh itself loads on first connect

            drivers[name] = SshDriver(target)
        elif isinstance(target, KubeTarget):
            from tui.engine.kube import KubeDriver  # the kubernetes client itself loads on the first kube step

            drivers[name] = KubeDriver(target)
        else:
            drivers[name] = UnsupportedTarget(name, target.kind)
    return drivers
