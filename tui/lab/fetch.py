"""`flatdeck lab fetch`: download the VM demos' artifacts once, while online, verifying SHA-256.

The manifest (default `assets/lab/artifacts.yaml`) is YAML (JSON works too):

    artifacts:
      - name: kubernetes-v1.32.2-x86-64.raw      # the file name in the cache
        url: https://.../kubernetes-v1.32.2-x86-64.raw
        sha256: 64 hex digits                    # (FILL-ME: this one fails until filled) or:
        sha256sums: https://.../SHA256SUMS       # a `sha256sum` file holding a line for NAME
        size: 123456                             # optional, bytes
        dir: sysext                              # optional sub-directory of the cache

Each download goes to `NAME.part`; an existing `.part` is resumed with an HTTP Range request when
the server answers 206 from that offset, else the download restarts. The SHA-256 is checked before
the file is renamed into place; a mismatch deletes it. A file already in place with the right
checksum is skipped. Every failure is one line; no Textual, stdlib only (plus the project's YAML).
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import yaml

from tui.errors import LoadError
from tui.yamltext import compose_yaml, line_column

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_MANIFEST = REPO / "assets" / "lab" / "artifacts.yaml"
HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
CHUNK = 1 << 16
TIMEOUT = 30.0
USER_AGENT = "flatdeck-lab-fetch/1"
PLACEHOLDER = "FILL-ME"


class FetchError(Exception):
    """One artifact could not be fetched; the message is the one line to print."""


@dataclass
class Artifact:
    name: str
    url: str
    sha256: str | None = None  # hex, lower case
    sha256sums: str | None = None  # URL of a SHA256SUMS file to take the hash from
    size: int | None = None
    dir: str = ""
    line: int = 0  # where in the manifest, for messages
    problem: str | None = None  # why it cannot be fetched as listed (an unfilled checksum)


def default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "flatdeck" / "lab"


# the manifest ------------------------------------------------------------------------------------
def load_manifest(path: Path) -> list[Artifact]:
    """Parse the manifest; LoadError (file:line: message) on any problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError.at(path, 0, 0, f"cannot read the manifest: {getattr(exc, 'strerror', None) or exc}") from None
    root = compose_yaml(text, path)

    def line(node: yaml.Node) -> int:
        return line_column(text, node.start_mark.index)[0]

    def fail(node: yaml.Node | None, message: str) -> LoadError:
        return LoadError.at(path, line(node) if node is not None else 0, 0, message)

    if not isinstance(root, yaml.MappingNode):
        raise fail(root, "expected a mapping with an `artifacts:` list")
    top = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
    items = top.get("artifacts")
    if not isinstance(items, yaml.SequenceNode):
        raise fail(items if items is not None else root, "expected `artifacts:` to be a list")
    artifacts: list[Artifact] = []
    seen: set[str] = set()
    for item in items.value:
        if not isinstance(item, yaml.MappingNode):
            raise fail(item, "expected each artifact to be a mapping (name, url, sha256 or sha256sums)")
        fields: dict[str, yaml.Node] = {}
        for key, value in item.value:
            if key.value not in ("name", "url", "sha256", "sha256sums", "size", "dir"):
                raise fail(key, f"unknown field {key.value!r} (expected name, url, sha256, sha256sums, size, dir)")
            if not isinstance(value, yaml.ScalarNode):
                raise fail(value, f"expected `{key.value}` to be a single value")
            fields[key.value] = value
        for required in ("name", "url"):
            if required not in fields or not fields[required].value:
                raise fail(item, f"an artifact without `{required}`")
        name = fields["name"].value
        if "/" in name or name in (".", "..") or name.endswith(".part"):
            raise fail(fields["name"], f"`name` must be a plain file name, not {name!r}")
        if name in seen:
            raise fail(fields["name"], f"artifact {name!r} is listed twice")
        seen.add(name)
        url = fields["url"].value
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise fail(fields["url"], f"`url` must be http:// or https://, not {url!r}")
        art = Artifact(name=name, url=url, line=line(item))
        if "sha256" in fields:
            digest = str(fields["sha256"].value).strip()
            if digest == PLACEHOLDER:  # this one fails when fetched, the others still come
                art.problem = (f"{path}:{line(fields['sha256'])}: {name}: sha256 is still {PLACEHOLDER}: "
                               "fill in the checksum you verified (see the comment there)")
            elif not HEX64.match(digest):
                raise fail(fields["sha256"], f"{name}: `sha256` is not 64 hex digits ({digest!r}): "
                           "fill in the published checksum")
            else:
                art.sha256 = digest.lower()
        if "sha256sums" in fields:
            art.sha256sums = fields["sha256sums"].value
        if not art.sha256 and not art.sha256sums and not art.problem:
            raise fail(item, f"{name}: needs `sha256` or `sha256sums` (nothing is kept unverified)")
        if "size" in fields:
            try:
                art.size = int(fields["size"].value)
                if art.size < 0:
                    raise ValueError
            except ValueError:
                raise fail(fields["size"], f"{name}: `size` must be a number of bytes") from None
        if "dir" in fields:
            sub = fields["dir"].value or ""
            if sub.startswith("/") or ".." in Path(sub).parts:
                raise fail(fields["dir"], f"{name}: `dir` must be a relative sub-directory")
            art.dir = sub
        artifacts.append(art)
    return artifacts


