"""Exercises that check themselves, and solutions that Run All does not run.

A notebook exercise has four parts:

1. the task, in a markdown cell;
2. a learner's cell with a runnable placeholder, ending in a check::

       answer = ...          # your code here
       ex_space.check(answer)

3. a hint (inside the :class:`Exercise`, shown when a check does not pass; a hint points the way,
   it never is the answer);
4. a solution cell (tagged ``solution``, source collapsed) whose first line is a comment that
   gives nothing away, and whose code runs only under a guard::

       # Solution - try the exercise yourself first
       if exercises.show_solution():
           answer = 6 * 7
           ex_space.check(answer)

In learner mode *Run All* does not solve anything: :func:`show_solution` returns ``False`` and
offers the solution to read (a "Show the solution" box) instead of running it. A learner who
wants to run it on purpose writes ``exercises.show_solution(run=True)``; its check then says
whether the solution is right but does not count the exercise as solved.

Under the test run (environment variable ``WORKSHOP_STRICT_EXERCISES=1``, set by ``make test``)
every solution runs and is checked: a wrong answer raises :class:`ExerciseFailed`, and
:func:`summary` raises for an exercise never solved, so a solution that forgets its check fails too.

A learner never sees a traceback for a wrong answer: :meth:`Exercise.check` shows friendly
feedback and returns ``None`` (no ``Out: True`` under the cell). "I cannot read this answer
(expected ...)" means a wrong type or form (a checker raises :class:`CannotRead`); "Not yet" means
a wrong value. The placeholder ``...`` is "not attempted yet" and never raises.
"""

from __future__ import annotations

import html
import linecache
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import STRICT_VARIABLE, switched_on

__all__ = ["Exercise", "ExerciseFailed", "NotAttempted", "CannotRead", "strict", "summary",
           "status", "show_solution", "registry"]

GUARD = "exercises.show_solution()"


class ExerciseFailed(AssertionError):
    """Raised in strict mode (the test run) when a check does not pass."""


class NotAttempted(Exception):
    """Raise from a checker when the answer is still the placeholder."""


class CannotRead(Exception):
    """Raise from a checker when the answer has the wrong type or form.

    Parameters
    ----------
    expected
        What a readable answer looks like, e.g. ``"a number of bytes"``.

    Examples
    --------
    >>> str(CannotRead("a number of bytes"))
    'I cannot read this answer (expected a number of bytes)'
    """

    def __init__(self, expected: str) -> None:
        super().__init__(f"I cannot read this answer (expected {expected})")
        self.expected = expected


def strict() -> bool:
    """True under the test run: solutions run, and failed checks raise instead of printing feedback."""
    return switched_on(STRICT_VARIABLE)


_COLOURS = {"ok": "#1b7f3b", "no": "#b35900", "todo": "#555555", "shown": "#3a5f9f"}
_ICONS = {"ok": "✔", "no": "✘", "todo": "…", "shown": "○"}


def _display(kind: str, title: str, text: str, extra_html: str = "") -> None:
    try:
        from IPython import get_ipython  # noqa: PLC0415 - optional: without IPython, print
        from IPython.display import HTML, display  # noqa: PLC0415

        if get_ipython() is not None:
            display(HTML(
                f'<div style="border-left:4px solid {_COLOURS[kind]};padding:4px 10px;">'
                f"<b>{_ICONS[kind]} {html.escape(title)}</b><br>"
                f"{html.escape(text).replace(chr(10), '<br>')}{extra_html}</div>"
            ))
            return
    except ImportError:  # pragma: no cover - IPython comes with jupyterlab
        pass
    print(f"{_ICONS[kind]} {title}\n{text}".rstrip())


Checker = Callable[[Any], "bool | tuple[bool, str] | None"]


class _Session:
    """True between ``show_solution(run=True)`` and the start of the next cell."""

    solution_running = False
    hooked = False


def _end_solution(*_args: Any) -> None:
    _Session.solution_running = False


def _hook_cell_start() -> None:
    """Let IPython end a solution run when the next cell starts (once per kernel)."""
    if _Session.hooked:
        return
    try:
        from IPython import get_ipython  # noqa: PLC0415 - optional, as in _display
    except ImportError:  # pragma: no cover
        return
    shell = get_ipython()
    if shell is not None:
        shell.events.register("pre_run_cell", _end_solution)
        _Session.hooked = True


def _solution_source(filename: str, line: int) -> str:
    """The code after the guard line of the cell that called :func:`show_solution`."""
    lines = linecache.getlines(filename)
    body = "".join(lines[line:]) if 0 < line <= len(lines) else ""
    return textwrap.dedent(body).strip("\n")


