"""workshop_helpers.net against the real peers: dcmtk's storescu, storescp and echoscu."""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import (
    NODELAY,
    dataset_bytes,
    dcmtk_storescp,
    free_port,
    make_ct,
    run_dcmtk,
    stored_files,
    write_cts,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from pydicom import dcmread
from pydicom.uid import (
    CTImageStorage,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGBaseline8Bit,
)

from workshop_helpers import net
from workshop_helpers.__main__ import main
from workshop_helpers.net import NetError, StorageSCP, echo, safe_path_part, send

# test_router.py imports these from here; they live in conftest.py.
__all__ = ["dataset_bytes", "dcmtk_storescp", "make_ct", "stored_files", "write_cts"]


@pytest.fixture
def scp(tmp_path):
    server = StorageSCP(tmp_path / "in", port=0, ae_title="WORKSHOP",
                        allowed_calling_aes=None)  # these tests call from many titles
    server.start()
    try:
        yield server
    finally:
        server.stop()


# ----------------------------------------------------------------------------- pure parts

@settings(max_examples=200, deadline=None)
@given(st.text(max_size=100))
def test_safe_path_part_never_escapes(value):
    part = safe_path_part(value)
    assert part and part not in (".", "..")
    assert "/" not in part and "\\" not in part and "\x00" not in part
    assert not part.startswith(".")
    assert len(part) <= 64
    assert part.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT1"}


def test_safe_path_part_keeps_uids_and_separates_changed_values():
    uid = "1.2.826.0.1.3680043.8.498.1"
    assert safe_path_part(uid) == uid
    assert safe_path_part("a/b") != safe_path_part("a_b")
    assert safe_path_part("CON").split(".")[0].upper() != "CON"


def test_status_text_ranges():
    assert net.status_text(0xA711).startswith("Refused: out of resources")
    assert net.status_text(0xC123).startswith("Error: cannot understand")


@pytest.mark.parametrize("service", net.status.SERVICES)
def test_every_status_word_agrees_with_pynetdicom(service):
    """Each code of the one table, and a code from each range, is in pynetdicom's table for the
    service (PS3.4) with the same category: Success, Warning, Pending, Cancel or Failure."""
    import pynetdicom.status as theirs

    table = {"echo": theirs.VERIFICATION_SERVICE_CLASS_STATUS,
             "store": theirs.STORAGE_SERVICE_CLASS_STATUS,
             "find": theirs.QR_FIND_SERVICE_CLASS_STATUS,
             "move": theirs.QR_MOVE_SERVICE_CLASS_STATUS,
             "get": theirs.QR_GET_SERVICE_CLASS_STATUS}[service]
    known = {**theirs.GENERAL_STATUS, **table}
    codes = {*net.status.GENERAL, *net.status.SPECIFIC[service],
             *(low + 0x11 for low, _, _ in net.status.RANGES[service])}
    ours = {hex(c): net.status.category(c, service) for c in codes}
    assert ours == {hex(c): known[c][0] for c in codes if c in known}   # every code is theirs too
    assert net.status.category(0x0999, service) == "Unknown"
    with pytest.raises(ValueError, match="service is one of"):
        net.status.status_text(0, "print")


# ----------------------------------------------------------------------------- our SCU -> our SCP

def test_send_and_receive_byte_faithful(scp, tmp_path):
    files = write_cts(tmp_path / "out", 5)
    report = send(files, "127.0.0.1", scp.port, called_ae="WORKSHOP")
    assert [r.ok for r in report] == [True] * 5, [str(r) for r in report]
    assert scp.wait_for(5)
    for f in files:
        ds = dcmread(f)
        target = scp.path_for(ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID,
                              ds.SOPInstanceUID)
        assert target.parent.parent.parent.parent == scp.folder
        assert dataset_bytes(target) == dataset_bytes(f)
        assert dcmread(target).file_meta.SourceApplicationEntityTitle == "WORKSHOP-SCU"
    assert not list((scp.folder / ".incoming").iterdir())


def test_stored_file_names_sender_and_receiver_in_file_meta(scp, tmp_path):
    """PS3.10 7.1: Sending AE Title (0002,0017) is the caller, Receiving (0002,0018) the SCP."""
    files = write_cts(tmp_path / "out", 1)
    [result] = send(files, "127.0.0.1", scp.port, called_ae="WORKSHOP", calling_ae="CT01")
    assert result.ok, str(result)
    meta = dcmread(scp.received[-1].path).file_meta
    assert meta.SourceApplicationEntityTitle == "CT01"   # dcmtk's storescp convention
    assert meta.SendingApplicationEntityTitle == "CT01"
    assert meta.ReceivingApplicationEntityTitle == "WORKSHOP"


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")
def test_on_result_hears_each_instance_once_as_its_answer_comes(scp, tmp_path):
    """The callback gets each result once, the moment it is settled: a file that is not DICOM
    first, then each instance in the order of the answers, including one the SCP refuses
    (0xC000), and before the next instance is sent (what is stored counts the answers so far)."""
    good = write_cts(tmp_path / "out", 2)
    refused = make_ct(sop="1.2.3\x00/../x", n=7)        # not a UID: the SCP answers 0xC000
    not_dicom = tmp_path / "notes.txt"
    not_dicom.write_text("not DICOM")
    heard = []

    def on_result(index, result):
        heard.append((index, result, result.status, len(stored_files(scp.folder))))

    report = send([good[0], refused, not_dicom, good[1]], port=scp.port, called_ae="WORKSHOP",
                  on_result=on_result)
    assert [(k, status, stored) for k, _, status, stored in heard] == [
        (2, None, 0), (0, 0x0000, 1), (1, 0xC000, 1), (3, 0x0000, 2)], [str(r) for r in report]
    assert all(report[k] is result for k, result, *_ in heard)   # the very results returned


def test_an_on_result_that_raises_stops_the_sending(scp, tmp_path):
    files = write_cts(tmp_path / "out", 3)

    def on_result(index, result):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        send(files, port=scp.port, called_ae="WORKSHOP", on_result=on_result)
    assert scp.wait_for(1) and scp.count == 1   # the first was answered, nothing more sent

def test_send_a_folder_reports_what_is_not_dicom(scp, tmp_path):
    files = write_cts(tmp_path / "out", 2)
    (tmp_path / "out" / "a_notes.txt").write_text("not DICOM")
    (tmp_path / "out" / "sub").mkdir()
    write_cts(tmp_path / "out" / "sub", 1)  # below the folder: not sent
    report = send(tmp_path / "out", port=scp.port, called_ae="WORKSHOP")
    assert [r.item for r in report] == [str(tmp_path / "out" / "a_notes.txt"), *map(str, files)]
    assert [r.ok for r in report] == [False, True, True] and report[0].permanent
    assert report[0].reason.startswith("not sent: not a DICOM file (only 9 bytes")
    assert scp.wait_for(2) and len(stored_files(scp.folder)) == 2
    assert len(net.proposed_contexts(tmp_path / "out")) == 2  # CT: explicit and implicit VR


def test_stored_file_is_valid(scp, tmp_path, dciodvfy):
    files = write_cts(tmp_path / "out", 1)
    assert send(files, port=scp.port, called_ae="WORKSHOP")[0].ok
    result = dciodvfy(stored_files(scp.folder)[0])
    meta_errors = [e for e in result.errors if "Meta" in e or "meta" in e]
    assert not meta_errors, result


def test_send_datasets_and_duplicates_counted(scp):
    ds = make_ct(n=7)
    assert send([ds, ds], port=scp.port, called_ae="WORKSHOP", progress=False)[1].ok
    assert scp.wait_for(2)
    assert scp.duplicates == 1
    assert len(stored_files(scp.folder)) == 1


def test_duplicate_keep_policy(tmp_path):
    first, second = make_ct(n=1), make_ct(n=1)
    second.PatientName = "CHANGED^NAME"
    with StorageSCP(tmp_path / "in", on_duplicate="keep") as keep:
        assert all(r.ok for r in send([first, second], port=keep.port, called_ae="WORKSHOP"))
        assert keep.duplicates == 1
        assert dcmread(stored_files(keep.folder)[0]).PatientName == "NET^TEST"


def test_readable_failures(scp, tmp_path):
    wrong = send(make_ct(), port=scp.port, called_ae="SOMEONE-ELSE")
    assert wrong[0].reason.startswith(f"association rejected by 127.0.0.1:{scp.port}: called AE "
                                      "title not recognised (permanent)")
    assert "'SOMEONE-ELSE' is not its AE title" in wrong[0].reason
    assert not wrong[0].ok and wrong[0].permanent
    with StorageSCP(tmp_path / "b") as other:
        pass  # started and stopped: nobody listens on its port now
    closed = send(make_ct(), port=other.port, called_ae="WORKSHOP")
    assert closed[0].reason == f"connection refused at 127.0.0.1:{other.port} (is the SCP running?)"
    assert send(tmp_path / "nope.dcm", port=scp.port)[0].reason == "not sent: no such file"
    (tmp_path / "notes.txt").write_text("not DICOM")
    text = send(tmp_path / "notes.txt", port=scp.port)[0]
    assert text.reason.startswith("not sent: not a DICOM file") and text.permanent
    assert "force" not in text.reason  # pydicom's advice is for programmers, not for this report


def test_no_context_for_jpeg_at_dcmtk_storescp(dcmtk, tmp_path):
    """dcmtk's storescp (default options) accepts only uncompressed syntaxes."""
    jpeg = make_ct(n=3)
    jpeg.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    with dcmtk_storescp(dcmtk, tmp_path / "dcmtk") as port:
        report = send([jpeg, make_ct(n=4)], port=port, called_ae="STORESCP")
    assert report[0].reason == (f"no presentation context accepted by 127.0.0.1:{port} for CT "
                                "Image Storage with JPEG Baseline (Process 1)")
    assert report[0].permanent
    assert report[1].ok


def test_calling_ae_allow_list(tmp_path):
    with StorageSCP(tmp_path / "in", allowed_calling_aes=["MODALITY"]) as scp:
        assert not send(make_ct(), port=scp.port, called_ae="WORKSHOP")[0].ok
        assert "calling AE title" in send(make_ct(), port=scp.port, called_ae="WORKSHOP")[0].reason
        assert send(make_ct(), port=scp.port, called_ae="WORKSHOP", calling_ae="MODALITY")[0].ok


def test_on_failure_hears_each_refusal_as_it_happens(tmp_path):
    heard: list[str] = []
    with StorageSCP(tmp_path / "in", on_failure=heard.append) as scp:
        assert not send(make_ct(), port=scp.port, called_ae="SOMEONE-ELSE")[0].ok
        assert heard == list(scp.failures)  # told before the peer heard the rejection
    assert len(heard) == 1
    assert "association rejected by us (called AE title not recognised" in heard[0], heard


def test_an_on_failure_that_raises_stops_nothing(tmp_path):
    def broken(text: str) -> None:
        raise RuntimeError("a broken hook")

    with StorageSCP(tmp_path / "in", on_failure=broken) as scp:
        refused = send(make_ct(), port=scp.port, called_ae="SOMEONE-ELSE")
        stored = send(make_ct(), port=scp.port, called_ae="WORKSHOP")
    assert refused[0].permanent and stored[0].ok
    assert scp.count == 1
    assert list(scp.failures)[-1] == "on_failure raised RuntimeError: a broken hook"


def test_stop_frees_port(tmp_path):
    scp = StorageSCP(tmp_path / "in").start()
    port = scp.port
    scp.stop()
    scp.stop()
    with socket.socket() as s:  # the port can be bound again at once
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
    again = StorageSCP(tmp_path / "in", port=port).start()
    try:
        assert echo(port=port, called_ae="WORKSHOP").ok
    finally:
        again.stop()


# ----------------------------------------------------------------------------- crafted input

CRAFTED = [
    ("..\\..\\win", "../../../tmp", "/etc/passwd", "../../escape"),
    ("/abs/path", "1.2.3\x00/../x", "..", "."),
    ("A" * 80, "1." + "9" * 90, "CON", "nul.txt"),
    ("", " ", "a/b/c", "../" * 10),
]


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI", "ignore:The value length")
def test_crafted_ids_never_escape(scp, tmp_path):
    datasets = [make_ct(patient_id=pid, study=study, series=series, n=n)
                for n, (pid, study, series, _) in enumerate(CRAFTED)]
    report = send(datasets, port=scp.port, called_ae="WORKSHOP")
    assert all(r.ok for r in report), [str(r) for r in report]
    assert scp.wait_for(len(CRAFTED))
    everything = [p for p in tmp_path.rglob("*") if p.is_file()]
    stored = stored_files(scp.folder)
    assert len(stored) == len(CRAFTED)
    assert set(everything) == set(stored)  # nothing anywhere else below tmp_path
    for p in stored:
        rel = p.relative_to(scp.folder)
        assert len(rel.parts) == 4 and len(str(rel)) < 200
        for part in rel.parts:
            assert part not in ("", ".", "..") and len(part) <= 64 + 4
            assert "\x00" not in part and part[0] not in ".-"


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI", "ignore:The value length")
def test_crafted_sop_instance_uids_are_refused(scp, tmp_path):
    datasets = [make_ct(sop=sop, n=n) for n, (*_, sop) in enumerate(CRAFTED)]
    report = send(datasets, port=scp.port, called_ae="WORKSHOP")
    assert [r.status for r in report] == [0xC000] * len(CRAFTED), [str(r) for r in report]
    assert all("not a UID" in r.reason and r.permanent for r in report)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    assert scp.count == 0 and len(scp.failures) == len(CRAFTED)


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI", "ignore:The value length")
def test_crafted_ids_from_dcmtk_storescu(scp, tmp_path, dcmtk):
    ds = make_ct(patient_id="../../../../tmp/evil", study="../x", n=11)
    path = tmp_path / "evil.dcm"
    ds.save_as(path, enforce_file_format=True)
    out = run_dcmtk(dcmtk, "storescu", "-aec", "WORKSHOP", "127.0.0.1", scp.port, path)
    assert out.returncode == 0, out.stderr
    assert scp.wait_for(1)
    assert all(scp.folder in p.parents for p in tmp_path.rglob("*.dcm") if p != path)
    assert not Path("/tmp/evil").exists()


# ----------------------------------------------------------------------------- robustness

def _associate_rq(called: str, calling: str = "RAW") -> bytes:
    """A minimal A-ASSOCIATE-RQ for CT Image Storage / Explicit VR Little Endian (PS3.8 9.3.2)."""
    def item(kind: int, value: bytes) -> bytes:
        return struct.pack(">BBH", kind, 0, len(value)) + value

    app = item(0x10, b"1.2.840.10008.3.1.1.1")
    pc = item(0x20, bytes([1, 0, 0, 0]) + item(0x30, CTImageStorage.encode())
              + item(0x40, ExplicitVRLittleEndian.encode()))
    user = item(0x50, item(0x51, struct.pack(">I", 16384)) + item(0x52, b"1.2.3.4"))
    body = (struct.pack(">HH", 1, 0) + called.ljust(16).encode() + calling.ljust(16).encode()
            + b"\x00" * 32 + app + pc + user)
    return struct.pack(">BBI", 1, 0, len(body)) + body


def test_aborted_association_leaves_no_partial_file(scp):
    with socket.create_connection(("127.0.0.1", scp.port), timeout=5) as s:
        s.sendall(_associate_rq("WORKSHOP"))
        assert s.recv(1)[0] == 0x02  # A-ASSOCIATE-AC
        s.recv(65536)
        # half of a P-DATA-TF: the PDU promises 100,000 bytes, we send 1,000 and hang up
        s.sendall(struct.pack(">BBI", 4, 0, 100_000) + b"\x00" * 1000)
    time.sleep(0.3)
    assert stored_files(scp.folder) == []
    assert [p for p in scp.folder.rglob("*") if p.is_file()] == []
    assert echo(port=scp.port, called_ae="WORKSHOP").ok


def test_garbage_does_not_stop_the_server(scp):
    rng = np.random.default_rng(5)
    for n in range(5):
        with socket.create_connection(("127.0.0.1", scp.port), timeout=5) as s:
            s.sendall(rng.integers(0, 256, 2000 * (n + 1), dtype=np.uint8).tobytes())
    with socket.create_connection(("127.0.0.1", scp.port), timeout=5):
        pass  # connect and drop at once
    assert echo(port=scp.port, called_ae="WORKSHOP").ok
    assert send(make_ct(), port=scp.port, called_ae="WORKSHOP")[0].ok


# ----------------------------------------------------------------------------- dcmtk peers

def test_echoscu_to_our_scp(scp, dcmtk):
    out = run_dcmtk(dcmtk, "echoscu", "-aec", "WORKSHOP", "127.0.0.1", scp.port, timeout=30)
    assert out.returncode == 0, out.stderr
    bad = run_dcmtk(dcmtk, "echoscu", "-aec", "NOBODY", "127.0.0.1", scp.port, timeout=30)
    assert bad.returncode != 0


def test_dcmtk_storescu_to_our_scp(scp, dcmtk, tmp_path):
    files = write_cts(tmp_path / "out", 10)
    out = run_dcmtk(dcmtk, "storescu", "-aec", "WORKSHOP", "127.0.0.1", scp.port, *files)
    assert out.returncode == 0, out.stderr
    assert scp.wait_for(10)
    got = {dcmread(p, stop_before_pixels=True).SOPInstanceUID: p
           for p in stored_files(scp.folder)}
    for f in files:
        assert dataset_bytes(got[dcmread(f).SOPInstanceUID]) == dataset_bytes(f)
    assert {a.calling_ae for a in scp.received} == {"STORESCU"}


def test_our_scu_to_dcmtk_storescp(dcmtk, tmp_path):
    files = write_cts(tmp_path / "out", 10)
    with dcmtk_storescp(dcmtk, tmp_path / "dcmtk") as port:
        report = send(files, port=port, called_ae="STORESCP")
        assert all(r.ok for r in report), [str(r) for r in report]
    received = sorted((tmp_path / "dcmtk").glob("CT.*"))
    assert len(received) == 10
    by_uid = {dcmread(p).SOPInstanceUID: p for p in received}
    for f in files:
        assert dataset_bytes(by_uid[dcmread(f).SOPInstanceUID]) == dataset_bytes(f)


def test_eight_senders_thousand_instances(scp, dcmtk, tmp_path):
    """8 simultaneous senders (4 dcmtk storescu, 4 of ours), 1,000 instances: nothing lost."""
    per = 125
    folders = [write_cts(tmp_path / f"s{k}", per, seed=100 + k, size=16) for k in range(8)]
    results: dict[int, object] = {}

    def ours(k):
        results[k] = send(folders[k], port=scp.port, called_ae="WORKSHOP", progress=False,
                          calling_ae=f"SENDER{k}")

    threads = [threading.Thread(target=ours, args=(k,)) for k in range(4)]
    procs = [subprocess.Popen([dcmtk("storescu"), "-aet", f"DCMTK{k}", "-aec", "WORKSHOP",
                               "127.0.0.1", str(scp.port), *map(str, folders[k])],
                              env=NODELAY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for k in range(4, 8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for p in procs:
        assert p.wait(120) == 0, p.stderr.read()
    for k in range(4):
        assert all(r.ok for r in results[k]), [str(r) for r in results[k] if not r.ok][:3]
    assert scp.wait_for(1000, timeout=30)
    stored = {p.stem: p for p in stored_files(scp.folder)}
    assert len(stored) == 1000 and len(scp.received) == 1000 and scp.duplicates == 0
    for files in folders:
        for f in files:
            uid = dcmread(f, stop_before_pixels=True).SOPInstanceUID
            assert dataset_bytes(stored[uid]) == dataset_bytes(f)
    assert len({a.calling_ae for a in scp.received}) == 8


# ----------------------------------------------------------------------------- CLI

def test_cli_echoscu_and_storescu(scp, tmp_path, capsys):
    assert main(["echoscu", "127.0.0.1", str(scp.port), "-aec", "WORKSHOP"]) == 0
    files = write_cts(tmp_path / "cli", 3)
    (tmp_path / "cli" / "notes.txt").write_text("not DICOM")
    assert main(["storescu", "127.0.0.1", str(scp.port), "-aec", "WORKSHOP",
                 str(tmp_path / "cli")]) == 0
    out = capsys.readouterr()
    assert "3 of 3 stored" in out.out
    assert out.err.startswith(f"W: {tmp_path / 'cli'}: skipped 1 file(s) that are not DICOM: "
                              "notes.txt (") and out.err.count("\n") == 1
    (tmp_path / "empty").mkdir()
    assert main(["storescu", "127.0.0.1", str(scp.port), str(tmp_path / "empty")]) == 2
    assert capsys.readouterr().err == f"storescu: no DICOM files in {tmp_path / 'empty'}\n"
    assert main(["echoscu", "127.0.0.1", str(scp.port), "-aec", "WRONG"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("echoscu: ") and err.count("\n") == 1 and "WRONG" in err
    assert len(files) == 3


def test_cli_storescu_to_nobody_fails_on_stderr(tmp_path, capsys):
    files = write_cts(tmp_path / "cli", 2)
    assert main(["storescu", "127.0.0.1", str(free_port()), "-to", "5", *map(str, files)]) == 1
    out = capsys.readouterr()
    assert out.err == "storescu: 0 of 2 stored\n" and "Traceback" not in out.out


def test_cli_storescp_on_a_taken_port_fails_in_one_line(scp, tmp_path, capsys):
    assert main(["storescp", str(scp.port), "-od", str(tmp_path / "od")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("storescp: cannot listen") and err.count("\n") == 1


def test_cli_storescp_receives_from_dcmtk(dcmtk, tmp_path, capsys):
    port = free_port()
    codes = []
    command = ["storescp", str(port), "-aet", "CLI", "-od", str(tmp_path / "od"),
               "--exit-after", "6", "-v"]
    server = threading.Thread(target=lambda: codes.append(main(command)))
    server.start()
    try:
        end = time.monotonic() + 30
        while not echo(port=port, called_ae="CLI", timeout=2).ok:
            assert server.is_alive() and time.monotonic() < end, "storescp did not start"
            time.sleep(0.1)
        out = run_dcmtk(dcmtk, "storescu", "-aec", "CLI", "127.0.0.1", port,
                        *write_cts(tmp_path / "x", 2))
        assert out.returncode == 0, out.stderr
    finally:
        server.join(60)
    assert codes == [0] and len(stored_files(tmp_path / "od")) == 2
    printed = capsys.readouterr().out
    assert "listening" in printed and printed.count("I: received") == 2


def test_scp_with_few_transfer_syntaxes_refuses_jpeg(tmp_path):
    jpeg = make_ct(n=21)
    jpeg.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    with StorageSCP(tmp_path / "in", transfer_syntaxes=[ExplicitVRLittleEndian]) as scp:
        report = send([jpeg, make_ct(n=22)], port=scp.port, called_ae="WORKSHOP")
    assert report[0].reason.startswith(f"no presentation context accepted by 127.0.0.1:{scp.port} "
                                       "for CT Image Storage")
    assert report[1].ok and len(scp.received) == 1


def test_proposed_contexts_and_table(tmp_path):
    files = write_cts(tmp_path / "x", 2)
    jpeg = make_ct(n=30)
    jpeg.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    assert net.proposed_contexts([*files, jpeg]) == [(CTImageStorage, ExplicitVRLittleEndian),
                                                     (CTImageStorage, ImplicitVRLittleEndian),
                                                     (CTImageStorage, JPEGBaseline8Bit)]
    text = net.table_text([{"a": 1, "b": "xy"}, {"a": 22}])
    assert text.splitlines() == ["a   b", "--  --", "1   xy", "22"]


def test_file_header_matches_pydicom(tmp_path):
    from pydicom.filereader import read_file_meta_info

    p = tmp_path / "h.dcm"
    p.write_bytes(net.file_header(CTImageStorage, "1.2.3.44", ExplicitVRLittleEndian, "AET"))
    meta = read_file_meta_info(p)
    assert meta.MediaStorageSOPClassUID == CTImageStorage
    assert meta.MediaStorageSOPInstanceUID == "1.2.3.44"
    assert meta.SourceApplicationEntityTitle == "AET"
    assert meta.FileMetaInformationGroupLength == len(p.read_bytes()) - 144


def test_file_header_is_byte_for_byte_what_pydicom_writes():
    from pydicom.dataset import FileMetaDataset
    from pydicom.filebase import DicomBytesIO
    from pydicom.filewriter import write_file_meta_info
    from pydicom.uid import PYDICOM_IMPLEMENTATION_UID

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = CTImageStorage, "1.2.3.44"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    meta.ImplementationVersionName = net.pdu.IMPLEMENTATION_VERSION
    meta.SourceApplicationEntityTitle = meta.SendingApplicationEntityTitle = "CT01"
    meta.ReceivingApplicationEntityTitle = "PACS"
    theirs = DicomBytesIO()
    theirs.write(b"\x00" * 128 + b"DICM")
    write_file_meta_info(theirs, meta, enforce_standard=True)
    assert net.file_header(CTImageStorage, "1.2.3.44", ExplicitVRLittleEndian, "CT01",
                           sending_ae="CT01", receiving_ae="PACS") == theirs.getvalue()


def test_ct_sized_images_both_ways_with_dcmtk(scp, dcmtk, tmp_path):
    """512 x 512 16-bit images: many P-DATA fragments (dcmtk's storescp takes 16 KiB PDUs)."""
    files = write_cts(tmp_path / "big", 3, seed=50, size=512)
    with dcmtk_storescp(dcmtk, tmp_path / "dcmtk") as port:
        assert all(r.ok for r in send(files, port=port, called_ae="STORESCP"))
    by_uid = {dcmread(p, stop_before_pixels=True).SOPInstanceUID: p
              for p in (tmp_path / "dcmtk").glob("CT.*")}
    out = run_dcmtk(dcmtk, "storescu", "-aec", "WORKSHOP", "127.0.0.1", scp.port, *files)
    assert out.returncode == 0, out.stderr
    assert scp.wait_for(3)
    for f in files:
        ds = dcmread(f, stop_before_pixels=True)
        ours = scp.path_for(ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID,
                            ds.SOPInstanceUID)
        assert dataset_bytes(by_uid[ds.SOPInstanceUID]) == dataset_bytes(f) == dataset_bytes(ours)


# ----------------------------------------------------------------------------- the transport's parts

def test_associate_rq_round_trip_with_pynetdicom():
    """Our A-ASSOCIATE-RQ reads the same in pynetdicom's decoder, and theirs in ours."""
    from pynetdicom.pdu import A_ASSOCIATE_RQ

    from workshop_helpers.net import pdu

    req = pdu.AssociateRequest("CALLED", "CALLING", {1: (CTImageStorage, [ExplicitVRLittleEndian,
                                                                          ImplicitVRLittleEndian]),
                                                     3: ("1.2.840.10008.1.1", ["1.2.840.10008.1.2"])},
                               32768)
    raw = pdu.encode_associate_rq(req)
    theirs = A_ASSOCIATE_RQ()
    theirs.decode(raw)
    assert theirs.called_ae_title == "CALLED" and theirs.calling_ae_title == "CALLING"
    assert {cx.context_id: (cx.abstract_syntax, cx.transfer_syntax)
            for cx in theirs.presentation_context} == {
        1: (CTImageStorage, [ExplicitVRLittleEndian, ImplicitVRLittleEndian]),
        3: ("1.2.840.10008.1.1", ["1.2.840.10008.1.2"])}
    ours = pdu.decode_associate_rq(theirs.encode()[6:])
    assert (ours.called_ae, ours.calling_ae, ours.contexts, ours.max_pdu) == (
        "CALLED", "CALLING", req.contexts, 32768)


def test_associate_ac_read_by_pynetdicom():
    from pynetdicom.pdu import A_ASSOCIATE_AC

    from workshop_helpers.net import pdu

    req = pdu.AssociateRequest("SCP", "SCU", {1: (CTImageStorage, [JPEGBaseline8Bit])})
    raw = pdu.encode_associate_ac(req, {1: (4, JPEGBaseline8Bit)}, 65536)
    theirs = A_ASSOCIATE_AC()
    theirs.decode(raw)
    assert [(cx.context_id, cx.result) for cx in theirs.presentation_context] == [(1, 4)]
    assert pdu.decode_associate_ac(raw[6:]).contexts == {1: (4, JPEGBaseline8Bit)}
    assert pdu.decode_associate_ac(raw[6:]).max_pdu == 65536


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_association_decoders_refuse_garbage_readably(body):
    from workshop_helpers.net import pdu

    for decode in (pdu.decode_associate_rq, pdu.decode_associate_ac):
        try:
            decode(body)
        except pdu.ProtocolError as exc:
            assert str(exc)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.text(max_size=80))
def test_safe_path_part_is_one_to_one(a, b):
    if a.strip(" \x00") != b.strip(" \x00"):
        assert safe_path_part(a) != safe_path_part(b)
        assert safe_path_part(a, max_length=40) != safe_path_part(b, max_length=40)


def test_safe_path_part_cannot_be_forged():
    """A value that looks like the cleaned form of another still gets its own name."""
    changed = safe_path_part("a/b")
    assert changed != "a_b" and "~" in changed
    assert safe_path_part(changed) != changed  # '~' is never kept: the lookalike is changed too
    assert safe_path_part("-rf")[0] != "-"


def test_link_refuses_a_long_pdu_before_reading_it():
    """A P-DATA-TF announcing 4 GiB is refused from its 6-byte header alone."""
    from workshop_helpers.net import pdu

    a, b = socket.socketpair()
    with a, b:
        link = pdu.Link(b, "peer", max_pdu=16384)
        a.sendall(struct.pack(">BBI", 4, 0, 0xFFFFFFFF))
        with pytest.raises(pdu.ProtocolError, match="4,294,967,295 bytes") as info:
            link.read_header(2)
        assert info.value.abort_reason == 6
        a.sendall(struct.pack(">BBI", 1, 0, 10_000_000))
        with pytest.raises(pdu.ProtocolError, match="A-ASSOCIATE-RQ"):
            link.read_header(2)


def test_timeouts_have_dcmtk_names_on_the_command_line(capsys):

    with pytest.raises(SystemExit):
        main(["storescu", "--help"])
    text = capsys.readouterr().out
    for flag in ("-to", "-ta", "-td", "-ts"):
        assert f"{flag} S" in text


def test_doorman_evicts_the_oldest_and_closes_the_silent():
    """Three silent connections, two places: the first is closed; the rest go at the deadline."""
    import queue

    from workshop_helpers.net.doorman import Doorman

    heard = queue.Queue()
    door = Doorman("127.0.0.1", 0, lambda guest: heard.put(guest.sock.recv(2)), wait=1.5,
                   per_address=2).start()
    try:
        silent = [socket.create_connection(("127.0.0.1", door.port), timeout=10) for _ in range(3)]
        assert silent[0].recv(1) == b""  # pushed out by the third
        with socket.create_connection(("127.0.0.1", door.port), timeout=10) as talker:
            talker.sendall(b"hi")
            assert heard.get(timeout=10) == b"hi"
        assert [s.recv(1) for s in silent[1:]] == [b"", b""]  # pushed out, or at the deadline
        assert door.waiting() == 0
    finally:
        door.stop()
        for s in silent:
            s.close()


def _explicit_test_files():
    import pydicom.data
    from pydicom.filereader import read_file_meta_info

    out = []
    for name in sorted((Path(pydicom.data.__file__).parent / "test_files").glob("*.dcm")):
        try:
            if read_file_meta_info(name).get("TransferSyntaxUID") == ExplicitVRLittleEndian:
                out.append(name)
        except Exception:
            continue
    return out


@pytest.mark.filterwarnings("ignore")
def test_transcode_to_implicit_keeps_every_element():
    """pydicom's Explicit VR test files, re-encoded on the fly, read back element for element."""
    import io

    from pydicom.filereader import read_dataset
    from pynetdicom.dsutils import split_dataset

    from workshop_helpers.net.transcode import TranscodeError, transcode

    done = 0
    for name in _explicit_test_files():
        meta, offset = split_dataset(name)
        size = Path(name).stat().st_size - offset
        with open(name, "rb") as f:
            f.seek(offset)
            try:
                implicit = b"".join(transcode(f, size, implicit=True))
            except TranscodeError as exc:
                assert "undefined length" in str(exc) or "ends in the middle" in str(exc), name
                continue
        original = dcmread(name, force=True)
        again = read_dataset(io.BytesIO(implicit), True, True)
        assert len(implicit) % 2 == 0
        def elements(ds):
            """Tags and values; without what implicit VR cannot carry: the VR ("OB or OW"
            is left to pydicom), so private values stay bytes, and empty values vary in type."""
            return [(e.tag, None if e.VR == "SQ" or e.is_empty or e.tag.is_private else e.value)
                    for e in ds.iterall()]

        assert elements(again) == elements(original), name
        done += 1
    assert done >= 10


def test_transcode_pads_odd_values_in_explicit_vr():
    import io

    from pydicom.filereader import read_dataset

    from workshop_helpers.net.transcode import transcode

    raw = (struct.pack("<HH2sH", 0x0010, 0x0010, b"PN", 5) + b"A^BCD"
           + struct.pack("<HH2s2xI", 0x7FE1, 0x1010, b"OB", 3) + b"\x01\x02\x03")
    out = b"".join(transcode(io.BytesIO(raw), len(raw), implicit=False))
    ds = read_dataset(io.BytesIO(out), False, True)
    assert len(out) == len(raw) + 2
    assert ds[0x00100010].value == "A^BCD" and ds[0x7FE11010].value == b"\x01\x02\x03\x00"


def test_a_tiny_maximum_pdu_is_refused_not_looped_on(scp):
    """A peer announcing a 10-byte maximum PDU gets an A-ABORT, and our server goes on."""
    from workshop_helpers.net import pdu

    req = pdu.AssociateRequest("WORKSHOP", "TINY", {1: (CTImageStorage, [ExplicitVRLittleEndian])},
                               max_pdu=10)
    with socket.create_connection(("127.0.0.1", scp.port), timeout=10) as s:
        s.sendall(pdu.encode_associate_rq(req))
        answer = s.recv(64)
    assert answer[:1] == b"\x07" and answer[-1] == 6  # A-ABORT, invalid PDU parameter value
    assert any("maximum PDU length of 10 bytes" in text for text in scp.failures)
    assert echo(port=scp.port, called_ae="WORKSHOP").ok


def test_a_request_we_do_not_serve_gets_its_own_kind_of_answer(scp):
    """A C-FIND on a storage context: Unrecognised Operation in a C-FIND-RSP, not a C-STORE-RSP."""
    from workshop_helpers.net import pdu

    find = pdu._command([(0x0002, pdu.padded(CTImageStorage)), (0x0100, struct.pack("<H", 0x0020)),
                         (0x0110, struct.pack("<H", 5)), (0x0700, struct.pack("<H", 0)),
                         (0x0800, struct.pack("<H", 0x0001))])
    with socket.create_connection(("127.0.0.1", scp.port), timeout=10) as s:
        s.sendall(_associate_rq("WORKSHOP"))
        link = pdu.Link(s, "scp", 65536)
        kind, length = link.read_header(10)
        link.read_exact(length)
        assert kind == 0x02
        link.send(*pdu.p_data_pdus(1, find, True, 16384))
        link.send(*pdu.p_data_pdus(1, b"\x08\x00\x52\x00\x06\x00\x00\x00STUDY ", False, 16384))
        _, rsp, _ = link.read_message(10)
    assert (int(rsp.CommandField), rsp.MessageIDBeingRespondedTo, int(rsp.Status)) == (
        0x8020, 5, 0x0211)
    assert echo(port=scp.port, called_ae="WORKSHOP").ok


_OWN_ADDRESS_SCRIPT = r"""
import json, subprocess, sys, tempfile
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
subprocess.run(["ip", "addr", "add", "10.9.9.9/32", "dev", "lo"], check=True)
from workshop_helpers.net import StorageSCP, echo
with tempfile.TemporaryDirectory() as d, StorageSCP(d, ae_title="PACS", bind="10.9.9.9") as scp:
    theirs = subprocess.run([sys.argv[1], "-aet", "CT01", "-aec", "PACS", "10.9.9.9", str(scp.port)],
                            user=65534, group=65534, extra_groups=[], cwd="/", capture_output=True)
    ours = echo("10.9.9.9", scp.port, called_ae="PACS", calling_ae="CT01").ok
    print(json.dumps({"theirs": theirs.returncode, "ours": ours, "failures": list(scp.failures)}))
"""


def test_another_user_is_refused_on_this_machines_own_address_too(dcmtk):
    """An SCP listening on an address of this machine (``bind``, not 127.0.0.1): another Unix
    user's program on the same machine connects from that address, not from loopback, and must
    be refused as on 127.0.0.1. In a network namespace of its own, whose only interface is lo."""
    unshare = shutil.which("unshare")
    if os.geteuid() != 0 or unshare is None or shutil.which("ip") is None:
        pytest.skip("needs root, unshare and ip (a network namespace, acting as nobody)")
    done = subprocess.run([unshare, "-n", sys.executable, "-c", _OWN_ADDRESS_SCRIPT,
                           dcmtk("echoscu")], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["ours"] and got["theirs"] != 0
    assert any("only programs of the same Unix user" in text for text in got["failures"])


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="Unix owners and modes")
def test_the_scp_refuses_to_store_in_a_folder_others_may_write_in(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    with pytest.raises(NetError, match="may be written by others"):
        StorageSCP(shared).start()
    assert not (shared / ".incoming").exists()
