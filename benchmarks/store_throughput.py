"""C-STORE throughput, in one run: dcmtk, pynetdicom's apps, Orthanc and ours, and the disk's floor.

300 CT-sized images (512 x 512, 16-bit, about 150 MB) are generated into a temporary folder and
sent over 127.0.0.1:

- receive (dcmtk's storescu sends): to dcmtk's storescp (the reference), to our StorageSCP
  (durable: fsync before Success), to pynetdicom's storescp app (``python -m pynetdicom
  storescp``, no fsync) and to Orthanc (durable: its default ``SyncStorageArea`` true fsyncs each
  write since Orthanc 1.7.4);
- send (dcmtk's storescp receives): from dcmtk's storescu, from our ``send()``, from pynetdicom's
  storescu app;
- the durable-write floor of this disk: the same files written with write + fdatasync + rename +
  fsync of the folder, one after the other, no network: what any durable receiver must pay.

The dcmtk tools run with ``TCP_NODELAY=1`` in their environment (without it they wait on
Nagle's algorithm and delayed ACKs). Printed: seconds and files per second for each, and ratios
in files per second: each receiver against dcmtk's, ours against each other receiver and against
the floor, each sender against dcmtk's. Goals: ours >= 1x pynetdicom's apps and
Orthanc, receive within 1.5x of the floor, send >= 0.6x dcmtk.

Usage: ``python benchmarks/store_throughput.py [--files 300] [--repeat 3] [--plain] [--no-orthanc]
[--quick] [--profile]`` (best of the repeats; ``--plain`` adds pynetdicom in this process, as its
documentation writes an SCP and an SCU; ``--quick`` is ``--files 60 --repeat 1``; ``--profile``
then sends once more to our SCP under py-spy and prints where its time goes). Memory for one
500 MB instance and CPU of idle connections, ours beside plain pynetdicom, are in
``benchmarks/net_resources.py``.
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

from workshop_helpers import files, pacs, tools
from workshop_helpers.net import NetError, StorageSCP, dcmtk_storescp, echo, free_port, send

NODELAY = {**os.environ, "TCP_NODELAY": "1"}


def make_files(folder: Path, count: int) -> list[Path]:
    rng = np.random.default_rng(0)
    study, series = generate_uid(), generate_uid()
    pixels = rng.integers(-1000, 2000, (512, 512), dtype=np.int16)
    out = []
    for n in range(count):
        ds = Dataset()
        ds.file_meta = FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.SOPClassUID = CTImageStorage
        ds.SOPInstanceUID = generate_uid()
        ds.PatientName, ds.PatientID, ds.Modality = "BENCH^MARK", "BENCH", "CT"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.InstanceNumber = study, series, n + 1
        ds.Rows = ds.Columns = 512
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.PixelData = np.roll(pixels, n, axis=0).tobytes()
        p = folder / f"ct{n:04d}.dcm"
        ds.save_as(p, enforce_file_format=True)
        out.append(p)
    return out


@contextmanager
def dcmtk_peer(folder: Path, attempts: int = 3):
    """``dcmtk_storescp(folder)``, tried again when its free port was taken meanwhile (other
    programs on the machine open ports too)."""
    with ExitStack() as stack:
        for attempt in range(attempts):
            try:
                port = stack.enter_context(dcmtk_storescp(folder))
                break
            except NetError:
                if attempt == attempts - 1:
                    raise
        yield port


def dcmtk_storescu(files, port, aec) -> float:
    t0 = time.perf_counter()
    subprocess.run([tools.dcmtk_tool("storescu"), "-aec", aec, "127.0.0.1", str(port),
                    *map(str, files)], env=NODELAY, check=True, capture_output=True)
    return time.perf_counter() - t0


def count(folder: Path) -> int:
    """DICOM files stored below ``folder`` (files.dicom_files: a temporary or cut file is not one)."""
    return len(files.dicom_files(folder, recursive=True))


def plain_pynetdicom_scp(out: Path):
    """The baseline: a pynetdicom SCP as its documentation shows it (decode nothing, write
    ``event.encoded_dataset()``), no tuning."""
    from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, evt
    from pynetdicom.presentation import AllStoragePresentationContexts

    out.mkdir(parents=True, exist_ok=True)

    def on_store(event):
        (out / f"{event.request.AffectedSOPInstanceUID}.dcm").write_bytes(event.encoded_dataset())
        return 0x0000

    ae = AE(ae_title="PLAIN")
    for cx in AllStoragePresentationContexts:
        ae.add_supported_context(cx.abstract_syntax, ALL_TRANSFER_SYNTAXES)
    return ae.start_server(("127.0.0.1", 0), block=False, evt_handlers=[(evt.EVT_C_STORE, on_store)])


def plain_pynetdicom_send(files, port: int) -> None:
    """The baseline SCU: pynetdicom's ``send_c_store`` with file paths, default settings."""
    from pydicom import dcmread
    from pynetdicom import AE

    ae = AE(ae_title="PLAIN-SCU")
    ds = dcmread(files[0], stop_before_pixels=True)
    ae.add_requested_context(ds.SOPClassUID, ds.file_meta.TransferSyntaxUID)
    assoc = ae.associate("127.0.0.1", port, ae_title="STORESCP")
    assert assoc.is_established
    try:
        for f in files:
            assert assoc.send_c_store(f).Status == 0
    finally:
        assoc.release()


