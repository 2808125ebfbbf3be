"""Kubernetes targets: list + watch resources into kube panes, and wait on their state.

The official `kubernetes` client is blocking and heavy (≈ 0.4 s to import): it is imported in a
worker thread the first time a kube step runs, and every call it makes runs in a thread. A
`Watcher` thread lists a resource, then watches it; what it reads goes into a queue that the
event loop drains once per turn (a whole batch per call, however many events came), so the UI
never waits for the network and never gets one message per event.

Robustness, per watcher: a dropped watch is reopened with backoff (0.5 s doubling to 5 s); it
resumes from the last resourceVersion when the server versions its objects, and lists again
when it does not, or answers 410 Gone. A relist is diffed against what the pane holds
(`ObjectStore.replace`), so rows are never duplicated or lost across reconnects. 401, 403 and
404 (a missing CRD) become one clear line in the pane and, before the first list, fail the step.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from tui.engine.events import EventBus, PaneNotice, ResourceEvents, StepProgress
from tui.engine.executor import TargetDriver
from tui.engine.session import SessionError
from tui.kube.columns import columns_for
from tui.kube.kinds import Resource, ResourceName, choose, group_of
from tui.kube.objects import CLUSTER_LABEL, Key, fields_for, labels_of, name_of, trim
from tui.kube.query import KubeQuery, KubeWait
from tui.kube.selector import EVERYTHING, Selector, parse_selector
from tui.kube.store import ADDED, DELETED, MODIFIED, Change, ObjectStore
from tui.kube.waits import Progress, evaluate
from tui.scenario.inventory import KubeTarget

CONNECT_TIMEOUT = 5.0
REQUEST_TIMEOUT = 15.0  # a list or a discovery request
WATCH_SECONDS = 60  # asked of the server; it ends the watch then and we resume from the last version
READ_TIMEOUT = WATCH_SECONDS + 15.0  # nothing at all for this long: the connection is dead
BACKOFF_FIRST, BACKOFF_MAX = 0.5, 5.0
PREFLIGHT_TIMEOUT = 3.0
KUBE_STEP_TIMEOUT = 30.0  # a kube step with no timeout: how long its first list may take (retries included)


class KubeError(SessionError):
    """An API or connection problem, phrased for the pane and the CLI."""

    def __init__(self, message: str, status: int | None = None, transient: bool = False):
        super().__init__(message)
        self.status = status
        self.transient = transient or (status is not None and status >= 500)  # worth retrying soon

    @property
    def permanent(self) -> bool:
        """Retrying at once will not help: credentials, permissions, a missing resource."""
        return self.status in (401, 403, 404)


class Gone(Exception):
    """410: the resourceVersion we resume from is too old; list again."""


# --- the client, in threads ----------------------------------------------------------------------

class KubeApi:
    """The blocking side: one configured ApiClient, GET as JSON or as a stream, API discovery."""

    def __init__(self, target: KubeTarget):
        import kubernetes.client  # heavy: only ever imported here, in a worker thread
        import kubernetes.config
        from kubernetes.config.config_exception import ConfigException

        self.target = target
        self.kubeconfig = _kubeconfig_text(target)
        if target.kubeconfig is not None and not target.kubeconfig.is_file():
            raise KubeError(f"{target.name}: no kubeconfig at {target.kubeconfig}; expected the file the lab's "
                            f"`kubeconfig:` names")
        # resolved here, not by the client: it reads $KUBECONFIG once, when it is first imported
        config_file = self.kubeconfig
        configuration = kubernetes.client.Configuration()
        try:
            kubernetes.config.load_kube_config(config_file=config_file, context=target.context,
                                               client_configuration=configuration, persist_config=False)
            contexts, current = kubernetes.config.list_kube_config_contexts(config_file)
        except (ConfigException, OSError, ValueError, TypeError, KeyError) as exc:
            raise KubeError(f"{target.name}: cannot use {self.kubeconfig}"
                            f"{f' context {target.context!r}' if target.context else ''}: {exc}") from None
        context = next((c for c in contexts if c.get("name") == (target.context or (current or {}).get("name"))), {})
        self.context = context.get("name") or "(current)"
        self.namespace = (context.get("context") or {}).get("namespace") or "default"
        configuration.retries = 0  # we retry ourselves, with backoff and a message in the pane
        self.server = configuration.host
        self.client = kubernetes.client.ApiClient(configuration)
        self._resources: dict[str, list[Resource]] = {}  # group/version → what it serves
        self._versions: dict[str, str] = {}  # group → preferred version
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    # requests ---------------------------------------------------------------------------------
    def open(self, path: str, params: list[tuple[str, str]], timeout: tuple[float, float]):
        """GET path → the urllib3 response, unread; KubeError for an error status or no connection."""
        import urllib3

        method, url, headers, body, post = self.client.param_serialize(
            "GET", path, query_params=params, header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"])
        try:
            response = self.client.call_api(method, url, headers, body, post, _request_timeout=timeout).response
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise KubeError(f"cannot reach {self.server}: {_reason(exc)}", transient=True) from None
        except Exception as exc:  # noqa: BLE001 - the client wraps TLS problems as ApiException(status=0)
            raise KubeError(f"cannot reach {self.server}: {getattr(exc, 'reason', None) or exc}") from None
        if response.status >= 400:
            try:
                data = response.data
            except Exception:  # noqa: BLE001 - the body is only for the message
                data = b""
            raise self._error(response.status, response.reason, data, path)
        return response

    def get(self, path: str, params: list[tuple[str, str]] | None = None) -> dict:
        import urllib3

        response = self.open(path, params or [], (CONNECT_TIMEOUT, REQUEST_TIMEOUT))
        try:
            data = json.loads(response.data)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise KubeError(f"{self.server}: the answer to GET {path} was cut off: {_reason(exc)}",
                            transient=True) from None
        except ValueError:
            raise KubeError(f"{self.server}: GET {path} did not answer JSON; is it a Kubernetes API server?") from None
        if not isinstance(data, dict):
            raise KubeError(f"{self.server}: GET {path} answered {type(data).__name__}; expected a JSON object")
        return data

    def _error(self, status: int, reason: str | None, body: bytes, path: str) -> KubeError:
        message = ""
        try:
            parsed = json.loads(body)
            if isinstance(parsed, dict):
                message = str(parsed.get("message") or "")
        except ValueError:
            message = body[:200].decode("utf-8", "replace").strip()
        if status == 410:
            return KubeError(f"410 Gone: {message or 'resourceVersion too old'}", 410)
        if status == 401:
            return KubeError(f"401 Unauthorized: {self.server} did not accept the credentials of context "
                             f"{self.context} in {self.kubeconfig} (an expired token or certificate?)", 401)
        if status == 403:
            return KubeError(f"403 Forbidden: {message or f'GET {path} is not allowed for these credentials'}"
                             f" (context {self.context}; RBAC)", 403)
        if status == 404:
            return KubeError(f"404 Not Found: GET {path}{f' ({message})' if message else ''}", 404)
        return KubeError(f"{status} {reason or ''}: GET {path}{f': {message}' if message else ''}".replace("  ", " "),
                         status)

    # discovery --------------------------------------------------------------------------------
    def resolve(self, wanted: ResourceName) -> Resource:
        """What a scenario's resource name means on this cluster, asking as little as possible."""
        known = wanted.known
        group = wanted.group if wanted.group is not None else (known.group if known is not None else None)
        if group is not None:
            try:
                found = choose(wanted, self._served(group))
            except KubeError as exc:
                if exc.status != 404:
                    raise
                found = None
            if found is not None:
                return found
            if group:
                crd = f"{known.plural if known else wanted.name}.{group}"
                raise KubeError(f"{self.server} does not serve {wanted} ({group}): is its CustomResourceDefinition "
                                f"installed? (kubectl get crd {crd})", 404)
            raise KubeError(f"{self.server} does not serve {wanted} in the core API", 404)
        served = list(self._served(""))
        for name in self._groups():
            served.extend(self._served(name))
        found = choose(wanted, served)
        if found is None:
            raise KubeError(f"{self.server} has no resource named {wanted.name!r}; expected a kind, plural or short "
                            f"name that `kubectl api-resources` lists", 404)
        return found

    def resolve_kind(self, api_version: str, kind: str) -> Resource | None:
        """The resource of an object reference (`infrastructureRef`), or None if not served."""
        group = group_of(api_version)
        try:
            return next((r for r in self._served(group) if r.kind == kind and "/" not in r.plural), None)
        except KubeError:
            return None

    def _groups(self) -> list[str]:
        data = self.get("/apis")
        names = []
        for group in data.get("groups") or ():
            name, preferred = group.get("name"), (group.get("preferredVersion") or {}).get("version")
            if name and preferred:
                with self._lock:
                    self._versions[name] = preferred
                names.append(name)
        return names

    def _served(self, group: str) -> list[Resource]:
        version = "v1" if group == "" else self._preferred(group)
        where = f"{group}/{version}" if group else version
        with self._lock:
            cached = self._resources.get(where)
        if cached is not None:
            return cached
        data = self.get(f"/apis/{group}/{version}" if group else "/api/v1")
        resources = []
        for item in data.get("resources") or ():
            if not isinstance(item, dict) or not item.get("name") or not item.get("kind"):
                continue
            resources.append(Resource(group, version, str(item["name"]), str(item["kind"]),
                                      bool(item.get("namespaced")), tuple(item.get("shortNames") or ())))
        with self._lock:
            self._resources[where] = resources
        return resources

    def _preferred(self, group: str) -> str:
        with self._lock:
            if group in self._versions:
                return self._versions[group]
        data = self.get(f"/apis/{group}")
        version = (data.get("preferredVersion") or {}).get("version")
        if not version:
            versions = [v.get("version") for v in data.get("versions") or () if isinstance(v, dict)]
            version = versions[0] if versions else None
        if not version:
            raise KubeError(f"{self.server}: the API group {group} names no version", 404)
        with self._lock:
            self._versions[group] = version
        return version


