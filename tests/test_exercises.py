"""Exercises check themselves; a wrong solution fails the test run, a learner never sees a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tooling.authoring import code, md, solution, write_notebook
from workshop_helpers import exercises
from workshop_helpers.exercises import CannotRead, Exercise, ExerciseFailed, NotAttempted


@pytest.fixture(autouse=True)
def _clean_registry():
    exercises.registry.clear()
    exercises._end_solution()
    yield
    exercises.registry.clear()
    exercises._end_solution()


def test_right_answer_passes_and_marks_solved(capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_VARIABLE, raising=False)
    ex = Exercise("sum", lambda a: a == 3)
    assert ex.check(3) is None   # no Out: True under the cell
    assert ex.solved
    assert "✔ sum" in capsys.readouterr().out


def test_wrong_answer_gives_hint_not_traceback(capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_VARIABLE, raising=False)
    ex = Exercise("sum", lambda a: a == 3, hint="one plus two")
    assert ex.check(4) is None
    out = capsys.readouterr().out
    assert "Not yet" in out and "Hint: one plus two" in out and "Traceback" not in out
    assert not ex.solved


def test_crashing_answer_is_reported_kindly(capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_VARIABLE, raising=False)
    ex = Exercise("call", lambda f: f() == 1)
    ex.check(lambda: 1 / 0)
    assert not ex.solved
    assert "Not yet: running your answer raised ZeroDivisionError" in capsys.readouterr().out


def test_wrong_form_says_it_cannot_read_the_answer(capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_VARIABLE, raising=False)

    def checker(a):
        if not isinstance(a, int):
            raise CannotRead("a whole number")
        return a == 3

    ex = Exercise("sum", checker)
    ex.check("three")
    Exercise("len", lambda a: a.count("x") == 1).check(42)   # the checker stumbles: also unreadable
    out = capsys.readouterr().out
    assert "I cannot read this answer (expected a whole number)" in out
    assert "I cannot read this answer (expected another kind of value" in out
    assert "Not yet" not in out


def test_cannot_read_raises_in_strict_mode(monkeypatch):
    monkeypatch.setenv(exercises.STRICT_VARIABLE, "1")

    def checker(a):
        raise CannotRead("a whole number")

    with pytest.raises(ExerciseFailed, match="cannot read"):
        Exercise("sum", checker).check("three")


def test_checker_message_and_assertion_message_are_shown(capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_VARIABLE, raising=False)

    def checker(a):
        assert a > 0, f"{a} is not positive"
        return a < 10, "too big"

    ex = Exercise("range", checker)
    ex.check(-1)
    ex.check(11)
    out = capsys.readouterr().out
    assert "-1 is not positive" in out and "too big" in out


def test_placeholder_is_not_attempted_even_in_strict_mode(capsys, monkeypatch):
    monkeypatch.setenv(exercises.STRICT_VARIABLE, "1")
    ex = Exercise("sum", lambda a: a == 3)
    ex.check(...)
    assert not ex.solved
    assert "Not attempted" in capsys.readouterr().out


def test_checker_may_say_not_attempted(monkeypatch):
    monkeypatch.setenv(exercises.STRICT_VARIABLE, "1")

    def checker(f):
        if f() is Ellipsis:
            raise NotAttempted
        return f() == 2

    ex = Exercise("fn", checker)
    ex.check(lambda: ...)
    assert not ex.solved


def test_strict_mode_raises_on_wrong_answer(monkeypatch):
    monkeypatch.setenv(exercises.STRICT_VARIABLE, "1")
    ex = Exercise("sum", lambda a: a == 3)
    with pytest.raises(ExerciseFailed, match="sum"):
        ex.check(4)


def test_summary_raises_in_strict_mode_for_unsolved(monkeypatch):
    monkeypatch.setenv(exercises.STRICT_VARIABLE, "1")
    Exercise("a", lambda a: True).check(1)
    Exercise("b", lambda a: True)
    with pytest.raises(ExerciseFailed, match="never solved: b"):
        exercises.summary()


def test_summary_counts_and_rerun_replaces(monkeypatch):
    monkeypatch.delenv(exercises.STRICT_VARIABLE, raising=False)
    Exercise("a", lambda a: True)
    Exercise("a", lambda a: True).check(1)  # the cell ran again
    assert exercises.status() == {"a": True}
    assert exercises.summary() is None


def test_summary_says_nothing_is_solved(capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_VARIABLE, raising=False)
    Exercise("a", lambda a: True)
    Exercise("b", lambda a: True)
    exercises.summary()
    out = capsys.readouterr().out
    assert "nothing solved yet: 0 of 2" in out and "✔" not in out


def test_solution_guard_runs_only_in_strict_mode(capsys, monkeypatch):
    monkeypatch.setenv(exercises.STRICT_VARIABLE, "1")
    assert exercises.show_solution() is True
    monkeypatch.delenv(exercises.STRICT_VARIABLE)
    assert exercises.show_solution() is False
    assert "Solution not run" in capsys.readouterr().out


def test_solution_run_on_purpose_is_checked_but_not_credited(capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_VARIABLE, raising=False)
    ex = Exercise("sum", lambda a: a == 3)
    if exercises.show_solution(run=True):
        ex.check(3)
    out = capsys.readouterr().out
    assert not ex.solved and "✔" not in out and "run on purpose" in out
    exercises._end_solution()   # IPython does this when the next cell starts
    ex.check(3)
    assert ex.solved


PROBES = {
    "wrong": "answer = 41\nex.check(answer)",
    "forgets": "answer = 42",
    "right": "answer = 6 * 7\nex.check(answer)",
}


def _write_probe(folder: Path, name: str, solution_source: str) -> Path:
    cells = [
        md("# T\nOverview Learning objectives Prerequisites Time"),
        code("from workshop_helpers import exercises\n"
             "ex = exercises.Exercise('double', lambda a: a == 42, hint='6 * 7')"),
        code("answer = ...\nex.check(answer)"),
        solution(solution_source),
        code("exercises.summary()"),
        md("## Summary\n## What's next"),
    ]
    return write_notebook(folder / f"99_probe_{name}.ipynb", cells)


def _outcomes(report: Path) -> dict[str, str]:
    """Per probe notebook: '' when every cell passed, else the failure texts of its cells."""
    found: dict[str, str] = {}
    for case in ElementTree.parse(report).iter("testcase"):
        name = next(n for n in PROBES if f"99_probe_{n}" in case.get("classname", "") + case.get("file", ""))
        problems = [p for p in case if p.tag in ("failure", "error")]
        found[name] = found.get(name, "") + "".join(
            (p.get("message") or "") + (p.text or "") for p in problems)
    return found


@pytest.fixture(scope="module")
def probe_outcomes(tmp_path_factory) -> dict[str, str]:
    """Run the three probe notebooks in one nested nbval run (strict exercises), once per module."""
    folder = tmp_path_factory.mktemp("probes")
    paths = [_write_probe(folder, name, src) for name, src in PROBES.items()]
    report = folder / "report.xml"
    env = dict(os.environ, WORKSHOP_STRICT_EXERCISES="1")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", f"--junitxml={report}", *map(str, paths)],
        capture_output=True, text=True, timeout=300, env=env, cwd=folder,
    )
    outcomes = _outcomes(report)
    assert sorted(outcomes) == sorted(PROBES), run.stdout
    return outcomes


def test_notebook_with_wrong_solution_fails_the_run(probe_outcomes):
    assert probe_outcomes["wrong"], "the wrong solution passed"
    assert "ExerciseFailed" in probe_outcomes["wrong"]


def test_notebook_whose_solution_forgets_to_check_fails_the_run(probe_outcomes):
    assert probe_outcomes["forgets"], "the solution without a check passed"
    assert "never solved: double" in probe_outcomes["forgets"]


def test_notebook_with_right_solution_passes(probe_outcomes):
    assert probe_outcomes["right"] == "", probe_outcomes["right"]


def test_run_all_in_learner_mode_solves_nothing(tmp_path):
    import nbformat

    probe = _write_probe(tmp_path, "right", PROBES["right"])
    env = {k: v for k, v in os.environ.items() if k != exercises.STRICT_VARIABLE}
    out = tmp_path / "out.ipynb"
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
                    "--output", str(out), str(probe)],
                   check=True, capture_output=True, timeout=300, env=env, cwd=tmp_path)
    outputs = [o for c in nbformat.read(out, 4).cells if c.cell_type == "code" for o in c.outputs]
    text = "".join(str(o.get("data", "")) + o.get("text", "") for o in outputs)
    assert "✔" not in text and "execute_result" not in {o.output_type for o in outputs}
    assert "Solution not run" in text and "Show the solution" in text and "6 * 7" in text
    assert "nothing solved yet: 0 of 1" in text
