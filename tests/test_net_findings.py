"""How the storage SCP and SCU behave with hostile or unusual peers: each case against a real
peer (dcmtk, Orthanc, our SCP in its own process) or, where no real tool misbehaves that way, a
crafted socket. The router's own cases are in test_router.py.

Resources are read from /proc (Linux): peak memory (VmHWM, reset through clear_refs) and CPU time
(utime + stime) of an SCP or SCU running in its own process. Time bounds here only stop a hung
call from hanging the test run; nothing asserts how fast our code is.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import conftest
import pytest
from conftest import dataset_bytes, dataset_offset
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import read_dataset
from pydicom.filewriter import write_dataset, write_file_meta_info
from pydicom.uid import (
    CTImageStorage,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEGBaseline8Bit,
    generate_uid,
)

from workshop_helpers import net
from workshop_helpers.net import StorageSCP, echo, safe_path_part, send

MiB = 1 << 20
LINUX_PROC = Path("/proc/self/status").exists() and Path("/proc/self/stat").exists()
needs_proc = pytest.mark.skipif(not LINUX_PROC, reason="reads memory and CPU use from /proc")

# ----------------------------------------------------------------------------- test data


#: The tests' one CT factory (conftest), with UIDs of their own (seed 900).
make_ct = partial(conftest.make_ct, seed=900, patient_id="FINDINGS")
write_cts = partial(conftest.write_cts, seed=900)


def dataset_digest(path: Path) -> tuple[int, str]:
    """(length, sha256) of a file's data set, read in pieces (for files of hundreds of MB)."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        f.seek(dataset_offset(path))
        while chunk := f.read(8 * MiB):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def inflated_digest(path: Path) -> tuple[int, str]:
    """(length, sha256) of a deflated file's data set once inflated, inflated piece by piece."""
    inflater, digest, size = zlib.decompressobj(-zlib.MAX_WBITS), hashlib.sha256(), 0
    with open(path, "rb") as f:
        f.seek(dataset_offset(path))
        while (chunk := f.read(64 * 1024)) and not inflater.eof:
            while chunk and not inflater.eof:
                out = inflater.decompress(chunk, 8 * MiB)
                digest.update(out)
                size += len(out)
                chunk = inflater.unconsumed_tail
    return size, digest.hexdigest()


def encoded(ds: Dataset, implicit: bool = False) -> bytes:
    """A data set encoded little endian (explicit VR unless ``implicit``), by pydicom."""
    fp = DicomBytesIO()
    fp.is_little_endian, fp.is_implicit_VR = True, implicit
    write_dataset(fp, ds)
    return fp.getvalue()


def part10(path: Path, meta: FileMetaDataset, body_chunks) -> Path:
    """Preamble, DICM, File Meta Information written by pydicom, then the data set's bytes."""
    fp = DicomBytesIO()
    write_file_meta_info(fp, meta, enforce_standard=True)
    with open(path, "wb") as f:
        f.write(b"\x00" * 128 + b"DICM" + fp.getvalue())
        for chunk in body_chunks:
            f.write(chunk)
    return path


