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
Under the test run (``WORKSHOP_STRICT_EXERCISES=1``, see :mod:`workshop_helpers.exercises`) IPython
shows full tracebacks too, so that whoever debugs a failing notebook sees where it failed. To choose
yourself, set ``WORKSHOP_FULL_TRACEBACKS=1`` (or ``0``) before starting the kernel, or call
:func:`full_tracebacks`.

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

__all__ = ["ShortError", "full_tracebacks", "FULL_VARIABLE"]

FULL_VARIABLE = "WORKSHOP_FULL_TRACEBACKS"


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
    value = os.environ.get(FULL_VARIABLE)
    if value is not None:
        return value not in ("", "0", "false", "no")
    # the test run: full tracebacks, for whoever debugs a failure. Imported here, not at the top:
    # every module imports errors, and exercises (the notebooks' side) must stay free to import it.
    from .exercises import strict  # noqa: PLC0415

    return strict()


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
