"""C-GET and C-MOVE from Orthanc: qr beside dcmtk's getscu and movescu; our C-GET peak memory.

For each study size (default 20 and 80 CT images of 512 x 512, 16-bit, about 0.5 MB each) a fresh
Orthanc is started, the study uploaded, and then fetched with C-GET twice over 127.0.0.1:

- by :func:`workshop_helpers.qr.get` (pynetdicom; each instance spooled to disk by
  ``_config.STORE_RECV_CHUNKED_DATASET`` and stored durably), while ``tracemalloc`` records the
  peak of Python's allocations;
- by dcmtk's ``getscu`` (writes each file, no fsync), the reference.

Then the same study is moved (C-MOVE) to ourselves: by :func:`workshop_helpers.qr.move` into a
StorageSCP it starts (durable), and by dcmtk's ``movescu`` into its own listener (``+P``).

Printed per size: seconds for each, ours / dcmtk in files per second, and our C-GET peak in MB. A peak
that stays flat from the small study to the large one is what "bounded" means: memory follows
one piece of one instance, not the study.

Usage: ``python benchmarks/cget_memory.py [--sizes 20 80]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from pydicom import dcmread
from store_throughput import make_files

from workshop_helpers import pacs, qr, tools
from workshop_helpers.net import free_port

NODELAY = {**os.environ, "TCP_NODELAY": "1"}


def fetch(count: int, work: Path) -> dict[str, float]:
    """Upload ``count`` images to a fresh Orthanc, C-GET them with ours and with getscu."""
    (work / f"src{count}").mkdir()
    files = make_files(work / f"src{count}", count)
    study = str(dcmread(files[0], stop_before_pixels=True).StudyInstanceUID)
    server = pacs.Orthanc(work / f"pacs{count}", aet="ORTHANC",
                          modalities={"WORKSTATION": ("127.0.0.1", 1)})
    with server:
        for path in files:
            server.upload(path)
        tracemalloc.start()
        t0 = time.perf_counter()
        result = qr.get("127.0.0.1", server.dicom_port, {"StudyInstanceUID": study},
                        work / f"ours{count}", level="STUDY", timeout=60)
        ours = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        assert result.completed == count, result.message()
        (work / f"dcmtk{count}").mkdir()
        t0 = time.perf_counter()
        subprocess.run([tools.dcmtk_tool("getscu"), "-S", "-aet", "WORKSTATION", "-aec", "ORTHANC",
                        "-k", "QueryRetrieveLevel=STUDY", "-k", f"StudyInstanceUID={study}",
                        "-od", str(work / f"dcmtk{count}"), "-td", "60", "127.0.0.1",
                        str(server.dicom_port)], env=NODELAY, check=True, capture_output=True)
        dcmtk = time.perf_counter() - t0
        moves = move_both(server, study, count, work)
    got = len(list((work / f"dcmtk{count}").iterdir()))
    assert got == count, f"getscu stored {got} of {count}"
    return {"ours": ours, "dcmtk": dcmtk, "peak": peak, **moves}


def move_both(server: pacs.Orthanc, study: str, count: int, work: Path) -> dict[str, float]:
    """C-MOVE of the study to ourselves: qr.move into our StorageSCP, dcmtk's movescu into its own."""
    ours_port, dcmtk_port = free_port(), free_port()
    server.add_modality("WORKSTATION", "127.0.0.1", ours_port)
    server.add_modality("MOVESCU", "127.0.0.1", dcmtk_port)
    t0 = time.perf_counter()
    result = qr.move("127.0.0.1", server.dicom_port, {"StudyInstanceUID": study}, "WORKSTATION",
                     level="STUDY", receive_into=work / f"moved{count}", receive_port=ours_port,
                     timeout=60)
    ours = time.perf_counter() - t0
    assert result.completed == count, result.message()
    (work / f"movescu{count}").mkdir()
    t0 = time.perf_counter()
    subprocess.run([tools.dcmtk_tool("movescu"), "-S", "-aet", "MOVESCU", "-aem", "MOVESCU",
                    "-aec", "ORTHANC", "+P", str(dcmtk_port), "-k", "QueryRetrieveLevel=STUDY",
                    "-k", f"StudyInstanceUID={study}", "-od", str(work / f"movescu{count}"),
                    "-td", "60", "127.0.0.1", str(server.dicom_port)],
                   env=NODELAY, check=True, capture_output=True)
    dcmtk = time.perf_counter() - t0
    got = len(list((work / f"movescu{count}").iterdir()))
    assert got == count, f"movescu stored {got} of {count}"
    return {"move ours": ours, "move dcmtk": dcmtk}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[20, 80])
    args = ap.parse_args(argv)
    if not (tools.has_dcmtk() and pacs.orthanc_program()):
        print("needs dcmtk and Orthanc", file=sys.stderr)
        return 1
    print(f"C-GET of a study of N images (512 x 512 x 16 bit) from Orthanc; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  {'N':>4}  {'C-GET ours s':>12}  {'getscu s':>8}  {'ours/dcmtk':>10}  "
          f"{'our peak MB':>11}  {'C-MOVE ours s':>13}  {'movescu s':>9}  {'ours/dcmtk':>10}")
    with tempfile.TemporaryDirectory(prefix="cget_bench_", dir="/tmp") as tmp:
        for count in args.sizes:
            r = fetch(count, Path(tmp))
            print(f"  {count:>4}  {r['ours']:12.2f}  {r['dcmtk']:8.2f}  {r['dcmtk'] / r['ours']:10.2f}"
                  f"  {r['peak']:11.1f}  {r['move ours']:13.2f}  {r['move dcmtk']:9.2f}"
                  f"  {r['move dcmtk'] / r['move ours']:10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
