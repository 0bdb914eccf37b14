"""``python -m workshop_helpers router`` as a real process, between dcmtk's storescu and storescp.

Every process a test starts is stopped by its id at the end (:func:`tools.stop_process`); all
traffic is on 127.0.0.1. Waits are for conditions, with a deadline, never for a time.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from functools import partial
from pathlib import Path

import conftest
import pytest
from conftest import NODELAY, dcmtk_storescp, free_port, is_gone, run_dcmtk, write_cts
from pydicom import dcmread

from workshop_helpers import net, tools

ROUTER = [sys.executable, "-m", "workshop_helpers", "router"]


#: Routers as processes answer more slowly than in-process ones: a longer guard, polled less often.
wait_for = partial(conftest.wait_for, timeout=60, interval=0.05)


class RouterProcess:
    """One ``router`` process: its Popen, its output file and the port it listens on."""

    def __init__(self, proc: subprocess.Popen, out: Path, err: Path) -> None:
        self.proc, self.out, self.err = proc, out, err
        self.port = 0

    @property
    def text(self) -> str:
        return self.out.read_text()

    def shows(self, *parts: str) -> bool:
        """Every one of ``parts`` is in the output."""
        text = self.text
        return all(p in text for p in parts)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        os.kill(self.proc.pid, sig)
        return self.proc.wait(90)


@pytest.fixture
def start_router(tmp_path):
    """``start_router(folder, *args)`` runs the command until it listens; all stopped at the end."""
    started: list[subprocess.Popen] = []

    def start(folder: Path, *args: str) -> RouterProcess:
        n = len(started)
        out, err = tmp_path / f"router{n}.out", tmp_path / f"router{n}.err"
        with open(out, "w") as o, open(err, "w") as e:
            proc = subprocess.Popen([*ROUTER, "0", "-od", str(folder), *args], stdout=o,
                                    stderr=e, cwd=tmp_path)
        started.append(proc)
        router = RouterProcess(proc, out, err)
        assert wait_for(lambda: "listening on" in router.text or proc.poll() is not None), \
            "the router did not start"
        found = re.search(r"listening on 127\.0\.0\.1:(\d+)", router.text)
        assert found, f"status {proc.poll()}: {err.read_text()}"
        router.port = int(found.group(1))
        return router

    yield start
    for proc in started:
        tools.stop_process(proc)


def storescu(dcmtk, port: int, files: list[Path], calling: str = "CT01") -> None:
    """dcmtk's storescu sends ``files`` to the router (called ROUTER) from ``calling``."""
    run_dcmtk(dcmtk, "storescu", "-aec", "ROUTER", "-aet", calling, "127.0.0.1", port, *files,
              check=True)


def uids(files) -> list[str]:
    return [dcmread(f, stop_before_pixels=True).SOPInstanceUID for f in files]


def stored(folder: Path) -> Counter:
    """How many times each SOP Instance UID is in a storescp folder (``+uf``: one file each time).

    A file storescp is still writing may not read yet: it counts once it does.
    """
    found: Counter = Counter()
    for f in folder.iterdir():
        if f.is_file() and f.name.startswith("CT."):
            try:
                found[dcmread(f, stop_before_pixels=True).SOPInstanceUID] += 1
            except Exception:  # half written: not stored yet
                continue
    return found


def series_uid(files: list[Path]) -> str:
    return dcmread(files[0], stop_before_pixels=True).SeriesInstanceUID


