"""The checkers of the notebooks' exercises, one factory per exercise, with unit tests.

One module per notebook (:mod:`~workshop_helpers.checks.nb00_welcome` ...
:mod:`~workshop_helpers.checks.nb10_dicomweb`), the readers they share in
:mod:`~workshop_helpers.checks.common`; every public name is here too, so a notebook writes
``checks.pixel_area(ds)``.

Each factory takes what the notebook knows (a data set, a file, a server) and returns a checker for
:class:`workshop_helpers.exercises.Exercise`. The expected answer is computed here, out of the
learner's sight, from the effect that was asked for (the file on disk, the pixels, the UIDs, what a
server received). A checker accepts every reasonable form of a right answer, raises
:class:`~workshop_helpers.exercises.CannotRead` ("I cannot read this answer (expected ...)") for
an answer of the wrong type or form, and fails with a reason ("Not yet: ...") for a wrong value.

Examples
--------
>>> check = patient_position_tag()
>>> check("0018,5100")[0], check(0x00185100)[0]
(True, True)
>>> check("(0018,0051)")[0]
False
"""

from __future__ import annotations

from .common import (
    SUFFIXES,
    Checker,
    judge,
    read_folder,
    read_number,
    read_numbers,
    read_tag,
    read_uid,
    read_word,
)
from .nb00_welcome import highest_value, pixel_area
from .nb01_history import BYTE_ORDERS, byte_order_rule, promised_bytes, ras_position
from .nb02_space import (
    EDGES,
    edge_facing,
    lps_position,
    patient_position_tag,
    pixel_in_series,
    read_edge,
)
from .nb03_anatomy import LEVELS, byte_count, data_set_start, information_level, ui_element_size
from .nb04_from_empty_dump import (
    fixed_dump_lines,
    picture_in_series,
    read_keywords,
    shared_uids,
    transfer_syntax,
)
from .nb05_uids import is_uuid_uid, new_uid_store, org_root, valid_uids
from .nb06_private_tags import block_size, kept_only, private_finder
from .nb07_network import instances_from, stored_by
from .nb08_workstation import calling_ae_seen, trigger
from .nb09_pacs import move_destination, series_finder
from .nb10_dicomweb import mr_study, stored_over_dicomweb

__all__ = ["Checker", "SUFFIXES", "judge", "read_folder", "read_number", "read_numbers", "read_tag",
           "read_word", "highest_value", "pixel_area", "BYTE_ORDERS", "byte_order_rule",
           "promised_bytes", "ras_position", "EDGES", "edge_facing", "lps_position",
           "patient_position_tag", "pixel_in_series", "read_edge", "LEVELS", "byte_count",
           "data_set_start", "information_level", "ui_element_size", "fixed_dump_lines",
           "picture_in_series", "read_keywords", "shared_uids", "transfer_syntax", "is_uuid_uid",
           "new_uid_store", "org_root", "valid_uids", "block_size", "kept_only", "private_finder",
           "instances_from", "stored_by", "calling_ae_seen", "trigger", "move_destination",
           "series_finder", "mr_study", "read_uid", "stored_over_dicomweb"]
