"""How fast, and how thorough, is our de-identifier? Against dicognito and dicom-anonymizer, same run.

Makes a phantom series and plants in every slice a distinct value in every row of PS3.15 Table
E.1-1 (2026c edition) whose VR can hold one — at the top level and two sequence items deep —
plus private blocks, an orphan, file meta and an overlay (``deid_table.plant_everywhere``,
about 1290 values a slice). Then times, best of a few runs, in memory:

- ours: ``deid.deidentify`` of every slice with one shared UID map;
- dicognito: ``Anonymizer().anonymize`` of a copy of every slice (one Anonymizer for the series);
- dicom-anonymizer: ``anonymize_dataset`` of a copy of every slice with its 2026c rules.

It also writes every output slice (in memory) and counts the planted values found in its raw
bytes. Run: ``.venv/bin/python benchmarks/deid_vs_dicognito.py [--slices 50] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import copy
import sys
import timeit
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workshop_helpers import deid, deid_table, phantom  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from dicognito.anonymizer import Anonymizer
    from dicomanonymizer.simpledicomanonymizer import anonymize_dataset, initialize_actions

    series = phantom.make_series(rows=64, columns=64, slices=args.slices,
                                 pixel_spacing=(0.8, 0.6), slice_spacing=1.0)
    for ds in series:
        needles = deid_table.plant_everywhere(ds)

    def ours():
        uid_map: dict[str, str] = {}
        return [deid.deidentify(ds, uid_map=uid_map, salt="bench").dataset for ds in series]

    def dicognito():
        anonymizer = Anonymizer(seed="bench")
        out = []
        for ds in series:
            c = copy.deepcopy(ds)
            anonymizer.anonymize(c)
            out.append(c)
        return out

    def dicom_anonymizer():
        rules = initialize_actions("dicomfields_2026c")
        out = []
        for ds in series:
            c = copy.deepcopy(ds)
            anonymize_dataset(c, base_rules_gen=lambda: dict(rules))
            out.append(c)
        return out

    print(f"{args.slices} slices, {len(needles)} planted values each "
          f"(PS3.15 {deid_table.EDITION}, {len(deid_table.ROWS)} rows), best of {args.repeat}")
    times = {}
    with warnings.catch_warnings():   # dicognito asks for keywords newer than pydicom's dictionary
        warnings.simplefilter("ignore", UserWarning)
        for name, run in (("ours (workshop_helpers.deid)", ours), ("dicognito", dicognito),
                          ("dicom-anonymizer", dicom_anonymizer)):
            times[name] = min(timeit.repeat(run, number=1, repeat=args.repeat))
            left = sum(len(deid_table.left_in_file(ds, needles)) for ds in run())
            print(f"{name:30} {times[name] * 1000:8.1f} ms ({times[name] / args.slices * 1000:6.2f} "
                  f"ms/slice), planted values left in the files' bytes: {left} "
                  f"({left / args.slices:.0f}/slice)")
    ours_time = times["ours (workshop_helpers.deid)"]
    print(f"ratio ours / dicognito: {ours_time / times['dicognito']:.2f}; "
          f"ours / dicom-anonymizer: {ours_time / times['dicom-anonymizer']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
