"""flatdeck kube pane benchmark: 2,000 Machines listed, then 200 modifications a second for 30 s,
through a real Kubernetes API (kmock) into `flatdeck present --live` in tmux 120×40; and the check
that `flatdeck present`'s start imports nothing of the `kubernetes` client.

    .venv/bin/python benchmarks/kube.py              # ≈ 2½ minutes
    .venv/bin/python benchmarks/kube.py --seconds 10 # shorter stream
    .venv/bin/python benchmarks/kube.py --json kube.json

Baseline, measured in the same run: the same server, events and app, with the kube pane swapped for
Textual's DataTable fed each event as it comes (benchmarks/kube_app.py). Needs tmux and kmock
(`pip install -e '.[test]'`). Exit code 0 whatever the figures; non-zero only when it cannot run.
See benchmarks/README.md, section "Kube panes".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import tmuxctl  # noqa: E402
from panes import BenchError, log, p95  # noqa: E402  (the pane benchmarks' helpers, unchanged)
from tmuxctl import Tmux, TmuxError, wait_gone  # noqa: E402

tmuxctl.SOCKET = "flatdeck-bench-kube"  # after importing panes, which sets its own
WIDTH, HEIGHT = 120, 40
MACHINES, RATE = 2000, 200.0
TARGETS = {"frame_p95": 33.0, "lost": 0, "rss_growth": 50.0, "start_kubernetes_modules": 0}
SCENARIO = """title: 2,000 Machines
steps:
  - id: machines
    target: mgmt
    kube: {get: machines, cluster: bench}
    timeout: 60s
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(work: Path, port: int) -> None:
    (work / "scenarios").mkdir(parents=True, exist_ok=True)
    (work / "deck.md").write_text("# 2,000 Machines\n\n<!-- demo: bench -->\n\nThey converge beside the slide.\n")
    (work / "scenarios" / "bench.yaml").write_text(SCENARIO)
    (work / "kubeconfig").write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "bench",
        "clusters": [{"name": "bench", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
        "users": [{"name": "bench", "user": {"token": "bench"}}],
        "contexts": [{"name": "bench", "context": {"cluster": "bench", "user": "bench", "namespace": "default"}}]}))
    (work / "lab.yaml").write_text(f"targets:\n  mgmt: {{kind: kube, kubeconfig: {work / 'kubeconfig'}}}\n")


def wait_for(path: Path, timeout: float, what: str, tmux: Tmux | None = None, pane: str | None = None) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            screen = "\n".join(tmux.capture(pane)) if tmux and pane else ""
            raise BenchError(f"{what} did not happen within {timeout:g}s{': the screen shows' if screen else ''}\n{screen}")
        time.sleep(0.05)


