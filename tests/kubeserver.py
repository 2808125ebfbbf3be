"""A Kubernetes API for tests: kmock's KubernetesEmulator behind a real HTTP server, serving the
Cluster API and core resources the talk watches, a kubeconfig and lab inventory pointing at it,
and a second client — the official `kubernetes` client, as kubectl or a controller would be —
that creates, patches and deletes objects over HTTP (kmock only streams changes made over HTTP).

kmock's limits, and how the tests live with them: objects carry no resourceVersion (our watcher
relists after a reconnect instead of resuming: tested here), selectors and watch timeouts are
ignored (the views filter by label themselves: tested here), and a watch re-sends every object as
ADDED when it opens (the store turns those into nothing or into modifications: tested here).
"""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import aiohttp.test_utils
import kmock

from tui.scenario.inventory import Inventory, parse_inventory

CAPI = "cluster.x-k8s.io/v1beta1"
KCP = "controlplane.cluster.x-k8s.io/v1beta1"
INFRA = "infrastructure.cluster.x-k8s.io/v1beta1"
CLUSTER_LABEL = "cluster.x-k8s.io/cluster-name"
CREATED = "2026-01-01T00:00:00Z"
RESOURCES = {
    f"{CAPI}/clusters": kmock.ResourceInfo(kind="Cluster", namespaced=True, shortnames={"cl"}),
    f"{CAPI}/machines": kmock.ResourceInfo(kind="Machine", namespaced=True, shortnames={"ma"}),
    f"{CAPI}/machinedeployments": kmock.ResourceInfo(kind="MachineDeployment", namespaced=True, shortnames={"md"}),
    f"{KCP}/kubeadmcontrolplanes": kmock.ResourceInfo(kind="KubeadmControlPlane", namespaced=True, shortnames={"kcp"}),
    f"{INFRA}/openstackclusters": kmock.ResourceInfo(kind="OpenStackCluster", namespaced=True),
    "v1/nodes": kmock.ResourceInfo(kind="Node", namespaced=False, shortnames={"no"}),
    "v1/pods": kmock.ResourceInfo(kind="Pod", namespaced=True, shortnames={"po"}),
}


PLURALS = {info.kind: name.rsplit("/", 1)[1] for name, info in RESOURCES.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine(name: str, phase: str = "Provisioning", cluster: str = "demo", deployment: str | None = "demo-md-0",
            node: str | None = None, version: str = "v1.33.4", control_plane: bool = False) -> dict:
    labels = {CLUSTER_LABEL: cluster}
    if deployment and not control_plane:
        labels["cluster.x-k8s.io/deployment-name"] = deployment
    if control_plane:
        labels["cluster.x-k8s.io/control-plane"] = ""
    obj = {"apiVersion": CAPI, "kind": "Machine",
           "metadata": {"name": name, "namespace": "default", "labels": labels, "creationTimestamp": CREATED,
                        "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{…}"}},
           "spec": {"clusterName": cluster, "version": version, "bootstrap": {"dataSecretName": f"{name}-bootstrap"}},
           "status": {"phase": phase}}
    if node:
        obj["status"]["nodeRef"] = {"kind": "Node", "name": node}
    return obj


def node(name: str, version: str = "v1.33.4", ready: bool = True, role: str | None = None) -> dict:
    labels = {"kubernetes.io/hostname": name}
    if role:
        labels[f"node-role.kubernetes.io/{role}"] = ""
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": labels, "creationTimestamp": CREATED},
            "status": {"conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                       "reason": "KubeletReady" if ready else "KubeletNotReady",
                                       "lastHeartbeatTime": "2026-01-01T00:10:00Z",
                                       "lastTransitionTime": CREATED}],
                       "nodeInfo": {"kubeletVersion": version, "osImage": "Flatcar Container Linux by Kinvolk 4230.2.0",
                                    "machineID": "x" * 32}}}


class QuickStop(aiohttp.test_utils.RawTestServer):
    """A server that, when stopped, drops its open watches at once (aiohttp waits up to 60 s for
    handlers to finish, and a kmock watch never does), as an API server going down would."""

    async def _make_runner(self, debug: bool = True, **kwargs):
        runner = await super()._make_runner(debug, **kwargs)
        runner._shutdown_timeout = 0.2
        return runner