def _kubeconfig_text(target: KubeTarget) -> str:
    if target.kubeconfig is not None:
        return str(target.kubeconfig)
    return os.environ.get("KUBECONFIG") or str(Path("~/.kube/config").expanduser())


def _reason(exc: BaseException) -> str:
    """The innermost cause of a urllib3 error, in a few words."""
    seen = exc
    while getattr(seen, "reason", None) is not None and isinstance(seen.reason, BaseException):
        seen = seen.reason
    text = str(seen)
    for marker in ("Connection refused", "Name or service not known", "timed out", "Connection reset",
                   "Connection aborted", "Remote end closed connection", "No route to host"):
        if marker.lower() in text.lower():
            return marker.lower()
    return text.split(": ", 1)[-1][:160] or type(seen).__name__


# --- one resource, listed and watched in a thread ------------------------------------------------

@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per watcher
class Watch:
    """One resource to list and watch, and which of its objects a pane wants."""

    resource: Resource
    namespace: str | None  # None: every namespace (or a cluster-scoped resource)
    selector: Selector = EVERYTHING
    name: str | None = None
    fields: dict | None = None  # what to keep of each object (see objects.trim)

    def wants(self, obj: dict) -> bool:
        if self.name is not None and name_of(obj) != self.name:
            return False
        return self.selector.matches(labels_of(obj))

    def owns(self, key: Key) -> bool:
        return key[0] == self.resource.group and key[1] == self.resource.kind

    def trim(self, obj: dict) -> dict:
        obj.setdefault("apiVersion", self.resource.api_version)  # list items come without them
        obj.setdefault("kind", self.resource.kind)
        return trim(obj, self.fields or fields_for(self.resource.kind), self.selector.keys)