def run_variant(tmux: Tmux, env: dict, variant: str, seconds: float) -> dict:
    """One server, one app, one stream; the app's own measurements plus the server's truth."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix=f"flatdeck-bench-kube-{variant}-") as tmp:
        work = Path(tmp)
        prepare(work, port)
        server = subprocess.Popen([sys.executable, str(HERE / "kube_server.py"), str(port), str(MACHINES), str(RATE),
                                   str(seconds)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        pid = None
        try:
            if server.stdout.readline().strip() != "ready":
                raise BenchError("the kmock server did not start (is kmock installed? pip install -e '.[test]')")
            pane, pid = tmux.new_session(variant, [sys.executable, str(HERE / "kube_app.py"), str(work), variant], str(ROOT))
            wait_for(work / "listed", 90, f"{variant}: listing {MACHINES} Machines", tmux, pane)
            listed = json.loads((work / "listed").read_text())
            log(f"{variant}: {MACHINES} Machines listed in {listed['seconds']:.2f} s, RSS {listed['rss']:.1f} MiB; "
                f"streaming {RATE:g}/s for {seconds:g} s")
            go = time.time()
            server.stdin.write("go\n")
            server.stdin.flush()
            truth = json.loads(server.stdout.readline())
            end = time.time()
            (work / "final.json").write_text(json.dumps(truth))
            (work / "stop").write_text("")
            result_file = work / f"result-{variant}.json"
            wait_for(result_file, 60, f"{variant}: the result", tmux, pane)
            result = json.loads(result_file.read_text())
            if "error" in result:
                raise BenchError(f"{variant}: {result['error']}")
            result.update(truth=truth, go=go, end=end, listed=listed)
            return result
        finally:
            tmux.kill_session(variant)
            if pid is not None:
                wait_gone(pid)
            if server.poll() is None:
                try:
                    server.stdin.write("\n")
                    server.stdin.flush()
                    server.wait(timeout=5)
                except (OSError, subprocess.TimeoutExpired):
                    server.kill()
                    server.wait()


def figures(result: dict) -> dict:
    """Frame work during the stream: each frame's refresh plus the event batches handled since the
    previous one; the loop's lateness; lost events; memory growth."""
    go, end = result["go"], result["end"]
    frames = [(t, d) for t, d in result["frames"] if go <= t <= end]
    applies = [(t, d) for t, d, _ in result["applies"] if go <= t <= end]
    work, i, previous = [], 0, go
    for start, paint in frames:
        handled = 0.0
        while i < len(applies) and applies[i][0] < start:
            if applies[i][0] >= previous:
                handled += applies[i][1]
            i += 1
        work.append(paint + handled)
        previous = start
    late = [x for t, x in result["lateness"] if go <= t <= end]
    truth = result["truth"]
    wrong = sorted(name for name, node in truth["final"].items() if result["nodes"].get(name) != node)
    extra = sorted(set(result["nodes"]) - set(truth["final"]))
    return {
        "frames": len(frames), "frame_p95": (p95(work) if work else 0) * 1000, "frame_max": max(work, default=0) * 1000,
        "frame_median": (statistics.median(work) if work else 0) * 1000,
        "paint_p95": (p95([d for _, d in frames]) if frames else 0) * 1000,
        "lateness_p95": (p95(late) if late else 0) * 1000, "lateness_max": max(late, default=0) * 1000,
        "sent": truth["sent"], "rate": truth["sent"] / truth["seconds"], "received": result["received"],
        "lost": max(0, truth["sent"] - result["received"]) + len(wrong) + len(extra),
        "wrong_rows": len(wrong), "extra_rows": len(extra),
        "listed_seconds": result["listed_seconds"], "rss_listed": result["listed"]["rss"], "rss_end": result["rss_end"],
        "rss_growth": result["rss_end"] - result["listed"]["rss"],
    }


def start_imports(tmux: Tmux, env: dict) -> dict:
    """`flatdeck present` on a deck whose first slide shows a kube pane (replay, the default mode),
    quit with `q`: which modules of `kubernetes` had it loaded by then (its whole start, the pane
    drawn, the neighbours built)? And what would importing the client cost (the baseline:
    `import kubernetes.client` alone, `python -X importtime`)."""
    with tempfile.TemporaryDirectory(prefix="flatdeck-bench-kube-imports-") as tmp:
        work = Path(tmp)
        prepare(work, free_port())
        modules = work / "modules.json"
        code = (f"import atexit, json, sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom tui.cli import main\n"
                f"atexit.register(lambda: open({str(modules)!r}, 'w').write(json.dumps(sorted(sys.modules))))\n"
                f"sys.exit(main(['present', {str(work / 'deck.md')!r}, '--scenarios', {str(work / 'scenarios')!r}, "
                "'--no-watch']))")
        (work / "present.py").write_text(code)
        pane, pid = tmux.new_session("imports", [sys.executable, str(work / "present.py")], str(ROOT))
        try:
            deadline = time.monotonic() + 30
            while not any("kubectl get machines" in line for line in tmux.capture(pane)):
                if time.monotonic() > deadline:
                    raise BenchError("the kube pane never showed:\n" + "\n".join(tmux.capture(pane)))
                time.sleep(0.05)
            time.sleep(1.0)  # the neighbours are prebuilt in the background: their imports count too
            tmux.command(f"send-keys -t {pane} q")
            wait_for(modules, 10, "quitting with q", tmux, pane)
            time.sleep(0.2)
            loaded = json.loads(modules.read_text())
        finally:
            tmux.kill_session("imports")
            wait_gone(pid)
    kube_modules = [m for m in loaded if m == "kubernetes" or m.startswith("kubernetes.")]
    baseline = subprocess.run([sys.executable, "-X", "importtime", "-c", "import kubernetes.client"],
                              capture_output=True, text=True, cwd=ROOT).stderr
    total = max((int(m.group(1)) for m in re.finditer(r"\|\s+(\d+) \|\s+kubernetes\s*$", baseline, re.M)), default=0)
    return {"start_modules": len(loaded), "start_kubernetes_modules": len(kube_modules),
            "kubernetes_import_ms": total / 1000}


