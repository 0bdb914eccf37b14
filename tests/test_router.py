"""The router with real peers: dcmtk's storescp and our StorageSCP as destinations.

The tests below the first four guard what a simple router gets wrong: a queue only in memory
(lost in a crash), one thread for all destinations (one slow peer stalls the rest), no dead
letters (a refusal retried forever), re-sends ignored, history kept forever.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import (
    NODELAY,
    dataset_bytes,
    dcmtk_storescp,
    make_ct,
    stored_files,
    wait_for,
    write_cts,
)
from pydicom import dcmread
from pydicom.encaps import encapsulate
from pydicom.uid import JPEGBaseline8Bit

from workshop_helpers import tools
from workshop_helpers.net import StorageSCP, echo, free_port, send
from workshop_helpers.router import Destination, Router, Series, folder_name


def uid_of(path: Path) -> str:
    return dcmread(path, stop_before_pixels=True).SOPInstanceUID


def by_uid(files) -> dict[str, Path]:
    return {uid_of(p): p for p in files}


def tickets(folder: Path, kind: str) -> list[Path]:
    """The router's tickets of one kind (inbox, outbox, dead) below its folder."""
    return sorted((folder / ".router" / kind).rglob("*.json"))


def start_storescp(dcmtk, folder: Path, ae_title: str, args=()) -> tuple[subprocess.Popen, int]:
    """dcmtk's storescp answering C-ECHO, or an exited process (its port was taken meanwhile)."""
    port = free_port()
    proc = subprocess.Popen([dcmtk("storescp"), "-aet", ae_title, "-od", str(folder), *args,
                             str(port)], env=NODELAY,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: proc.poll() is not None
             or echo("127.0.0.1", port, called_ae=ae_title, timeout=2).ok, 20)
    return proc, port


@contextlib.contextmanager
def own_storescp(dcmtk, folder: Path, ae_title: str = "STORESCP", args=()):
    """dcmtk's storescp as a process we hold (to SIGSTOP it); yields ``(process, port)``."""
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(5):  # another process may take the free port before storescp binds it
        proc, port = start_storescp(dcmtk, folder, ae_title, args)
        if proc.poll() is None:
            break
    try:
        assert proc.poll() is None, "storescp did not start"
        yield proc, port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGCONT)
        tools.stop_process(proc)


# --------------------------------------------------------------------------- what it always did

def test_forward_to_dcmtk_storescp_and_call_function(dcmtk, tmp_path):
    files = write_cts(tmp_path / "modality", 6, seed=3)
    seen: list[Series] = []
    with dcmtk_storescp(dcmtk, tmp_path / "pacs") as port:
        dest = Destination("127.0.0.1", port, "STORESCP")
        with Router(tmp_path / "router", destinations=[dest], on_series=seen.append,
                    quiet_seconds=0.3) as router:
            assert all(r.ok for r in send(files, port=router.port, called_ae="ROUTER"))
            assert router.wait_until_idle(30), router.status()
            row = router.status()[0]
    assert row["instances"] == 6 and row[dest.name] == "sent 6/6" and row["state"] == "done"
    assert len(seen) == 1 and seen[0].count == 6
    got = by_uid((tmp_path / "pacs").glob("CT.*"))
    assert len(got) == 6
    for f in files:
        assert dataset_bytes(got[uid_of(f)]) == dataset_bytes(f)


def test_destination_down_at_first_then_up(dcmtk, tmp_path):
    files = write_cts(tmp_path / "modality", 4, seed=4)
    port = free_port()
    dest = Destination("127.0.0.1", port, "STORESCP")
    with Router(tmp_path / "router", destinations=[dest], expected=4, quiet_seconds=60,
                retry_first=0.2, retry_max=0.5) as router:
        assert all(r.ok for r in send(files, port=router.port, called_ae="ROUTER"))
        assert wait_for(lambda: router.status()[0][dest.name].startswith("waiting"))
        status = router.status()
        assert "refused" in status[0][dest.name], status
        assert status[0]["state"] == "waiting" and not router.idle()
        with dcmtk_storescp(dcmtk, tmp_path / "pacs", port=port):
            assert router.wait_until_idle(30), router.status()
            assert router.status()[0][dest.name] == "sent 4/4"
    assert len(list((tmp_path / "pacs").glob("CT.*"))) == 4


