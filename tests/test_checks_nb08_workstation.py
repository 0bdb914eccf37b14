"""Notebook 08's checkers (:mod:`workshop_helpers.checks.nb08_workstation`): every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import pydicom
import pytest
from verdicts import assert_verdicts, verdict

from workshop_helpers import checks, phantom, router


def _sent_to(pacs_folder, files, calling_ae):
    from workshop_helpers import net

    pacs = net.StorageSCP(pacs_folder, ae_title="PACS")
    with pacs:
        assert all(r.ok for r in net.send(files, "127.0.0.1", pacs.port, called_ae="PACS", calling_ae=calling_ae))
    return pacs


def test_08_calling_ae_seen_reads_the_pacs_records_and_files(tmp_path):
    files = phantom.write_series(tmp_path / "modality", rows=8, columns=8, slices=3, seed=1)
    pacs = _sent_to(tmp_path / "pacs", files, "ROUTER")
    assert_verdicts(checks.calling_ae_seen(pacs, files), accepted=["ROUTER", " ROUTER "],
                    refused=["CT01", "router", "PACS"], unreadable=[None, ["ROUTER"]])
    direct = _sent_to(tmp_path / "direct", files, "CT01")   # no router in between: the answer differs
    assert_verdicts(checks.calling_ae_seen(direct, files), accepted=["CT01"], refused=["ROUTER"])
    other = phantom.write_series(tmp_path / "other", rows=8, columns=8, slices=3, seed=2)
    assert verdict(checks.calling_ae_seen(pacs, other), "ROUTER") == "not yet"   # never received


def test_08_calling_ae_seen_reads_sending_ae_title_not_source(tmp_path):
    """The file's Sending AE Title (0002,0017) is what is compared; a file that disagrees fails."""
    files = phantom.write_series(tmp_path / "modality", rows=8, columns=8, slices=2, seed=3)
    pacs = _sent_to(tmp_path / "pacs", files, "ROUTER")
    path = pacs.received[0].path
    ds = pydicom.dcmread(path)
    ds.file_meta.SendingApplicationEntityTitle = "CT01"   # the records say ROUTER, the file not
    ds.save_as(path, enforce_file_format=True)
    with pytest.raises(AssertionError, match="not one sender"):
        checks.calling_ae_seen(pacs, files)("ROUTER")


def test_08_trigger_tests_both_limits():
    assert_verdicts(checks.trigger(),
                    accepted=[lambda s: s.count >= 16 or s.quiet >= 3, lambda s: s.quiet >= 3 or s.count > 15],
                    refused=[lambda s: s.count >= 16 or s.quiet > 3.4, lambda s: s.count > 16 or s.quiet >= 3,
                             lambda s: s.count >= 15 or s.quiet >= 3, lambda s: s.count >= 16 or s.quiet >= 2.5,
                             lambda s: s.count >= 16, lambda s: True],
                    unreadable=[16, "count >= 16", None])
    assert isinstance(router.Series("P", "1", "1.1").quiet, float)
