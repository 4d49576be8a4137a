"""Tables on the terminal: tabulate draws them; the text stays the package's, aligned, inert and whole."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import unicodedata

import pytest

import xborder_data
from xborder_data.terminal import CELL_WIDTH, text_table

# Chinese, a combining accent, fullwidth letters, rich markup and emoji codes, brackets, backslashes.
VALUES = [
    ["1", "义乌市", "Yiwu [bold]City[/bold]"],
    ["22", "e\u0301te\u0301 ＡＢＣ", "[link=https://evil]x[/link] :smile: \\[not] a\\b"],
    ["333", "中国（杭州）跨境电子商务综合试验区", ""],
]
HEADER = ["id", "名称", "note"]


def width(text: str) -> int:
    """Terminal columns by Unicode's own tables, independent of wcwidth: wide and fullwidth two, combining none."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def split(text: str) -> list[list[str]]:
    """Cut each line at the display columns where the rule's runs of dashes begin."""
    lines = text.splitlines()
    starts = [rule.start() for rule in re.finditer("-+", lines[1])]
    rows = []
    for line in [lines[0], *lines[2:]]:
        cells, column = [""] * len(starts), 0
        for char in line:
            cells[sum(column >= start for start in starts) - 1] += char
            column += width(char)
        rows.append([cell.strip() for cell in cells])
    return rows


def test_every_value_is_shown_whole_and_literal_with_columns_aligned() -> None:
    text, shown = text_table(VALUES, HEADER, None)
    assert shown == 3
    assert split(text) == [HEADER, *VALUES]  # markup, emoji codes and backslashes print as they are
    lines = text.splitlines()
    starts = [rule.start() for rule in re.finditer("-+", lines[1])]
    for line in lines:
        at, column = {}, 0  # display column -> the character that begins there
        for char in line:
            at[column] = char
            column += width(char)
        # every column begins at its rule's column, after a blank, with no wide character across it
        assert all(start > column or (at.get(start - 1) == " " and start in at) for start in starts[1:]), line


@pytest.mark.parametrize("room", [10, 20, 31, 45, 80])
def test_a_table_fits_the_room_and_cuts_only_with_an_ellipsis(room: int) -> None:
    text, shown = text_table(VALUES, HEADER, room)
    assert all(width(line) <= room for line in text.splitlines())
    assert 1 <= shown <= 3 and split(text)[0] == HEADER[:shown]
    for got, want in zip(split(text)[1:], VALUES):
        for cell, full in zip(got, want):
            assert cell == full or (cell.endswith("…") and full.startswith(cell[:-1].rstrip())), (cell, full)


def test_a_long_cell_is_cut_at_the_cell_width_unless_wide() -> None:
    long = "x" * (CELL_WIDTH + 10)
    text, _ = text_table([[long]], ["v"], 200)
    assert split(text)[1] == ["x" * (CELL_WIDTH - 1) + "…"]
    assert split(text_table([[long]], ["v"], None)[0])[1] == [long]


@pytest.mark.parametrize("env", [{}, {"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "TERM": "xterm-256color", "COLUMNS": "20"}])
def test_control_characters_are_escaped_and_no_escape_sequence_is_written(monkeypatch: pytest.MonkeyPatch, env: dict) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    hostile = "Red\x1b[2J\x1b]0;owned\x07\u202eevil\x9b31m\tend\nnext"
    text, _ = text_table([[hostile, "[red]x[/red]"]], ["a\x1bb", "b"], None)
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", text)
    assert split(text) == [["a\\x1bb", "b"], ["Red\\x1b[2J\\x1b]0;owned\\x07\\u202eevil\\x9b31m\\tend\\nnext", "[red]x[/red]"]]


@pytest.mark.parametrize("name", ["stages", "platforms"])
def test_a_data_file_prints_as_the_csv_module_reads_it(name: str) -> None:
    with xborder_data.path(name).open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert split(text_table(rows, header, None)[0]) == [header, *[[" ".join(cell.split()) for cell in row] for row in rows]]


def test_a_table_piped_into_another_program_prints_every_cell_whole() -> None:
    env = {key: value for key, value in os.environ.items() if key != "COLUMNS"}
    done = subprocess.run([sys.executable, "-m", "xborder_data", "show", "claims", "-n", "3"], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    table = "\n".join(line for line in done.stdout.splitlines() if not line.startswith("("))
    with xborder_data.path("claims").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert split(table) == [header, *[[" ".join(cell.split()) for cell in row] for row in rows[:3]]]
    assert "columns fit the terminal" not in done.stdout
