"""read_dump / write_dump against dcmtk's dump2dcm / dcmdump +L, on the same large dump.

The dump is a realistic worst case for a text format: a 1024 x 1024 16-bit image as OW
(about 5 MB of hexadecimal words) and a sequence of 3000 items with a few elements each.
Each side is timed the same way, in the same run, best of several repeats:

- text -> file:  read_dump + pydicom.dcmwrite   vs  dump2dcm
- file -> text:  pydicom.dcmread + write_dump   vs  dcmdump +L

A ratio below 1 means ours is faster. Run: ``python benchmarks/dump_vs_dcmtk.py``.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence

from workshop_helpers.dump import read_dump, write_dump
from workshop_helpers.tools import ToolMissing, dcmtk_tool

REPEATS = 3


def big_dataset() -> Dataset:
    rng = np.random.default_rng(0)
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = pydicom.uid.ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = pydicom.uid.CTImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.8.498.1"
    ds.SOPClassUID = pydicom.uid.CTImageStorage
    ds.SOPInstanceUID = "1.2.826.0.1.3680043.8.498.1"
    ds.PatientName = "BENCH^MARK"
    ds.PatientID = "BENCH"
    items = []
    for i in range(3000):
        item = Dataset()
        item.ReferencedSOPClassUID = pydicom.uid.CTImageStorage
        item.ReferencedSOPInstanceUID = f"1.2.826.0.1.3680043.8.498.2.{i}"
        item.ReferencedFrameNumber = [1, 2, 3]
        item.ImagePositionPatient = [f"{x:.4f}" for x in rng.normal(size=3)]
        # multiples of 1/8: dcmdump prints them exactly (it does not print every double so)
        item.RealWorldValueLUTData = [float(x) for x in np.round(rng.normal(size=4) * 8) / 8]
        items.append(item)
    ds.ReferencedImageSequence = Sequence(items)
    ds.Rows = ds.Columns = 1024
    ds.BitsAllocated = ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.PixelData = rng.integers(0, 4096, size=(1024, 1024), dtype="<u2").tobytes()
    ds["PixelData"].VR = "OW"
    return ds


def best(fn) -> float:
    """Best of REPEATS runs, in seconds."""
    return min(timeit.repeat(fn, number=1, repeat=REPEATS))


def main() -> int:
    try:
        dump2dcm, dcmdump = dcmtk_tool("dump2dcm"), dcmtk_tool("dcmdump")
    except ToolMissing as exc:
        print(f"skipped: {exc}")
        return 0
    work = Path(tempfile.mkdtemp(prefix="bench_dump_"))
    ds = big_dataset()
    dcm = work / "big.dcm"
    ds.save_as(dcm, enforce_file_format=True)
    text = subprocess.run([dcmdump, "+L", str(dcm)], capture_output=True, check=True).stdout
    dump = work / "big.dump"
    dump.write_bytes(text)
    n_lines = text.count(b"\n")
    print(f"dump: {len(text) / 1e6:.1f} MB of text, {n_lines} lines; "
          f"file: {dcm.stat().st_size / 1e6:.1f} MB")

    def ours_to_file():
        out = read_dump(dump.read_bytes())
        pydicom.dcmwrite(io.BytesIO(), out, enforce_file_format=True)

    def theirs_to_file():
        subprocess.run([dump2dcm, "+l", "10000000", "-q", str(dump), str(work / "d.dcm")],
                       check=True)

    def ours_to_text():
        write_dump(pydicom.dcmread(dcm))

    def theirs_to_text():
        subprocess.run([dcmdump, "+L", str(dcm)], capture_output=True, check=True)

    rows = [
        ("text -> file", "read_dump + dcmwrite", best(ours_to_file), "dump2dcm",
         best(theirs_to_file)),
        ("file -> text", "dcmread + write_dump", best(ours_to_text), "dcmdump +L",
         best(theirs_to_text)),
    ]
    # both sides made the same data set (so the timings compare like with like)
    assert read_dump(text) == pydicom.dcmread(work / "d.dcm") == ds
    pure_read = best(lambda: read_dump(text))
    loaded = pydicom.dcmread(dcm)
    pure_write = best(lambda: write_dump(loaded))
    print(f"{'direction':<14}{'ours':<24}{'s':>7}  {'dcmtk':<12}{'s':>7}  ratio ours/dcmtk")
    for what, ours_name, ours_t, their_name, their_t in rows:
        ratio = ours_t / their_t
        verdict = "ours faster" if ratio < 1 else "dcmtk faster"
        print(f"{what:<14}{ours_name:<24}{ours_t:7.2f}  {their_name:<12}{their_t:7.2f}  "
              f"{ratio:5.2f}  ({verdict}; lower is better for us)")
    print(f"(functions alone: read_dump {pure_read:.2f} s, write_dump {pure_write:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
