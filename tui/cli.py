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

    check = sub.add_parser("check", help="validate a deck; print a summary or every located error")
    check.add_argument("deck", nargs="?", type=Path, default=DEFAULT_DECK)

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

    FlatdeckApp(deck, args.slide - 1, keymap=keymap, watch=not args.no_watch, cache=cache).run()
    return 0


def _check(args: argparse.Namespace) -> int:
    from tui.deck.model import format_duration
    from tui.deck.parse import load_deck

    deck = load_deck(args.deck)
    budgets = sum(1 for s in deck.slides if s.budget)
    demos = deck.demos
    print(f"{args.deck}: {len(deck.slides)} slides, {len(deck.files)} file(s)")
    print(f"  demos: {len(demos)}" + (f" ({', '.join(demos)})" if demos else ""))
    print(f"  time budget: {format_duration(deck.total_budget)} ({budgets} of {len(deck.slides)} slides have one)")
    print(f"  speaker notes: {sum(1 for s in deck.slides if s.notes)} of {len(deck.slides)} slides")
    return 0


if __name__ == "__main__":
    sys.exit(main())