def verdict(value: float, key: str, lower_is_better: bool = True) -> str:
    target = TARGETS[key]
    return "ok" if (value <= target if lower_is_better else value >= target) else "over"


def report(ours: dict, base: dict, imports: dict, seconds: float) -> str:
    rows = [
        ("frame time p95 (ms)", ours["frame_p95"], base["frame_p95"], f"≤ {TARGETS['frame_p95']:g}",
         verdict(ours["frame_p95"], "frame_p95")),
        ("frame time max (ms)", ours["frame_max"], base["frame_max"], "", ""),
        ("frames painted", ours["frames"], base["frames"], "", ""),
        ("event-loop lateness p95 (ms)", ours["lateness_p95"], base["lateness_p95"], "", ""),
        ("events lost or rows wrong", ours["lost"], base["lost"], "0", verdict(ours["lost"], "lost")),
        ("RSS growth over the stream (MiB)", ours["rss_growth"], base["rss_growth"], f"≤ {TARGETS['rss_growth']:g}",
         verdict(ours["rss_growth"], "rss_growth")),
        ("2,000 Machines listed and shown (s)", ours["listed_seconds"], base["listed_seconds"], "", ""),
        ("RSS after the list (MiB)", ours["rss_listed"], base["rss_listed"], "", ""),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"kube panes: {MACHINES} Machines, {ours['sent']} modifications in {seconds:g} s "
             f"({ours['rate']:.0f}/s sent, kmock over HTTP), tmux {WIDTH}×{HEIGHT}",
             f"{'':<{width}}  {'flatdeck':>10}  {'DataTable':>10}  {'ratio':>7}  {'target':>7}",]
    for name, mine, theirs, target, ok in rows:
        ratio = f"{mine / theirs:.2f}×" if isinstance(theirs, (int, float)) and theirs else ""
        lines.append(f"{name:<{width}}  {mine:>10.1f}  {theirs:>10.1f}  {ratio:>7}  {target:>7}  {ok}")
    lines.append(f"{'kubernetes modules at present start':<{width}}  {imports['start_kubernetes_modules']:>10}  "
                 f"{'':>10}  {'':>7}  {'0':>7}  {verdict(imports['start_kubernetes_modules'], 'start_kubernetes_modules')}")
    lines.append(f"  (present, its kube pane shown and quit, had loaded {imports['start_modules']} modules; "
                 f"`import kubernetes.client` alone costs "
                 f"{imports['kubernetes_import_ms']:.0f} ms here: a kube pane loads it only for its first live step)")
    lines.append(f"  events received: flatdeck {ours['received']}/{ours['sent']}, DataTable {base['received']}/{base['sent']}; "
                 f"rows wrong at the end: {ours['wrong_rows']} / {base['wrong_rows']}; "
                 f"paint alone p95: {ours['paint_p95']:.1f} / {base['paint_p95']:.1f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the stream runs (default 30)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        import kmock  # noqa: F401
    except ImportError:
        log("kube.py needs kmock: .venv/bin/pip install -e '.[test]'")
        return 2
    tmux = None
    try:
        with tempfile.TemporaryDirectory(prefix="flatdeck-bench-kube-") as tmp:
            env = {k: v for k, v in os.environ.items()
                   if not k.startswith(("TEXTUAL", "TMUX")) and k not in ("NO_COLOR", "COLUMNS", "LINES")}
            env.update(XDG_CONFIG_HOME=str(Path(tmp) / "config"), COLORTERM="truecolor")
            tmux = Tmux(WIDTH, HEIGHT, env)
            imports = start_imports(tmux, env)
            log(f"present start: {imports['start_kubernetes_modules']} kubernetes modules of {imports['start_modules']}")
            ours = figures(run_variant(tmux, env, "flatdeck", args.seconds))
            log(f"flatdeck: frame p95 {ours['frame_p95']:.1f} ms, lost {ours['lost']}, RSS +{ours['rss_growth']:.1f} MiB")
            base = figures(run_variant(tmux, env, "datatable", args.seconds))
            log(f"DataTable: frame p95 {base['frame_p95']:.1f} ms, lost {base['lost']}, RSS +{base['rss_growth']:.1f} MiB")
    except (BenchError, TmuxError) as exc:
        log(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        if tmux is not None:
            tmux.close()
    print(report(ours, base, imports, args.seconds))
    if args.json:
        args.json.write_text(json.dumps({"flatdeck": ours, "datatable": base, "imports": imports}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
