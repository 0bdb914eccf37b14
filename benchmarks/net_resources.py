"""Network resources: peak memory for one big instance and CPU of idle peers, ours beside plain pynetdicom.

Every process measured runs in a subprocess of its own; its memory and CPU are read from
``/proc/<pid>/status`` (VmRSS, VmHWM) and ``/proc/<pid>/stat`` (utime + stime).

Memory: one instance of ``--size`` MB (default 500: a multi-frame 16-bit secondary capture whose
Pixel Data is written by pydicom into a temporary file) is stored once by each of

- our SCP (``python -m workshop_helpers storescp PORT -od DIR -aet X``), sent by dcmtk storescu;
- plain pynetdicom's SCP as its documentation shows it (an ``evt.EVT_C_STORE`` handler that
  writes ``event.encoded_dataset()``), and the same with ``_config.STORE_RECV_CHUNKED_DATASET``
  (the handler moves ``event.dataset_path``);
- our ``send()``, and plain pynetdicom's ``send_c_store(path)`` without and with
  ``_config.STORE_SEND_CHUNKED_DATASET``, each to dcmtk storescp.

Printed: the resident memory of the idle process (started, imports done, nothing sent yet), the
peak while the instance goes through (VmHWM after resetting it through ``/proc/<pid>/clear_refs``),
the difference ("above idle") and ours / plain.

CPU: for ``--hold`` seconds (default 3), the server's CPU time (all threads) while it holds
``--connections`` (default 30) TCP connections that never send a byte, then as many idle
associations (crafted A-ASSOCIATE-RQ, accepted, then silent), in % of one core. Each connection
comes from its own loopback address (127.0.0.10, 127.0.0.11, ...): 30 peers, not 30 sockets of one
peer (a per-address limit would otherwise refuse most of them). The benchmark process itself holds
only plain sockets, so it does not compete for the two cores.

Usage: ``python benchmarks/net_resources.py [--size 500] [--connections 30] [--hold 3] [--quick]``.
The throughput comparison with dcmtk is ``benchmarks/store_throughput.py``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid
from store_throughput import dcmtk_peer

from workshop_helpers import files, tools
from workshop_helpers.net import free_port

NODELAY = {**os.environ, "TCP_NODELAY": "1"}
SC_WORD_MULTIFRAME = "1.2.840.10008.5.1.4.1.1.7.3"
CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MB = 1e6

# The plain pynetdicom SCP, in the shape its documentation shows (and notebook 07 teaches).
PLAIN_SCP = """
import shutil, sys
from pathlib import Path
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, _config, evt
from pynetdicom.presentation import AllStoragePresentationContexts

port, out, chunked = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
_config.STORE_RECV_CHUNKED_DATASET = chunked

def handle_store(event):
    target = out / f"{event.request.AffectedSOPInstanceUID}.dcm"
    if chunked:
        shutil.move(event.dataset_path, target)
    else:
        target.write_bytes(event.encoded_dataset())
    return 0x0000

ae = AE(ae_title="PLAIN")
ae.maximum_associations = 64
for cx in AllStoragePresentationContexts:
    ae.add_supported_context(cx.abstract_syntax, ALL_TRANSFER_SYNTAXES)
ae.start_server(("127.0.0.1", port), evt_handlers=[(evt.EVT_C_STORE, handle_store)])
"""

# Senders: import, say "ready", wait for a line, send, say "done ...", wait for a line, exit.
OUR_SEND = """
import sys
from workshop_helpers.net import send

