"""Errors shown on purpose: the one-line message, not a 30-line traceback.

The course raises its own exceptions (``DumpSyntaxError``, ``UIDError``, ...) whose message says
what was expected, what was found and where. When a cell fails on purpose (tag
``raises-exception``), the learner should read that message, not scroll through frames of our
package and of pydicom. IPython offers a documented hook for this ("Custom exception tracebacks"
in *Integrating your objects with IPython*): an exception with a method ``_render_traceback_()``
is shown as the lines that method returns. :class:`ShortError` is a mixin that provides it::

    class DumpSyntaxError(ShortError, ValueError):
        ...

Outside IPython (plain Python, pytest) nothing changes: the full traceback is printed as usual.
Under the test run (environment variable ``WORKSHOP_STRICT_EXERCISES=1``, set by ``make test``)
IPython shows full tracebacks too, so that whoever debugs a failing notebook sees where it failed.
To choose yourself, set ``WORKSHOP_FULL_TRACEBACKS=1`` (or ``0``) before starting the kernel, or
call :func:`full_tracebacks`.

This module imports nothing of the course: every other module imports it. The test run's switch
is defined here, and :mod:`workshop_helpers.exercises` reads the same variable for its strict mode.

Examples
--------
>>> class Demo(ShortError, ValueError):
...     pass
>>> full_tracebacks(False)
>>> Demo("line 2: expected a VR, found 'LN'")._render_traceback_()
["Demo: line 2: expected a VR, found 'LN'"]
>>> full_tracebacks(None)
"""

from __future__ import annotations

import os

__all__ = ["ShortError", "full_tracebacks", "FULL_VARIABLE", "STRICT_VARIABLE", "switched_on"]

FULL_VARIABLE = "WORKSHOP_FULL_TRACEBACKS"
#: The test run's switch (``make test`` sets it to 1): full tracebacks here, and every exercise's
#: solution run and checked in :mod:`workshop_helpers.exercises`.
STRICT_VARIABLE = "WORKSHOP_STRICT_EXERCISES"


def switched_on(variable: str) -> bool:
    """Whether an on/off environment variable is on: set, and not empty, ``0``, ``false`` or ``no``.

    Parameters
    ----------
    variable : str
        The environment variable's name, e.g. ``WORKSHOP_STRICT_EXERCISES``.

    Returns
    -------
    bool
        True when it is set to anything else (``1``, ``yes``, ...).

    Examples
    --------
    >>> import os; os.environ["WORKSHOP_DEMO"] = "0"; switched_on("WORKSHOP_DEMO")
    False
    >>> os.environ["WORKSHOP_DEMO"] = "1"; switched_on("WORKSHOP_DEMO")
    True
    >>> del os.environ["WORKSHOP_DEMO"]
    """
    return os.environ.get(variable, "") not in ("", "0", "false", "no")


class _Settings:
    full: bool | None = None   # None: follow the environment variable


def full_tracebacks(on: bool | None = True) -> None:
    """Show full tracebacks for the course's errors (``False``: short; ``None``: as the environment says).

    Parameters
    ----------
    on : bool or None
        True: full tracebacks; False: ``Name: message`` only; None: as ``WORKSHOP_FULL_TRACEBACKS``
        (or the test run) says.

    Examples
    --------
    >>> full_tracebacks(); hasattr(ShortError("x"), "_render_traceback_")
    False
    >>> full_tracebacks(False); hasattr(ShortError("x"), "_render_traceback_")
    True
    >>> full_tracebacks(None)
    """
    _Settings.full = on


def _full() -> bool:
    if _Settings.full is not None:
        return _Settings.full
    if FULL_VARIABLE in os.environ:
        return switched_on(FULL_VARIABLE)
    return switched_on(STRICT_VARIABLE)  # the test run: full tracebacks, for whoever debugs a failure


class ShortError(Exception):
    """Base (or mixin) for the course's errors: IPython shows ``Name: message`` and no frames."""

    @property
    def _render_traceback_(self):
        # IPython looks the method up with hasattr(); an AttributeError here means "no custom
        # rendering", so IPython prints its usual full traceback.
        if _full():
            raise AttributeError("_render_traceback_")
        return self._short_lines

    def _short_lines(self) -> list[str]:
        message = str(self)
        name = type(self).__name__
        return [f"{name}: {message}" if message else name]
