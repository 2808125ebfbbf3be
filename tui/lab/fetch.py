"""`flatdeck lab fetch`: download the VM demos' artifacts once, while online, verified; copy the kit's own files.

The manifest (default `assets/lab/artifacts.yaml`) is YAML (JSON works too):

    artifacts:
      - name: kubernetes-v1.32.2-x86-64.raw      # the file name in the cache
        url: https://.../kubernetes-v1.32.2-x86-64.raw
        sha256: 64 hex digits                    # a pin, or (also both):
        sha256sums: https://.../SHA256SUMS       # a `sha256sum` file holding a line for NAME, or
        digests: https://.../NAME.DIGESTS        # a Flatcar/Gentoo DIGESTS file: its SHA512 line for NAME
        size: 123456                             # optional, bytes
        dir: sysext                              # optional sub-directory of the cache
        unpack: bzip2                            # optional: also write NAME without .bz2, once
      - name: noop.conf
        path: sysupdate/noop.conf                # a file of the kit, relative to the manifest: copied
        dir: sysupdate

Each download goes to `NAME.part`; an existing `.part` is resumed with an HTTP Range request when
the server answers 206 from that offset, else the download restarts. Every checksum given (the
`sha256:` pin, the SHA-256 from `sha256sums:`, the SHA-512 from `digests:`) is checked before the
file is renamed into place; a mismatch deletes it. A file already in place with the right checksums
is skipped. The checksum files are fetched at download time: that trusts their server as much as
the artifact's (their GPG signatures are not checked here). Every failure is one line; no Textual,
stdlib only (plus the project's YAML).
"""

from __future__ import annotations

import bz2
import hashlib
import os
import re
import shutil
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
HEX = {"sha256": re.compile(r"^[0-9a-fA-F]{64}$"), "sha512": re.compile(r"^[0-9a-fA-F]{128}$")}
HEX64 = HEX["sha256"]
LABEL = {"sha256": "SHA-256", "sha512": "SHA-512"}
FIELDS = ("name", "url", "path", "sha256", "sha256sums", "digests", "size", "dir", "unpack")
CHUNK = 1 << 16
TIMEOUT = 30.0
USER_AGENT = "flatdeck-lab-fetch/1"
PLACEHOLDER = "FILL-ME"


class FetchError(Exception):
    """One artifact could not be fetched; the message is the one line to print."""


@dataclass
class Artifact:
    name: str
    url: str | None = None  # download it from here, or:
    path: Path | None = None  # copy this file of the kit (absolute: resolved against the manifest)
    sha256: str | None = None  # a pinned hex digest, lower case
    sha256sums: str | None = None  # URL of a SHA256SUMS file to take the SHA-256 from
    digests: str | None = None  # URL of a DIGESTS file (Flatcar, Gentoo) to take the SHA-512 from
    size: int | None = None
    dir: str = ""
    unpack: str | None = None  # "bzip2": also write the decompressed file, without .bz2
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
            raise fail(item, "expected each artifact to be a mapping (name, url or path, sha256/sha256sums/digests)")
        fields: dict[str, yaml.Node] = {}
        for key, value in item.value:
            if key.value not in FIELDS:
                raise fail(key, f"unknown field {key.value!r} (expected {', '.join(FIELDS)})")
            if not isinstance(value, yaml.ScalarNode):
                raise fail(value, f"expected `{key.value}` to be a single value")
            fields[key.value] = value
        if "name" not in fields or not fields["name"].value:
            raise fail(item, "an artifact without `name`")
        name = fields["name"].value
        if "/" in name or name in (".", "..") or name.endswith(".part"):
            raise fail(fields["name"], f"`name` must be a plain file name, not {name!r}")
        if ("url" in fields) == ("path" in fields):
            raise fail(item, f"{name}: needs either `url` (a download) or `path` (a file of the kit), not "
                       f"{'both' if 'url' in fields else 'neither'}")
        art = Artifact(name=name, line=line(item))
        if "path" in fields:
            sums = [k for k in ("sha256", "sha256sums", "digests", "unpack") if k in fields]
            if sums:
                raise fail(fields[sums[0]], f"{name}: `{sums[0]}` is for downloads; a `path` file is copied as it is")
            local = Path(fields["path"].value or "")
            art.path = local if local.is_absolute() else path.parent / local
        else:
            url = fields["url"].value
            if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise fail(fields["url"], f"`url` must be http:// or https://, not {url!r}")
            art.url = url
            _checksums(art, item, fields, fail, lambda node: f"{path}:{line(node)}")
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
        if "unpack" in fields:
            if fields["unpack"].value != "bzip2" or not name.endswith(".bz2"):
                raise fail(fields["unpack"], f"{name}: `unpack` can only be `bzip2`, for a NAME ending in .bz2")
            art.unpack = "bzip2"
        if name in seen:
            raise fail(fields["name"], f"artifact {name!r} is listed twice")
        seen.add(name)
        artifacts.append(art)
    return artifacts