def show_solution(run: bool = False) -> bool:
    """The guard of a solution cell: run it under the test run or on purpose, else offer to show it.

    Parameters
    ----------
    run
        ``True`` runs the solution in learner mode too (on purpose); its check then says whether
        the solution is right, without counting the exercise as solved.

    Returns
    -------
    bool
        Whether the solution's code should run: ``True`` in strict mode or with ``run=True``.

    Examples
    --------
    >>> import os; os.environ.pop(STRICT_VARIABLE, None) and None
    >>> show_solution()
    … Solution not run
    Run All does not solve the exercises. Expand this cell to read the solution, or write exercises.show_solution(run=True) in its second line to run it on purpose.
    False
    """
    if strict():
        return True
    if run:
        _hook_cell_start()
        _Session.solution_running = True
        return True
    caller = sys._getframe(1)
    source = _solution_source(caller.f_code.co_filename, caller.f_lineno)
    offer = (f"<details><summary>Show the solution</summary><pre>{html.escape(source)}</pre>"
             "</details>") if source else ""
    _display("todo", "Solution not run",
             "Run All does not solve the exercises. Expand this cell to read the solution, or write "
             "exercises.show_solution(run=True) in its second line to run it on purpose.", offer)
    return False


@dataclass
class Exercise:
    """One exercise: a name, a checker and a hint.

    Parameters
    ----------
    name
        Short title shown in the feedback, e.g. ``"Which edge is the patient's left?"``.
    checker
        ``checker(answer)`` returns ``True``/``False``, or ``(ok, message)``. It raises
        :class:`CannotRead` for an answer of the wrong type or form, ``AssertionError`` with a
        message saying what is wrong with the value, or :class:`NotAttempted`.
        ``answer is ...`` is handled before the checker is called.
    hint
        Shown when the answer is not right yet. It points the way; it never is the answer.

    Examples
    --------
    >>> ex = Exercise("Two plus two", lambda a: a == 4, hint="Count on your fingers.")
    >>> ex.check(4)
    ✔ Two plus two
    Correct - well done.
    >>> ex.check(5)
    ✘ Two plus two
    Not yet.
    Hint: Count on your fingers.
    >>> ex.check(...)
    … Two plus two
    Not attempted yet: replace the ... with your answer and run the cell again.
    """

    name: str
    checker: Checker
    hint: str = ""
    solved: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        registry[self.name] = self  # running the cell again replaces, not duplicates

    def _evaluate(self, answer: Any) -> tuple[str, str]:
        if answer is Ellipsis:
            raise NotAttempted
        try:
            result = self.checker(answer)
        except (NotAttempted, CannotRead):
            raise
        except AssertionError as exc:
            return "no", f"Not yet: {exc}" if str(exc) else "Not yet."
        except Exception as exc:  # the learner's code (or an unreadable answer) failed in the check
            if callable(answer):
                return "no", f"Not yet: running your answer raised {type(exc).__name__}: {exc}"
            raise CannotRead(f"another kind of value: reading it raised {type(exc).__name__}: {exc}"
                             ) from exc
        if isinstance(result, tuple):
            ok, message = result
        else:
            ok, message = bool(result), ""
        if ok:
            return "ok", message or "Correct - well done."
        return "no", f"Not yet: {message}" if message else "Not yet."

    def check(self, answer: Any) -> None:
        """Check an answer and show friendly feedback ("✔" when it is right); returns nothing.

        ``exercise.solved`` says whether it has been solved.

        Raises
        ------
        ExerciseFailed
            Only in strict mode (the test run), when the answer is wrong or cannot be read.
        """
        try:
            kind, message = self._evaluate(answer)
        except NotAttempted:
            _display("todo", self.name,
                     "Not attempted yet: replace the ... with your answer and run the cell again.")
            return
        except CannotRead as exc:
            kind, message = "no", str(exc)
        if kind == "ok":
            if _Session.solution_running and not strict():
                _display("shown", self.name + " (the solution, run on purpose)",
                         "The solution's answer is right. It does not count as solved: "
                         "write your own in the exercise cell.")
                return
            self.solved = True
            _display("ok", self.name, message)
            return
        if strict():
            raise ExerciseFailed(f"{self.name}: {message}")
        text = message + (f"\nHint: {self.hint}" if self.hint else "")
        _display("no", self.name, text)


registry: dict[str, Exercise] = {}


def status() -> dict[str, bool]:
    """Which exercises of this session are solved, by name.

    Examples
    --------
    >>> registry.clear(); _ = Exercise("Two plus two", lambda a: a == 4)
    >>> status()
    {'Two plus two': False}
    """
    return {name: ex.solved for name, ex in registry.items()}


def summary() -> None:
    """Show which exercises of this session are solved, as a short list; returns nothing.

    Raises
    ------
    ExerciseFailed
        In strict mode, when an exercise was created but never solved.
    """
    solved = status()
    unsolved = [name for name, ok in solved.items() if not ok]
    if unsolved and strict():
        raise ExerciseFailed("never solved: " + "; ".join(unsolved))
    lines = [("✔ " if ok else "… ") + name for name, ok in solved.items()]
    if not unsolved:
        title = f"all {len(solved)} exercises solved"
    elif len(unsolved) == len(solved):
        title = f"nothing solved yet: 0 of {len(solved)} exercises"
    else:
        title = f"{len(solved) - len(unsolved)} of {len(solved)} exercises solved"
    _display("ok" if not unsolved else "todo", title, "\n".join(lines))
