"""Notebook 01's checkers (:mod:`workshop_helpers.checks.nb01_history`): every right form accepted, wrong values refused, wrong forms unreadable."""

from __future__ import annotations

import numpy as np
import pytest
from verdicts import assert_verdicts, verdict

from workshop_helpers import checks, legacy
from workshop_helpers.exercises import NotAttempted


@pytest.mark.parametrize("order", ["little", "big"])
def test_01_byte_order_rule_is_tried_on_both_orders(tmp_path, order):
    import struct

    mystery = legacy.write_analyze(tmp_path / "m.hdr", np.zeros((2, 3), np.float32), byte_order=order)
    check = checks.byte_order_rule(mystery)
    rule = lambda first4: "little" if struct.unpack("<i", first4)[0] == 348 else "big"   # noqa: E731
    assert_verdicts(check, accepted=[rule, lambda b: "<" if b[0] == 0x5C else ">",
                                     lambda b: rule(b).upper() + " endian"],
                    refused=[lambda b: order, lambda b: "big" if rule(b) == "little" else "little",
                             lambda b: "little"],
                    unreadable=[order, None, lambda b: 348, lambda b: "middle"])
    assert f"your function says '{order}'" in check(lambda b: order)[1]
    with pytest.raises(NotAttempted):
        check(lambda b: ...)
    mystery.write_bytes(b"\x00\x00\x01\x00" + mystery.read_bytes()[4:])   # read when checked: 348 neither way
    assert verdict(check, rule) == "not yet"


@pytest.mark.parametrize("byte_order", ["little", "big"])
def test_01_promised_bytes_come_from_the_header_not_the_file(tmp_path, byte_order):
    volume = np.zeros((3, 40, 56), np.float32)                    # 6720 values, 4 bytes each
    header = legacy.write_analyze(tmp_path / "copy.hdr", volume, byte_order=byte_order)
    img = header.with_suffix(".img")
    img.write_bytes(img.read_bytes()[:-1000])                     # a copy cut short
    other = np.zeros((48, 64), np.int16)                          # what image.nbytes would give
    assert_verdicts(checks.promised_bytes(header), accepted=[26880, 26880.0, "26880", np.int64(26880)],
                    refused=[img.stat().st_size, 6720, 26880 * 8, other.nbytes, 26880.5, 26881],
                    unreadable=["26 kB", None])
    check = checks.promised_bytes(header)
    assert "dim[0]" in check(0)[1]
    assert "size of copy.img on disk" in check(25880)[1]
    assert "counts values" in check(6720)[1] and "counts bits" in check(215040)[1]


def test_01_ras_position():
    assert_verdicts(checks.ras_position((10.0, -5.0, 3.0)),
                    accepted=[(-10, 5, 3), [-10.0, 5.0, 3.0], np.array([-10, 5, 3]), np.array([[-10, 5, 3]])],
                    refused=[(10, -5, 3), (-10, 5, -3), (0, 0, 0)],
                    unreadable=[(-10, 5), "(-10, 5, 3)", None, 7])


def test_01_ras_position_names_swapped_indices_and_the_first_voxel():
    sform = np.array([[-0.8, 0, 0, 25.2], [0, -1.2, 0, 28.2], [0, 0, 5, -40], [0, 0, 0, 1]])
    right = (sform @ [10, 5, 0, 1])[:3]
    check = checks.ras_position(right * [-1, -1, 1], sform=sform)
    assert_verdicts(check, accepted=[right, list(right)],
                    refused=[(sform @ [5, 10, 0, 1])[:3], sform[:3, 3], right * [-1, -1, 1], right + 1])
    assert "swapped" in check((sform @ [5, 10, 0, 1])[:3])[1]
    assert "voxel (0, 0, 0)" in check(sform[:3, 3])[1]
    assert check(right + 1)[1] == "not the position of that voxel"
