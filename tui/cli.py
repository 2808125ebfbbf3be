"""Command line: parse arguments, call into the layers below, turn located errors into exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.deck.model import THEMES
from tui.errors import LoadError

DEFAULT_DECK = Path("slides")
DEFAULT_SCENARIOS = Path("scenarios")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flatdeck", description="Terminal slides with live infrastructure demos.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    present = sub.add_parser("present", help="present a deck (replay: nothing is executed)")
    present.add_argument("deck", nargs="?", type=Path, default=DEFAULT_DECK, help="a .md file or a directory of them (default: slides/)")
    present.add_argument("--slide", type=int, metavar="N", help="start on slide N (1-based; default 1, or where "
                         "--guided left off)")
    present.add_argument("--no-watch", action="store_true", help="do not reload the deck when its files change")
    modes = present.add_mutually_exclusive_group()
    modes.add_argument("--live", action="store_true",
                       help="run the demo steps for real against the lab (default: replay, nothing runs)")
    modes.add_argument("--auto", action="store_true", help="live where the target answers a quick preflight, "
                       "else replay; F replays a failed live step's recording")
    modes.add_argument("--record", action="store_true", help="live, and record every step to assets/recordings/")
    modes.add_argument("--guided", action="store_true", help="self-guided: run the demos on your own lab, each "
                       "check says pass or fail; progress is saved and resumed next time")
    present.add_argument("--restart", action="store_true", help="with --guided: forget the saved progress, start over")
    present.add_argument("--recordings", type=Path, metavar="DIR",
                         help="where recordings are (default: assets/recordings/ beside scenarios/)")
    present.add_argument("--lab", type=Path, metavar="FILE", help="the lab inventory (default: scenarios/lab.yaml)")
    present.add_argument("--scenarios", type=Path, metavar="DIR", help="where the demo scenarios are "
                         "(default: the scenarios/ folder beside the deck)")
    present.add_argument("--typing-speed", type=float, default=40.0, metavar="CPS",
                         help="characters per second when a command types itself (0: instantly)")
    present.add_argument("--theme", choices=THEMES, help="colours: dark, light or projector (high contrast); "
                         "default: the deck's `theme:`, else dark")
    present.add_argument("--socket", type=Path, metavar="PATH", help="where `flatdeck notes` joins "
                         "(default: $XDG_RUNTIME_DIR/flatdeck/present-PID.sock)")

    notes = sub.add_parser("notes", help="the speaker view: join the running `flatdeck present` "
                           "(notes, next slide, demo steps, timer and pacing)")
    notes.add_argument("--deck", type=Path, metavar="DECK", help="join the presentation of this deck "
                       "(default: the most recently started presentation)")
    notes.add_argument("--socket", type=Path, metavar="PATH", help="join the presentation listening on this socket")
    notes.add_argument("--list", action="store_true", help="list the running presentations and exit")

    check = sub.add_parser("check", help="validate a deck and its demos; list every command it can run")
    check.add_argument("deck", nargs="?", type=Path, default=DEFAULT_DECK)
    check.add_argument("--scenarios", type=Path, metavar="DIR", help="where the demo scenarios are "
                       "(default: the scenarios/ folder beside the deck)")
    check.add_argument("--lab", type=Path, metavar="FILE",
                       help="also preflight this lab's SSH targets (reachable, authenticates, host key matches) "
                            "and kube targets (the API answers, the credentials are accepted)")

    run = sub.add_parser("run", help="run a scenario's steps for real, headless (exit code = result)")
    run.add_argument("scenario", help="a scenario name (scenarios/NAME.yaml) or a path to one")
    run.add_argument("--step", metavar="ID", help="run only this step (with setup and cleanup)")
    run.add_argument("--lab", type=Path, metavar="FILE", help="the lab inventory (default: scenarios/lab.yaml)")
    run.add_argument("--scenarios", type=Path, default=DEFAULT_SCENARIOS, metavar="DIR", help=argparse.SUPPRESS)
    run.add_argument("--typing-speed", type=float, default=0.0, metavar="CPS",
                     help="characters per second when a command types itself (default 0: instantly)")

    record = sub.add_parser("record", help="run a scenario for real and record every step's panes (asciicast v2)")
    record.add_argument("scenario", help="a scenario name (scenarios/NAME.yaml) or a path to one")
    record.add_argument("--step", metavar="ID", help="record only this step (with setup and cleanup)")
    record.add_argument("--lab", type=Path, metavar="FILE", help="the lab inventory (default: scenarios/lab.yaml)")
    record.add_argument("--scenarios", type=Path, default=DEFAULT_SCENARIOS, metavar="DIR", help=argparse.SUPPRESS)
    record.add_argument("--recordings", type=Path, metavar="DIR",
                        help="where recordings go (default: assets/recordings/ beside scenarios/)")
    record.add_argument("--size", default="200x40", metavar="COLSxROWS",
                        help="the recorded terminal (default 200x40: wide, so a typed command never wraps in "
                             "the shell and a replay wraps it at the pane's own width)")
    record.add_argument("--typing-speed", type=float, default=30.0, metavar="CPS",
                        help="characters per second when a command types itself, as the replay will show it "
                             "(default 30)")

    lab = sub.add_parser("lab", help="the demo lab: `lab sysext` runs systemd-sysext for real, no VM (root); "
                         "`lab fetch`/`lab serve` for the VM demos offline")
    labs = lab.add_subparsers(dest="lab_command", metavar="LAB")
    labs.required = True
    sysext = labs.add_parser("sysext", help="build demo extensions and merge them into a Flatcar-like root "
                             "in a private mount namespace (root; the host is not touched)")
    sysext.add_argument("action", nargs="?", choices=("demo", "build", "clean"), default="demo",
                        help="demo: build and run the whole demo (default); build: only build the images and "
                             "the root, for a scenario to use; clean: remove a lab directory")
    sysext.add_argument("--dir", type=Path, metavar="DIR", help="the lab directory (default: a new temporary one)")
    sysext.add_argument("--keep", action="store_true", help="demo: keep the lab directory afterwards")
    fetch = labs.add_parser("fetch", help="download the VM demos' artifacts into a cache, verifying SHA-256")
    fetch.add_argument("--manifest", type=Path, metavar="FILE", help="the artifact list (default: assets/lab/artifacts.yaml)")
    fetch.add_argument("--cache", type=Path, metavar="DIR", help="where to put them (default: $XDG_CACHE_HOME/flatdeck/lab)")
    serve = labs.add_parser("serve", help="serve a sysext directory over HTTP as systemd-sysupdate expects")
    serve.add_argument("dir", nargs="?", type=Path, metavar="DIR", help="the directory (default: the current one)")
    serve.add_argument("--port", type=int, default=8000, help="the port (default 8000; 0 picks a free one)")
    serve.add_argument("--bind", default="127.0.0.1", metavar="ADDR", help="the address (default 127.0.0.1)")

    export = sub.add_parser("export", help="write the talk as files: one SVG per slide, and/or one "
                            "self-contained HTML page with every slide and its notes")
    export.add_argument("deck", nargs="?", type=Path, default=DEFAULT_DECK, help="a .md file or a directory of them (default: slides/)")
    export.add_argument("--svg", type=Path, metavar="DIR", help="write NN-title.svg per slide into DIR, as the "
                        "app draws it (fully revealed; demos at the end of their recordings)")
    export.add_argument("--html", type=Path, metavar="FILE", help="write one page: every slide, its demo and its notes")
    export.add_argument("--size", default="120x40", metavar="COLSxROWS", help="the SVGs' terminal size (default 120x40)")
    export.add_argument("--theme", choices=THEMES, help="dark, light or projector (default: the deck's `theme:`, else dark)")
    export.add_argument("--scenarios", type=Path, metavar="DIR", help="where the demo scenarios are "
                        "(default: the scenarios/ folder beside the deck)")
    export.add_argument("--recordings", type=Path, metavar="DIR",
                        help="where recordings are (default: assets/recordings/ beside scenarios/)")

    replay = sub.add_parser("replay", help="play an asciicast (v2 or v3) in a pane, or print its final screen")
    replay.add_argument("cast", type=Path, metavar="FILE.cast")
    replay.add_argument("--speed", type=float, default=1.0, metavar="X", help="playback speed factor (default 1)")
    replay.add_argument("--print", action="store_true", help="print the final screen as plain text (no TTY needed)")

    # every option of `present` (also ones added later) passes through to each browser tab's app
    web = sub.add_parser("serve", parents=[present], conflict_handler="resolve", allow_abbrev=False,
                         help="present a deck in web browsers (textual-serve) on localhost")
    web.add_argument("--port", type=int, default=8000, help="the port (default 8000; 0 picks a free one)")
    web.add_argument("--host", default="127.0.0.1", metavar="ADDR", help="the address (default 127.0.0.1)")
    web.add_argument("--font-size", type=int, default=16, metavar="PX",
                     help="the page's font size in pixels (default 16; a page can ask ?fontsize=N)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "present":
            return _present(args)
        if args.command == "serve":
            return _serve(args, list(sys.argv[1:] if argv is None else argv))
        if args.command == "replay":
            return _replay(args)
        if args.command == "export":
            return _export(args)
        if args.command == "notes":
            return _notes(args)
        if args.command == "lab" and args.lab_command == "fetch":
            from tui.lab.fetch import main as fetch_lab

            return fetch_lab(args.manifest, args.cache)
        if args.command == "lab" and args.lab_command == "serve":
            from tui.lab.serve import main as serve_lab

            return serve_lab(args.dir, args.port, args.bind)
        if args.command == "lab":
            from tui.lab.sysext import main as sysext_lab

            return sysext_lab(args.action, args.dir, args.keep)
        if args.command in ("run", "record"):
            from tui.headless import run_command

            record_to = None
            if args.command == "record":
                from tui.recording.store import recordings_dir_for

                record_to = args.recordings or recordings_dir_for(args.scenarios)
            size = None
            if args.command == "record":
                size = _size(args.size, "200x40")
                if size is None:
                    return 2
            return run_command(args.scenario, args.step, args.lab, args.scenarios, record_to, args.typing_speed, size)
        return _check(args)
    except LoadError as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _present(args: argparse.Namespace) -> int:
    from tui.cache import DeckCache
    from tui.config import load_keymap
    from tui.deck.watch import deck_signature

    cache = DeckCache(args.deck)
    deck = cache.load()
    if deck is None:
        from tui.deck.parse import load_deck

        signature = deck_signature(args.deck)  # taken before parsing: an edit meanwhile is a miss
        deck = load_deck(args.deck)
        cache.save(deck, signature)
    if args.slide is not None and not 1 <= args.slide <= len(deck.slides):
        print(f"error: --slide {args.slide}: the deck has slides 1 to {len(deck.slides)}", file=sys.stderr)
        return 2
    if args.restart and not args.guided:
        print("error: --restart forgets --guided progress; use it with --guided", file=sys.stderr)
        return 2
    start, progress, notices = (args.slide or 1) - 1, None, []
    if args.guided:
        from tui.guided.session import open_guided

        guided = open_guided(args.deck, len(deck.slides), args.slide, args.restart)
        start, progress, notices = guided.start, guided.progress, guided.notices
    keymap = load_keymap()
    from tui.app import FlatdeckApp
    from tui.demostage import DemoStage, scenarios_dir_for

    mode = "live" if args.live else "auto" if args.auto else "record" if args.record else \
        "guided" if args.guided else "replay"
    demos = DemoStage(args.scenarios or scenarios_dir_for(args.deck), args.lab, mode,
                      1.0 / args.typing_speed if args.typing_speed > 0 else 0.0, args.recordings,
                      progress=progress, notices=notices)
    FlatdeckApp(deck, start, keymap=keymap, watch=not args.no_watch, cache=cache, demos=demos,
                theme=args.theme, speaker=args.socket or "auto").run()
    return 0


def _size(text: str, example: str) -> tuple[int, int] | None:
    """--size COLSxROWS; None (after saying why) when it is not that."""
    cols, _, rows = text.partition("x")
    if not (cols.isdigit() and rows.isdigit() and int(cols) > 0 and int(rows) > 0):
        print(f"error: --size {text!r}: expected COLSxROWS like {example}", file=sys.stderr)
        return None
    return int(cols), int(rows)


def _export(args: argparse.Namespace) -> int:
    if args.svg is None and args.html is None:
        print("error: nothing to export; expected --svg DIR and/or --html FILE", file=sys.stderr)
        return 2
    size = _size(args.size, "120x40")
    if size is None:
        return 2
    from tui.export import export

    return export(args.deck, args.svg, args.html, size, args.theme, args.scenarios, args.recordings)



def _serve(args: argparse.Namespace, argv: list[str]) -> int:
    """Check the deck here (a located error, exit 1, and no server), then serve `present` with the
    same options to every browser tab."""
    from tui.browser.serve import is_loopback, serve
    from tui.deck.parse import load_deck

    deck = load_deck(args.deck)
    if args.slide is not None and not 1 <= args.slide <= len(deck.slides):
        print(f"error: --slide {args.slide}: the deck has slides 1 to {len(deck.slides)}", file=sys.stderr)
        return 2
    runs = args.live or args.auto or args.record or args.guided
    if runs and not is_loopback(args.host):
        print(f"error: --host {args.host} with a mode that runs commands would hand a shell on this machine to "
              "anyone who reaches the port; serve on 127.0.0.1 and use an SSH tunnel "
              "(ssh -L 8000:127.0.0.1:8000 THIS-HOST)", file=sys.stderr)
        return 2
    if args.restart and not args.guided:
        print("error: --restart forgets --guided progress; use it with --guided", file=sys.stderr)
        return 2
    if args.restart:  # once, here: not again for every tab that connects
        from tui.guided.progress import Progress, ProgressError

        try:
            Progress(args.deck).forget()
        except ProgressError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    # the present options, exactly as typed: everything after `serve` but the server's own
    own = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for option in ("--port", "--host", "--font-size"):
        own.add_argument(option)
    own.add_argument("--restart", action="store_true")
    _, present_args = own.parse_known_args(argv[argv.index("serve") + 1:])
    return serve(present_args, args.host, args.port, args.font_size, deck.title or "flatdeck")


def _notes(args: argparse.Namespace) -> int:
    import asyncio

    from tui.remote.client import Follower, choose, presentations
    from tui.remote.protocol import RemoteError

    try:
        if args.list:
            found = asyncio.run(presentations())
            for presentation in found:
                print(f"{presentation.hello.get('pid')}  {presentation.deck}  {presentation.path}")
            if not found:
                print("no presentation is running", file=sys.stderr)
            return 0 if found else 1
        asyncio.run(_close(choose(args.socket, args.deck)))  # a clear message now rather than a waiting window
    except RemoteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    from tui.config import load_keymap
    from tui.screens.notes import NotesApp

    NotesApp(Follower(args.socket, args.deck), keymap=load_keymap()).run()
    return 0


async def _close(joining) -> None:
    (await joining).close()


def _replay(args: argparse.Namespace) -> int:
    from tui.recording.asciicast import read_cast

    cast = read_cast(args.cast)
    for warning in cast.warnings:
        print(f"warning: {args.cast}: {warning}", file=sys.stderr)
    if args.print:
        from tui.recording.screen import final_screen

        print(final_screen(cast))
        return 0
    if args.speed <= 0:
        print("error: --speed must be greater than 0", file=sys.stderr)
        return 2
    from tui.screens.replay import ReplayApp

    ReplayApp(cast, args.speed).run()
    return 0


def _check(args: argparse.Namespace) -> int:
    from tui.checkdeck import check_deck
    from tui.deck.parse import load_deck
    from tui.demostage import scenarios_dir_for

    report = check_deck(load_deck(args.deck), args.scenarios or scenarios_dir_for(args.deck))
    if report.errors:
        raise LoadError(report.errors)
    print("\n".join(report.lines()))
    if getattr(args, "lab", None) is not None:
        import asyncio

        from tui.checkdeck import preflight_lab
        from tui.scenario.inventory import load_inventory

        ok, lines = asyncio.run(preflight_lab(load_inventory(args.lab)))
        print("\n".join(lines))
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
