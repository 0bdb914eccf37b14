"""How fast is the teaching de-identifier? Compared with dicognito in the same run.

Makes a phantom series with identifiers planted in every slice (public attributes, sequences,
a private block), then times, best of a few runs, in memory (no file I/O):

- ours: ``deid.deidentify`` of every slice with one shared UID map;
- dicognito: ``Anonymizer().anonymize`` of a copy of every slice (one Anonymizer for the series).

It also counts the planted values left afterwards (dicognito leaves private data and free text
alone by design). Run: ``.venv/bin/python benchmarks/deid_vs_dicognito.py [--slices 200] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import copy
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workshop_helpers import deid, phantom  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from dicognito.anonymizer import Anonymizer

    series = phantom.make_series(shape=(64, 64, args.slices), spacing=(0.8, 0.6, 1.0))
    needles: list[str] = []
    for ds in series:
        needles = deid.plant_identifiers(ds)

    def ours():
        uid_map: dict[str, str] = {}
        return [deid.deidentify(ds, uid_map=uid_map, salt="bench").dataset for ds in series]

    def theirs():
        anonymizer = Anonymizer(seed="bench")
        out = []
        for ds in series:
            c = copy.deepcopy(ds)
            anonymizer.anonymize(c)
            out.append(c)
        return out

    t_ours = min(timeit.repeat(ours, number=1, repeat=args.repeat))
    t_theirs = min(timeit.repeat(theirs, number=1, repeat=args.repeat))
    out_ours, out_theirs = ours(), theirs()
    left_ours = sum(len(deid.find_values(ds, needles)) for ds in out_ours)
    left_theirs = sum(len(deid.find_values(ds, needles)) for ds in out_theirs)
    print(f"{args.slices} slices, best of {args.repeat}")
    print(f"ours (workshop_helpers.deid): {t_ours * 1000:8.1f} ms  "
          f"({t_ours / args.slices * 1000:.2f} ms/slice), planted values left: {left_ours}")
    print(f"dicognito {'':18} {t_theirs * 1000:8.1f} ms  "
          f"({t_theirs / args.slices * 1000:.2f} ms/slice), planted values left: {left_theirs}")
    print(f"ratio ours / dicognito: {t_ours / t_theirs:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