path, port = sys.argv[1], int(sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()
result = send([path], port=port, called_ae="STORESCP", progress=False)[0]
print("done", result.ok, result, flush=True)
sys.stdin.readline()
"""

PLAIN_SEND = """
import sys
from pydicom import dcmread
from pynetdicom import AE, _config

path, port, chunked = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
_config.STORE_SEND_CHUNKED_DATASET = chunked
meta = dcmread(path, stop_before_pixels=True)
ae = AE(ae_title="PLAIN-SCU")
ae.add_requested_context(meta.SOPClassUID, meta.file_meta.TransferSyntaxUID)
del meta
print("ready", flush=True)
sys.stdin.readline()
assoc = ae.associate("127.0.0.1", port, ae_title="STORESCP")
status = assoc.send_c_store(path).Status if assoc.is_established else None
if assoc.is_established:
    assoc.release()
print("done", status == 0, status, flush=True)
sys.stdin.readline()
"""


# --------------------------------------------------------------------------- /proc readers

def memory_mb(pid: int, key: str) -> float:
    """``VmRSS`` or ``VmHWM`` of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024 / MB
    raise KeyError(f"{key} not in /proc/{pid}/status")


def reset_peak(pid: int) -> bool:
    """Set VmHWM back to the current VmRSS (Linux >= 4.0); False when not allowed."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class PeakSampler:
    """Polls VmRSS every few ms: the peak when clear_refs cannot be written."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, memory_mb(self.pid, "VmRSS"))
            self._stop.wait(0.005)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def peak_of(pid: int):
    """Yield a dict that holds ``idle`` now and ``peak`` (MB) when the block ends."""
    out = {"idle": memory_mb(pid, "VmRSS")}
    exact = reset_peak(pid)
    with PeakSampler(pid) as sampler:
        yield out
    out["peak"] = max(sampler.peak, memory_mb(pid, "VmHWM") if exact else 0.0)


# --------------------------------------------------------------------------- processes

@contextmanager
def process(args: list[str], log: Path, **kwargs):
    """Start ``args`` in the folder of ``log`` (so that the current directory cannot shadow the
    ``workshop_helpers`` on ``sys.path``); always stop it by its pid (SIGTERM, then SIGKILL)."""
    with open(log, "w") as err:
        proc = subprocess.Popen(args, stderr=err, text=True, cwd=log.parent, **kwargs)
    try:
        yield proc
    finally:
        tools.stop_process(proc)


def wait_listening(proc: subprocess.Popen, port: int, log: Path, startup: float = 20) -> None:
    """Wait until something accepts TCP connections on ``port`` (and let it settle)."""
    end = time.monotonic() + startup
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}): {log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > end:
                raise RuntimeError(f"nothing listens on {port} after {startup} s") from None
            time.sleep(0.05)
    time.sleep(0.5)


@contextmanager
def server(kind: str, folder: Path, work: Path):
    """Run our SCP (``kind="ours"``) or plain pynetdicom's (``"plain"``, ``"plain-chunked"``).

    Yields ``(pid, port, called AE title)``.
    """
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "ours":
        args, aet = [sys.executable, "-m", "workshop_helpers", "storescp", str(port),
                     "-od", str(folder), "-aet", "BENCH"], "BENCH"
    else:
        args, aet = [sys.executable, "-c", PLAIN_SCP, str(port), str(folder),
                     "1" if kind == "plain-chunked" else "0"], "PLAIN"
    log = work / f"{kind}-scp.log"
    with process(args, log, stdout=subprocess.DEVNULL) as proc:
        wait_listening(proc, port, log)
        yield proc.pid, port, aet


# --------------------------------------------------------------------------- memory

def make_big_file(path: Path, size_mb: float) -> Path:
    """A multi-frame 16-bit secondary capture of about ``size_mb`` MB (Pixel Data OW)."""
    frame = 512 * 512 * 2
    frames = max(1, round(size_mb * MB / frame))
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID, ds.SOPInstanceUID = SC_WORD_MULTIFRAME, generate_uid()
    ds.PatientName, ds.PatientID, ds.Modality = "BIG^INSTANCE", "BIG", "OT"
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.Rows = ds.Columns = 512
    ds.NumberOfFrames = frames
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.PixelData = np.resize(np.arange(4096, dtype=np.uint16), frames * frame // 2).tobytes()
    ds["PixelData"].VR = "OW"
    ds.save_as(path, enforce_file_format=True)
    return path


def files_in(folder: Path) -> list[Path]:
    """The DICOM files stored below ``folder`` (files.dicom_files: temporary ones left out)."""
    return list(files.dicom_files(folder, recursive=True))


def scp_memory(kind: str, big: Path, work: Path) -> dict:
    """Idle and peak RSS of an SCP while dcmtk storescu sends it ``big``."""
    out = work / f"in-{kind}"
    try:
        with server(kind, out, work) as (pid, port, aet), peak_of(pid) as mem:
            t0 = time.perf_counter()
            subprocess.run([tools.dcmtk_tool("storescu"), "-aec", aet, "127.0.0.1", str(port),
                            str(big)], env=NODELAY, check=True, capture_output=True, timeout=600)
            mem["seconds"] = time.perf_counter() - t0
        stored = [p.stat().st_size for p in files_in(out)]
        assert stored and stored[0] >= big.stat().st_size - 1000, f"{kind}: stored {stored}"
        return mem
    finally:
        shutil.rmtree(out, ignore_errors=True)


def scu_memory(kind: str, big: Path, work: Path) -> dict:
    """Idle and peak RSS of a sender process while it sends ``big`` to dcmtk storescp."""
    out = work / f"out-{kind}"
    script = OUR_SEND if kind == "ours" else PLAIN_SEND
    args = [sys.executable, "-c", script, str(big)]
    try:
        with dcmtk_peer(out) as port:
            args += [str(port), "1" if kind == "plain-chunked" else "0"]
            log = work / f"{kind}-scu.log"
            with process(args, log, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as proc:
                assert proc.stdout.readline().strip() == "ready", log.read_text()[-2000:]
                with peak_of(proc.pid) as mem:
                    t0 = time.perf_counter()
                    proc.stdin.write("go\n")
                    proc.stdin.flush()
                    done = proc.stdout.readline().split(maxsplit=2)
                    mem["seconds"] = time.perf_counter() - t0
                proc.stdin.write("exit\n")
                proc.stdin.flush()
        assert done[:2] == ["done", "True"], f"{kind}: {done} {log.read_text()[-2000:]}"
        return mem
    finally:
        shutil.rmtree(out, ignore_errors=True)


# --------------------------------------------------------------------------- CPU

def _item(kind: int, body: bytes) -> bytes:
    return struct.pack(">BxH", kind, len(body)) + body


def associate_rq(called: str, calling: str) -> bytes:
    """An A-ASSOCIATE-RQ PDU (PS3.8 9.3.2) proposing CT Image Storage, Implicit VR Little Endian."""
    context = _item(0x20, bytes([1, 0, 0, 0]) + _item(0x30, CT_IMAGE_STORAGE.encode())
                    + _item(0x40, ImplicitVRLittleEndian.encode()))
    user = _item(0x50, _item(0x51, struct.pack(">I", 16384))
                 + _item(0x52, b"1.2.826.0.1.3680043.8.498.1"))
    body = (struct.pack(">HH", 1, 0) + called.ljust(16).encode() + calling.ljust(16).encode()
            + bytes(32) + _item(0x10, b"1.2.840.10008.3.1.1.1") + context + user)
    return struct.pack(">BxI", 1, len(body)) + body


def read_pdu_type(sock: socket.socket) -> int:
    """Read one whole PDU; return its type (2: A-ASSOCIATE-AC, 3: -RJ, 7: A-ABORT)."""
    header = sock.recv(6, socket.MSG_WAITALL)
    if len(header) < 6:
        return 0
    kind, length = struct.unpack(">BxI", header)
    while length > 0:
        chunk = sock.recv(min(length, 65536))
        if not chunk:
            break
        length -= len(chunk)
    return kind


def open_peers(port: int, count: int, associate_as: str | None) -> list[socket.socket]:
    """``count`` connections, each from its own loopback address; associated when a called AE
    title is given (only those accepted are kept), silent otherwise."""
    peers = []
    for n in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10,
                                        source_address=(f"127.0.0.{10 + n}", 0))
        if associate_as is not None:
            sock.sendall(associate_rq(associate_as, f"IDLE{n:02d}"))
            if read_pdu_type(sock) != 2:
                sock.close()
                continue
        peers.append(sock)
    return peers


def still_open(sock: socket.socket) -> bool:
    """True when the server has neither closed nor written to this connection."""
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)
    except BlockingIOError:
        return True
    except OSError:
        pass
    return False


def cpu_while(pid: int, hold: float) -> float:
    """The process's CPU use over ``hold`` seconds from now, in % of one core."""
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(hold)
    return 100 * (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def idle_cpu(kind: str, work: Path, count: int, hold: float) -> dict:
    """CPU of a server with no connection, ``count`` silent ones, ``count`` idle associations.

    A fresh server for each (a server may take a while to notice closed connections). Values are
    ``(% of one core, connections still open at the end)``.
    """
    out = work / f"cpu-{kind}"
    result = {}
    try:
        for name in ("nothing", "silent", "associations"):
            with server(kind, out, work) as (pid, port, aet):
                called = aet if name == "associations" else None
                peers = open_peers(port, count if name != "nothing" else 0, called)
                try:
                    time.sleep(0.5)
                    result[name] = (cpu_while(pid, hold), sum(map(still_open, peers)))
                finally:
                    for sock in peers:
                        sock.close()
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return result


# --------------------------------------------------------------------------- report

def memory_table(rows: dict[str, dict], size_mb: float) -> list[str]:
    lines = [f"peak RSS, one {size_mb:.0f} MB instance         idle MB  peak MB  above idle   "
             "seconds"]
    for name, m in rows.items():
        lines.append(f"  {name:<40} {m['idle']:7.0f}  {m['peak']:7.0f}  {m['peak'] - m['idle']:10.1f}"
                     f"  {m['seconds']:8.1f}")
    return lines


def above(m: dict) -> float:
    return max(m["peak"] - m["idle"], 0.1)


def cpu_table(ours: dict, plain: dict, count: int, hold: float) -> list[str]:
    lines = [f"server CPU over {hold:g} s, % of one core     ours (open)   plain (open)   "
             "ours/plain"]
    labels = {"nothing": "no connection", "silent": f"{count} silent TCP connections",
              "associations": f"{count} idle associations"}
    for key, label in labels.items():
        (a, na), (b, nb) = ours[key], plain[key]
        ratio = f"{a / b:10.2f}" if b >= 0.5 else "    (~0 plain)"
        lines.append(f"  {label:<40} {a:5.1f} ({na:2d})    {b:5.1f} ({nb:2d})   {ratio}")
    return lines


def measure_memory(work: Path, size_mb: float) -> dict[str, dict]:
    big = make_big_file(work / "big.dcm", size_mb)
    try:
        return {
            "our StorageSCP (storescu sends)": scp_memory("ours", big, work),
            "plain SCP, encoded_dataset()": scp_memory("plain", big, work),
            "plain SCP, STORE_RECV_CHUNKED_DATASET": scp_memory("plain-chunked", big, work),
            "our send() (to dcmtk storescp)": scu_memory("ours", big, work),
            "plain send_c_store(path)": scu_memory("plain", big, work),
            "plain send_c_store, STORE_SEND_CHUNKED": scu_memory("plain-chunked", big, work),
        }
    finally:
        big.unlink(missing_ok=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=float, default=500, help="MB of the big instance (500)")
    ap.add_argument("--connections", type=int, default=30, help="idle peers (30)")
    ap.add_argument("--hold", type=float, default=3, help="seconds the idle peers are held (3)")
    ap.add_argument("--quick", action="store_true", help="--size 100 --hold 1")
    ap.add_argument("--skip", choices=["memory", "cpu"], help="leave one part out")
    args = ap.parse_args(argv)
    if args.quick:
        args.size, args.hold = 100, 1
    if not tools.has_dcmtk():
        print("dcmtk is not installed: nothing to send with", file=sys.stderr)
        return 1
    import workshop_helpers.net

    print(f"{Path(workshop_helpers.net.__file__).parent}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work shows up as noise)")
    with tempfile.TemporaryDirectory(prefix="net_resources_", dir="/tmp") as tmp:
        work = Path(tmp)
        if args.skip != "cpu":
            ours = idle_cpu("ours", work, args.connections, args.hold)
            plain = idle_cpu("plain", work, args.connections, args.hold)
            print("\n".join(cpu_table(ours, plain, args.connections, args.hold)), flush=True)
        if args.skip != "memory":
            rows = measure_memory(work, args.size)
            print("\n".join(memory_table(rows, args.size)))
            m = list(rows.values())
            print(f"above idle, ours / plain: SCP {above(m[0]) / above(m[1]):.3g} "
                  f"(chunked plain: {above(m[0]) / above(m[2]):.3g}), SCU "
                  f"{above(m[3]) / above(m[4]):.3g} (chunked plain: {above(m[3]) / above(m[5]):.3g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