def test_rules_route_by_calling_ae_and_custom_trigger(tmp_path):
    ct = write_cts(tmp_path / "ct", 3, seed=5)
    mr = write_cts(tmp_path / "mr", 2, seed=6)
    with StorageSCP(tmp_path / "a", ae_title="A") as a, StorageSCP(tmp_path / "b", ae_title="B") as b:
        to_a = Destination("127.0.0.1", a.port, "A", match={"calling_ae": "CT01"})
        to_b = Destination("127.0.0.1", b.port, "B")

        def three_or_quiet(series: Series) -> bool:
            return series.count >= 3 or series.quiet > 0.3

        with Router(tmp_path / "r", destinations=[to_a, to_b],
                    complete_when=three_or_quiet) as router:
            send(ct, port=router.port, called_ae="ROUTER", calling_ae="CT01")
            send(mr, port=router.port, called_ae="ROUTER", calling_ae="MR01")
            assert router.wait_until_idle(30), router.status()
            rows = {r["instances"]: r for r in router.status()}
        assert rows[2][to_a.name] == "-" and rows[2][to_b.name] == "sent 2/2"
        assert len(stored_files(a.folder)) == 3 and len(stored_files(b.folder)) == 5


def test_failing_user_function_is_reported_not_raised(tmp_path):
    def broken(series):
        raise ValueError("no idea what to do")

    with Router(tmp_path / "r", on_series=broken, quiet_seconds=0.1) as router:
        send(write_cts(tmp_path / "x", 1), port=router.port, called_ae="ROUTER")
        assert router.wait_until_idle(30)
        assert "no idea what to do" in router.status()[0]["error"]


# --------------------------------------------------------------------------- loses nothing

@pytest.mark.parametrize("stage", ["outbox", "inbox"])
def test_restart_forwards_everything_waiting_on_disk(tmp_path, stage):
    """A new Router on the same folder (a restart, or after a crash) resumes from the tickets.

    ``outbox``: triggered, the destination was down. ``inbox``: not triggered yet.
    """
    files = write_cts(tmp_path / "modality", 4, seed=7)
    dest = Destination("127.0.0.1", free_port(), "PACS")
    options = {"destinations": [dest], "quiet_seconds": 600, "retry_first": 0.1, "retry_max": 0.3}
    with Router(tmp_path / "router", expected=4 if stage == "outbox" else None, **options) as old:
        assert all(r.ok for r in send(files, port=old.port, called_ae="ROUTER"))
        if stage == "outbox":
            assert wait_for(lambda: "refused" in old.status()[0][dest.name]), old.status()
    waiting = tickets(tmp_path / "router", stage)
    with StorageSCP(tmp_path / "pacs", port=dest.port, ae_title="PACS") as pacs:
        with Router(tmp_path / "router", expected=4, **options) as again:
            assert pacs.wait_for(4, timeout=30), f"{pacs.count} of 4 forwarded after the restart"
            assert again.wait_until_idle(30), again.status()
            assert again.status()[0][dest.name] == "sent 4/4"
        got = by_uid(stored_files(pacs.folder))
    assert sorted(got) == sorted(uid_of(f) for f in files)
    assert len(waiting) == 4, waiting
    assert tickets(tmp_path / "router", "inbox") == tickets(tmp_path / "router", "outbox") == []