def pynetdicom_app(*args: str) -> list[str]:
    """The command line of one of pynetdicom's apps (``python -m pynetdicom storescp ...``)."""
    return [sys.executable, "-m", "pynetdicom", *args]


def wait_for_echo(port: int, called_ae: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    """Until the SCP at ``port`` answers a C-ECHO (it takes a moment to start)."""
    end = time.monotonic() + seconds
    while not echo("127.0.0.1", port, called_ae=called_ae, timeout=2).ok:
        if proc.poll() is not None or time.monotonic() > end:
            raise RuntimeError(f"{called_ae} did not start: {proc.args}")
        time.sleep(0.1)


@contextmanager
def pynetdicom_storescp(out: Path):
    """pynetdicom's storescp app on a free port, writing into ``out``; stopped by its pid."""
    port = free_port()
    proc = subprocess.Popen(pynetdicom_app("storescp", str(port), "-aet", "PYNETDICOM",
                                           "-od", str(out)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_echo(port, "PYNETDICOM", proc)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def receive_at_orthanc(files, out: Path) -> float:
    """dcmtk's storescu to Orthanc (fsync per write, its default); seconds, all stored checked."""
    server = pacs.Orthanc(out, aet="ORTHANC", allow_unknown_aes=("echo", "store"))
    with server:
        seconds = dcmtk_storescu(files, server.dicom_port, "ORTHANC")
        stored = len(server.instances())
    assert stored == len(files), f"Orthanc stored {stored} of {len(files)}"
    return seconds


def durable_floor(files, out: Path) -> float:
    """Seconds to write ``files`` durably, no network: write, fdatasync, rename, fsync folder."""
    out.mkdir(parents=True)
    datas = [p.read_bytes() for p in files]  # read first: the floor is the writing
    folder = os.open(out, os.O_RDONLY)
    try:
        t0 = time.perf_counter()
        for n, data in enumerate(datas):
            temp, final = out / f".{n}.part", out / f"{n}.dcm"
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fdatasync(fd)
            finally:
                os.close(fd)
            os.rename(temp, final)
            os.fsync(folder)
        return time.perf_counter() - t0
    finally:
        os.close(folder)


def run_once(files, work: Path, plain: bool = False, orthanc: bool = True) -> dict[str, float]:
    times = {}
    n = len(files)
    names = ["dcmtk->dcmtk", "dcmtk->ours", "dcmtk->pynetdicom app", "ours->dcmtk",
             "pynetdicom app->dcmtk", "durable floor"]
    if orthanc:
        names.insert(3, "dcmtk->Orthanc")
    if plain:
        names += ["dcmtk->plain pynetdicom", "plain pynetdicom->dcmtk"]
    for name in names:
        out = work / name.replace(">", "").replace(" ", "_")
        try:
            times[name] = measure(name, files, out, n)
        except AssertionError as exc:  # a peer that lost files: said, and left out of this run
            print(f"  ({exc}: this run of {name} is left out)", file=sys.stderr)
        shutil.rmtree(out, ignore_errors=True)
    return times


def measure(name: str, files, out: Path, n: int) -> float:
    """Seconds for one path (``sender->receiver``); AssertionError when not all ``n`` arrived."""
    times: dict[str, float] = {}
    shutil.rmtree(out, ignore_errors=True)
    if name == "dcmtk->ours":
        with StorageSCP(out, ae_title="WORKSHOP") as scp:
            times[name] = dcmtk_storescu(files, scp.port, "WORKSHOP")
            assert scp.wait_for(n, 30), f"our SCP stored {scp.count} of {n}: {list(scp.failures)[:3]}"
    elif name == "dcmtk->Orthanc":
        times[name] = receive_at_orthanc(files, out)
    elif name == "durable floor":
        times[name] = durable_floor(files, out)
    elif name == "dcmtk->pynetdicom app":
        with pynetdicom_storescp(out) as port:
            times[name] = dcmtk_storescu(files, port, "PYNETDICOM")
        assert count(out) == n, f"{name}: {count(out)} of {n} files arrived"
    elif name == "dcmtk->plain pynetdicom":
        server = plain_pynetdicom_scp(out)
        try:
            times[name] = dcmtk_storescu(files, server.server_address[1], "PLAIN")
        finally:
            server.shutdown()
    else:
        with dcmtk_peer(out) as port:
            t0 = time.perf_counter()
            if name == "dcmtk->dcmtk":
                dcmtk_storescu(files, port, "STORESCP")
            elif name == "pynetdicom app->dcmtk":
                subprocess.run(pynetdicom_app("storescu", "127.0.0.1", str(port), "-aec",
                                              "STORESCP", *map(str, files)),
                               check=True, capture_output=True)
            elif name.startswith("plain"):
                plain_pynetdicom_send(files, port)
            else:
                report = send(files, port=port, called_ae="STORESCP", progress=False)
                bad = [str(r) for r in report if not r.ok]
                assert not bad, bad[:3]
            times[name] = time.perf_counter() - t0
        assert count(out) == n, f"{name}: {count(out)} of {n} files arrived"
    return times[name]


def profile_scp(files, work: Path, top: int = 12) -> list[str]:
    """Where our SCP's threads spend their wall-clock time while dcmtk storescu sends ``files``.

    py-spy samples this process (``--idle``: waiting for the peer or for the disk counts too);
    each sample is charged to the deepest frame in ``workshop_helpers/net`` (or the call it made
    from there). Needs py-spy (``.venv/bin/pip install py-spy``; not a project requirement).
    """
    import signal

    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        return ["--profile needs py-spy: .venv/bin/pip install py-spy"]
    raw, out = work / "scp-profile.txt", work / "profiled"
    with StorageSCP(out, ae_title="WORKSHOP") as scp:
        proc = subprocess.Popen([spy, "record", "--pid", str(os.getpid()), "--idle", "--threads",
                                 "--rate", "250", "--format", "raw", "--output", str(raw)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.5)  # py-spy attaches
            seconds = dcmtk_storescu(files, scp.port, "WORKSHOP")
            scp.wait_for(len(files), 30)
        finally:
            proc.send_signal(signal.SIGINT)  # py-spy writes its file and ends
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    shutil.rmtree(out, ignore_errors=True)
    where = _charge(raw.read_text() if raw.exists() else "")
    total = sum(where.values()) or 1
    lines = [f"where our SCP's association threads spend the {seconds:.2f} s of dcmtk->ours "
             f"({total} samples, wall clock):"]
    lines += [f"  {100 * n / total:5.1f} %  {k}" for k, n in where.most_common(top)]
    return lines


def _place(frames: list[str]) -> str:
    """``function (file:line): source line`` of the first frame, ``-> callee`` if there is one."""
    import linecache

    import workshop_helpers

    match = re.fullmatch(r"(.*) [(](.*):(\d+)[)]", frames[0])
    if match is None:
        return frames[0]
    function, path, line = match.groups()
    source = linecache.getline(str(Path(workshop_helpers.__file__).parent.parent / path),
                               int(line)).strip()
    callee = f" -> {frames[1].split(' (')[0]}" if len(frames) > 1 else ""
    return f"{function} ({Path(path).name}:{line}) {source[:50]}{callee}"


def _charge(raw: str) -> collections.Counter[str]:
    """Samples per place in ``workshop_helpers/net`` (py-spy's raw format, with ``--threads``).

    Only association threads count: not the main thread, and not a thread that spent nine
    tenths of its samples in one place (the accept loop waiting in ``select``, a watcher of
    silent sockets).
    """
    per_thread: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for line in raw.splitlines():
        stack, n = line.rsplit(" ", 1)
        thread, *frames = stack.split(";")
        ours = [i for i, f in enumerate(frames) if "workshop_helpers/net" in f]
        if not ours or "MainThread" in thread:
            continue
        per_thread[thread][_place(frames[ours[-1]:])] += int(n)
    where: collections.Counter[str] = collections.Counter()
    for places in per_thread.values():
        if places.most_common(1)[0][1] < 0.9 * sum(places.values()):
            where.update(places)
    return where


def report(best: dict[str, float], n: int, size: float) -> list[str]:
    """The table (seconds, files/s, MB/s, files/s relative to dcmtk's) and the ratios."""
    lines = [f"  {'sender -> receiver':<26} {'seconds':>7}  {'files/s':>7}  {'MB/s':>6}  "
             f"{'/ dcmtk':>7}"]
    for k, v in best.items():
        ref = best["dcmtk->dcmtk"]
        lines.append(f"  {k:<26} {v:7.2f}  {n / v:7.0f}  {size / v:6.0f}  {ref / v:7.2f}")

    def ratio(label: str, ours: str, other: str, goal: str) -> None:
        if ours in best and other in best:
            lines.append(f"{label:<46} {best[other] / best[ours]:6.2f}  (goal {goal})")

    lines.append("ratios in files per second (ours / other; above 1: ours is faster):")
    ratio("receive: ours / dcmtk's storescp", "dcmtk->ours", "dcmtk->dcmtk", ">= 0.6")
    ratio("receive: ours / pynetdicom's storescp app", "dcmtk->ours", "dcmtk->pynetdicom app",
          ">= 1")
    ratio("receive: ours / Orthanc (both durable)", "dcmtk->ours", "dcmtk->Orthanc", ">= 1")
    ratio("receive: ours / the durable floor, no network", "dcmtk->ours", "durable floor",
          ">= 0.67")
    ratio("send: ours / dcmtk's storescu", "ours->dcmtk", "dcmtk->dcmtk", ">= 0.6")
    ratio("send: ours / pynetdicom's storescu app", "ours->dcmtk", "pynetdicom app->dcmtk", ">= 1")
    if "dcmtk->plain pynetdicom" in best:
        ratio("receive: ours / plain pynetdicom (in process)", "dcmtk->ours",
              "dcmtk->plain pynetdicom", ">= 1")
        ratio("send: ours / plain pynetdicom (in process)", "ours->dcmtk",
              "plain pynetdicom->dcmtk", ">= 1")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3, help="runs; the best time of each is kept")
    ap.add_argument("--plain", action="store_true",
                    help="also measure plain pynetdicom (its documented SCP and SCU)")
    ap.add_argument("--no-orthanc", action="store_true", help="leave Orthanc out")
    ap.add_argument("--quick", action="store_true", help="--files 60 --repeat 1")
    ap.add_argument("--profile", action="store_true",
                    help="also profile our SCP with py-spy and print where its time goes")
    args = ap.parse_args(argv)
    if args.quick:
        args.files, args.repeat = 60, 1
    if not tools.has_dcmtk():
        print("dcmtk is not installed: nothing to compare against", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="store_bench_", dir="/tmp") as tmp:
        work = Path(tmp)
        (work / "src").mkdir()
        files = make_files(work / "src", args.files)
        size = sum(p.stat().st_size for p in files) / 1e6
        print(f"{len(files)} files, {size:.0f} MB, dcmtk tools with TCP_NODELAY=1, "
              f"best of {args.repeat}; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores")
        best: dict[str, float] = {}
        for _ in range(args.repeat):
            for k, v in run_once(files, work, args.plain,
                                 not args.no_orthanc and pacs.orthanc_program() is not None).items():
                best[k] = min(best.get(k, v), v)
        print("\n".join(report(best, len(files), size)))
        if args.profile:
            print("\n".join(profile_scp(files, work)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
