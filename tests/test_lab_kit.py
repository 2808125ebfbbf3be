"""The offline lab kit: `lab fetch` with Flatcar DIGESTS files, bzip2 images and the kit's own files.

Every download goes through a real HTTP server on 127.0.0.1 (`lab serve`'s handler) serving fixture
files this test writes; the DIGESTS files are made the way flatcar/scripts' `create_digests` makes
them (`# MD5 HASH` / `# SHA1 HASH` / `# SHA512 HASH`, each followed by a `<hash>sum`-format line).
"""

from __future__ import annotations

import bz2
import hashlib
import io
import threading
from pathlib import Path

import pytest

from tui.cli import main as cli_main
from tui.lab import fetch, serve

IMAGE = bytes(range(256)) * 2000  # 512 000 bytes
SCRIPT = b"#!/bin/bash\necho 'a launcher'\n"
IMAGE_NAME = "flatcar_production_qemu_image.img.bz2"


def digests_text(files: dict[str, bytes], algos=("md5", "sha1", "sha512")) -> str:
    """A DIGESTS file as Flatcar's release tooling writes it: per file, a block per algorithm."""
    text = ""
    for name, data in files.items():
        for algo in algos:
            text += f"# {algo.upper()} HASH\n{hashlib.new(algo, data).hexdigest()}  {name}\n"
    return text


def clearsigned(text: str) -> str:
    """The `.DIGESTS.asc` shape: the same text inside a PGP clear signature (dummy signature)."""
    escaped = "".join(f"- {line}\n" if line.startswith("-") else f"{line}\n" for line in text.splitlines())
    return ("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n" + escaped +
            "-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCgAdFiEE\n-----END PGP SIGNATURE-----\n")


