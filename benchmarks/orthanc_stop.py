"""How long Orthanc takes to exit after SIGTERM: waiting for it, and waking its listeners.

Orthanc 1.10 checks its stop flag only between two waits for a new connection: CivetWeb's HTTP
listener waits in slices of 2 s, the DICOM server in slices of 1 s, both fixed in its code (no
configuration shortens them). ``pacs.Orthanc.stop`` sends SIGTERM and then opens and closes a
TCP connection to each port until it refuses (:func:`workshop_helpers.servers.wait_waking`), which
ends those waits; Orthanc then runs its normal shutdown. What is left, about 0.8 s, is in its
log after "DICOM server has stopped": some 0.3 s until the jobs engine stops and 0.4 s until the
end (Orthanc's source sleeps in slices of 200 ms and 500 ms in those threads; no setting either).

For each of ``--runs`` Orthancs (default 3) started by ``pacs.Orthanc``: the seconds from
SIGTERM to the process's exit, either only waiting for it ("SIGTERM, wait") or with
``Orthanc.stop()`` ("SIGTERM, wake"), and where the time goes by Orthanc's own log (its
timestamps of "Orthanc is stopping", "HTTP server has stopped", "DICOM server has stopped",
"The jobs engine has stopped", "Orthanc has stopped"). Exit code 0 (a clean exit) is checked.

Usage: ``python benchmarks/orthanc_stop.py [--runs 3] [--dicomweb]``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workshop_helpers import pacs  # noqa: E402

STEPS = ("Orthanc is stopping", "HTTP server has stopped", "DICOM server has stopped",
         "The jobs engine has stopped", "Orthanc has stopped")
SHORT = ("stopping", "HTTP", "DICOM", "jobs", "exit")


def _seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def steps(log: str) -> str:
    """Where the time went, from Orthanc's log: each step's time after 'Orthanc is stopping'."""
    found = {}
    for line in log.splitlines():
        for step in STEPS:
            if line.rstrip().endswith(step):
                found[step] = _seconds(re.search(r"(\d\d:\d\d:\d\d\.\d+)", line).group(1))
    if STEPS[0] not in found:
        return "(no stop in the log)"
    return ", ".join(f"{name} +{found[step] - found[STEPS[0]]:.2f}"
                     for step, name in zip(STEPS, SHORT, strict=True) if step in found)


def one_stop(wake: bool, dicomweb: bool) -> tuple[float, int, str]:
    """Start an Orthanc, stop it one way; (seconds, exit code, steps from its log)."""
    with tempfile.TemporaryDirectory() as folder:
        server = pacs.Orthanc(folder, dicomweb=dicomweb).start()
        proc = server._proc  # noqa: SLF001 - the benchmark times the process itself
        began = time.monotonic()
        if wake:
            server.stop()
        else:
            proc.terminate()
            proc.wait(30)
            server.stop()  # nothing left to stop: only forgets the process
        took = time.monotonic() - began
        return took, proc.returncode, steps(server.log_path.read_text())


def main() -> int:
    """Print the stop times, the ratio and each run's steps."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dicomweb", action="store_true", help="load the DICOMweb plugin too")
    args = parser.parse_args()
    if pacs.orthanc_program() is None:
        print("Orthanc is not installed (Debian/Ubuntu package 'orthanc'): nothing to measure")
        return 0
    print(f"Orthanc stop: SIGTERM to exit, {args.runs} runs each"
          + (" (with the DICOMweb plugin)" if args.dicomweb else ""))
    medians = {}
    for wake, label in ((False, "SIGTERM, wait"), (True, "SIGTERM, wake")):
        times = []
        for _ in range(args.runs):
            took, code, where = one_stop(wake, args.dicomweb)
            times.append(took)
            print(f"  {label}: {took:.2f} s, exit code {code}; log: {where}")
        medians[label] = statistics.median(times)
    wait, wake = medians["SIGTERM, wait"], medians["SIGTERM, wake"]
    print(f"median: wait {wait:.2f} s, wake {wake:.2f} s (wait / wake = {wait / wake:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