# downloading -------------------------------------------------------------------------------------
def _open(url: str, headers: dict[str, str] | None = None, timeout: float = TIMEOUT):
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        return urllib.request.urlopen(request, timeout=timeout)  # noqa: S310 - http(s) only, checked
    except urllib.error.HTTPError as exc:
        if exc.code == 416:
            raise
        raise FetchError(f"HTTP {exc.code} {exc.reason}: {url}") from None
    except urllib.error.URLError as exc:
        host = urllib.parse.urlsplit(url).netloc
        raise FetchError(f"cannot reach {host}: {getattr(exc.reason, 'strerror', None) or exc.reason}") from None
    except (socket.timeout, TimeoutError):
        raise FetchError(f"timed out: {url}") from None
    except OSError as exc:
        raise FetchError(f"cannot download {url}: {exc.strerror or exc}") from None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def lookup_sha256sums(url: str, name: str, timeout: float = TIMEOUT) -> str:
    """The hash for `name` in the `sha256sum`-format file at `url`."""
    with _open(url, timeout=timeout) as response:
        text = response.read(1 << 20).decode("utf-8", "replace")
    for row in text.splitlines():
        parts = row.strip().split(None, 1)
        if len(parts) == 2 and parts[1].lstrip("*") == name and HEX64.match(parts[0]):
            return parts[0].lower()
    raise FetchError(f"{name}: no line for it in {url}")


def _download(art: Artifact, part: Path, timeout: float, out: TextIO) -> None:
    """Fill `part` with the whole of art.url, resuming it when the server allows."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        response = _open(art.url, headers, timeout)
    except urllib.error.HTTPError:  # 416: the .part is not a prefix we can extend; start over
        print(f"  {art.name}: the server refused to resume at byte {have}; restarting", file=out)
        have, headers = 0, {}
        response = _open(art.url, timeout=timeout)
    with response:
        mode = "wb"
        if have:
            content_range = response.headers.get("Content-Range", "")
            if response.status == 206 and re.match(rf"bytes {have}-\d+/(\d+|\*)$", content_range.strip()):
                mode = "ab"
                print(f"  {art.name}: resuming at byte {have}", file=out)
            else:
                print(f"  {art.name}: the server does not resume; restarting", file=out)
        try:
            with part.open(mode) as f:
                for block in iter(lambda: response.read(CHUNK), b""):
                    f.write(block)
        except (socket.timeout, TimeoutError):
            raise FetchError(f"{art.name}: timed out while downloading (the .part is kept; run again to resume)") from None
        except OSError as exc:
            raise FetchError(f"{art.name}: download interrupted: {exc.strerror or exc} "
                             "(the .part is kept; run again to resume)") from None


def fetch_one(art: Artifact, cache: Path, out: TextIO | None = None, timeout: float = TIMEOUT) -> str:
    """Make `cache/[dir/]NAME` hold the verified artifact; 'cached' or 'downloaded'; FetchError if not."""
    out = out or sys.stdout
    directory = cache / art.dir if art.dir else cache
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"cannot create {directory}: {exc.strerror or exc}") from None
    if art.problem:
        raise FetchError(art.problem)
    final = directory / art.name
    part = directory / (art.name + ".part")
    expected = art.sha256 or lookup_sha256sums(art.sha256sums or "", art.name, timeout)
    if final.is_file() and sha256_of(final) == expected:
        return "cached"
    _download(art, part, timeout, out)
    size = part.stat().st_size
    if art.size is not None and size != art.size:
        part.unlink(missing_ok=True)
        raise FetchError(f"{art.name}: got {size} bytes, the manifest says {art.size}; deleted")
    actual = sha256_of(part)
    if actual != expected:
        part.unlink(missing_ok=True)
        raise FetchError(f"{art.name}: SHA-256 mismatch (expected {expected}, got {actual}); deleted, not kept")
    os.replace(part, final)
    return "downloaded"


def main(manifest: Path | None = None, cache: Path | None = None,
         out: TextIO | None = None, err: TextIO | None = None, timeout: float = TIMEOUT) -> int:
    """`flatdeck lab fetch`: 0 when every artifact is in place and verified, 1 otherwise, 2 bad manifest."""
    out, err = out or sys.stdout, err or sys.stderr
    manifest = manifest or DEFAULT_MANIFEST
    cache = cache or default_cache()
    try:
        artifacts = load_manifest(manifest)
    except LoadError as exc:
        for error in exc.errors:
            print(f"error: {error}", file=err)
        return 2
    failed = 0
    for art in artifacts:
        where = f"{art.dir}/{art.name}" if art.dir else art.name
        try:
            status = fetch_one(art, cache, out, timeout)
        except FetchError as exc:
            failed += 1
            message = str(exc)
            named = art.problem or message.startswith(art.name + ":")
            print(f"error: {message if named else f'{art.name}: {message}'}", file=err)
            continue
        except KeyboardInterrupt:
            print(f"\ninterrupted: {art.name}.part is kept; run again to resume", file=err)
            return 130
        print(f"{status:>10}  {where}", file=out)
    print(f"{len(artifacts) - failed} of {len(artifacts)} artifacts in {cache}", file=out)
    return 1 if failed else 0