@pytest.fixture
def release(tmp_path):
    """A directory served over HTTP like a Flatcar release: a bzip2 image, a launcher, no DIGESTS yet."""
    directory = tmp_path / "release"
    directory.mkdir()
    (directory / IMAGE_NAME).write_bytes(bz2.compress(IMAGE))
    (directory / "flatcar_production_qemu.sh").write_bytes(SCRIPT)
    server = serve.make_server(directory, 0, "127.0.0.1", quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield directory, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def manifest_for(tmp_path: Path, url: str, entries: str) -> Path:
    path = tmp_path / "artifacts.yaml"
    path.write_text("artifacts:\n" + entries.replace("URL/", url))
    return path


def run_fetch(manifest: Path, cache: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    rc = fetch.main(manifest, cache, out, err, timeout=10)
    return rc, out.getvalue(), err.getvalue()


IMAGE_ENTRY = f"""  - name: {IMAGE_NAME}
    url: URL/{IMAGE_NAME}
    digests: URL/{IMAGE_NAME}.DIGESTS
    dir: flatcar
"""


# DIGESTS ----------------------------------------------------------------------------------------
def test_a_good_digest_verifies_the_download(release, tmp_path):
    directory, url = release
    packed = (directory / IMAGE_NAME).read_bytes()
    (directory / f"{IMAGE_NAME}.DIGESTS").write_text(
        digests_text({IMAGE_NAME: packed, "flatcar_production_qemu.sh": SCRIPT}))
    (directory / "flatcar_production_qemu.sh.DIGESTS").write_text(digests_text({"flatcar_production_qemu.sh": SCRIPT}))
    manifest = manifest_for(tmp_path, url, IMAGE_ENTRY + """  - name: flatcar_production_qemu.sh
    url: URL/flatcar_production_qemu.sh
    digests: URL/flatcar_production_qemu.sh.DIGESTS
    dir: flatcar
""")
    rc, out, err = run_fetch(manifest, tmp_path / "cache")
    assert (rc, err) == (0, "")
    assert (tmp_path / "cache/flatcar" / IMAGE_NAME).read_bytes() == packed
    assert (tmp_path / "cache/flatcar/flatcar_production_qemu.sh").read_bytes() == SCRIPT
    rc, out, err = run_fetch(manifest, tmp_path / "cache")
    assert (rc, err) == (0, "") and out.count("cached") == 2


def test_a_digest_mismatch_is_refused_and_nothing_is_kept(release, tmp_path):
    directory, url = release
    # the SHA-512 of other bytes (MD5 and SHA-1 of the real file, which must not be enough)
    real = (directory / IMAGE_NAME).read_bytes()
    text = digests_text({IMAGE_NAME: real}, ("md5", "sha1")) + digests_text({IMAGE_NAME: b"other"}, ("sha512",))
    (directory / f"{IMAGE_NAME}.DIGESTS").write_text(text)
    rc, _, err = run_fetch(manifest_for(tmp_path, url, IMAGE_ENTRY), tmp_path / "cache")
    assert rc == 1 and err.count("\n") == 1
    assert f"error: {IMAGE_NAME}: SHA-512 mismatch (expected {hashlib.sha512(b'other').hexdigest()}, got " \
           f"{hashlib.sha512(real).hexdigest()}); deleted, not kept" in err
    assert list((tmp_path / "cache/flatcar").iterdir()) == []


@pytest.mark.parametrize(("files", "algos", "found"), [
    ({"flatcar_production_qemu.sh": SCRIPT}, ("md5", "sha1", "sha512"), "nothing"),  # another file's entry only
    ({IMAGE_NAME: b"x"}, ("md5", "sha1"), "md5, sha1"),  # weak hashes only: not trusted
])
def test_a_missing_digest_entry_is_refused(release, tmp_path, files, algos, found):
    directory, url = release
    (directory / f"{IMAGE_NAME}.DIGESTS").write_text(digests_text(files, algos))
    rc, _, err = run_fetch(manifest_for(tmp_path, url, IMAGE_ENTRY), tmp_path / "cache")
    assert rc == 1
    assert err == (f"error: {IMAGE_NAME}: no SHA512 HASH line for it in {url}{IMAGE_NAME}.DIGESTS "
                   f"(found {found} for it)\n")
    assert list((tmp_path / "cache/flatcar").iterdir()) == []  # nothing downloaded


def test_a_missing_digests_file_is_one_line(release, tmp_path):
    _, url = release
    rc, _, err = run_fetch(manifest_for(tmp_path, url, IMAGE_ENTRY), tmp_path / "cache")
    assert rc == 1
    assert err == f"error: {IMAGE_NAME}: HTTP 404 File not found: {url}{IMAGE_NAME}.DIGESTS\n"


def test_the_clearsigned_digests_file_is_read_too(release, tmp_path):
    directory, url = release
    packed = (directory / IMAGE_NAME).read_bytes()
    (directory / f"{IMAGE_NAME}.DIGESTS.asc").write_text(clearsigned(digests_text({IMAGE_NAME: packed})))
    manifest = manifest_for(tmp_path, url, IMAGE_ENTRY.replace(".DIGESTS\n", ".DIGESTS.asc\n"))
    rc, _, err = run_fetch(manifest, tmp_path / "cache")
    assert (rc, err) == (0, "")


def test_parse_digests_reads_every_block():
    text = clearsigned(digests_text({"a.img": b"a", "b.sh": b"b"}))
    found = fetch.parse_digests(text, "b.sh")
    assert found == {"md5": {hashlib.md5(b"b").hexdigest()}, "sha1": {hashlib.sha1(b"b").hexdigest()},
                     "sha512": {hashlib.sha512(b"b").hexdigest()}}
    assert fetch.parse_digests(text, "c") == {}


def test_two_different_sha512_for_one_name_are_refused(release, tmp_path):
    directory, url = release
    text = digests_text({IMAGE_NAME: b"one"}, ("sha512",)) + digests_text({IMAGE_NAME: b"two"}, ("sha512",))
    (directory / f"{IMAGE_NAME}.DIGESTS").write_text(text)
    rc, _, err = run_fetch(manifest_for(tmp_path, url, IMAGE_ENTRY), tmp_path / "cache")
    assert rc == 1 and "lists 2 different SHA-512 hashes" in err


def test_a_sha256_pin_is_checked_beside_the_digest(release, tmp_path):
    directory, url = release
    packed = (directory / IMAGE_NAME).read_bytes()
    (directory / f"{IMAGE_NAME}.DIGESTS").write_text(digests_text({IMAGE_NAME: packed}))
    entry = IMAGE_ENTRY + f"    sha256: {'0' * 64}\n"
    rc, _, err = run_fetch(manifest_for(tmp_path, url, entry), tmp_path / "cache")
    assert rc == 1 and "SHA-256 mismatch" in err
    entry = IMAGE_ENTRY + f"    sha256: {hashlib.sha256(packed).hexdigest()}\n"
    rc, _, err = run_fetch(manifest_for(tmp_path, url, entry), tmp_path / "cache")
    assert (rc, err) == (0, "")


# unpack -----------------------------------------------------------------------------------------
def test_a_bzip2_image_is_unpacked_once(release, tmp_path):
    directory, url = release
    (directory / f"{IMAGE_NAME}.DIGESTS").write_text(digests_text({IMAGE_NAME: (directory / IMAGE_NAME).read_bytes()}))
    manifest = manifest_for(tmp_path, url, IMAGE_ENTRY + "    unpack: bzip2\n")
    rc, out, err = run_fetch(manifest, tmp_path / "cache")
    assert (rc, err) == (0, "") and "downloaded, unpacked" in out
    unpacked = tmp_path / "cache/flatcar/flatcar_production_qemu_image.img"
    assert unpacked.read_bytes() == IMAGE
    assert not unpacked.with_name(unpacked.name + ".part").exists()
    unpacked.write_bytes(b"the VM wrote into its disk")  # a booted VM changes its image: kept as it is
    rc, out, err = run_fetch(manifest, tmp_path / "cache")
    assert (rc, err) == (0, "") and f"cached  flatcar/{IMAGE_NAME}\n" in out and ", unpacked" not in out
    assert unpacked.read_bytes() == b"the VM wrote into its disk"


def test_a_corrupt_bzip2_is_not_unpacked(release, tmp_path):
    directory, url = release
    (directory / IMAGE_NAME).write_bytes(b"BZh9 not really bzip2")
    (directory / f"{IMAGE_NAME}.DIGESTS").write_text(digests_text({IMAGE_NAME: (directory / IMAGE_NAME).read_bytes()}))
    rc, _, err = run_fetch(manifest_for(tmp_path, url, IMAGE_ENTRY + "    unpack: bzip2\n"), tmp_path / "cache")
    assert rc == 1 and err.startswith(f"error: {IMAGE_NAME}: cannot unpack it: ") and err.count("\n") == 1
    assert sorted(p.name for p in (tmp_path / "cache/flatcar").iterdir()) == [IMAGE_NAME]


# the kit's own files -----------------------------------------------------------------------------
def test_kit_files_are_copied_then_kept(tmp_path):
    kit = tmp_path / "kit"
    (kit / "sysupdate").mkdir(parents=True)
    (kit / "sysupdate/noop.conf").write_text("[Source]\n")
    manifest = kit / "artifacts.yaml"
    manifest.write_text("artifacts:\n  - name: noop.conf\n    path: sysupdate/noop.conf\n    dir: sysupdate\n")
    cache = tmp_path / "cache"
    rc, out, err = run_fetch(manifest, cache)
    assert (rc, err) == (0, "") and "copied  sysupdate/noop.conf" in out
    assert (cache / "sysupdate/noop.conf").read_text() == "[Source]\n"
    rc, out, _ = run_fetch(manifest, cache)
    assert rc == 0 and "cached  sysupdate/noop.conf" in out
    (kit / "sysupdate/noop.conf").write_text("[Source]\nType=regular-file\n")  # the kit changed: copied again
    rc, out, _ = run_fetch(manifest, cache)
    assert rc == 0 and "copied" in out and (cache / "sysupdate/noop.conf").read_text().endswith("regular-file\n")
    (kit / "sysupdate/noop.conf").unlink()
    rc, _, err = run_fetch(manifest, cache)
    assert rc == 1 and err.startswith(f"error: noop.conf: cannot read {kit / 'sysupdate/noop.conf'}: ")


@pytest.mark.parametrize(("entry", "where", "what"), [
    ("  - name: a\n    url: http://x/a\n    path: a\n    sha256: " + "0" * 64 + "\n", ":2:", "not both"),
    ("  - name: a\n    size: 1\n", ":2:", "not neither"),
    ("  - name: a\n    path: a\n    sha256: " + "0" * 64 + "\n", ":4:", "`sha256` is for downloads"),
    ("  - name: a.img\n    url: http://x/a.img\n    digests: x.DIGESTS\n", ":4:", "`digests` must be an http"),
    ("  - name: a.img\n    url: http://x/a.img\n    sha256: " + "0" * 64 + "\n    unpack: bzip2\n", ":5:",
     "`unpack` can only be `bzip2`, for a NAME ending in .bz2"),
])
def test_bad_kit_entries_are_located(tmp_path, entry, where, what):
    manifest = tmp_path / "m.yaml"
    manifest.write_text("artifacts:\n" + entry)
    rc, _, err = run_fetch(manifest, tmp_path / "cache")
    assert rc == 2 and err.count("\n") == 1 and err.startswith(f"error: {manifest}{where}") and what in err, err


# the shipped kit --------------------------------------------------------------------------------
def test_the_shipped_manifest_lists_the_kit():
    artifacts = fetch.load_manifest(fetch.DEFAULT_MANIFEST)
    by_name = {a.name: a for a in artifacts}
    image = by_name[IMAGE_NAME]
    assert image.digests == image.url + ".DIGESTS" and image.unpack == "bzip2" and not image.sha256
    launcher = by_name["flatcar_production_qemu.sh"]
    assert launcher.digests == launcher.url + ".DIGESTS"
    assert sorted(n for n in by_name if n.startswith("kubernetes-v1.32.")) == \
        ["kubernetes-v1.32.2-x86-64.raw", "kubernetes-v1.32.3-x86-64.raw"]
    local = {a.name: a for a in artifacts if a.path is not None}
    assert set(local) >= {"kubernetes.conf", "noop.conf", "systemd-sysupdate-kubernetes.conf", "node1.yaml"}
    for art in local.values():
        assert art.path.is_file(), art.path
        # the cache mirrors the kit's layout, so Butane's `local:` paths resolve in the cache too
        assert art.path.relative_to(fetch.DEFAULT_MANIFEST.parent) == Path(art.dir) / art.name


def test_cli_fetch_places_the_kit_files_beside_the_downloads(release, tmp_path, capsys):
    """The shipped kit files, plus a download from the local server, through `flatdeck lab fetch`."""
    directory, url = release
    (directory / f"{IMAGE_NAME}.DIGESTS").write_text(digests_text({IMAGE_NAME: (directory / IMAGE_NAME).read_bytes()}))
    kit_entries = "".join(f"  - name: {a.name}\n    path: {a.path}\n    dir: {a.dir}\n"
                          for a in fetch.load_manifest(fetch.DEFAULT_MANIFEST) if a.path is not None)
    manifest = manifest_for(tmp_path, url, IMAGE_ENTRY + "    unpack: bzip2\n" + kit_entries)
    cache = tmp_path / "cache"
    assert cli_main(["lab", "fetch", "--manifest", str(manifest), "--cache", str(cache)]) == 0
    out = capsys.readouterr().out
    assert "copied  sysupdate/kubernetes.conf" in out and "downloaded, unpacked  flatcar/" in out
    assert sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file()) == sorted([
        "butane/control1.yaml", "butane/node1.yaml", "butane/worker1.yaml", "butane/worker2.yaml",
        f"flatcar/{IMAGE_NAME}", "flatcar/flatcar_production_qemu_image.img",
        "sysupdate/kubernetes.conf", "sysupdate/noop.conf", "sysupdate/systemd-sysupdate-kubernetes.conf"])
    kit = fetch.DEFAULT_MANIFEST.parent
    assert (cache / "sysupdate/kubernetes.conf").read_bytes() == (kit / "sysupdate/kubernetes.conf").read_bytes()
