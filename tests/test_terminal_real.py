"""Output of real programs captured on a real PTY, rendered by the model; tmux as the reference."""

from __future__ import annotations

import os
import sys

import pytest
from rich.color import Color

from termtools import run_in_pty, tmux_screen
from tui.terminal import TerminalModel

W, H = 60, 40


def model_of(data: bytes, width: int = W, height: int = H, chunk: int = 7) -> TerminalModel:
    """Feed in small chunks, so sequences and characters are split as a real read can split them."""
    term = TerminalModel(width, height)
    for i in range(0, len(data), chunk):
        term.feed(data[i:i + chunk])
    return term


def test_ls_colours():
    data = run_in_pty("ls -1 --color=always /")
    term = model_of(data)
    names = term.plain().splitlines()
    assert sorted(names) == sorted(n for n in os.listdir("/") if not n.startswith("."))
    usr = term.render_row(names.index("usr"))
    assert usr[0].text == "usr"
    assert (usr[0].style.color, usr[0].style.bold) == (Color.parse("blue"), True)


SCRIPT = r"""
printf '\e[31mred\e[0m plain \e[1;38;5;208morange\e[0m \e[38;2;10;20;30mtrue\e[0m\n'
tput bold; printf bold; tput sgr0; printf ' normal\n'
printf 'progress 10%%\r'; printf 'progress 100%%\n'
printf 'one\ntwo\nthree\n'; tput cuu 2; tput el; printf 'TWO\n\n'
printf 'tab\there\n'
printf 'wide 日本語 ✓ done\n'
printf '\e]133;D;0\a\e]0;title\a$ prompt\n'
printf 'abc\b\bX\n'
printf '%s\n' "$(printf 'x%.0s' $(seq 1 130))"
printf 'end'
"""


def test_printf_and_tput_output():
    term = model_of(run_in_pty(SCRIPT))
    assert term.mode == "line"
    assert term.plain().splitlines() == [
        "red plain orange true",
        "bold normal",
        "progress 100%",
        "one",
        "TWO",
        "three",
        "tab     here",
        "wide 日本語 ✓ done",
        "$ prompt",
        "aXc",
        "x" * 60, "x" * 60, "x" * 10,
        "end",
    ]
    first = term.row_text(0)
    styles = {first.plain[s.start:s.end]: s.style for s in first.spans}
    assert styles["red"].color == Color.parse("red")
    assert (styles["orange"].color, styles["orange"].bold) == (Color.from_ansi(208), True)
    assert styles["true"].color == Color.from_rgb(10, 20, 30)


@pytest.mark.parametrize("chunk", [1, 3, 4096])
def test_the_model_shows_what_tmux_shows(chunk):
    data = run_in_pty(SCRIPT + "\nls -1 --color=always /usr\n", width=W, height=H)
    assert model_of(data, chunk=chunk).plain() == tmux_screen(data, W, H)


PY = sys.executable
PROGRAMS = {
    # rich's live display redraws by cursor-up and erase-line, from a refresh thread
    "rich progress": f"""{PY} -c "
from rich.progress import Progress
import time
with Progress() as p:
    a = p.add_task('[red]download', total=40); b = p.add_task('[green]build', total=40)
    for i in range(40):
        p.update(a, advance=1); p.update(b, advance=i % 2); time.sleep(0.01)
print('done')
" """,
    "rich status": f"""{PY} -c "
from rich.console import Console
import time
c = Console()
with c.status('working...'):
    for i in range(4): c.log(f'step {{i}}'); time.sleep(0.05)
c.print('[bold]finished[/]')
" """,
    "three bars": r"""for i in 1 2 3 4 5; do
  printf 'a %d\n\e[32mb %d\e[0m\nc %d\n' $i $((i*2)) $((i*3)); [ $i -lt 5 ] && printf '\e[3A'
done; echo end""",
    "alternate screen": "printf 'x\\n'; tput smcup; printf alt; tput rmcup; printf 'back\\n'",
}


@pytest.mark.parametrize("script", PROGRAMS.values(), ids=PROGRAMS.keys())
def test_programs_that_redraw_show_what_tmux_shows(script):
    data = run_in_pty(script, width=W, height=H)
    assert model_of(data, chunk=5).plain() == tmux_screen(data, W, H)


def test_a_full_screen_program_and_back():
    script = r"""
printf 'before\n'
tput smcup; tput clear; tput cup 5 10; printf 'X'; tput cup 0 0; printf 'top'
sleep 0.2
"""
    data = run_in_pty(script)
    term = model_of(data)
    assert term.mode == "screen"
    assert term.row_text(5).plain[10] == "X"
    assert term.row_text(0).plain.rstrip() == "top"
    assert term.cursor == (3, 0)
    term.feed(run_in_pty("tput rmcup; printf 'after\\n'"))
    assert term.mode == "line"
    assert term.plain() == "before\nafter"
