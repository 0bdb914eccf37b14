"""Shared fixtures: the real peers (dcmtk, dciodvfy) and scratch space.

A test that needs dcmtk or dciodvfy asks for the fixture. Where the tool is absent (a learner's
laptop) the test is skipped with the reason; under CI (``WORKSHOP_REQUIRE_TOOLS=1``, set by
``.ci/run``) it fails instead, so the interop tests always run there.
"""

from __future__ import annotations

import os

import pytest

from workshop_helpers import tools


def _missing(what: str) -> None:
    message = f"{what} is not installed"
    if os.environ.get("WORKSHOP_REQUIRE_TOOLS", "") not in ("", "0"):
        pytest.fail(message + " but WORKSHOP_REQUIRE_TOOLS=1 says it must be", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def dcmtk():
    """A function ``dcmtk(name) -> full path`` of a dcmtk program (never pynetdicom's look-alike)."""
    if not tools.has_dcmtk():
        _missing("dcmtk")
    return tools.dcmtk_tool


@pytest.fixture(scope="session")
def dciodvfy():
    """A function ``dciodvfy(path) -> tools.Validation``."""
    if not tools.has_dciodvfy():
        _missing("dciodvfy (dicom3tools)")
    return tools.validate_file