class Watcher:
    """List, then watch; on any failure, back off and go again. Never touches the event loop's
    objects: everything it learns is `post`ed as (what, payload) and drained on the loop."""

    def __init__(self, api: KubeApi, watch: Watch, post: Callable[[tuple], None]):
        self.api, self.watch, self.post = api, watch, post
        self.stopped = threading.Event()
        self.lists = 0  # how many times it listed (for tests and the pane)
        self.watches = 0
        self.last_version: str | None = None
        self._response = None
        self._thread = threading.Thread(target=self._run, name=f"kube-watch-{watch.resource.plural}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.stopped.set()
        response = self._response
        if response is not None:
            try:
                response.shutdown()  # unblocks a read waiting for the next event
            except Exception:  # noqa: BLE001 - it may be closing already
                pass

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _params(self) -> list[tuple[str, str]]:
        params = []
        if self.watch.selector.requirements:
            params.append(("labelSelector", str(self.watch.selector)))
        if self.watch.name:
            params.append(("fieldSelector", f"metadata.name={self.watch.name}"))
        return params

    def _path(self) -> str:
        return self.watch.resource.path(self.watch.namespace)

    def _run(self) -> None:
        backoff, resumable, listed, failures = BACKOFF_FIRST, False, False, 0
        while not self.stopped.is_set():
            try:
                if not resumable:
                    self._list()
                    resumable = self.last_version is not None
                    if not listed or failures:
                        self.post(("listed", self.watch, failures))
                    listed, failures, backoff = True, 0, BACKOFF_FIRST
                resumable = self._watch()
                failures, backoff = 0, BACKOFF_FIRST
            except Gone:
                resumable = False
            except Exception as exc:  # noqa: BLE001 - a watcher never dies of a surprise; it says so and retries
                if self.stopped.is_set():
                    return
                if not isinstance(exc, KubeError):
                    exc = KubeError(f"{type(exc).__name__}: {exc}")
                failures += 1
                if exc.permanent and not listed:
                    self.post(("failed", self.watch, exc))
                    return
                self.post(("lost", self.watch, f"{exc} — retrying in {backoff:g}s"))
                self.stopped.wait(backoff if not exc.permanent else BACKOFF_MAX)
                backoff = min(backoff * 2, BACKOFF_MAX)

    def _list(self) -> None:
        body = self.api.get(self._path(), self._params())
        items = [i for i in body.get("items") or () if isinstance(i, dict)]
        version = str((body.get("metadata") or {}).get("resourceVersion") or "")
        # resume later only if the server versions its objects ("the server gives one")
        versioned = bool(items) and all((i.get("metadata") or {}).get("resourceVersion") for i in items)
        self.last_version = version if version and versioned else None
        self.lists += 1
        self.post(("replace", self.watch, items))

    def _watch(self) -> bool:
        """One watch request, until the server ends it (True: resume from last_version) or it breaks."""
        import urllib3

        params = [("watch", "true"), ("allowWatchBookmarks", "true"), ("timeoutSeconds", str(WATCH_SECONDS)),
                  *self._params()]
        if self.last_version:
            params.append(("resourceVersion", self.last_version))
        try:
            response = self.api.open(self._path(), params, (CONNECT_TIMEOUT, READ_TIMEOUT))
        except KubeError as exc:
            if exc.status == 410:
                raise Gone() from None
            raise
        self._response = response
        self.watches += 1
        self.post(("open", self.watch, None))
        resumable = self.last_version is not None
        try:
            for line in _lines(response):
                if self.stopped.is_set():
                    return resumable
                try:
                    event = json.loads(line)
                except ValueError:
                    raise KubeError(f"{self.api.server}: the watch sent a line that is not JSON") from None
                kind, obj = event.get("type"), event.get("object")
                if not isinstance(obj, dict):
                    continue
                if kind == "ERROR":
                    code = obj.get("code")
                    if code == 410:
                        raise Gone()
                    raise KubeError(f"{code} {obj.get('reason') or ''}: {obj.get('message') or 'watch error'}",
                                    code if isinstance(code, int) else None)
                version = (obj.get("metadata") or {}).get("resourceVersion")
                if kind == "BOOKMARK":
                    if version:
                        self.last_version = str(version)
                    continue
                if kind not in (ADDED, MODIFIED, DELETED):
                    continue
                if version:
                    self.last_version, resumable = str(version), True
                else:
                    self.last_version, resumable = None, False
                self.post(("event", self.watch, (kind, obj)))
        except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
            if self.stopped.is_set():
                return resumable
            raise KubeError(f"the watch on {self.watch.resource.full_name} broke: {_reason(exc)}") from None
        finally:
            self._response = None
            try:
                response.release_conn()
            except Exception:  # noqa: BLE001
                pass
        return resumable


def _lines(response) -> Iterator[bytes]:
    """The JSON lines of a watch response, as the server sends them (chunked)."""
    pending = b""
    for chunk in response.stream(amt=None, decode_content=True):
        if not chunk:
            continue
        pending += chunk
        if b"\n" not in chunk:
            continue
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.strip():
                yield line
    if pending.strip():
        yield pending


# --- the event loop's side ----------------------------------------------------------------------

class KubeFeed:
    """Watchers for one pane or one wait. Their events are applied to an ObjectStore on the event
    loop, and only real changes go on, batched, to `on_changes`."""

    def __init__(self, driver: "KubeDriver", query: KubeQuery, on_changes: Callable[[list[Change]], None],
                 on_notice: Callable[[str, str], None] = lambda text, severity: None):
        self.driver, self.query = driver, query
        self.on_changes, self.on_notice = on_changes, on_notice
        self.store = ObjectStore()
        self.watchers: list[Watcher] = []
        self.resources: list[Resource] = []
        self.received = 0  # watch events read from the server (before diffing): for the benchmark
        self._queue: collections.deque[tuple] = collections.deque()
        self._lock = threading.Lock()
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listed: set[Watch] = set()
        self._ready = asyncio.Event()
        self._failed: KubeError | None = None
        self._lost: set[Watch] = set()
        self._closed = False
        self._last_loss = ""
        self._refs: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task] = set()

    def summary(self) -> str:
        """"3 machines listed" (what a kube step reports when it passes)."""
        if self.query.describe is not None:
            return f"cluster {self.query.describe}: {len(self.store)} objects"
        if not self.resources:
            return f"{len(self.store)} objects"
        resource = self.resources[0]
        return f"{len(self.store)} {resource.plural if len(self.store) != 1 else resource.kind.lower()}"

    # starting and stopping --------------------------------------------------------------------
    async def start(self, timeout: float) -> None:
        """Resolve, list (the step waits for this) and keep watching; KubeError if it cannot."""
        self._loop = asyncio.get_running_loop()
        deadline, backoff = self._loop.time() + timeout, BACKOFF_FIRST
        api = await self.driver.api()
        while True:  # discovery, retried while the API server does not answer yet
            try:
                watches = await asyncio.to_thread(self._watches, api)
                break
            except KubeError as exc:
                if not exc.transient or self._loop.time() + backoff >= deadline:
                    raise
                self.on_notice(f"connection lost — {exc} — retrying in {backoff:g}s", "warning")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
        timeout = max(0.1, deadline - self._loop.time())
        for watch in watches:
            self._add(api, watch)
        try:
            await asyncio.wait_for(self._ready.wait(), timeout)
        except asyncio.TimeoutError:
            lost = f": {self._last_loss}" if self._last_loss else ""
            await self.stop()
            raise KubeError(f"no answer from {api.server} within {timeout:g}s{lost}") from None
        if self._failed is not None:
            await self.stop()
            raise self._failed

    def _watches(self, api: KubeApi) -> list[Watch]:
        query = self.query
        namespace = None if query.all_namespaces else (query.namespace or api.namespace)
        if query.describe is None:
            assert query.resource is not None
            resource = api.resolve(query.resource)
            extra = [path.field_prefix() for _, path in query.columns]
            return [Watch(resource, namespace if resource.namespaced else None, query.selector, query.name,
                          fields_for(resource.kind, extra))]
        cluster = query.describe
        by_cluster = parse_selector(f"{CLUSTER_LABEL}={cluster}")
        watches = [Watch(api.resolve(ResourceName("clusters")), namespace, name=cluster)]
        for plural in ("machinedeployments", "machines"):
            try:
                watches.append(Watch(api.resolve(ResourceName(plural)), namespace, by_cluster))
            except KubeError as exc:
                if exc.status != 404:
                    raise
        return watches

    def _add(self, api: KubeApi, watch: Watch) -> None:
        self.resources.append(watch.resource)
        watcher = Watcher(api, watch, self._post)
        self.watchers.append(watcher)
        watcher.start()

    def cancel(self) -> None:
        """Stop every watcher without waiting for their threads (they end at their next read)."""
        self._closed = True
        for task in self._tasks:
            task.cancel()
        for watcher in self.watchers:
            watcher.stop()

    async def stop(self) -> None:
        self.cancel()
        await asyncio.to_thread(lambda: [w.join(2.0) for w in self.watchers])

    # from the threads -------------------------------------------------------------------------
    def _post(self, item: tuple) -> None:
        with self._lock:
            self._queue.append(item)
            if self._scheduled or self._loop is None:
                return
            self._scheduled = True
        try:
            self._loop.call_soon_threadsafe(self._drain)
        except RuntimeError:  # the loop has closed: nobody is watching any more
            pass

    def _drain(self) -> None:
        with self._lock:
            items, self._queue = list(self._queue), collections.deque()
            self._scheduled = False
        if self._closed:
            return
        changes: list[Change] = []
        for what, watch, payload in items:
            if what == "event":
                self.received += 1
                kind, obj = payload
                obj = watch.trim(obj)
                change = self.store.apply(kind if watch.wants(obj) else DELETED, obj)
                if change is not None:
                    changes.append(change)
            elif what == "replace":
                objects = [watch.trim(o) for o in payload]
                changes.extend(self.store.replace([o for o in objects if watch.wants(o)], watch.owns))
            elif what in ("listed", "open"):
                if what == "listed":
                    self._listed.add(watch)
                if watch in self._lost:
                    self._lost.discard(watch)
                    how = "listed again" if what == "listed" else "watching again from the last version"
                    self.on_notice(f"connection restored ({watch.resource.plural}: {how})", "info")
                if len(self._listed) >= len(self.watchers):
                    self._ready.set()
            elif what == "failed":
                self._failed = payload
                self.on_notice(str(payload), "error")
                self._ready.set()
            elif what == "lost":
                self._lost.add(watch)
                self._last_loss = payload
                self.on_notice(f"connection lost — {payload}", "warning")
        if changes:
            if self.query.describe is not None:
                self._follow_refs(changes)
            self.on_changes(changes)

    def _follow_refs(self, changes: list[Change]) -> None:
        """A Cluster names its infrastructure and control plane objects: watch those too."""
        for kind, obj in changes:
            if obj.get("kind") != "Cluster" or kind == DELETED:
                continue
            spec = obj.get("spec") or {}
            for ref in (spec.get("infrastructureRef"), spec.get("controlPlaneRef")):
                if isinstance(ref, dict) and ref.get("kind") and ref.get("name"):
                    wanted = (str(ref.get("apiVersion") or ""), str(ref["kind"]), str(ref["name"]))
                    if wanted[1:] not in self._refs:
                        self._refs.add(wanted[1:])
                        task = asyncio.get_running_loop().create_task(self._watch_ref(wanted, obj))
                        self._tasks.add(task)
                        task.add_done_callback(self._tasks.discard)

    async def _watch_ref(self, ref: tuple[str, str, str], cluster: dict) -> None:
        api = await self.driver.api()
        resource = await asyncio.to_thread(api.resolve_kind, ref[0], ref[1])
        if resource is None or self._closed:
            return
        namespace = (cluster.get("metadata") or {}).get("namespace")
        self._add(api, Watch(resource, namespace if resource.namespaced else None, name=ref[2]))


