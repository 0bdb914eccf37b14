"""A package, not its private submodule, is the home of the functions and classes it re-exports."""

from __future__ import annotations

import importlib
import pkgutil
import pydoc
import types

import pydicom
import pytest

import workshop_helpers
from workshop_helpers._rehome import rehome

#: What each package of workshop_helpers re-homes ("__all__": every function and class in its
#: __all__). A new package must be added here: say which.
REHOMED: dict[str, list[str]] = {
    "dump": ["__all__"],
    "files": ["__all__"],
    "legacy": ["__all__"],
    "phantom": ["__all__"],
    "private": ["__all__"],
    "router": ["__all__"],
    "tools": ["__all__"],
    "web": ["__all__"],
    "uids": ["__all__", "oid_tree", "plot_oid_tree", "plot_uid_parts"],
    "qr": ["QueryRetrieveError", "AssociationRefused", "QueryLevelError"],   # its doctests name them
    "deid": ["DeidError", "BurnedInAnnotationError"],
    # These keep their submodules as the home of what they re-export.
    "checks": [],
    "geometry": [],
    "net": [],
    "pacs": [],
    "viewers": [],
}


def packages() -> list[str]:
    return [m.name for m in pkgutil.iter_modules(workshop_helpers.__path__) if m.ispkg]


def test_every_package_says_what_it_rehomes():
    assert sorted(packages()) == sorted(REHOMED)


def expected_at_home(package: types.ModuleType) -> list[str]:
    """The functions and classes the package re-homes, those it defines itself (not pydicom's)."""
    names = [m for n in REHOMED[package.__name__.rpartition(".")[2]]
             for m in (package.__all__ if n == "__all__" else [n])]
    return [n for n in names if callable(obj := getattr(package, n))
            and getattr(obj, "__module__", "").startswith(package.__name__)]


@pytest.mark.parametrize("name", sorted(n for n, wanted in REHOMED.items() if wanted))
def test_a_package_is_the_home_of_what_it_rehomes(name):
    package = importlib.import_module(f"workshop_helpers.{name}")
    names = expected_at_home(package)
    assert names
    assert {n: getattr(package, n).__module__ for n in names} == {n: package.__name__ for n in names}


def test_help_names_the_package_not_the_submodule():
    from workshop_helpers import dump, qr, uids

    for obj, home in ((dump.read_dump, "workshop_helpers.dump"), (dump.DumpSyntaxError, "workshop_helpers.dump"),
                      (qr.QueryLevelError, "workshop_helpers.qr"), (uids.oid_tree, "workshop_helpers.uids")):
        assert f" in module {home}\n" in pydoc.render_doc(obj, renderer=pydoc.plaintext)


def test_rehome_moves_only_the_packages_own_functions_and_classes():
    package = types.ModuleType("workshop_helpers.demo")

    def read_demo():
        """Read a demo."""

    class DemoError(ValueError):
        pass

    read_demo.__module__ = DemoError.__module__ = "workshop_helpers.demo.reader"
    package.__dict__.update(read_demo=read_demo, DemoError=DemoError, dcmread=pydicom.dcmread,
                            LIMIT=64, __all__=["read_demo", "DemoError", "dcmread", "LIMIT"])
    rehome(vars(package))
    assert (read_demo.__module__, DemoError.__module__) == ("workshop_helpers.demo",) * 2
    assert pydicom.dcmread.__module__ == "pydicom.filereader"   # re-exported from elsewhere: left alone
    rehome(vars(package), ["read_demo"])                          # the names given, not __all__
    assert read_demo.__module__ == "workshop_helpers.demo"