def test_permanent_failure_is_a_dead_letter_not_retried_forever(tmp_path):
    """Our SCP that reads only JPEG refuses uncompressed CT: no presentation context, for good."""
    files = write_cts(tmp_path / "modality", 3, seed=8)
    port = free_port()
    dest = Destination("127.0.0.1", port, "PICKY")
    with Router(tmp_path / "router", destinations=[dest], expected=3, retry_first=0.02,
                retry_max=0.05) as router:
        with StorageSCP(tmp_path / "picky", port=port, ae_title="PICKY",
                        transfer_syntaxes=[JPEGBaseline8Bit]) as picky:
            send(files, port=router.port, called_ae="ROUTER")
            assert router.wait_until_idle(30), router.status()
            time.sleep(20 * 0.05)  # twenty retry periods: a retry would show as an association
            attempts = picky.associations
        letters = router.dead_letters()
        assert attempts == 1, attempts
        assert sorted(d.instance for d in letters) == sorted(uid_of(f) for f in files)
        assert all(d.destination == dest.name and "presentation context" in d.reason
                   and d.path.is_file() for d in letters), letters
        row = router.status()[0]
        assert row["state"] == "failed" and row[dest.name].startswith("dead letters 3/3")
        # fix the destination, put the letters back: delivered
        with StorageSCP(tmp_path / "fixed", port=port, ae_title="PICKY") as fixed:
            assert router.retry_dead_letters() == 3
            assert router.wait_until_idle(30), router.status()
            assert len(stored_files(fixed.folder)) == 3
        assert router.dead_letters() == [] and router.status()[0][dest.name] == "sent 3/3"


def test_dcmtk_refusal_dead_letters_only_what_it_refused(dcmtk, tmp_path):
    """dcmtk's storescp takes no JPEG: those two are dead letters, the other two arrive."""
    folder = tmp_path / "modality"
    folder.mkdir()
    files = []
    for n in range(4):
        ds = make_ct(n=n, seed=9)
        if n % 2:  # JPEG (a stand-in frame; nobody decodes it): refused
            ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
            ds.PixelData = encapsulate([b"\xff\xd8 a stand-in frame \xff\xd9"])
            ds["PixelData"].VR, ds["PixelData"].is_undefined_length = "OB", True
        files.append(folder / f"{n}.dcm")
        ds.save_as(files[-1], enforce_file_format=True)
    with dcmtk_storescp(dcmtk, tmp_path / "pacs") as port:
        dest = Destination("127.0.0.1", port, "STORESCP")
        with Router(tmp_path / "router", destinations=[dest], expected=4, retry_first=0.02,
                    retry_max=0.05) as router:
            assert all(r.ok for r in send(files, port=router.port, called_ae="ROUTER"))
            assert router.wait_until_idle(30), router.status()
            letters = router.dead_letters()
            row = router.status()[0]
    assert sorted(d.instance for d in letters) == sorted(uid_of(f) for f in files[1::2])
    assert all("JPEG Baseline" in d.reason for d in letters), letters
    assert sorted(by_uid((tmp_path / "pacs").glob("CT.*"))) == sorted(map(uid_of, files[::2]))
    assert row["state"] == "failed" and row[dest.name].startswith("dead letters 2/4")


def test_corrected_resend_with_the_same_uid_is_forwarded_again(tmp_path):
    files = write_cts(tmp_path / "modality", 3, seed=10)
    corrected = dcmread(files[1])
    corrected.SeriesDescription = "corrected"
    corrected.save_as(tmp_path / "corrected.dcm", enforce_file_format=True)
    with StorageSCP(tmp_path / "pacs", ae_title="PACS") as pacs:
        dest = Destination("127.0.0.1", pacs.port, "PACS")
        with Router(tmp_path / "router", destinations=[dest], quiet_seconds=0.2) as router:
            send(files, port=router.port, called_ae="ROUTER")
            assert router.wait_until_idle(30), router.status()
            assert send(tmp_path / "corrected.dcm", port=router.port, called_ae="ROUTER")[0].ok
            assert router.wait_until_idle(30), router.status()
            row = router.status()[0]
        stored = by_uid(stored_files(pacs.folder))
    assert dataset_bytes(stored[corrected.SOPInstanceUID]) == dataset_bytes(
        tmp_path / "corrected.dcm")
    assert row["instances"] == 3 and row[dest.name] == "sent 3/3"