# --- the target driver ---------------------------------------------------------------------------

class KubeDriver(TargetDriver):
    """A kube target of the lab: kube panes and resource waits. It runs no shell commands."""

    def __init__(self, target: KubeTarget):
        self.target = target
        self._api: KubeApi | None = None
        self._api_lock: asyncio.Lock | None = None
        self.feeds: dict[str, KubeFeed] = {}  # pane → what it watches now

    @property
    def name(self) -> str:
        return self.target.name

    async def api(self) -> KubeApi:
        if self._api_lock is None:
            self._api_lock = asyncio.Lock()
        async with self._api_lock:
            if self._api is None:
                self._api = await asyncio.to_thread(KubeApi, self.target)
            return self._api

    def open_shell(self, pane, bus, cols, rows):
        raise SessionError(f"{self.name} is a Kubernetes cluster: it runs no shell; expected a local or ssh target")

    async def exec(self, command, timeout):
        raise SessionError(f"{self.name} is a Kubernetes cluster: it runs no commands; expected a local or ssh target")

    async def preflight(self) -> bool:
        ok, _ = await self.diagnose(PREFLIGHT_TIMEOUT)
        return ok

    async def diagnose(self, timeout: float) -> tuple[bool, str]:
        """`check --lab`: can we read the cluster's version with these credentials?"""
        try:
            api = await asyncio.wait_for(self.api(), timeout)
            version = await asyncio.wait_for(asyncio.to_thread(api.get, "/version"), timeout)
        except asyncio.TimeoutError:
            return False, f"✗ {self.name}: no answer within {timeout:g}s"
        except KubeError as exc:
            return False, f"✗ {self.name}: {exc}"
        await asyncio.sleep(0)
        try:
            await asyncio.wait_for(asyncio.to_thread(api.get, "/api"), timeout)
        except (KubeError, asyncio.TimeoutError) as exc:
            return False, f"✗ {self.name}: {api.server} answers, but {exc or 'slowly'}"
        return True, (f"✓ {self.name}: {api.server} (context {api.context}), Kubernetes "
                      f"{version.get('gitVersion', '?')}, credentials accepted")

    async def watch(self, pane: str, query: KubeQuery, bus: EventBus, timeout: float | None = None) -> KubeFeed:
        """Show `query` in `pane` from now on (replacing what it watched); returns once listed."""
        await self.unwatch(pane)

        def changes(batch: list[Change]) -> None:
            bus.publish(ResourceEvents(pane, tuple(batch)))

        def notice(text: str, severity: str) -> None:
            bus.publish(PaneNotice(pane, text, severity))

        feed = KubeFeed(self, query, changes, notice)
        self.feeds[pane] = feed
        try:
            await feed.start(timeout or KUBE_STEP_TIMEOUT)
        except KubeError as exc:
            self.feeds.pop(pane, None)
            notice(str(exc), "error")  # the pane says why it stays empty
            raise
        except BaseException:  # interrupted (Ctrl+C, the demo closing) while it still connects
            self.feeds.pop(pane, None)
            feed.cancel()
            raise
        notice("", "info")
        return feed

    async def unwatch(self, pane: str) -> None:
        feed = self.feeds.pop(pane, None)
        if feed is not None:
            await feed.stop()

    async def wait(self, step_id: str, wait: KubeWait, bus: EventBus, timeout: float) -> tuple[bool, str]:
        """Until every object passes `wait` (True) or `timeout` (False); progress as StepProgress."""
        started = time.monotonic()
        done = asyncio.Event()
        state: dict[str, Any] = {"progress": None}
        columns: tuple = ()

        def changes(batch: list[Change]) -> None:
            progress = evaluate(wait, feed.store, columns)
            if progress != state["progress"]:
                state["progress"] = progress
                bus.publish(StepProgress(step_id, progress.text))
            if progress.done:
                done.set()

        feed = KubeFeed(self, wait.query, changes)
        try:
            await feed.start(min(timeout, KUBE_STEP_TIMEOUT))
            columns = columns_for(feed.resources[0].kind, wait.query.columns)
            changes([])
            remaining = timeout - (time.monotonic() - started)
            try:
                await asyncio.wait_for(done.wait(), max(0.0, remaining))
            except asyncio.TimeoutError:
                pass
        finally:
            await feed.stop()
        progress: Progress = state["progress"] or evaluate(wait, feed.store, columns)
        elapsed = time.monotonic() - started
        if progress.done:
            return True, f"{progress.text} after {_elapsed(elapsed)}"
        pending = "; ".join(progress.pending[:3]) + (" …" if len(progress.pending) > 3 else "")
        return False, (f"{progress.text} after {_elapsed(timeout)}"
                       + (f" (not yet: {pending})" if pending else " (none found)"))

    async def close(self) -> None:
        for pane in list(self.feeds):
            await self.unwatch(pane)
        if self._api is not None:
            api, self._api = self._api, None
            await asyncio.to_thread(api.close)


def _elapsed(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