class KubeLab:
    """`async with KubeLab(tmp_path) as lab:` — a served emulator, its kubeconfig, a second client."""

    def __init__(self, tmp_path: Path, resources: dict | None = None, token: str = "good-token"):
        self.tmp_path = tmp_path
        self.resources = RESOURCES if resources is None else resources
        self.token = token
        self.port = free_port()
        self.kmock: kmock.KubernetesEmulator | None = None
        self._server: kmock.Server | None = None
        self._client = None

    async def __aenter__(self) -> "KubeLab":
        self.kmock = kmock.KubernetesEmulator()
        await self.kmock.__aenter__()
        for name, info in self.resources.items():
            self.kmock.resources[name] = info
        await self.start_server()
        return self

    async def __aexit__(self, *exc) -> None:
        if self._client is not None:
            await asyncio.to_thread(self._client.close)
        await self.stop_server()
        await self.kmock.__aexit__(*exc)

    async def start_server(self) -> None:
        """(Again) on the same port, so a client's kubeconfig still points at it."""
        for _ in range(50):
            try:
                self._server = kmock.Server(self.kmock, port=self.port, server_cls=QuickStop)
                await self._server.__aenter__()
                return
            except OSError:  # the old socket is still closing
                await asyncio.sleep(0.1)
        raise RuntimeError(f"port {self.port} stayed busy")

    async def stop_server(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            await server.__aexit__(None, None, None)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kubeconfig(self, token: str | None = None, name: str = "kubeconfig", namespace: str = "default") -> Path:
        path = self.tmp_path / name
        path.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config",
            "clusters": [{"name": "lab", "cluster": {"server": self.url}}],
            "users": [{"name": "presenter", "user": {"token": token or self.token}}],
            "contexts": [{"name": "kind-mgmt", "context": {"cluster": "lab", "user": "presenter", "namespace": namespace}}],
            "current-context": "kind-mgmt",
        }))
        return path

    def lab_file(self, token: str | None = None, target: str = "mgmt") -> Path:
        """A lab inventory with the cluster as kube target `target` (and the local shell)."""
        path = self.tmp_path / "lab.yaml"
        path.write_text(f"targets:\n  {target}: {{kind: kube, kubeconfig: {self.kubeconfig(token)}, context: kind-mgmt}}\n")
        return path

    def inventory(self, token: str | None = None, target: str = "mgmt") -> Inventory:
        path = self.lab_file(token, target)
        return parse_inventory(path.read_text(), path)

    # the second client --------------------------------------------------------------------------
    async def request(self, method: str, path: str, body: dict | None = None) -> dict:
        """One request through the official client, as kubectl would make it."""
        return await asyncio.to_thread(self._request, method, path, body)

    def _request(self, method: str, path: str, body: dict | None) -> dict:
        import kubernetes.client
        import kubernetes.config

        if self._client is None:
            configuration = kubernetes.client.Configuration()
            kubernetes.config.load_kube_config(str(self.kubeconfig(name="kubeconfig-admin")),
                                               client_configuration=configuration, persist_config=False)
            self._client = kubernetes.client.ApiClient(configuration)
        headers = {"Accept": "application/json", "Content-Type": "application/merge-patch+json"
                   if method == "PATCH" else "application/json"}
        request = self._client.param_serialize(method, path, header_params=headers, body=body,
                                               auth_settings=["BearerToken"])
        response = self._client.call_api(*request, _request_timeout=10)
        data = response.read()
        assert response.status < 400, (response.status, data)
        return json.loads(data) if data else {}

    async def create(self, obj: dict) -> dict:
        return await self.request("POST", self._collection(obj), obj)

    async def patch(self, obj: dict, changes: dict) -> dict:
        return await self.request("PATCH", f"{self._collection(obj)}/{obj['metadata']['name']}", changes)

    async def delete(self, obj: dict) -> dict:
        return await self.request("DELETE", f"{self._collection(obj)}/{obj['metadata']['name']}")

    @staticmethod
    def _collection(obj: dict) -> str:
        api_version = obj["apiVersion"]
        base = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
        namespace = obj["metadata"].get("namespace")
        plural = PLURALS[obj["kind"]]
        return f"{base}/namespaces/{namespace}/{plural}" if namespace else f"{base}/{plural}"

    # straight into the emulator's memory: no HTTP, so no watch event (as changes while a server is down)
    def key(self, obj: dict) -> tuple:
        return (f"{obj['apiVersion']}/{PLURALS[obj['kind']]}", obj["metadata"].get("namespace"), obj["metadata"]["name"])

    def served(self, kind: str) -> list[dict]:
        """What the emulator holds now, as a `kubectl get` would list it."""
        return [dict(o.raw) for o in self.kmock.objects.values() if not o.deleted and o.raw.get("kind") == kind]