def _checksums(art: Artifact, item: yaml.Node, fields: dict[str, yaml.Node], fail, where) -> None:
    """sha256 / sha256sums / digests of a download; at least one, or nothing is kept unverified."""
    if "sha256" in fields:
        digest = str(fields["sha256"].value).strip()
        if digest == PLACEHOLDER:  # this one fails when fetched, the others still come
            art.problem = (f"{where(fields['sha256'])}: {art.name}: sha256 is still {PLACEHOLDER}: "
                           "fill in the checksum you verified "
                           "(or use `digests:` / `sha256sums:`)")
        elif not HEX64.match(digest):
            raise fail(fields["sha256"], f"{art.name}: `sha256` is not 64 hex digits ({digest!r}): "
                       "fill in the published checksum")
        else:
            art.sha256 = digest.lower()
    for key in ("sha256sums", "digests"):
        if key in fields:
            url = fields[key].value or ""
            if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
                raise fail(fields[key], f"{art.name}: `{key}` must be an http:// or https:// URL, not {url!r}")
            setattr(art, key, url)
    if not (art.sha256 or art.sha256sums or art.digests or art.problem):
        raise fail(item, f"{art.name}: needs `sha256`, `sha256sums` or `digests` (nothing is kept unverified)")


# checksum files ----------------------------------------------------------------------------------
def _fetch_text(url: str, timeout: float) -> str:
    with _open(url, timeout=timeout) as response:
        return response.read(1 << 20).decode("utf-8", "replace")


def _sum_line(row: str, name: str, algo: str) -> str | None:
    """The hex digest on a `sha256sum`/`sha512sum` line for `name` ("HEX  NAME" or "HEX *NAME")."""
    parts = row.strip().split(None, 1)
    if len(parts) == 2 and parts[1].lstrip("*") == name and HEX[algo].match(parts[0]):
        return parts[0].lower()
    return None


def lookup_sha256sums(url: str, name: str, timeout: float = TIMEOUT) -> str:
    """The hash for `name` in the `sha256sum`-format file at `url`."""
    for row in _fetch_text(url, timeout).splitlines():
        found = _sum_line(row, name, "sha256")
        if found:
            return found
    raise FetchError(f"{name}: no line for it in {url}")


def parse_digests(text: str, name: str) -> dict[str, set[str]]:
    """The hashes a DIGESTS file gives for `name`, per algorithm ("md5", "sha1", "sha512", ...).

    The format Flatcar's release server publishes (the Gentoo one): blocks headed `# SHA512 HASH`,
    each followed by `sha512sum`-style lines ("HEX  NAME"), one block per algorithm and file. The
    `.DIGESTS.asc` variant wraps the same text in a PGP clear signature; its armour is skipped (the
    signature is not checked here)."""
    found: dict[str, set[str]] = {}
    algo: str | None = None
    in_header = False
    for raw in text.splitlines():
        line = raw.strip()
        if line == "-----BEGIN PGP SIGNED MESSAGE-----":
            in_header = True  # "Hash: SHA512" armour headers up to the first blank line
            continue
        if in_header:
            in_header = bool(line)
            continue
        if line.startswith("-----BEGIN PGP SIGNATURE-----"):
            break
        if line.startswith("- "):  # dash-escaped line of a clear-signed text
            line = line[2:]
        header = re.fullmatch(r"#\s*([A-Za-z0-9_-]+)\s+HASH", line)
        if header:
            algo = header.group(1).lower().replace("-", "")
            continue
        parts = line.split(None, 1)
        if algo and len(parts) == 2 and parts[1].lstrip("*") == name and re.fullmatch(r"[0-9a-fA-F]+", parts[0]):
            found.setdefault(algo, set()).add(parts[0].lower())
    return found


def lookup_digests(url: str, name: str, timeout: float = TIMEOUT) -> str:
    """The SHA-512 for `name` in the DIGESTS file at `url` (MD5 and SHA-1 lines are not trusted)."""
    found = parse_digests(_fetch_text(url, timeout), name)
    sha512 = {h for h in found.get("sha512", set()) if HEX["sha512"].match(h)}
    if not sha512:
        others = ", ".join(sorted(found)) or "nothing"
        raise FetchError(f"{name}: no SHA512 HASH line for it in {url} (found {others} for it)")
    if len(sha512) > 1:
        raise FetchError(f"{name}: {url} lists {len(sha512)} different SHA-512 hashes for it")
    return sha512.pop()


