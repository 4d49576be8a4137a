"""The benchmark runs at its smallest size and writes a report that parses.

Nothing here checks a timing: this machine's speed is not the code's.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RATIO = re.compile(r"^\d+(\.\d+)?×$")


def _tables(text: str) -> list[list[list[str]]]:
    """Every Markdown table as a list of rows of cells, header first, separator dropped."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= set("-:") for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables


def test_bench_quick_run_writes_a_parsable_report(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = output.read_text(encoding="utf-8")
    for label in ("- Machine:", "- Python:", "- Libraries: pandas", "- Date:"):
        assert label in text
    tables = _tables(text.split("## Findings")[0])  # the findings are prose from bench/findings.md
    assert len(tables) == 4  # start-up and bundled, scale time, scale memory, targets
    ratios = 0
    for header, *rows in tables:
        columns = [i for i, name in enumerate(header) if name == "ratio" or "÷" in name]
        assert columns, header
        assert rows, header
        for row in rows:
            assert len(row) == len(header), row
            for i in columns:
                assert RATIO.match(row[i]) or row[i] == "—", (header[i], row[i])
                ratios += bool(RATIO.match(row[i]))
    assert ratios >= 10
    assert "| 1,000 |" in text
