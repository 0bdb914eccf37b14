"""How long the course takes to run, against the kernel floor, and its slowest cells.

Each notebook runs top to bottom in a fresh kernel (nbclient, as ``make notebooks`` and the site
build do, with exercises in learner mode), once. Two floors:

- the *kernel floor* of a notebook: a fresh kernel that runs only the notebook's own import
  statements (numpy, matplotlib, pydicom, the course's modules: what any notebook on these
  topics pays before its first line of work). The goal is the course's run time at most 2 times
  the sum of these floors: what the course's own code and servers add stays within what starting
  and importing cost;
- an empty kernel (one ``pass`` cell), measured before the first notebook, after the middle one
  and after the last (their median, as the load of a shared machine changes during the run),
  printed for comparison.

Printed: per notebook its run time, slowest cell and imports-only time, then both ratios and
every cell over 3 s (goal: none). Printed, never asserted: a busy machine stretches every figure,
so the load average is printed beside them.

Usage: ``python benchmarks/course_run.py [NN_topic.ipynb ...]``.
"""

from __future__ import annotations

import ast
import os
import statistics
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SLOW = 3.0   # seconds: a cell slower than this is listed


def run(nb: nbformat.NotebookNode, cwd: Path) -> tuple[float, list[float]]:
    """Seconds for the whole notebook (kernel start included) and for each code cell."""
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    cells: list[float] = []
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            began = time.perf_counter()
            client.execute_cell(cell, index)
            cells.append(time.perf_counter() - began)
    return time.perf_counter() - start, cells


def imports_of(nb: nbformat.NotebookNode) -> str:
    """The notebook's import statements (top level of its code cells, in order, each once)."""
    lines: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:               # IPython magics: no imports read from that cell
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                line = ast.unparse(node)
                if line not in lines:
                    lines.append(line)
    return "\n".join(lines) or "pass"


def main(argv: list[str]) -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")
    paths = [NOTEBOOKS / a for a in argv] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    floor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    floors = [run(floor_nb, NOTEBOOKS)[0]]
    print(f"load average {os.getloadavg()[0]:.1f}; an empty kernel {floors[0]:.2f} s")
    total, imported, slow = 0.0, 0.0, []
    for index, path in enumerate(paths):
        nb = nbformat.read(str(path), as_version=4)
        imports = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(imports_of(nb))])
        seconds, cells = run(nb, NOTEBOOKS)
        importing, _ = run(imports, NOTEBOOKS)
        total += seconds
        imported += importing
        worst = max(cells, default=0.0)
        print(f"{path.stem:24} {seconds:6.2f} s  slowest cell {worst:5.2f} s  "
              f"({len(cells)} code cells); its imports alone {importing:.2f} s")
        slow += [(path.stem, n, s) for n, s in enumerate(cells) if s > SLOW]
        if index in (len(paths) // 2, len(paths) - 1):
            floors.append(run(floor_nb, NOTEBOOKS)[0])
    floor = statistics.median(floors)
    print(f"load average {os.getloadavg()[0]:.1f}; an empty kernel {floor:.2f} s, the median of "
          + ", ".join(f"{f:.2f}" for f in floors))
    print(f"course: {total:.1f} s; kernel floor (each notebook's imports alone): {imported:.1f} s; "
          f"ratio {total / imported:.2f} (goal <= 2)")
    print(f"for comparison, an empty kernel x {len(paths)} notebooks: {floor * len(paths):.1f} s; "
          f"ratio {total / (floor * len(paths)):.2f}")
    print("cells over 3 s:", ", ".join(f"{nb} code cell {n} ({s:.1f} s)" for nb, n, s in slow)
          or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