def expected_digests(art: Artifact, timeout: float = TIMEOUT) -> dict[str, str]:
    """Every checksum the manifest asks for, algorithm → hex; the SHA-256s must agree."""
    expected: dict[str, str] = {}
    if art.sha256:
        expected["sha256"] = art.sha256
    if art.sha256sums:
        published = lookup_sha256sums(art.sha256sums, art.name, timeout)
        if art.sha256 and published != art.sha256:
            raise FetchError(f"{art.name}: the pinned sha256 differs from the one in {art.sha256sums} ({published})")
        expected["sha256"] = published
    if art.digests:
        expected["sha512"] = lookup_digests(art.digests, art.name, timeout)
    return expected


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


def hashes_of(path: Path, algos) -> dict[str, str]:
    """Hex digests of `path` for each algorithm, in one read."""
    digests = {algo: hashlib.new(algo) for algo in algos}
    with path.open("rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            for digest in digests.values():
                digest.update(block)
    return {algo: digest.hexdigest() for algo, digest in digests.items()}


def sha256_of(path: Path) -> str:
    return hashes_of(path, ["sha256"])["sha256"]


def _download(art: Artifact, part: Path, timeout: float, out: TextIO) -> None:
    """Fill `part` with the whole of art.url, resuming it when the server allows."""
    url = art.url or ""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        response = _open(url, headers, timeout)
    except urllib.error.HTTPError:  # 416: the .part is not a prefix we can extend; start over
        print(f"  {art.name}: the server refused to resume at byte {have}; restarting", file=out)
        have, headers = 0, {}
        response = _open(url, timeout=timeout)
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


def _copy(art: Artifact, final: Path) -> str:
    """A kit file: copied into place (through a .part) unless the cache already holds the same bytes."""
    source = art.path or Path()
    try:
        data = source.read_bytes()
    except OSError as exc:
        raise FetchError(f"{art.name}: cannot read {source}: {exc.strerror or exc}") from None
    if final.is_file() and final.read_bytes() == data:
        return "cached"
    part = final.with_name(final.name + ".part")
    part.write_bytes(data)
    shutil.copymode(source, part)
    os.replace(part, final)
    return "copied"


def _unpack_bzip2(art: Artifact, packed: Path) -> bool:
    """Write `packed` decompressed beside it (NAME without .bz2) unless that exists: the VM writes
    into its image, so an existing one is kept as it is. True when written."""
    target = packed.with_name(packed.name[: -len(".bz2")])
    if target.exists():
        return False
    part = target.with_name(target.name + ".part")
    try:
        with bz2.open(packed, "rb") as src, part.open("wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
    except (OSError, EOFError, ValueError) as exc:
        part.unlink(missing_ok=True)
        raise FetchError(f"{art.name}: cannot unpack it: {getattr(exc, 'strerror', None) or exc}") from None
    os.replace(part, target)
    return True


def fetch_one(art: Artifact, cache: Path, out: TextIO | None = None, timeout: float = TIMEOUT) -> str:
    """Make `cache/[dir/]NAME` hold the verified artifact (or the kit file); 'cached', 'downloaded'
    or 'copied' (', unpacked' when it also wrote the decompressed file); FetchError if not."""
    out = out or sys.stdout
    directory = cache / art.dir if art.dir else cache
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"cannot create {directory}: {exc.strerror or exc}") from None
    if art.problem:
        raise FetchError(art.problem)
    final = directory / art.name
    if art.path is not None:
        return _copy(art, final)
    part = directory / (art.name + ".part")
    expected = expected_digests(art, timeout)
    if final.is_file() and hashes_of(final, expected) == expected:
        status = "cached"
    else:
        _download(art, part, timeout, out)
        size = part.stat().st_size
        if art.size is not None and size != art.size:
            part.unlink(missing_ok=True)
            raise FetchError(f"{art.name}: got {size} bytes, the manifest says {art.size}; deleted")
        actual = hashes_of(part, expected)
        for algo, want in expected.items():
            if actual[algo] != want:
                part.unlink(missing_ok=True)
                raise FetchError(f"{art.name}: {LABEL[algo]} mismatch (expected {want}, got {actual[algo]}); "
                                 "deleted, not kept")
        os.replace(part, final)
        status = "downloaded"
    if art.unpack == "bzip2" and _unpack_bzip2(art, final):
        status += ", unpacked"
    return status


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
