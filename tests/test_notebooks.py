"""Every notebook follows the course conventions (the run itself is `make notebooks`, under nbval)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from workshop_helpers.authoring import code, convention_problems, md, write_notebook

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks_and_they_start_at_00():
    assert NOTEBOOKS and NOTEBOOKS[0].name.startswith("00_")


def test_numbers_are_unique():
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert len(numbers) == len(set(numbers)), numbers


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_follows_conventions(path):
    assert convention_problems(path) == []


def test_convention_check_catches_outputs_and_missing_parts(tmp_path):
    cell = code("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    cell.execution_count = 3
    on_purpose = code("# NBVAL_RAISES_EXCEPTION\n1 / 0")
    path = write_notebook(tmp_path / "bad name.ipynb", [md("# Title only"), on_purpose, cell])
    problems = "\n".join(convention_problems(path))
    for expected in ("is not NN_topic", "has outputs", "execution count", "'Overview'",
                     "the last cell is not markdown", "lacks the tag 'raises-exception'", "0 solution cell", "summary()"):
        assert expected in problems


def test_raises_cell_is_marked_for_nbval_and_jupyterlab():
    from workshop_helpers.authoring import raises

    cell = raises("1 / 0")
    assert cell.source.startswith("# NBVAL_RAISES_EXCEPTION")
    assert "raises-exception" in cell.metadata["tags"]