def big_ct_file(path: Path, pixel_bytes: int) -> Path:
    """A CT file with ``pixel_bytes`` of (sparse, zero) pixel data: big on the wire, not on disk."""
    side = int((pixel_bytes // 2) ** 0.5)
    ds = make_ct(n=99, size=1)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.Rows, ds.Columns = side, pixel_bytes // 2 // side
    del ds.PixelData
    size = 2 * ds.Rows * ds.Columns
    part10(path, ds.file_meta, [encoded(ds), struct.pack("<HH2s2xI", 0x7FE0, 0x0010, b"OW", size)])
    with open(path, "r+b") as f:
        f.truncate(f.seek(0, os.SEEK_END) + size)
    return path


def deflate_bomb(path: Path) -> Path:
    """A Deflated Explicit VR Little Endian file: ~0.5 MB on disk, 512 MiB of zeros inflated."""
    ds = make_ct(n=66, size=1)
    ds.Rows = ds.Columns = 16384  # 16384 * 16384 * 2 bytes = 512 MiB of pixel data
    del ds.PixelData
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    zeros = bytes(8 * MiB)
    parts = [z.compress(encoded(ds) + struct.pack("<HH2s2xI", 0x7FE0, 0x0010, b"OW", 512 * MiB))]
    parts += [z.compress(zeros) for _ in range(512 // 8)]
    body = b"".join([*parts, z.flush()])
    body += b"\x00" * (len(body) % 2)  # a deflated stream is padded to even length (as dcmtk does)
    return part10(path, ds.file_meta, [body])


def odd_length_file(path: Path) -> Path:
    """A CT file whose data set has an odd length: a last element (7FE1,0010) LO 'ODD' written raw."""
    make_ct(n=9).save_as(path, enforce_file_format=True)
    with open(path, "ab") as f:
        f.write(struct.pack("<HH2sH", 0x7FE1, 0x0010, b"LO", 3) + b"ODD")
    return path


def stored(folder: Path) -> list[Path]:
    """Every regular file below ``folder`` (hidden and temporary ones too)."""
    return sorted(p for p in Path(folder).rglob("*") if p.is_file())


def target(scp, path_or_ds) -> Path:
    ds = path_or_ds if isinstance(path_or_ds, Dataset) else dcmread(path_or_ds,
                                                                     stop_before_pixels=True)
    return scp.path_for(ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID)


def is_failure(status) -> bool:
    """A C-STORE failure status: an answer that is neither Success nor a Warning (0xBxxx)."""
    return status is not None and status != 0 and status >> 12 != 0xB


# ----------------------------------------------------------------------------- processes and /proc

SCP_SCRIPT = """
import json, sys
from workshop_helpers.net import StorageSCP
scp = StorageSCP(**json.loads(sys.argv[1])).start()
print(scp.port, flush=True)
sys.stdin.read()  # until the test closes our stdin
scp.stop()
"""

SEND_SCRIPT = """
import json, sys
from pathlib import Path
from workshop_helpers.net import send
def kib(key):
    line = next(l for l in open("/proc/self/status") if l.startswith(key + ":"))
    return int(line.split()[1])
args = json.loads(sys.argv[1])
Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
before = kib("VmRSS")
result = send([args["path"]], port=args["port"], called_ae=args["called_ae"], timeout=60,
              progress=False)[0]
print(json.dumps({"ok": result.ok, "reason": str(result), "before": before, "peak": kib("VmHWM")}))
"""


def send_in_subprocess(path: Path, port: int, called_ae: str = "WORKSHOP") -> dict:
    """send() one file from its own Python process: ok, reason, and its memory before and at peak."""
    args = json.dumps({"path": str(path), "port": port, "called_ae": called_ae})
    out = subprocess.run([sys.executable, "-c", SEND_SCRIPT, args], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.splitlines()[-1])


def stop_process(proc: subprocess.Popen) -> None:
    """Ask politely (close its stdin), then kill it by its pid if it is still there after 10 s."""
    if proc.stdin:
        proc.stdin.close()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)


@contextmanager
def scp_process(folder: Path, **options):
    """Our StorageSCP in its own Python process (so its memory and CPU can be read alone)."""
    kwargs = {"folder": str(folder), "ae_title": "WORKSHOP", **options}
    proc = subprocess.Popen([sys.executable, "-c", SCP_SCRIPT, json.dumps(kwargs)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        line = proc.stdout.readline() if ready else ""
        assert line.strip().isdigit(), f"our SCP did not start: {line!r}"
        port = int(line)
        assert echo(port=port, called_ae="WORKSHOP", timeout=10).ok
        yield SimpleNamespace(pid=proc.pid, port=port, folder=Path(folder))
    finally:
        stop_process(proc)


def kib(pid: int, key: str) -> int:
    """A value of /proc/<pid>/status in KiB (VmRSS: now, VmHWM: peak)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def reset_peak(pid: int) -> int:
    """Reset the peak (VmHWM) to the current RSS (Linux >= 4.0); returns the RSS in KiB."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return kib(pid, "VmRSS")


def peak_growth_mib(pid: int, idle_kib: int) -> int:
    """How far the peak memory of ``pid`` rose above ``idle_kib``, in MiB."""
    return (kib(pid, "VmHWM") - idle_kib) // 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads (/proc/<pid>/stat fields 14, 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def in_thread(func, within: float = 30):
    """Run ``func`` in a thread; its result, or ``"still running"`` after ``within`` seconds."""
    out = ["still running"]

    def run():
        out[0] = func()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(within)
    return out[0]


# ----------------------------------------------------------------------------- crafted PDUs

APPLICATION_CONTEXT = b"1.2.840.10008.3.1.1.1"


def _item(kind: int, value: bytes) -> bytes:
    return struct.pack(">BBH", kind, 0, len(value)) + value


def associate_rq(called: str = "WORKSHOP", calling: str = "WORKSHOP-SCU", max_pdu: int = 16384) -> bytes:
    """A-ASSOCIATE-RQ for CT Image Storage / Explicit VR Little Endian (PS3.8 9.3.2)."""
    pc = _item(0x20, bytes([1, 0, 0, 0]) + _item(0x30, CTImageStorage.encode())
               + _item(0x40, ExplicitVRLittleEndian.encode()))
    user = _item(0x50, _item(0x51, struct.pack(">I", max_pdu)) + _item(0x52, b"1.2.3.4"))
    body = (struct.pack(">HH", 1, 0) + called.ljust(16).encode() + calling.ljust(16).encode()
            + b"\x00" * 32 + _item(0x10, APPLICATION_CONTEXT) + pc + user)
    return struct.pack(">BBI", 1, 0, len(body)) + body


def _sub_items(data: bytes):
    pos = 0
    while pos + 4 <= len(data):
        kind, length = struct.unpack(">BxH", data[pos:pos + 4])
        yield kind, data[pos + 4:pos + 4 + length]
        pos += 4 + length


def associate_ac(rq_body: bytes) -> bytes:
    """A-ASSOCIATE-AC accepting every proposed context with its first transfer syntax (PS3.8 9.3.3)."""
    items = _item(0x10, APPLICATION_CONTEXT)
    for kind, value in _sub_items(rq_body[68:]):
        if kind == 0x20:
            syntaxes = [v for k, v in _sub_items(value[4:]) if k == 0x40]
            items += _item(0x21, bytes([value[0], 0, 0, 0]) + _item(0x40, syntaxes[0]))
    items += _item(0x50, _item(0x51, struct.pack(">I", 16384)) + _item(0x52, b"1.2.3.4"))
    body = rq_body[:68] + items
    return struct.pack(">BBI", 2, 0, len(body)) + body


def recv_exactly(sock: socket.socket, n: int) -> bytes:
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed by the peer")
        data += chunk
    return bytes(data)


def read_pdu(sock: socket.socket) -> tuple[int, bytes]:
    kind, length = struct.unpack(">BxI", recv_exactly(sock, 6))
    assert length < 64 * MiB, f"PDU of {length} bytes"
    return kind, recv_exactly(sock, length)


def read_message(sock: socket.socket) -> tuple[int, bytes, bytes] | None:
    """The next DIMSE message: (context ID, command, data set); None at release or abort.

    A release request is answered (A-RELEASE-RP) before returning None.
    """
    command, data, context_id = bytearray(), bytearray(), 0
    while True:
        kind, body = read_pdu(sock)
        if kind == 5:  # A-RELEASE-RQ
            sock.sendall(struct.pack(">BBI", 6, 0, 4) + b"\x00" * 4)
            return None
        if kind != 4:
            return None
        pos = 0
        while pos < len(body):
            length, context_id, header = struct.unpack(">IBB", body[pos:pos + 6])
            (command if header & 1 else data).extend(body[pos + 6:pos + 4 + length])
            pos += 4 + length
            last = header & 2
            if last and header & 1 and not has_data_set(command):
                return context_id, bytes(command), b""
            if last and not header & 1:
                return context_id, bytes(command), bytes(data)


def decode_command(command: bytes) -> Dataset:
    return read_dataset(DicomBytesIO(command), is_implicit_VR=True, is_little_endian=True)


def has_data_set(command: bytes) -> bool:
    return decode_command(command).CommandDataSetType != 0x0101


@contextmanager
def associated(port: int, source: str = "127.0.0.1", called: str = "WORKSHOP"):
    """A raw socket with an accepted association (CT Image Storage, Explicit VR LE, context 1)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    try:
        sock.sendall(associate_rq(called))
        kind, _ = read_pdu(sock)
        assert kind == 2, f"association not accepted (PDU type {kind})"
        yield sock
    finally:
        sock.close()


def c_store(sock: socket.socket, affected_uid: str, ds: Dataset, message_id: int = 1) -> int | None:
    """Send one C-STORE-RQ on context 1; the status answered, or None when no answer came."""
    command = net.c_store_command(message_id, CTImageStorage, affected_uid)
    for part in (net.p_data_pdus(1, command, True, 16384)
                 + net.p_data_pdus(1, encoded(ds), False, 16384)):
        sock.sendall(part)
    try:
        message = read_message(sock)
    except (OSError, ConnectionError):  # timed out, reset or closed
        return None
    return None if message is None else int(decode_command(message[1]).Status)


def closed_by_peer(socks: list[socket.socket], within: float) -> list[socket.socket]:
    """Read from every socket until the other side closes it; those still open after ``within``."""
    open_, end = list(socks), time.monotonic() + within
    while open_ and time.monotonic() < end:
        readable, _, _ = select.select(open_, [], [], 0.2)
        for s in readable:
            try:
                if not s.recv(65536):
                    open_.remove(s)
            except OSError:
                open_.remove(s)
    return open_


class CraftedSCP:
    """A fake storage SCP on a thread: accepts one association, then ``behave(sock)`` runs.

    ``stop()`` (or leaving the ``with`` block) shuts its sockets, which also frees a sender
    blocked on them.
    """

    def __init__(self, behave, receive_buffer: int | None = None):
        self.behave, self.stopping = behave, threading.Event()
        self.listener = socket.socket()
        if receive_buffer:  # inherited by the accepted socket
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.conn = None
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        try:
            self.conn, _ = self.listener.accept()
            kind, body = read_pdu(self.conn)
            self.conn.sendall(associate_ac(body))
            self.behave(self)
        except (OSError, ConnectionError):
            pass

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for s in (self.conn, self.listener):
            if s is not None:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
        self.thread.join(10)
        assert not self.thread.is_alive()


def stall(peer: CraftedSCP) -> None:
    """Never read again (until the test ends)."""
    peer.stopping.wait(120)


def answer_with_wrong_message_id(peer: CraftedSCP) -> None:
    """Answer every C-STORE with Success, but for another Message ID than the request's."""
    while (message := read_message(peer.conn)) is not None:
        context_id, command, _ = message
        cmd = decode_command(command)
        rsp = net.c_store_response((cmd.MessageID + 1) & 0xFFFF, cmd.AffectedSOPClassUID,
                                   cmd.AffectedSOPInstanceUID, 0x0000)
        peer.conn.sendall(b"".join(net.p_data_pdus(context_id, rsp, True, 16384)))


# ============================================================================= 1. PDU lengths

HUGE = {"A-ASSOCIATE-RQ": struct.pack(">BBI", 1, 0, 0xFFFFFFF0),
        "P-DATA-TF": struct.pack(">BBI", 4, 0, 0xFFFFFFFF)}


@needs_proc
@pytest.mark.parametrize("pdu", HUGE)
def test_a_pdu_announcing_4_gib_is_dropped_without_allocating(tmp_path, pdu):
    with scp_process(tmp_path / "in") as scp:
        idle = reset_peak(scp.pid)
        with ExitStack() as stack:
            if pdu == "A-ASSOCIATE-RQ":
                sock = stack.enter_context(socket.create_connection(("127.0.0.1", scp.port), 10))
            else:
                sock = stack.enter_context(associated(scp.port))
            sock.sendall(HUGE[pdu] + b"\x00" * 64)
            still_open = closed_by_peer([sock], within=10)
            grown = peak_growth_mib(scp.pid, idle)
        assert grown < 64, f"our SCP's peak memory grew by {grown} MiB for one {pdu} header"
        assert not still_open, f"our SCP kept the connection open after a 4 GiB {pdu} header"
        report = send(make_ct(1), port=scp.port, called_ae="WORKSHOP", timeout=10)
        assert report[0].ok, str(report[0])


# ============================================================================= 2. disk full

def test_a_full_disk_is_never_answered_success(small_tmpfs, tmp_path):
    files = write_cts(tmp_path / "out", 12, size=384)  # 12 x 290 KiB into 2 MiB
    with StorageSCP(small_tmpfs) as scp:
        report = send(files, port=scp.port, called_ae="WORKSHOP", timeout=30)
        done = [f for f, r in zip(files, report, strict=True) if r.ok]
        assert all(r.ok or r.status == 0xA700 for r in report), [str(r) for r in report]
        assert done and len(done) < len(files), "the disk never ran full, or nothing fitted"
        for f in done:  # every Success is the whole instance
            assert dataset_bytes(target(scp, f)) == dataset_bytes(f), f"{f.name} answered Success"
        leftovers = set(stored(small_tmpfs)) - {target(scp, f) for f in done}
        assert not leftovers, f"partial or temporary files left: {sorted(leftovers)}"


# ============================================================================= 3. junk connections

def test_junk_connections_neither_lock_out_a_client_nor_stay(tmp_path):
    """Twice max_associations connections from 127.0.0.2 that send one byte each, then nothing."""
    with StorageSCP(tmp_path / "in", timeout=2, max_associations=8) as scp, ExitStack() as stack:
        junk = [stack.enter_context(socket.create_connection(
            ("127.0.0.1", scp.port), 10, source_address=("127.0.0.2", 0))) for _ in range(16)]
        for s in junk:
            s.sendall(b"\x01")
        time.sleep(0.5)  # let the server take them all in
        report = send(make_ct(3), port=scp.port, called_ae="WORKSHOP", timeout=10)
        assert report[0].ok, f"a real client locked out by junk connections: {report[0]}"
        still_open = closed_by_peer(junk, within=20)
        assert not still_open, f"{len(still_open)} of 16 junk connections open 20 s after timeout=2"


def test_an_association_request_sent_byte_by_byte_is_dropped(tmp_path):
    """A slow sender: one byte of its A-ASSOCIATE-RQ every 0.5 s, to an SCP with timeout=2."""
    with StorageSCP(tmp_path / "in", timeout=2) as scp, \
            socket.create_connection(("127.0.0.1", scp.port), 10) as sock:
        end, dropped = time.monotonic() + 20, False
        for byte in associate_rq():  # about 200 bytes: 100 s if it is never dropped
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                dropped = True
            dropped = dropped or not closed_by_peer([sock], within=0.5)
            if dropped or time.monotonic() > end:
                break
        assert dropped, "a request trickling in byte by byte is still read 20 s after timeout=2"


def test_a_thousand_silent_connections_do_not_lock_out_a_client(tmp_path):
    """1,035 silent connections, 15 from each of 69 addresses (under the per-address limit).

    The SCP then holds more than 1,024 sockets: a file descriptor above FD_SETSIZE, which
    ``select.select`` cannot watch, must not turn the real client away.
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 4096:
        pytest.skip(f"needs 4,096 open files, the hard limit is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 4096), hard))
    try:
        with scp_process(tmp_path / "in", timeout=30) as scp, ExitStack() as stack:
            for k in range(69 * 15):
                stack.enter_context(socket.create_connection(
                    ("127.0.0.1", scp.port), 10, source_address=(f"127.0.3.{k // 15 + 1}", 0)))
            report = send(make_ct(31), port=scp.port, called_ae="WORKSHOP", timeout=10)
            assert report[0].ok, f"with 1,035 silent connections open: {report[0]}"
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# ============================================================================= 4. peer stops reading

def test_send_returns_when_the_peer_stops_reading(tmp_path):
    big = big_ct_file(tmp_path / "big.dcm", 64 * MiB)
    with CraftedSCP(stall, receive_buffer=64 * 1024) as peer:
        report = in_thread(lambda: send(big, port=peer.port, called_ae="ANY-SCP", timeout=2),
                           within=30)
        assert report != "still running", "send(timeout=2) blocked 30 s on a peer not reading"
    assert not report[0].ok and report[0].status is None, str(report[0])


# ============================================================================= 5. slow or confused peer

def test_an_unconfirmed_store_aborts_and_later_items_are_not_sent(dcmtk, tmp_path):
    """dcmtk's storescp answers the first C-STORE, then sleeps 3 s: longer than our timeout."""
    files = write_cts(tmp_path / "out", 4)
    folder = tmp_path / "dcmtk"
    with net.dcmtk_storescp(folder, "STORESCP", args=["--sleep-after", "3"]) as port:
        report = send(files, port=port, called_ae="STORESCP", timeout=2)
    ok = [r.ok for r in report]
    assert False in ok, [str(r) for r in report]
    first_not_ok = ok.index(False)
    assert not any(ok[first_not_ok:]), [str(r) for r in report]
    unconfirmed, *later = report[first_not_ok:]
    assert unconfirmed.status is None and "not confirmed" in unconfirmed.reason, str(unconfirmed)
    assert not unconfirmed.permanent
    assert later, "the timeout came with the last item: nothing left to check"
    for r in later:
        assert r.status is None and "not sent" in r.reason, str(r)
    at_peer = {dcmread(p, stop_before_pixels=True).SOPInstanceUID for p in stored(folder)}
    for f, r in zip(files, report, strict=True):
        assert not r.ok or dcmread(f).SOPInstanceUID in at_peer, f"{r} but not at the peer"


def test_a_response_to_another_message_id_is_not_a_success():
    with CraftedSCP(answer_with_wrong_message_id) as peer:
        report = in_thread(lambda: send(make_ct(5), port=peer.port, called_ae="ANY-SCP",
                                        timeout=2), within=30)
        assert report != "still running"
    assert not report[0].ok and report[0].status is None, str(report[0])


# ============================================================================= 6. deflate bomb

@needs_proc
def test_identifiers_of_a_deflated_data_set_are_read_without_inflating_it(tmp_path):
    bomb = deflate_bomb(tmp_path / "bomb.dcm")
    assert bomb.stat().st_size < 2 * MiB
    with scp_process(tmp_path / "in") as scp:
        idle = reset_peak(scp.pid)
        report = send(bomb, port=scp.port, called_ae="WORKSHOP", timeout=60)
        grown = peak_growth_mib(scp.pid, idle)
    assert grown < 100, f"our SCP's peak memory grew by {grown} MiB for a {bomb.stat().st_size}-byte file"
    files = stored(scp.folder)
    if report[0].ok:
        assert len(files) == 1 and dataset_bytes(files[0]) == dataset_bytes(bomb)
    else:
        assert files == [], f"{report[0]} but left {files}"


# ============================================================================= 7. idle CPU

def idle_association(port: int, k: int, stack: ExitStack) -> socket.socket:
    return stack.enter_context(associated(port, source=f"127.0.1.{k + 1}"))


def silent_connection(port: int, k: int, stack: ExitStack) -> socket.socket:
    return stack.enter_context(socket.create_connection(("127.0.0.1", port), 10,
                                                        source_address=(f"127.0.2.{k + 1}", 0)))


@needs_proc
@pytest.mark.parametrize(("open_one", "count"), [(idle_association, 20), (silent_connection, 30)])
def test_idle_peers_cost_next_to_no_cpu(tmp_path, open_one, count):
    """Each from its own loopback address, so no per-address limit turns them away."""
    with scp_process(tmp_path / "in", timeout=30, max_associations=32) as scp, \
            ExitStack() as stack:
        for k in range(count):
            open_one(scp.port, k, stack)
        time.sleep(0.5)  # settle
        start = cpu_seconds(scp.pid)
        time.sleep(2)
        used = cpu_seconds(scp.pid) - start
    assert used < 0.3, f"{count} idle peers cost our SCP {used:.2f} CPU-seconds in 2 s"


# ============================================================================= 8. a 400 MB instance

@needs_proc
def test_a_400_mb_instance_is_streamed_on_both_sides(tmp_path):
    big = big_ct_file(tmp_path / "big.dcm", 400 * MiB)
    try:
        with scp_process(tmp_path / "in", timeout=60) as scp:
            idle = reset_peak(scp.pid)
            sender = send_in_subprocess(big, scp.port)
            scp_grown = peak_growth_mib(scp.pid, idle)
        assert sender["ok"], sender["reason"]
        assert scp_grown < 100, f"our SCP's peak memory grew by {scp_grown} MiB for 400 MB"
        sender_grown = (sender["peak"] - sender["before"]) // 1024
        assert sender_grown < 100, f"send()'s peak memory grew by {sender_grown} MiB for 400 MB"
        (copy,) = stored(scp.folder)
        assert dataset_digest(copy) == dataset_digest(big)
    finally:
        for p in stored(tmp_path):
            p.unlink()


@needs_proc
def test_a_large_instance_for_an_implicit_vr_peer_is_streamed_too(dcmtk, tmp_path):
    """Explicit VR on disk, dcmtk's storescp +xi takes only implicit VR: converted on the way."""
    big = big_ct_file(tmp_path / "big.dcm", 200 * MiB)
    folder = tmp_path / "dcmtk"
    try:
        with net.dcmtk_storescp(folder, "STORESCP", args=["+xi"]) as port:
            sender = send_in_subprocess(big, port, "STORESCP")
        assert sender["ok"], sender["reason"]
        grown = (sender["peak"] - sender["before"]) // 1024
        assert grown < 100, f"send()'s peak memory grew by {grown} MiB for 200 MB"
        (copy,) = stored(folder)
        assert copy.stat().st_size > 200 * MiB
        assert dcmread(copy, stop_before_pixels=True) == dcmread(big, stop_before_pixels=True)
    finally:
        for p in stored(tmp_path):
            p.unlink()


# ============================================================================= 9. odd length

def test_an_odd_length_data_set_gets_an_answer_from_orthanc(orthanc, tmp_path):
    odd = odd_length_file(tmp_path / "odd.dcm")
    assert len(dataset_bytes(odd)) % 2 == 1
    report = in_thread(lambda: send(odd, port=orthanc.port, called_ae=orthanc.aet, timeout=5),
                       within=30)
    assert report != "still running", "send(timeout=5) to Orthanc still running after 30 s"
    assert report[0].status is not None, f"Orthanc never answered: {report[0]}"


def test_what_is_sent_has_even_length(tmp_path):
    odd = odd_length_file(tmp_path / "odd.dcm")
    with StorageSCP(tmp_path / "in") as scp:
        report = send(odd, port=scp.port, called_ae="WORKSHOP", timeout=5)
        assert report[0].ok, str(report[0])
        copy = target(scp, odd)
    assert len(dataset_bytes(copy)) % 2 == 0, "an odd-length data set went on the wire"
    ds = dcmread(copy)
    assert ds.SOPInstanceUID == dcmread(odd).SOPInstanceUID
    assert str(ds[0x7FE10010].value).strip(" \x00") == "ODD"


@needs_proc
def test_an_odd_length_deflated_data_set_is_padded_without_inflating_it(tmp_path):
    """A deflated stream of odd length (512 MiB inflated): made even without inflating it whole."""
    bomb = deflate_bomb(tmp_path / "bomb.dcm")
    if len(dataset_bytes(bomb)) % 2 == 0:
        with open(bomb, "ab") as f:  # one byte more: after the end of the deflated stream
            f.write(b"\x00")
    deflate = [DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian]  # not accepted by default
    with scp_process(tmp_path / "in", transfer_syntaxes=deflate) as scp:
        sender = send_in_subprocess(bomb, scp.port)
    assert sender["ok"], sender["reason"]
    grown = (sender["peak"] - sender["before"]) // 1024
    assert grown < 100, f"send()'s peak memory grew by {grown} MiB for a 0.5 MB file"
    (copy,) = stored(scp.folder)
    assert len(dataset_bytes(copy)) % 2 == 0, "an odd-length data set went on the wire"
    assert inflated_digest(copy) == inflated_digest(bomb)


# ============================================================================= 10. UIDs in the request

UID_A, UID_B = "1.2.826.0.1.3680043.8.498.10", "1.2.826.0.1.3680043.8.498.11"


@pytest.mark.filterwarnings("ignore:Invalid value for VR UI")
@pytest.mark.parametrize(("affected", "in_data_set"), [
    ("", ""),                        # empty: once stored as NO_SOP_INSTANCE_UID.dcm, no answer
    ("1.2.3.abc", "1.2.3.abc"),      # not a UID
    (UID_A, UID_B),                  # the data set is another instance than the request says
], ids=["empty", "invalid", "mismatch"])
def test_a_bad_or_mismatched_sop_instance_uid_is_refused(tmp_path, affected, in_data_set):
    ds = make_ct(10, sop=in_data_set)
    with StorageSCP(tmp_path / "in") as scp:
        with associated(scp.port) as sock:
            status = c_store(sock, affected, ds)
        assert is_failure(status), f"status {status!r} for Affected SOP Instance UID {affected!r}"
        assert stored(scp.folder) == []
        assert echo(port=scp.port, called_ae="WORKSHOP").ok


# ============================================================================= 11. distinct names

def old_safe_path_part(value: str) -> str:
    """What the old safe_path_part made of a value it had to clean: the cleaned text + a hash."""
    clean = "".join(c if c.isalnum() and c.isascii() or c in "._^-" else "_" for c in value)
    return f"{clean[:55]}-{hashlib.sha1(value.encode()).hexdigest()[:8]}"


@pytest.mark.parametrize("value", ["A/B", "1.2.3/4", "1.2.3 4", "x" * 70])
def test_a_cleaned_value_never_equals_another_value(value):
    lookalike = old_safe_path_part(value)
    assert safe_path_part(value) != safe_path_part(lookalike)


def test_no_part_starts_with_a_dash():
    assert not safe_path_part("-rf").startswith("-")
    assert not safe_path_part("--help").startswith("-")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80), st.text(max_size=80))
def test_distinct_values_give_distinct_parts(a, b):
    a_, b_ = a.strip(" \x00"), b.strip(" \x00")
    assume(a_ and b_ and a_ != b_)
    assert safe_path_part(a) != safe_path_part(b)
    assert not safe_path_part(a).startswith("-")


def test_stored_paths_are_distinct_short_and_safe(tmp_path):
    prefix = "1.2.826.0.1.3680043.8.498."
    uid64 = [prefix + str(n).rjust(64 - len(prefix), "1") for n in range(4)]
    long_id = "-" + "P" * 63
    datasets = [make_ct(0, patient_id=long_id, study=uid64[0], series=uid64[1], sop=uid64[2]),
                make_ct(1, patient_id=long_id, study=uid64[0], series=uid64[1], sop=uid64[3]),
                make_ct(2, patient_id="A/B", sop=UID_A),
                make_ct(3, patient_id=old_safe_path_part("A/B"), sop=UID_B)]
    with StorageSCP(tmp_path / "in") as scp:
        report = send(datasets, port=scp.port, called_ae="WORKSHOP")
        assert all(r.ok for r in report), [str(r) for r in report]
        paths = [target(scp, ds) for ds in datasets]
        assert scp.duplicates == 0 and len(set(paths)) == 4 and set(paths) == set(stored(scp.folder))
    assert paths[2].relative_to(scp.folder).parts[0] != paths[3].relative_to(scp.folder).parts[0]
    for p in paths:
        relative = p.relative_to(scp.folder)
        assert len(str(relative)) <= 200, f"{len(str(relative))} characters: {relative}"
        assert not any(part.startswith("-") for part in relative.parts), relative


# ============================================================================= 12. implicit VR

def test_a_peer_that_takes_only_implicit_vr_gets_the_same_elements(dcmtk, tmp_path):
    files = write_cts(tmp_path / "out", 2)
    folder = tmp_path / "dcmtk"
    with net.dcmtk_storescp(folder, "STORESCP", args=["+xi"]) as port:
        report = send(files, port=port, called_ae="STORESCP")
    assert all(r.ok for r in report), [str(r) for r in report]
    copies = {dcmread(p).SOPInstanceUID: dcmread(p) for p in stored(folder)}
    for f in files:
        original = dcmread(f)
        copy = copies[original.SOPInstanceUID]
        assert copy.file_meta.TransferSyntaxUID == ImplicitVRLittleEndian
        assert [e.tag for e in copy] == [e.tag for e in original]
        for elem in original:
            assert copy[elem.tag].value == elem.value, elem.keyword


def test_no_accepted_context_is_said_so_not_aborted_by_peer(dcmtk, tmp_path):
    jpeg = make_ct(12)
    jpeg.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    with net.dcmtk_storescp(tmp_path / "dcmtk", "STORESCP", args=["+xi"]) as port:
        (result,) = send(jpeg, port=port, called_ae="STORESCP")
    assert "no presentation context accepted" in result.reason, str(result)
    assert "aborted by" not in result.reason and f"127.0.0.1:{port}" in result.reason
    assert result.permanent and not result.ok


# ============================================================================= 22. a shared machine

def rejection(port: int, calling: str, called: str = "WORKSHOP") -> bytes:
    """The A-ASSOCIATE-RJ (or whatever else) an SCP answers to a request from ``calling``."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(associate_rq(called, calling))
        kind, body = read_pdu(sock)
    return bytes([kind]) + body


def test_a_calling_ae_title_it_was_not_told_is_rejected_in_words(tmp_path):
    """PS3.8 9.3.4: A-ASSOCIATE-RJ, permanent, service user, calling AE title not recognised."""
    with StorageSCP(tmp_path / "in") as scp:
        answer = rejection(scp.port, "STRANGER")
        assert answer[0] == 0x03 and tuple(answer[-3:]) == (1, 1, 3), answer.hex(" ")
        (result,) = send(make_ct(220), port=scp.port, called_ae="WORKSHOP", calling_ae="STRANGER")
        assert not result.ok and result.permanent
        assert "calling AE title not recognised" in result.reason, str(result)
        assert send(make_ct(220), port=scp.port, called_ae="WORKSHOP")[0].ok  # a course title
        assert scp.count == 1 and any("STRANGER" in text for text in scp.failures)
    with StorageSCP(tmp_path / "told", allowed_calling_aes=["MODALITY"]) as told:
        assert tuple(rejection(told.port, "WORKSHOP-SCU")[-3:]) == (1, 1, 3)
        assert send(make_ct(221), port=told.port, called_ae="WORKSHOP", calling_ae="MODALITY")[0].ok


def test_a_symbolic_link_in_the_storage_folder_is_never_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    ds = make_ct(222, patient_id="LINKED")
    with StorageSCP(tmp_path / "in") as scp:
        (scp.folder / "LINKED").symlink_to(outside, target_is_directory=True)
        (result,) = send(ds, port=scp.port, called_ae="WORKSHOP")
        assert not result.ok and result.status == 0xA700, str(result)
        assert "symbolic link" in result.reason, str(result)
        assert not list(outside.rglob("*")), "the SCP wrote through a symbolic link"
        (scp.folder / "LINKED").unlink()
        assert send(ds, port=scp.port, called_ae="WORKSHOP")[0].ok  # and it goes on serving
        scp.stop()
        shutil.rmtree(scp.incoming)
        scp.incoming.symlink_to(outside, target_is_directory=True)
        with pytest.raises(net.NetError, match="symbolic link"):
            scp.start()
    assert not list(outside.rglob("*"))


def test_a_deflate_bomb_is_refused_and_an_instance_over_the_cap_too(tmp_path):
    bomb = deflate_bomb(tmp_path / "bomb.dcm")  # 0.5 MB that inflates to 512 MiB
    with StorageSCP(tmp_path / "in") as scp:  # by default: no deflated transfer syntax
        (result,) = send(bomb, port=scp.port, called_ae="WORKSHOP", timeout=60)
        assert not result.ok and "no presentation context accepted" in result.reason, str(result)
        assert stored(scp.folder) == []
    with StorageSCP(tmp_path / "deflate", max_instance_bytes=64 * MiB,
                    transfer_syntaxes=[DeflatedExplicitVRLittleEndian, ExplicitVRLittleEndian]) as scp:
        (result,) = send(bomb, port=scp.port, called_ae="WORKSHOP", timeout=60)
        assert result.status == 0xA700 and "67,108,864 bytes" in result.reason, str(result)
        big = big_ct_file(tmp_path / "big.dcm", 80 * MiB)
        (result,) = send(big, port=scp.port, called_ae="WORKSHOP", timeout=60)
        assert result.status == 0xA700 and "per instance" in result.reason, str(result)
        assert send(make_ct(223), port=scp.port, called_ae="WORKSHOP")[0].ok
        assert [p.suffix for p in stored(scp.folder)] == [".dcm"]


def test_an_identifier_over_4096_bytes_gets_a_clear_failure(tmp_path):
    ds = make_ct(224, patient_id="P" * 5000)
    with StorageSCP(tmp_path / "in") as scp:
        (result,) = send(ds, port=scp.port, called_ae="WORKSHOP")
        assert not result.ok and result.status == 0xC000, str(result)
        assert "Patient ID of 5,000 bytes: not a DICOM value (PS3.5 6.2)" in result.reason
        assert "AttributeError" not in result.reason and "filename" not in result.reason
        assert stored(scp.folder) == []


def test_no_python_exception_text_reaches_the_peer(tmp_path):
    def on_arrival(arrival):
        raise KeyError(f"secret {arrival.patient_id}")

    with StorageSCP(tmp_path / "in", on_arrival=on_arrival) as scp:
        (result,) = send(make_ct(225, patient_id="SECRET-ID"), port=scp.port, called_ae="WORKSHOP")
        assert result.status == 0xC000, str(result)
        assert "KeyError" not in result.reason and "SECRET" not in result.reason, str(result)
        assert "its log says why" in result.reason
        assert any("KeyError" in text and "SECRET-ID" in text for text in scp.failures)
