"""A package, not its private submodule, as the home of the names it re-exports.

A topic of the course that grew into a package (``dump/``, ``files/``, ...) defines its functions
and classes in submodules (``dump/reader.py``) and re-exports them from its ``__init__``, where
learners import them: ``from workshop_helpers import dump; dump.read_dump(...)``. Python names a
function's or class's home by its ``__module__``, which is the submodule: ``help()``, pydoc,
Sphinx and tracebacks would say ``workshop_helpers.dump.reader.read_dump`` and
``workshop_helpers.dump.common.DumpSyntaxError``, a file the learner never imported. A package
calls :func:`rehome` at the end of its ``__init__`` so that they say ``workshop_helpers.dump``.

This module imports nothing of the course, so every package can import it without a cycle.

Examples
--------
>>> import types
>>> package = types.ModuleType("workshop_helpers.demo")
>>> def read_demo():
...     "Read a demo."
>>> read_demo.__module__ = "workshop_helpers.demo.reader"   # as if defined in a submodule
>>> package.read_demo, package.LIMIT, package.__all__ = read_demo, 64, ["read_demo", "LIMIT"]
>>> rehome(vars(package))
>>> read_demo.__module__
'workshop_helpers.demo'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = ["rehome"]


def rehome(namespace: dict[str, Any], names: Iterable[str] | None = None) -> None:
    """Set ``__module__`` of a package's re-exported functions and classes to the package.

    Only what is defined in one of the package's own submodules moves: constants have no
    ``__module__``, and a name re-exported from elsewhere (pydicom, another package of the
    course) keeps its own home.

    Parameters
    ----------
    namespace : dict
        The package's ``globals()``, called from its ``__init__``; its ``__name__`` is the home.
    names : iterable of str or None
        The names to re-home; None: the package's ``__all__``.
    """
    package = namespace["__name__"]
    for name in namespace["__all__"] if names is None else names:
        obj = namespace[name]
        home = getattr(obj, "__module__", None)
        if callable(obj) and isinstance(home, str) and home.startswith(f"{package}."):
            obj.__module__ = package
