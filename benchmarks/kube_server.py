"""The benchmark's Kubernetes API: kmock's emulator on a real HTTP port, 2,000 Machines, then (after
"go" on stdin) a second client patching Machines over HTTP at a steady rate.

    python benchmarks/kube_server.py PORT MACHINES RATE SECONDS
    stdout: "ready", then (after "go") one JSON line: {"sent": N, "seconds": S, "final": {name: node}}

Each patch sets one Machine's status.nodeRef.name to a new value (a visible NODENAME change) and
walks its phase through Provisioning → Provisioned → Running, so every event changes what a table
shows. Patches are paced against the clock (no drift); the JSON says how many were really sent.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time

import kmock

GROUP = "cluster.x-k8s.io/v1beta1"
PHASES = ("Provisioning", "Provisioned", "Running")
IN_FLIGHT = 4


class Emulator(kmock.KubernetesEmulator):
    """kmock's emulator with two costs that grow with the run taken out, answers unchanged: a
    PATCH finds its object by key rather than by a scan of all 2,000, and an answered request
    leaves kmock's request log (kept for a test's assertions, and matched against by every new
    request: 6,000 patches would make each one slower than the last)."""

    async def _serve_update(self, request):
        return self.objects[request.resource, request.namespace, request.name].last.raw

    async def _handle(self, request):
        try:
            return await super()._handle(request)
        finally:
            log = self._requests
            for index in range(len(log) - 1, -1, -1):
                if log[index] is request:
                    del log[index]
                    break


def machine(index: int) -> dict:
    name = f"machine-{index:04d}"
    return {"apiVersion": GROUP, "kind": "Machine",
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": "2026-01-01T00:00:00Z",
                         "labels": {"cluster.x-k8s.io/cluster-name": "bench"}},
            "spec": {"clusterName": "bench", "version": "v1.33.4"},
            "status": {"phase": "Provisioning", "nodeRef": {"name": f"node-{index:04d}-0"}}}


async def main(port: int, count: int, rate: float, seconds: float) -> None:
    async with Emulator() as k, kmock.Server(k, port=port):
        k.resources[f"{GROUP}/machines"] = kmock.ResourceInfo(kind="Machine", namespaced=True, shortnames={"ma"})
        final: dict[str, str] = {}
        pending: dict[str, asyncio.Task] = {}
        for index in range(count):  # straight into memory: the app lists them, no events yet
            obj = machine(index)
            k.objects[f"{GROUP}/machines", "default", obj["metadata"]["name"]] = obj
            final[obj["metadata"]["name"]] = obj["status"]["nodeRef"]["name"]
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        rng = random.Random(42)
        sent, start, total = 0, time.monotonic(), int(rate * seconds)
        flying: set[asyncio.Task] = set()
        limit = asyncio.Semaphore(IN_FLIGHT)  # kmock answers one patch in ≈ 5 ms: keep a few going at once

        async def patch(name: str, body: dict) -> None:
            async with limit:
                async with k.patch(f"/apis/{GROUP}/namespaces/default/machines/{name}", json=body) as response:
                    response.raise_for_status()

        while sent < total:
            delay = start + sent / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            index = rng.randrange(count)
            name, node = f"machine-{index:04d}", f"node-{index:04d}-{sent + 1}"
            body = {"status": {"phase": PHASES[sent % 3], "nodeRef": {"name": node}}}
            if flying and len(flying) >= IN_FLIGHT:
                await asyncio.wait(flying, return_when=asyncio.FIRST_COMPLETED)
            # one Machine's patches go in order: wait for the previous one to the same Machine
            earlier = pending.get(name)
            if earlier is not None and not earlier.done():
                await earlier
            task = asyncio.create_task(patch(name, body))
            pending[name] = task
            flying.add(task)
            task.add_done_callback(flying.discard)
            final[name] = node
            sent += 1
        await asyncio.gather(*flying)
        elapsed = time.monotonic() - start
        print(json.dumps({"sent": sent, "seconds": round(elapsed, 3), "final": final}), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)  # until told to stop


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])))
