"""Exercises that check themselves.

A notebook exercise has four parts:

1. the task, in a markdown cell;
2. a learner's cell with a runnable placeholder, ending in a check::

       answer = ...          # your code here
       ex_space.check(answer)

3. a hint (inside the :class:`Exercise`, shown when a check does not pass);
4. a hidden solution cell (tagged ``solution``, source collapsed) that sets the answer and calls
   ``check`` again.

A learner never sees a traceback for a wrong answer: :meth:`Exercise.check` prints friendly
feedback and returns ``False``. Under the test run (environment variable
``WORKSHOP_STRICT_EXERCISES=1``, set by ``make test``) a wrong answer raises
:class:`ExerciseFailed` instead, so a wrong solution fails CI. The placeholder ``...`` is "not
attempted yet" and never raises; :func:`summary` at the end of a notebook raises in strict mode
when an exercise was never solved, so a solution cell that forgets its check fails too.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Exercise", "ExerciseFailed", "NotAttempted", "strict", "summary", "registry"]

STRICT_VARIABLE = "WORKSHOP_STRICT_EXERCISES"


class ExerciseFailed(AssertionError):
    """Raised in strict mode (the test run) when a check does not pass."""


class NotAttempted(Exception):
    """Raise from a checker when the answer is still the placeholder."""


def strict() -> bool:
    """True under the test run: failed checks raise instead of printing feedback."""
    return os.environ.get(STRICT_VARIABLE, "") not in ("", "0", "false", "no")


def _display(kind: str, title: str, text: str) -> None:
    colours = {"ok": "#1b7f3b", "no": "#b35900", "todo": "#555555"}
    icons = {"ok": "✔", "no": "✘", "todo": "…"}
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display

        if get_ipython() is not None:
            display(HTML(
                f'<div style="border-left:4px solid {colours[kind]};padding:4px 10px;">'
                f"<b>{icons[kind]} {html.escape(title)}</b><br>"
                f"{html.escape(text).replace(chr(10), '<br>')}</div>"
            ))
            return
    except ImportError:  # pragma: no cover - IPython comes with jupyterlab
        pass
    print(f"{icons[kind]} {title}\n{text}".rstrip())


Checker = Callable[[Any], "bool | tuple[bool, str] | None"]


@dataclass
class Exercise:
    """One exercise: a name, a checker and a hint.

    Parameters
    ----------
    name
        Short title shown in the feedback, e.g. ``"Which edge is the patient's left?"``.
    checker
        ``checker(answer)`` returns ``True``/``False``, or ``(ok, message)``. It may raise
        :class:`NotAttempted`, or ``AssertionError`` with a message saying what is wrong.
        ``answer is ...`` is handled before the checker is called.
    hint
        Shown when the answer is not right yet.

    Examples
    --------
    >>> ex = Exercise("Two plus two", lambda a: a == 4, hint="Count on your fingers.")
    >>> ex.check(4)
    ✔ Two plus two
    Correct - well done.
    True
    >>> ex.check(...)
    … Two plus two
    Not attempted yet: replace the ... with your answer and run the cell again.
    False
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
        except NotAttempted:
            raise
        except AssertionError as exc:
            return "no", str(exc) or "That is not it yet."
        except Exception as exc:  # the learner's code failed inside the check
            return "no", f"Running your answer raised {type(exc).__name__}: {exc}"
        if isinstance(result, tuple):
            ok, message = result
        else:
            ok, message = bool(result), ""
        if ok:
            return "ok", message or "Correct - well done."
        return "no", message or "That is not it yet."

    def check(self, answer: Any) -> bool:
        """Check an answer, show friendly feedback and return whether it is right.

        Raises
        ------
        ExerciseFailed
            Only in strict mode (the test run), when the answer is wrong.
        """
        try:
            kind, message = self._evaluate(answer)
        except NotAttempted:
            _display("todo", self.name,
                     "Not attempted yet: replace the ... with your answer and run the cell again.")
            return False
        if kind == "ok":
            self.solved = True
            _display("ok", self.name, message)
            return True
        if strict():
            raise ExerciseFailed(f"{self.name}: {message}")
        text = message + (f"\nHint: {self.hint}" if self.hint else "")
        _display("no", self.name, text)
        return False


registry: dict[str, Exercise] = {}


def summary() -> dict[str, bool]:
    """Which exercises of this session are solved; shown as a short list.

    Raises
    ------
    ExerciseFailed
        In strict mode, when an exercise was created but never solved.
    """
    status = {name: ex.solved for name, ex in registry.items()}
    unsolved = [name for name, ok in status.items() if not ok]
    if unsolved and strict():
        raise ExerciseFailed("never solved: " + "; ".join(unsolved))
    lines = [("✔ " if ok else "… ") + name for name, ok in status.items()]
    _display("ok" if not unsolved else "todo",
             f"{len(status) - len(unsolved)} of {len(status)} exercises solved",
             "\n".join(lines))
    return status