def test_resend_while_the_old_version_is_being_sent(dcmtk, tmp_path):
    """The ticket is rewritten while its worker waits for the answer to the old version.

    dcmtk's storescp sleeps 3 s after storing the old version; meanwhile the corrected version
    arrives and is queued. The worker must not delete the new ticket when the old one succeeds.
    """
    original = write_cts(tmp_path / "modality", 1, seed=11)[0]
    corrected = dcmread(original)
    corrected.SeriesDescription = "corrected"
    corrected.save_as(tmp_path / "corrected.dcm", enforce_file_format=True)
    uid = corrected.SOPInstanceUID
    with own_storescp(dcmtk, tmp_path / "pacs", args=["--sleep-after", "3"]) as (_, port):
        dest = Destination("127.0.0.1", port, "STORESCP")
        with Router(tmp_path / "router", destinations=[dest], expected=1, timeout=60) as router:
            send(original, port=router.port, called_ae="ROUTER")
            assert wait_for(lambda: list((tmp_path / "pacs").glob("CT.*")))  # old one stored
            send(tmp_path / "corrected.dcm", port=router.port, called_ae="ROUTER")
            assert wait_for(lambda: tickets(tmp_path / "router", "inbox") == [])  # queued
            assert router.wait_until_idle(60), router.status()
    stored = by_uid((tmp_path / "pacs").glob("CT.*"))
    assert dataset_bytes(stored[uid]) == dataset_bytes(tmp_path / "corrected.dcm")


def test_frozen_destination_does_not_delay_the_others(dcmtk, tmp_path):
    """A SIGSTOPped storescp accepts TCP connections but never answers; B gets everything anyway."""
    files = write_cts(tmp_path / "modality", 3, seed=12)
    with own_storescp(dcmtk, tmp_path / "frozen") as (proc, port), \
            StorageSCP(tmp_path / "b", ae_title="B") as b:
        frozen = Destination("127.0.0.1", port, "STORESCP")
        to_b = Destination("127.0.0.1", b.port, "B")
        os.kill(proc.pid, signal.SIGSTOP)
        with Router(tmp_path / "router", destinations=[frozen, to_b], expected=3,
                    timeout=300) as router:
            try:
                send(files, port=router.port, called_ae="ROUTER")
                assert wait_for(lambda: router.status()[0][to_b.name] == "sent 3/3", 60), \
                    router.status()
                row = router.status()[0]
                assert row[frozen.name] == "sending 0/3", row
                assert list((tmp_path / "frozen").glob("CT.*")) == []
            finally:
                os.kill(proc.pid, signal.SIGCONT)  # thawed: it answers, and gets everything
            assert router.wait_until_idle(60), router.status()
    assert len(list((tmp_path / "frozen").glob("CT.*"))) == 3


def test_memory_does_not_grow_with_history(tmp_path):
    """After 50 series, the table holds none, status() the few recent ones, disk no tickets."""
    files = [write_cts(tmp_path / "modality" / str(k), 1, seed=100 + k)[0] for k in range(50)]
    with StorageSCP(tmp_path / "pacs", ae_title="PACS") as pacs:
        dest = Destination("127.0.0.1", pacs.port, "PACS")
        with Router(tmp_path / "router", destinations=[dest], expected=1) as router:
            assert all(r.ok for r in send(files, port=router.port, called_ae="ROUTER"))
            assert pacs.wait_for(50, timeout=60) and router.wait_until_idle(60)
            assert len(router.status()) == 20  # the default keep_recent
            assert router.series == {} and len(router.recent) == router.recent.maxlen == 20
            assert all(row[dest.name] == "sent 1/1" for row in router.status())
            stats = router.stats()
            assert stats["finished"] == 50 and stats["in progress"] == 0
            assert stats["forwarded"] == {dest.name: 50} and stats["outbox"] == {dest.name: 0}
            assert len(router.log) <= router.log.maxlen
            assert tickets(router.folder, "inbox") == tickets(router.folder, "outbox") == []


# --------------------------------------------------------------------------- on a shared machine

ROUTER_SCRIPT = """
import json, resource, sys
from workshop_helpers.router import Destination, Router
args = json.loads(sys.argv[1])
if args.get("nofile"):
    resource.setrlimit(resource.RLIMIT_NOFILE,
                       (args["nofile"], resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
router = Router(args["folder"], destinations=[Destination("127.0.0.1", args["to"], "PACS")],
                expected=args["expected"], retry_first=0.1, retry_max=0.5).start()
print(router.port, flush=True)
sys.stdin.read()  # until the test closes our stdin (or kills us)
router.stop()
"""