def port_for_later() -> int:
    """A free port below the kernel's ephemeral range, for a destination started later.

    :func:`free_port` gives a port from that range, where every outgoing connection on the
    machine (a router retrying a destination that is down, too) takes its own port: one may take
    it before the destination starts. Below the range only a server's explicit bind can.
    """
    ranges = Path("/proc/sys/net/ipv4/ip_local_port_range")
    low = int(ranges.read_text().split()[0]) if ranges.exists() else 49152
    for _ in range(100):
        port = random.randrange(max(1025, low - 10000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    return free_port()


def nothing_listens(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 5).close()
    except ConnectionRefusedError:
        return True
    return False


# --------------------------------------------------------------------------- route

def test_series_sent_by_storescu_arrive_at_storescp_and_ctrl_c_stops_it(dcmtk, tmp_path,
                                                                        start_router):
    files = write_cts(tmp_path / "ct", 5, seed=31)
    with dcmtk_storescp(dcmtk, tmp_path / "pacs", aet="PACS") as port:
        router = start_router(tmp_path / "router", "--to", f"PACS@127.0.0.1:{port}",
                              "--expected", "5", "--quiet", "600")
        storescu(dcmtk, router.port, files)
        assert wait_for(lambda: router.shows(f"series {series_uid(files)} done")), router.text
        assert stored(tmp_path / "pacs") == Counter(uids(files))
        assert router.stop(signal.SIGINT) == 0
    text = router.text
    for uid in uids(files):  # one line per event, as it happened
        assert text.count(f"received {uid} from CT01") == 1
        assert text.count(f"sent {uid} to PACS@127.0.0.1:{port}") == 1
    assert text.count("complete: 5 instance(s)") == 1
    assert text.rstrip().endswith("router: stopped; nothing waiting on disk")
    assert is_gone(router.proc.pid)


def test_a_match_rule_sends_only_the_series_it_matches(dcmtk, tmp_path, start_router):
    ct, mr = write_cts(tmp_path / "ct", 3, seed=32), write_cts(tmp_path / "mr", 2, seed=33)
    with dcmtk_storescp(dcmtk, tmp_path / "a", aet="A") as a, \
            dcmtk_storescp(dcmtk, tmp_path / "b", aet="B") as b:
        router = start_router(tmp_path / "router", "--quiet", "1",
                              "--to", f"A@127.0.0.1:{a}", "--match", "calling_ae=CT01",
                              "--match", "sop_class_uid=CTImageStorage",
                              "--to", f"B@127.0.0.1:{b}")
        storescu(dcmtk, router.port, ct, calling="CT01")
        storescu(dcmtk, router.port, mr, calling="MR01")
        assert wait_for(lambda: stored(tmp_path / "b") == Counter(uids(ct + mr))), router.text
        assert wait_for(lambda: stored(tmp_path / "a") == Counter(uids(ct))), router.text
        # done: every destination that wants the series has it (a slow sender may make a
        # series complete early, then again: all its instances are in b by now)
        assert wait_for(lambda: router.shows(f"series {series_uid(mr)} done")), router.text
        assert router.stop() == 0
    assert stored(tmp_path / "a") == Counter(uids(ct))
    assert stored(tmp_path / "b") == Counter(uids(ct + mr))
    rule = "when calling_ae=CT01 and sop_class_uid=1.2.840.10008.5.1.4.1.1.2"  # the name, as UID
    assert f"to A@127.0.0.1:{a} {rule}" in router.text


def test_only_the_calling_ae_titles_it_is_told_may_store(dcmtk, tmp_path, start_router):
    ct, mr = write_cts(tmp_path / "ct", 1, seed=39), write_cts(tmp_path / "mr", 1, seed=40)
    router = start_router(tmp_path / "router", "--to", f"PACS@127.0.0.1:{port_for_later()}",
                          "--require-calling", "CT01")
    refused = run_dcmtk(dcmtk, "storescu", "-aec", "ROUTER", "-aet", "MR01", "127.0.0.1",
                        router.port, *mr)
    assert refused.returncode != 0
    storescu(dcmtk, router.port, ct, calling="CT01")
    assert wait_for(lambda: router.shows(f"received {uids(ct)[0]} from CT01")), router.text
    assert router.stop() == 0
    assert "accepting calling AE titles: CT01" in router.text
    assert re.search(r"MR01@127\.0\.0\.1:\d+: association rejected by us \(calling AE title "
                     r"not recognised", router.text), router.text
    assert "received" not in router.text.split(f"received {uids(ct)[0]}")[0]  # MR01's: none
    assert not any((tmp_path / "router").rglob(f"{uids(mr)[0]}.dcm"))


@pytest.mark.parametrize("args, bad", [
    (["--to", "PACS@127.0.0.1"], "--to 'PACS@127.0.0.1': no ':port'"),
    (["--to", "PACS@127.0.0.1:70000"], "the port '70000'"),
    (["--to", "127.0.0.1:104"], "--to '127.0.0.1:104': no AE title"),
    (["--to", "SEVENTEEN_LETTERS@127.0.0.1:104"], "'SEVENTEEN_LETTERS' has 17 characters"),
    (["--to", "PACS@no-such-host.invalid:104"], "the host 'no-such-host.invalid'"),
    (["--match", "calling_ae=CT01", "--to", "PACS@127.0.0.1:104"],
     "--match 'calling_ae=CT01': it comes before any --to"),
    (["--to", "PACS@127.0.0.1:104", "--match", "modality=CT"], "unknown key 'modality'"),
    (["--to", "PACS@127.0.0.1:104", "--match", "calling_ae"], "--match 'calling_ae': no '='"),
    (["--to", "PACS@127.0.0.1:104", "--match", "series_uid=1.2.x"], "'1.2.x' is not a UID"),
    (["--to", "PACS@127.0.0.1:104", "--to", "PACS@127.0.0.1:104"], "given twice"),
    (["--to", "PACS@127.0.0.1:104", "--bind", "192.0.2.1"],  # TEST-NET-1: not this machine's
     "--bind '192.0.2.1': not an address this machine can listen on"),
])
def test_a_bad_to_or_match_is_one_line_and_status_2_before_anything_listens(tmp_path, args, bad):
    port, folder = free_port(), tmp_path / "router"
    out = subprocess.run([*ROUTER, str(port), "-od", str(folder), *args], capture_output=True,
                         text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 2, out
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("router: "), out.stderr
    assert bad in out.stderr
    assert out.stdout == ""
    assert not folder.exists(), "it made its folder (a router is made before it listens)"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts wake-ups in /proc (Linux)")
def test_an_idle_router_sleeps_instead_of_polling(tmp_path, start_router):
    """Asleep until something happens: nothing looked at while nothing does (refusals too come
    as events)."""
    router = start_router(tmp_path / "router", "--to", f"PACS@127.0.0.1:{port_for_later()}")

    def wakeups() -> int:
        total = 0
        for task in Path(f"/proc/{router.proc.pid}/task").iterdir():
            for line in (task / "status").read_text().splitlines():
                if line.startswith("voluntary_ctxt_switches"):
                    total += int(line.split()[1])
        return total

    before = wakeups()
    for _ in range(20):     # its start-up may still run on a busy machine: wait for a still moment
        time.sleep(0.25)
        now, before = before, wakeups()
        if now == before:
            break
    time.sleep(3)  # three looks of a program that looked once a second
    assert wakeups() - before <= 2
    assert router.stop() == 0


def test_a_refused_association_is_printed_as_it_happens(tmp_path, start_router):
    """The SCP tells the command at once (its on_failure hook): no look at a list needed."""
    router = start_router(tmp_path / "router", "--to", f"PACS@127.0.0.1:{port_for_later()}")
    files = write_cts(tmp_path / "ct", 1, seed=41)
    [wrong] = net.send(files, port=router.port, called_ae="NOT-ROUTER", calling_ae="CT01")
    assert not wrong.ok and wrong.permanent, wrong.reason
    line = (r"^\d\d:\d\d:\d\d CT01@127\.0\.0\.1:\d+: association rejected by us \(called "
            r"AE title not recognised \(permanent\)\)$")
    assert wait_for(lambda: re.search(line, router.text, re.M)), router.text
    assert router.stop() == 0
    assert len(re.findall(line, router.text, re.M)) == 1, router.text  # once, not again at stop


# --------------------------------------------------------------------------- stop, crash, resume

def test_sigterm_stops_it_with_status_0_and_the_next_start_resumes(dcmtk, tmp_path,
                                                                   start_router):
    files = write_cts(tmp_path / "ct", 3, seed=34)
    port = port_for_later()  # the destination is down at first
    to = ("--to", f"PACS@127.0.0.1:{port}", "--expected", "3", "--quiet", "600")
    first = start_router(tmp_path / "router", *to)
    storescu(dcmtk, first.port, files)
    assert wait_for(lambda: first.shows(f"PACS@127.0.0.1:{port} waiting (0/3)")), first.text
    assert first.stop(signal.SIGTERM) == 0
    assert is_gone(first.proc.pid)  # its port went with it (another program may take it now)
    assert first.text.rstrip().endswith("3 waiting on disk for the next start")
    with dcmtk_storescp(dcmtk, tmp_path / "pacs", aet="PACS", port=port):
        again = start_router(tmp_path / "router", *to)
        assert wait_for(lambda: stored(tmp_path / "pacs") == Counter(uids(files))), again.text
        assert wait_for(lambda: again.shows(f"series {series_uid(files)} done")), again.text
        assert again.stop() == 0
    assert "resumed from disk: 3 instance(s) waiting" in again.text
    assert "received" not in again.text  # nothing was sent to it again


def test_kill_9_and_restart_delivers_everything_once(dcmtk, tmp_path, start_router):
    """Killed with one series in the outbox (destination down) and half of another received.

    Nothing was on the wire, so nothing arrives twice: each instance's ticket is written before
    the router answers Success, and deleted only after the destination answered Success.
    """
    a, b = write_cts(tmp_path / "a", 6, seed=35), write_cts(tmp_path / "b", 6, seed=36)
    port = port_for_later()
    to = ("--to", f"PACS@127.0.0.1:{port}", "--expected", "6", "--quiet", "600")
    first = start_router(tmp_path / "router", *to)
    storescu(dcmtk, first.port, a)
    assert wait_for(lambda: first.shows("waiting (0/6)")), first.text
    storescu(dcmtk, first.port, b[:3])
    assert wait_for(lambda: all(first.shows(f"received {u}") for u in uids(b[:3])))
    assert first.stop(signal.SIGKILL) == -signal.SIGKILL
    with net.dcmtk_storescp(tmp_path / "pacs", "PACS", port, args=["+uf"]):
        again = start_router(tmp_path / "router", *to)
        storescu(dcmtk, again.port, b[3:])
        assert wait_for(lambda: stored(tmp_path / "pacs") == Counter(uids(a + b))), again.text
        assert wait_for(lambda: again.shows(f"series {series_uid(a)} done",
                                            f"series {series_uid(b)} done")), again.text
        got = stored(tmp_path / "pacs")
        assert again.stop() == 0
    assert "resumed from disk: 9 instance(s) waiting" in again.text
    assert got == Counter(uids(a + b)), got


def test_kill_9_while_forwarding_sends_at_most_the_instance_on_the_wire_twice(
        dcmtk, tmp_path, start_router):
    """The destination sleeps a second after each instance: the kill comes after the first."""
    files = write_cts(tmp_path / "ct", 4, seed=37)
    with net.dcmtk_storescp(tmp_path / "pacs", "PACS", args=["+uf", "--sleep-after", "1"]) as port:
        to = ("--to", f"PACS@127.0.0.1:{port}", "--expected", "4", "--quiet", "600")
        first = start_router(tmp_path / "router", *to)
        storescu(dcmtk, first.port, files)
        assert wait_for(lambda: sum(stored(tmp_path / "pacs").values()) >= 1), first.text
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL
        assert sum(stored(tmp_path / "pacs").values()) < 4, "not killed mid-way"
        again = start_router(tmp_path / "router", *to)
        assert wait_for(lambda: set(stored(tmp_path / "pacs")) == set(uids(files))), again.text
        assert wait_for(lambda: again.shows(f"series {series_uid(files)} done")), again.text
        got = stored(tmp_path / "pacs")
        assert again.stop() == 0
    assert set(got) == set(uids(files)), got
    assert sum(got.values()) - len(got) <= 1, f"{got}: more than the one on the wire, twice"


# --------------------------------------------------------------------------- dead letters

def refusing_storescp(dcmtk, folder: Path, port: int) -> subprocess.Popen:
    """dcmtk's storescp rejecting every association (``--refuse``: rejected-permanent)."""
    folder.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([dcmtk("storescp"), "--refuse", "-aet", "PACS", "-od", str(folder),
                             str(port)], env=NODELAY, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    assert wait_for(lambda: proc.poll() is not None or not nothing_listens(port)), "no storescp"
    assert proc.poll() is None, "storescp --refuse did not start"
    return proc


def test_dead_letters_are_listed_and_retried(dcmtk, tmp_path, start_router):
    files = write_cts(tmp_path / "ct", 2, seed=38)
    port, folder = port_for_later(), tmp_path / "router"
    to = ("--to", f"PACS@127.0.0.1:{port}", "--expected", "2", "--quiet", "600")
    refusing = refusing_storescp(dcmtk, tmp_path / "refused", port)
    try:
        router = start_router(folder, *to)
        storescu(dcmtk, router.port, files)
        assert wait_for(lambda: router.text.count("dead letter ") == 2), router.text
        assert router.stop() == 0
    finally:
        tools.stop_process(refusing)
    assert "association rejected" in router.text
    listed = subprocess.run([*ROUTER, "-od", str(folder), "--dead"], capture_output=True,
                            text=True, timeout=60, cwd=tmp_path)
    assert listed.returncode == 0 and listed.stderr == "", listed
    lines = listed.stdout.splitlines()
    assert len(lines) == 3 and lines[-1].startswith("router: 2 dead letter(s)"), lines
    for uid in uids(files):
        assert any(f"PACS@127.0.0.1:{port}  {uid}  " in line and "association rejected" in line
                   for line in lines), lines
    with net.dcmtk_storescp(tmp_path / "pacs", "PACS", port, args=["+uf"]):
        again = start_router(folder, *to, "--retry-dead")
        assert wait_for(lambda: stored(tmp_path / "pacs") == Counter(uids(files))), again.text
        assert wait_for(lambda: again.shows(f"series {series_uid(files)} done")), again.text
        assert again.stop() == 0
    assert "router: 2 dead letter(s) put back in the outbox" in again.text
    listed = subprocess.run([*ROUTER, "-od", str(folder), "--dead"], capture_output=True,
                            text=True, timeout=60, cwd=tmp_path)
    assert listed.returncode == 0 and listed.stdout.startswith("router: no dead letters"), listed
