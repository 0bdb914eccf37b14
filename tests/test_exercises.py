"""Exercises check themselves; a wrong solution fails the test run, a learner never sees a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from workshop_helpers import exercises
from workshop_helpers.authoring import code, md, solution, write_notebook
from workshop_helpers.exercises import Exercise, ExerciseFailed, NotAttempted


@pytest.fixture(autouse=True)
def _clean_registry():
    exercises.registry.clear()
    yield
    exercises.registry.clear()


def test_right_answer_passes_and_marks_solved(capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_VARIABLE, raising=False)
    ex = Exercise("sum", lambda a: a == 3)
    assert ex.check(3) is True
    assert ex.solved
    assert "Correct" in capsys.readouterr().out


def test_wrong_answer_gives_hint_not_traceback(capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_VARIABLE, raising=False)
    ex = Exercise("sum", lambda a: a == 3, hint="one plus two")
    assert ex.check(4) is False
    out = capsys.readouterr().out
    assert "Hint: one plus two" in out and "Traceback" not in out
    assert not ex.solved


def test_crashing_answer_is_reported_kindly(capsys, monkeypatch):
    monkeypatch.delenv(exercises.STRICT_VARIABLE, raising=False)
    ex = Exercise("call", lambda f: f() == 1)
    assert ex.check(lambda: 1 / 0) is False
    assert "ZeroDivisionError" in capsys.readouterr().out


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
    assert ex.check(...) is False
    assert "Not attempted" in capsys.readouterr().out


def test_checker_may_say_not_attempted(monkeypatch):
    monkeypatch.setenv(exercises.STRICT_VARIABLE, "1")

    def checker(f):
        if f() is Ellipsis:
            raise NotAttempted
        return f() == 2

    assert Exercise("fn", checker).check(lambda: ...) is False


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
    assert exercises.summary() == {"a": True}


def _run_notebook(tmp_path, solution_source: str) -> subprocess.CompletedProcess:
    cells = [
        md("# T\nOverview Learning objectives Prerequisites Time"),
        code("from workshop_helpers import exercises\n"
             "ex = exercises.Exercise('double', lambda a: a == 42, hint='6 * 7')"),
        code("answer = ...\nex.check(answer)"),
        solution(solution_source),
        code("exercises.summary()"),
        md("## Summary\n## What's next"),
    ]
    path = write_notebook(tmp_path / "99_probe.ipynb", cells)
    env = dict(os.environ, WORKSHOP_STRICT_EXERCISES="1")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env",
         "-p", "no:cacheprovider", "-q", str(path)],
        capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path,
    )


def test_notebook_with_wrong_solution_fails_the_run(tmp_path):
    run = _run_notebook(tmp_path, "answer = 41\nex.check(answer)")
    assert run.returncode != 0, run.stdout
    assert "ExerciseFailed" in run.stdout


def test_notebook_whose_solution_forgets_to_check_fails_the_run(tmp_path):
    run = _run_notebook(tmp_path, "answer = 42")
    assert run.returncode != 0, run.stdout
    assert "never solved: double" in run.stdout


def test_notebook_with_right_solution_passes(tmp_path):
    run = _run_notebook(tmp_path, "answer = 6 * 7\nex.check(answer)")
    assert run.returncode == 0, run.stdout
