"""Errors shown on purpose: a notebook shows the course's own errors as one line, not a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from nbclient import NotebookClient

from tooling.authoring import code, notebook, raises
from workshop_helpers import dump, errors

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
    saved = {k: os.environ.pop(k, None) for k in (errors.FULL_VARIABLE, errors.STRICT_VARIABLE)}
    try:   # the kernel inherits the environment: a learner's, not the test run's
        NotebookClient(nb, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path_factory.mktemp("nb"))}}).execute()
    finally:
        os.environ.update({k: v for k, v in saved.items() if v is not None})
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


@pytest.mark.parametrize(("full", "strict", "short"), [
    (None, None, True), (None, "1", False), ("1", None, False), ("0", "1", True)])
def test_the_test_run_shows_full_tracebacks_unless_told(monkeypatch, full, strict, short):
    monkeypatch.setattr(errors._Settings, "full", None)
    for name, value in ((errors.FULL_VARIABLE, full), (errors.STRICT_VARIABLE, strict)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert hasattr(errors.ShortError("x"), "_render_traceback_") is short


@pytest.mark.parametrize("strict", ["", "1"])
def test_errors_imports_nothing_of_the_course(strict):
    # errors is the core every module imports: it must not pull in the exercises and their
    # checks (nor anything else of ours), not even when it decides how to show an error.
    script = ("import sys\n"
              "from workshop_helpers import errors\n"
              "hasattr(errors.ShortError('x'), '_render_traceback_')\n"
              "print(sorted(m for m in sys.modules if m.startswith('workshop_helpers')))\n")
    env = {k: v for k, v in os.environ.items() if k != errors.FULL_VARIABLE}
    env[errors.STRICT_VARIABLE] = strict
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "['workshop_helpers', 'workshop_helpers.errors']"
