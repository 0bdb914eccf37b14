"""What the tests of the checkers share (``tests/test_checks_nb*.py``, one per notebook).

A checker's verdict on an answer (:func:`verdict`), the message of a right one, and
:func:`assert_verdicts`: every right form accepted, wrong values refused, wrong forms unreadable.
Two module-scoped fixtures are defined here: ``ct`` (pydicom's CT_small.dcm) and ``orthanc_web``
(an Orthanc with DICOMweb, holding a small phantom series and two of pydicom's files). A test
module uses one by importing its function (``from verdicts import ct_fixture as ct_fixture``).
"""

from __future__ import annotations

import re

import pydicom
import pytest

from workshop_helpers import phantom, tools
from workshop_helpers.exercises import CannotRead


def verdict(check, answer) -> str:
    """'ok', 'not yet' or 'unreadable'."""
    try:
        result = check(answer)
    except CannotRead:
        return "unreadable"
    except AssertionError:
        return "not yet"
    ok = result[0] if isinstance(result, tuple) else result
    return "ok" if ok else "not yet"


PRAISE = re.compile(r"right (for|in) all? ?\d+ .*|right in \d+ .*|\S+ stored all \d+ .*")


def message_of_right(check, answer) -> str:
    """The message that comes with a right answer: nothing, or praise (never a reason it is wrong)."""
    result = check(answer)
    return result[1] if isinstance(result, tuple) else ""


def assert_verdicts(check, accepted=(), refused=(), unreadable=()):
    assert {repr(a): verdict(check, a) for a in accepted} == {repr(a): "ok" for a in accepted}
    messages = {repr(a): message_of_right(check, a) for a in accepted}
    assert {k: m for k, m in messages.items() if m and not PRAISE.fullmatch(m)} == {}
    assert {repr(a): verdict(check, a) for a in refused} == {repr(a): "not yet" for a in refused}
    assert {repr(a): verdict(check, a) for a in unreadable} == {repr(a): "unreadable" for a in unreadable}


@pytest.fixture(scope="module", name="ct")
def ct_fixture():
    return pydicom.dcmread(tools.testdata("CT_small.dcm"))


@pytest.fixture(scope="module", name="orthanc_web")
def orthanc_web_fixture(tmp_path_factory):
    from conftest import assert_stopped, require_dicomweb

    from workshop_helpers import pacs

    require_dicomweb()
    folder = tmp_path_factory.mktemp("checks_web")
    server = pacs.Orthanc(folder / "pacs", modalities={"WORKSTATION": ("127.0.0.1", 1)}, dicomweb=True)
    with server:
        pid = server.pid
        for path in phantom.write_series(folder / "phantom", rows=8, columns=8, slices=2, seed=10):
            server.upload(path)
        for name in ("CT_small.dcm", "MR_small.dcm"):
            server.upload(tools.testdata(name))
        yield server
    assert_stopped(server, pid)
