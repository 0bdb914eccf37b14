"""The tag browser's table against dcmtk's dcmdump, on the same files, in one run.

Both turn a file into a listing of its elements: ours is ``pydicom.dcmread`` +
``browser.dataset_rows`` + ``browser.rows_to_html`` (what the widget shows), dcmtk's is
``dcmdump FILE`` (a new process each time, as a learner would run it). Best of several repeats.
A ratio below 1 means the browser is faster. Run: ``python benchmarks/browser_vs_dcmdump.py``.
"""

from __future__ import annotations

import subprocess
import sys
import timeit

import pydicom

from workshop_helpers import browser
from workshop_helpers.tools import ToolMissing, dcmtk_tool, testdata

FILES = ["CT_small.dcm", "MR_small.dcm", "rtplan.dcm"]
REPEATS = 5


def best(fn) -> float:
    """Best of REPEATS runs, in seconds."""
    return min(timeit.repeat(fn, number=1, repeat=REPEATS))


def main() -> int:
    try:
        dcmdump = dcmtk_tool("dcmdump")
    except ToolMissing as exc:
        print(f"skipped: {exc}")
        return 0
    print(f"{'file':<14} {'rows':>5} {'browser ms':>11} {'dcmdump ms':>11} {'ratio':>6}")
    for name in FILES:
        path = testdata(name)

        def ours(path=path):
            rows = browser.dataset_rows(pydicom.dcmread(path))
            browser.rows_to_html(rows)
            return rows

        def theirs(path=path):
            subprocess.run([dcmdump, str(path)], capture_output=True, check=True)

        n = len(ours())
        a, b = best(ours), best(theirs)
        print(f"{name:<14} {n:>5} {a * 1000:>11.1f} {b * 1000:>11.1f} {a / b:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
