"""Notebook 07's checkers (:mod:`workshop_helpers.checks.nb07_network`): every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import shutil
import time

import pydicom
import pytest
from verdicts import assert_verdicts, verdict

from workshop_helpers import checks, tools
from workshop_helpers.exercises import NotAttempted


class _FakeSCP:
    def __init__(self, arrivals):
        uids = [uid for _, uid in arrivals]
        self.received = [type("Arrival", (), {"calling_ae": ae, "sop_instance_uid": uid,
                                              "duplicate": uid in uids[:i]})
                         for i, (ae, uid) in enumerate(arrivals)]


def _count_different(received, calling_ae):
    return len({a.sop_instance_uid for a in received if a.calling_ae == calling_ae})


def test_07_instances_from_wants_a_function_that_counts_instances_not_arrivals():
    sent_twice = _FakeSCP([("CT01", "1"), ("CT01", "2"), ("CT01", "3"), ("CT01", "1"), ("CT01", "2"),
                           ("CT01", "3"), ("WORKSHOP-SCU", "4")])
    check = checks.instances_from(sent_twice, "CT01")
    lazy = [lambda received, ae: 3, lambda received, ae: len(sent_twice.received),   # constants
            lambda received, ae: sum(a.calling_ae == ae for a in received),         # arrivals, not instances
            lambda received, ae: len({a.sop_instance_uid for a in received}),        # every caller
            lambda received, ae: _count_different(sent_twice.received, "CT01"),      # not what it is given
            lambda received, ae: sum(not a.duplicate for a in received if a.calling_ae == ae)]
    assert_verdicts(check, accepted=[_count_different, lambda r, ae: str(_count_different(r, ae))],
                    refused=lazy, unreadable=[3, "3", None])
    with pytest.raises(NotAttempted):
        check(lambda received, ae: ...)
    assert verdict(checks.instances_from(_FakeSCP([]), "CT01"), _count_different) == "not yet"
    with pytest.raises(NotAttempted):   # the placeholder, before anything was sent
        checks.instances_from(_FakeSCP([]), "CT01")(lambda received, ae: ...)


@pytest.fixture
def fresh_three(tmp_path):
    from workshop_helpers import net

    names = ("CT_small.dcm", "MR_small.dcm", "SC_rgb_jpeg_dcmtk.dcm")
    return net.teaching.fresh_copies([tools.testdata(n) for n in names], tmp_path / "fresh")


def test_07_stored_by_checks_what_the_scp_stored(tmp_path, fresh_three):
    from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit

    from workshop_helpers import net

    originals = [tools.testdata(n) for n in ("CT_small.dcm", "MR_small.dcm", "SC_rgb_jpeg_dcmtk.dcm")]
    before = net.StorageSCP(tmp_path / "before", transfer_syntaxes=[ExplicitVRLittleEndian, JPEGBaseline8Bit])
    with before:   # the right SCP, but it received them before the exercise began
        assert all(r.ok for r in net.send(fresh_three, "127.0.0.1", before.port, called_ae="WORKSHOP"))
    time.sleep(1.1)
    check = checks.stored_by(fresh_three)
    wider = net.StorageSCP(tmp_path / "wider", transfer_syntaxes=[ExplicitVRLittleEndian, JPEGBaseline8Bit])
    strict = net.StorageSCP(tmp_path / "strict", transfer_syntaxes=[ExplicitVRLittleEndian])
    earlier = net.StorageSCP(tmp_path / "earlier")
    with wider, strict, earlier:
        report = net.send(fresh_three, "127.0.0.1", wider.port, called_ae=wider.ae_title)
        assert [r.ok for r in report] == [True] * 3
        assert [r.ok for r in net.send(fresh_three, "127.0.0.1", strict.port, called_ae="WORKSHOP")] == [True, True, False]
        net.send(originals, "127.0.0.1", earlier.port, called_ae="WORKSHOP")   # the same files, other UIDs
    assert_verdicts(check, accepted=[wider], refused=[strict, earlier, before],
                    unreadable=[report, [net.SendResult("x", status=0)] * 3, None, str(wider.folder)])
    ok, message = check(strict)
    assert not ok and "JPEG" in message
    ok, message = check(before)
    assert not ok and "before this exercise" in message   # what it received came before the exercise
    next(iter(wider.received)).path.unlink()   # a file gone from disk is not stored
    assert verdict(check, wider) == "not yet"


def test_07_stored_by_wants_the_exercises_own_scp_listing_jpeg(tmp_path, fresh_three):
    """Sending to an SCP left at its default list (the notebook's WORKSHOP) is not the exercise."""
    from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit

    from workshop_helpers import net

    check = checks.stored_by(fresh_three, listing=[JPEGBaseline8Bit])
    any_scp = checks.stored_by(fresh_three)   # made before the sends: it wants newer arrivals
    everything = net.StorageSCP(tmp_path / "everything")
    own = net.StorageSCP(tmp_path / "own", transfer_syntaxes=[ExplicitVRLittleEndian, JPEGBaseline8Bit])
    with everything, own:
        for target in (everything, own):
            report = net.send(fresh_three, "127.0.0.1", target.port, called_ae="WORKSHOP")
            assert [r.ok for r in report] == [True] * 3
    assert_verdicts(check, accepted=[own], refused=[everything])
    ok, message = check(everything)
    assert not ok and "every transfer syntax but the deflated ones" in message
    assert any_scp(everything)[0]   # without listing=, any SCP that stored them


def test_07_stored_by_refuses_an_scp_that_never_ran(tmp_path, fresh_three):
    from workshop_helpers import net

    check = checks.stored_by(fresh_three)
    fake = net.StorageSCP(tmp_path / "fake")   # never started: its files copied in, its records by hand
    for path in fresh_three:
        ds = pydicom.dcmread(path)
        target = fake.path_for(ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
        fake.received.append(net.Arrival(time.time(), "CT01", ds.PatientID, ds.StudyInstanceUID,
                                         ds.SeriesInstanceUID, ds.SOPInstanceUID, ds.SOPClassUID,
                                         ds.file_meta.TransferSyntaxUID, target, target.stat().st_size, False))
        fake.count += 1
    with pytest.raises(AssertionError, match="never started"):
        check(fake)


def test_07_stored_by_says_an_scp_called_by_the_wrong_title_accepted_nothing(tmp_path, fresh_three):
    from pydicom.uid import ExplicitVRLittleEndian, JPEGBaseline8Bit

    from workshop_helpers import net

    check = checks.stored_by(fresh_three, listing=[JPEGBaseline8Bit])
    mine = net.StorageSCP(tmp_path / "mine", ae_title="MINE",
                          transfer_syntaxes=[ExplicitVRLittleEndian, JPEGBaseline8Bit])
    with mine:
        report = net.send(fresh_three, "127.0.0.1", mine.port, called_ae="WORKSHOP")
    assert not any(r.ok for r in report)
    with pytest.raises(AssertionError, match="accepted no association.*calling it by its AE title, MINE"):
        check(mine)