@contextlib.contextmanager
def router_process(folder: Path, to: int, expected: int, nofile: int = 0):
    """A Router in its own Python process (to limit its file descriptors, or to kill it)."""
    args = json.dumps({"folder": str(folder), "to": to, "expected": expected, "nofile": nofile})
    proc = subprocess.Popen([sys.executable, "-c", ROUTER_SCRIPT, args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline() if ready else ""
        assert line.strip().isdigit(), f"the router did not start: {line!r} {proc.stderr.read()}"
        yield proc, int(line)
    finally:
        if proc.poll() is None:
            proc.stdin.close()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                tools.stop_process(proc)


def test_forwarding_goes_on_after_its_process_ran_out_of_file_descriptors(tmp_path):
    """200 silent connections to a router that may open 128 files: then a series, forwarded."""
    files = write_cts(tmp_path / "modality", 4, seed=220)
    with StorageSCP(tmp_path / "pacs", ae_title="PACS") as pacs, \
            router_process(tmp_path / "router", pacs.port, expected=4, nofile=128) as (_, port):
        with contextlib.ExitStack() as stack:
            for k in range(200):
                stack.enter_context(socket.create_connection(
                    ("127.0.0.1", port), 10, source_address=(f"127.0.4.{k // 16 + 1}", 0)))
            time.sleep(3)  # the router's worker looks at its outbox every second meanwhile
        report = send(files, port=port, called_ae="ROUTER", timeout=20)
        assert all(r.ok for r in report), [str(r) for r in report]
        assert pacs.wait_for(4, timeout=30), "the router answered Success and never forwarded"


def test_a_series_stuck_by_a_transient_error_is_retried(tmp_path):
    """A file where the outbox's folder goes: moving the series fails until it is removed."""
    files = write_cts(tmp_path / "modality", 4, seed=221)
    with StorageSCP(tmp_path / "pacs", ae_title="PACS") as pacs:
        dest = Destination("127.0.0.1", pacs.port, "PACS")
        with Router(tmp_path / "router", destinations=[dest], expected=4, retry_first=0.1,
                    retry_max=0.5) as router:
            blocker = router.folder / ".router" / "outbox" / folder_name(dest.name)
            blocker.parent.mkdir(parents=True, exist_ok=True)
            blocker.write_text("in the way")
            assert all(r.ok for r in send(files, port=router.port, called_ae="ROUTER"))
            assert wait_for(lambda: any("Error" in line or "cannot queue" in line
                                        for line in router.log), 20), list(router.log)
            assert pacs.count == 0
            blocker.unlink()  # the trouble is over
            assert pacs.wait_for(4, timeout=30), (router.status(), list(router.log)[-3:])
            assert router.wait_until_idle(20), router.status()


def test_after_a_crash_at_most_the_instance_on_the_wire_is_sent_again(tmp_path):
    """The router is killed (SIGKILL) while the PACS stores the 10th of 40 instances."""
    files = write_cts(tmp_path / "modality", 40, seed=222, size=16)
    router_pid: list[int] = []

    def crash_at_the_tenth(arrival):
        if len(pacs.received) == 9 and router_pid:  # this is the 10th
            os.kill(router_pid.pop(), signal.SIGKILL)

    with StorageSCP(tmp_path / "pacs", ae_title="PACS", on_arrival=crash_at_the_tenth) as pacs:
        with router_process(tmp_path / "router", pacs.port, expected=40) as (proc, port):
            router_pid.append(proc.pid)
            assert all(r.ok for r in send(files, port=port, called_ae="ROUTER", timeout=20))
            assert proc.wait(30) == -signal.SIGKILL
        with router_process(tmp_path / "router", pacs.port, expected=40):  # resumes from disk
            assert wait_for(lambda: len({a.sop_instance_uid for a in pacs.received}) == 40, 60)
            time.sleep(1)  # anything more it would send
    assert pacs.duplicates <= 1, f"{pacs.duplicates} instances sent twice after one crash"


def test_a_second_router_on_the_same_folder_refuses_before_touching_anything(tmp_path):
    with Router(tmp_path / "router") as first:
        in_flight = first.folder / ".router" / "tmp" / "being-written.part"
        in_flight.parent.mkdir(parents=True, exist_ok=True)
        in_flight.write_text("{}")
        for port in (first.port, 0):  # on its port, or on a port of its own
            second = Router(tmp_path / "router", port=port)
            with pytest.raises(Exception, match="another Router"):
                second.start()
            assert in_flight.exists(), "the second router emptied the first one's tmp folder"
        assert echo(port=first.port, called_ae="ROUTER").ok
    with Router(tmp_path / "router"):  # once the first stopped, the folder is free
        pass


def test_the_routers_files_and_folders_are_its_users_alone(tmp_path):
    files = write_cts(tmp_path / "modality", 2, seed=223)
    before = os.umask(0o022)  # a permissive umask: the router must not rely on the caller's
    try:
        with StorageSCP(tmp_path / "pacs", ae_title="PACS") as pacs, \
                Router(tmp_path / "router", destinations=[Destination("127.0.0.1", 9, "DOWN")],
                       expected=2, retry_first=5) as router:
            assert all(r.ok for r in send(files, port=router.port, called_ae="ROUTER"))
            assert wait_for(lambda: len(tickets(router.folder, "outbox")) == 2, 20)
            assert all(r.ok for r in send(files, port=pacs.port, called_ae="PACS"))
    finally:
        os.umask(before)
    for top in (router.folder, pacs.folder):
        for path in [top, *top.rglob("*")]:
            if path.is_symlink():
                continue
            mode = path.stat().st_mode & 0o777
            expected = 0o700 if path.is_dir() else 0o600
            assert mode & 0o077 == 0, f"{path.relative_to(tmp_path)} is {oct(mode)}, not {oct(expected)}"


# --------------------------------------------------------------------------- what it tells

def test_on_event_tells_each_step_in_the_order_it_happened(tmp_path):
    files = write_cts(tmp_path / "modality", 3, seed=230)
    told: list = []
    with StorageSCP(tmp_path / "pacs", ae_title="PACS") as pacs:
        dest = Destination("127.0.0.1", pacs.port, "PACS")
        with Router(tmp_path / "router", destinations=[dest], expected=3,
                    on_event=told.append) as router:
            assert all(r.ok for r in send(files, port=router.port, called_ae="ROUTER",
                                          calling_ae="CT01"))
            assert router.wait_until_idle(30), router.status()
    steps = [e for e in told if e.kind != "note"]
    assert [e.kind for e in steps] == ["received"] * 3 + ["complete"] + ["sent"] * 3 + ["finished"]
    series = dcmread(files[0], stop_before_pixels=True).SeriesInstanceUID
    assert {e.series_uid for e in steps} == {series}
    uids = sorted(map(uid_of, files))
    assert sorted(e.instance for e in steps if e.kind == "received") == uids
    assert all(e.calling_ae == "CT01" for e in steps if e.kind == "received")
    assert sorted(e.instance for e in steps if e.kind == "sent") == uids
    assert {e.destination for e in steps if e.kind == "sent"} == {dest.name}
    assert steps[3].text() == f"series {series} complete: 3 instance(s)"
    assert steps[-1].text() == f"series {series} done"
    assert [e.reason for e in told if e.kind == "note"] == [line[9:] for line in router.log]


def test_on_event_tells_dead_letters_and_a_destination_that_is_down(tmp_path):
    files = write_cts(tmp_path / "modality", 2, seed=231)
    told: list = []
    down = Destination("127.0.0.1", free_port(), "DOWN")
    with StorageSCP(tmp_path / "picky", ae_title="PICKY",
                    transfer_syntaxes=[JPEGBaseline8Bit]) as picky:
        refusing = Destination("127.0.0.1", picky.port, "PICKY")
        with Router(tmp_path / "router", destinations=[down, refusing], expected=2,
                    retry_first=0.05, retry_max=0.1, on_event=told.append) as router:
            assert all(r.ok for r in send(files, port=router.port, called_ae="ROUTER"))
            assert wait_for(lambda: sum(e.kind == "dead" for e in told) == 2
                            and any(e.kind == "waiting" for e in told), 30), told
    dead = [e for e in told if e.kind == "dead"]
    assert sorted(e.instance for e in dead) == sorted(map(uid_of, files))
    assert all(e.destination == refusing.name and "presentation context" in e.reason
               for e in dead), dead
    waiting = [e for e in told if e.kind == "waiting"]
    assert all(e.destination == down.name and e.reason for e in waiting), waiting


def test_on_event_tells_an_association_its_scp_refused_before_the_peer_hears_it(tmp_path):
    told: list = []
    down = Destination("127.0.0.1", free_port(), "PACS")
    with Router(tmp_path / "router", destinations=[down], on_event=told.append) as router:
        [wrong] = send(make_ct(), port=router.port, called_ae="NOT-ROUTER", calling_ae="CT01")
        refused = [e for e in told if e.kind == "refused"]
        assert [e.reason for e in refused] == list(router.scp.failures)
    assert not wrong.ok and wrong.permanent, wrong.reason
    [event] = refused
    assert event.text() == event.reason and event.series_uid == ""
    assert event.text().startswith("CT01@127.0.0.1:")
    assert "association rejected by us (called AE title not recognised" in event.text()


def test_an_on_event_that_raises_stops_nothing(tmp_path):
    files = write_cts(tmp_path / "modality", 2, seed=232)

    def broken(event):
        raise RuntimeError("a broken hook")

    with StorageSCP(tmp_path / "pacs", ae_title="PACS") as pacs, \
            Router(tmp_path / "router", destinations=[Destination("127.0.0.1", pacs.port, "PACS")],
                   expected=2, on_event=broken) as router:
        assert all(r.ok for r in send(files, port=router.port, called_ae="ROUTER"))
        assert router.wait_until_idle(30), router.status()
        assert pacs.count == 2
    assert any("on_event raised RuntimeError: a broken hook" in line for line in router.log)


def test_a_snapshot_is_a_copy_that_the_router_does_not_change(tmp_path):
    files = write_cts(tmp_path / "modality", 3, seed=233)  # one series
    with StorageSCP(tmp_path / "pacs", ae_title="PACS") as pacs:
        dest = Destination("127.0.0.1", pacs.port, "PACS")
        with Router(tmp_path / "router", destinations=[dest], expected=2) as router:
            send(files[:2], port=router.port, called_ae="ROUTER")
            assert router.wait_until_idle(30), router.status()
            before = router.snapshot()
            send(files[2:], port=router.port, called_ae="ROUTER")  # re-opens the series
            assert wait_for(lambda: router.status()[0][dest.name] == "sent 3/3"), router.status()
            after = router.snapshot()
    assert len(before.series) == len(after.series) == 1
    assert before.series[0].count == 2 and len(before.series[0].deliveries[dest.name].sent) == 2
    assert before.rows[0][dest.name] == "sent 2/2" and before.rows[0]["instances"] == 2
    assert after.series[0].count == 3 and after.rows[0][dest.name] == "sent 3/3"
    assert after.rows == router.status()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts wake-ups in /proc (Linux)")
def test_an_idle_router_sleeps_until_something_arrives(tmp_path):
    """Its trigger and its workers wait for an arrival, not for a clock."""
    def wakeups(threads) -> int:
        total = 0
        for t in threads:
            for line in Path(f"/proc/self/task/{t.native_id}/status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches"):
                    total += int(line.split()[1])
        return total

    others = set(threading.enumerate())
    with StorageSCP(tmp_path / "pacs", ae_title="PACS") as pacs, \
            Router(tmp_path / "router", destinations=[Destination("127.0.0.1", pacs.port, "PACS")],
                   expected=2) as router:
        send(write_cts(tmp_path / "modality", 2, seed=234), port=router.port, called_ae="ROUTER")
        assert router.wait_until_idle(30), router.status()
        ours = [t for t in set(threading.enumerate()) - others if t.name.startswith("router-")]
        assert len(ours) == 2, ours  # the trigger and one worker
        # The series' last steps (its worker releasing the association, writing the state) may
        # still run after wait_until_idle on a busy machine: wait until the threads are still.
        before = wakeups(ours)
        for _ in range(20):
            time.sleep(0.25)
            now, before = before, wakeups(ours)
            if now == before:
                break
        time.sleep(2)  # forty periods of a trigger that would look every 0.05 s
        assert wakeups(ours) - before <= 2
