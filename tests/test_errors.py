"""Errors shown on purpose: a notebook shows the course's own errors as one line, not a traceback."""

from __future__ import annotations

import re

import pytest
from nbclient import NotebookClient

from workshop_helpers import dump, errors
from workshop_helpers.authoring import code, notebook, raises

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _error_lines(cell) -> list[str]:
    [error] = [o for o in cell.outputs if o.output_type == "error"]
    return ANSI.sub("", "\n".join(error.traceback)).splitlines()


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """A small notebook run in a real kernel, as nbconvert --execute and nbval run it."""
    bad = "(0010,0020) LN [PAT01]"
    nb = notebook([
        code("from workshop_helpers import dump, errors"),
        raises(f"dump.read_dump({bad!r})"),                       # our error, deep in our package
        raises("import json\njson.loads('{')"),                   # not ours: the usual traceback
        code("errors.full_tracebacks()"),
        raises(f"dump.read_dump({bad!r})"),                       # on request: the full traceback
        code("print('Run All went on')"),
    ])
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}}).execute()
    return nb


def test_our_error_shows_its_one_line_message(executed):
    lines = _error_lines(executed.cells[1])
    with pytest.raises(dump.DumpSyntaxError) as direct:
        dump.read_dump("(0010,0020) LN [PAT01]")
    expected = f"DumpSyntaxError: {direct.value}"
    assert "\n".join(lines) == expected
    assert len(lines) == len(expected.splitlines()) <= 3
    assert "unknown VR 'LN'" in lines[0]


def test_other_errors_keep_their_traceback(executed):
    assert len(_error_lines(executed.cells[2])) > 5
    assert any("Traceback" in line for line in _error_lines(executed.cells[2]))


def test_full_tracebacks_on_request(executed):
    lines = _error_lines(executed.cells[4])
    assert len(lines) > 5 and any("Traceback" in line for line in lines)
    assert executed.cells[5].outputs[0].text == "Run All went on\n"


def test_outside_ipython_nothing_changes():
    class Demo(errors.ShortError, ValueError):
        pass

    errors.full_tracebacks(False)
    err = Demo("line 1: expected a tag")
    assert isinstance(err, ValueError) and str(err) == "line 1: expected a tag"
    assert err._render_traceback_() == ["Demo: line 1: expected a tag"]
    assert issubclass(dump.DumpSyntaxError, errors.ShortError)
    errors.full_tracebacks(True)
    try:
        assert not hasattr(err, "_render_traceback_")
    finally:
        errors._Settings.full = None
