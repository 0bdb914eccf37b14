"""How fast do we read, sort and place a 1,000-slice series? Compared with GDCM and dcmtk.

Writes a shuffled 1,000-slice phantom series (64 x 64 pixels: the work is in the headers), then
times, best of a few runs each:

- ours: ``geometry.read_series`` (``files.dicom_files``, then ``pydicom.dcmread(...,
  stop_before_pixels=True)`` of every file), then
  ``geometry.sort_slices``, ``geometry.voxel_to_patient`` and ``geometry.check_series``;
- GDCM (through SimpleITK): ``ImageSeriesReader.GetGDCMSeriesFileNames``, which reads the headers
  and sorts the files by position -- the same job as our read + sort;
- dcmtk: ``dcmdump +sd FOLDER +sb 7fe0,0010`` (parse every header up to the pixel data, and print it).

Run: ``.venv/bin/python benchmarks/geometry_sort.py [--slices 1000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pydicom

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workshop_helpers import files, geometry, phantom, tools  # noqa: E402


def best_of(repeat: int, func):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="geometry-bench-") as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        paths = phantom.write_series(folder, rows=64, columns=64, slices=args.slices,
                                     pixel_spacing=(0.8, 0.6), slice_spacing=0.5, shuffle=True)
        print(f"wrote {len(paths)} files (64 x 64, shuffled) in {time.perf_counter() - start:.2f} s")

        def read():
            datasets, skipped = geometry.read_series(folder)  # files.dicom_files, then dcmread
            assert not skipped, skipped
            return datasets

        t_read, datasets = best_of(args.repeat, read)
        listed = list(files.dicom_files(folder))
        wanted = ["ImagePositionPatient", "ImageOrientationPatient", "PixelSpacing", "Rows",
                  "Columns", "InstanceNumber", "SliceLocation", "SliceThickness",
                  "SeriesInstanceUID", "FrameOfReferenceUID", "SOPInstanceUID"]

        def read_some():
            return [pydicom.dcmread(p, stop_before_pixels=True, specific_tags=wanted)
                    for p in listed]

        t_some, _ = best_of(args.repeat, read_some)
        t_sort, ordered = best_of(args.repeat, lambda: geometry.sort_slices(datasets))
        t_affine, affine = best_of(args.repeat, lambda: geometry.voxel_to_patient(datasets))
        t_check, findings = best_of(args.repeat, lambda: geometry.check_series(datasets))
        ours = t_read + t_sort
        rows = [
            ("geometry.read_series (check + read headers, stop_before_pixels)", t_read),
            ("pydicom read, only the 11 tags used (specific_tags)", t_some),
            ("geometry.sort_slices", t_sort),
            ("geometry.voxel_to_patient (sorts too)", t_affine),
            ("geometry.check_series", t_check),
            ("ours: read + sort", ours),
        ]
        assert [d.SOPInstanceUID for d in ordered][0] == sorted(
            datasets, key=lambda d: float(d.ImagePositionPatient[2]))[0].SOPInstanceUID
        assert [f.code for f in findings] == ["instance-order"], findings

        peers = []
        try:
            import SimpleITK as sitk

            t_gdcm, names = best_of(args.repeat, lambda: sitk.ImageSeriesReader.GetGDCMSeriesFileNames(str(folder)))
            if len(names) != len(paths):
                raise RuntimeError(f"GDCM found {len(names)} files, expected {len(paths)}")
            rows.append(("GDCM (SimpleITK GetGDCMSeriesFileNames): read + sort", t_gdcm))
            peers.append(("GDCM read + sort", t_gdcm))
        except ImportError:
            print("SimpleITK is not installed: no GDCM comparison")
        if tools.has_dcmtk():
            dcmdump = tools.dcmtk_tool("dcmdump")

            def dump():
                out = subprocess.run([dcmdump, "-q", "+sd", str(folder), "+sb", "7fe0,0010"],
                                     capture_output=True, check=True)
                return out.stdout.count(b"ImagePositionPatient")

            t_dump, count = best_of(args.repeat, dump)
            if count != len(paths):
                raise RuntimeError(f"dcmdump printed {count} positions, expected {len(paths)}")
            rows.append(("dcmtk dcmdump +sd (headers, printed)", t_dump))
            peers.append(("dcmtk dcmdump", t_dump))
        else:
            print("dcmtk is not installed: no dcmdump comparison")

    width = max(len(r[0]) for r in rows)
    print(f"\n{len(paths)} slices, best of {args.repeat}:")
    for name, t in rows:
        print(f"  {name:<{width}}  {t * 1000:9.1f} ms  ({t / len(paths) * 1e6:7.1f} us/slice)")
    print(f"  sort + affine alone take {(t_sort + t_affine) / ours:.1%} of our read + sort")
    for name, t in peers:
        print(f"ratio ours (read + sort) / {name}: {ours / t:.2f}")
    print("affine:\n", affine.round(4))
    return 0


if __name__ == "__main__":
    sys.exit(main())
