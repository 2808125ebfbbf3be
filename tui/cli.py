"""Command line: parse arguments, call into the layers below, turn located errors into exit codes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tui.errors import LoadError

DEFAULT_DECK = Path("slides")
DEFAULT_SCENARIOS = Path("scenarios")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flatdeck", description="Terminal slides with live infrastructure demos.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    present = sub.add_parser("present", help="present a deck (replay: nothing is executed)")
    present.add_argument("deck", nargs="?", type=Path, default=DEFAULT_DECK, help="a .md file or a directory of them (default: slides/)")
    present.add_argument("--slide", type=int, default=1, metavar="N", help="start on slide N (1-based)")
    present.add_argument("--no-watch", action="store_true", help="do not reload the deck when its files change")
    present.add_argument("--live", action="store_true",
                         help="run the demo steps for real against the lab (default: replay, nothing runs)")
    present.add_argument("--lab", type=Path, metavar="FILE", help="the lab inventory (default: scenarios/lab.yaml)")
    present.add_argument("--scenarios", type=Path, metavar="DIR", help="where the demo scenarios are "
                         "(default: the scenarios/ folder beside the deck)")
    present.add_argument("--typing-speed", type=float, default=40.0, metavar="CPS",
                         help="characters per second when a command types itself (0: instantly)")

    check = sub.add_parser("check", help="validate a deck and its demos; list every command it can run")
    check.add_argument("deck", nargs="?", type=Path, default=DEFAULT_DECK)
    check.add_argument("--scenarios", type=Path, metavar="DIR", help="where the demo scenarios are "
                       "(default: the scenarios/ folder beside the deck)")

    run = sub.add_parser("run", help="run a scenario's steps for real, headless (exit code = result)")
    run.add_argument("scenario", help="a scenario name (scenarios/NAME.yaml) or a path to one")
    run.add_argument("--step", metavar="ID", help="run only this step (with setup and cleanup)")
    run.add_argument("--lab", type=Path, metavar="FILE", help="the lab inventory (default: scenarios/lab.yaml)")
    run.add_argument("--scenarios", type=Path, default=DEFAULT_SCENARIOS, metavar="DIR", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "present":
            return _present(args)
        if args.command == "run":
            from tui.headless import run_command

            return run_command(args.scenario, args.step, args.lab, args.scenarios)
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
    if not 1 <= args.slide <= len(deck.slides):
        print(f"error: --slide {args.slide}: the deck has slides 1 to {len(deck.slides)}", file=sys.stderr)
        return 2
    keymap = load_keymap()
    from tui.app import FlatdeckApp
    from tui.demostage import DemoStage, scenarios_dir_for

    demos = DemoStage(args.scenarios or scenarios_dir_for(args.deck), args.lab, args.live,
                      1.0 / args.typing_speed if args.typing_speed > 0 else 0.0)
    FlatdeckApp(deck, args.slide - 1, keymap=keymap, watch=not args.no_watch, cache=cache, demos=demos).run()
    return 0


def _check(args: argparse.Namespace) -> int:
    from tui.checkdeck import check_deck
    from tui.deck.parse import load_deck
    from tui.demostage import scenarios_dir_for

    report = check_deck(load_deck(args.deck), args.scenarios or scenarios_dir_for(args.deck))
    if report.errors:
        raise LoadError(report.errors)
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
