"""Identifiers, information models and levels, and the checks made before asking.

:func:`identifier` builds the data set a C-FIND, C-MOVE or C-GET sends (matching keys, and empty
keys asked back) from ``{keyword: value}`` or dcmtk-style ``["Keyword=value", "Keyword"]``
(:func:`parse_key`); :func:`check_identifier` checks its level against the model (Study Root or
Patient Root, PS3.4 C.3) and tells a baseline (hierarchical) query from a relational one
(PS3.4 C.4.1.2.1, C.4.1.2.2), before anything goes on the wire.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from pydicom import Dataset
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.multival import MultiValue
from pydicom.tag import Tag

from .status import QueryLevelError

#: What :func:`identifier` takes: ``{keyword: value}`` or ``["Keyword=value", "Keyword"]``.
Keys = dict[str, Any] | Sequence[str]

# ----------------------------------------------------------------------------- models and levels

MODELS = {"patient": ("PATIENT", "STUDY", "SERIES", "IMAGE"), "study": ("STUDY", "SERIES", "IMAGE")}
MODEL_NAMES = {"patient": "Patient Root", "study": "Study Root"}
UNIQUE_KEYS = {"PATIENT": "PatientID", "STUDY": "StudyInstanceUID",
               "SERIES": "SeriesInstanceUID", "IMAGE": "SOPInstanceUID"}

# The level each common key belongs to (PS3.4 C.6.1.1 and C.6.2.1). In the Study Root model
# the patient's attributes are STUDY attributes.
KEY_LEVELS = {
    "PATIENT": ("PatientName", "PatientID", "PatientBirthDate", "PatientSex", "IssuerOfPatientID",
                "OtherPatientIDs", "NumberOfPatientRelatedStudies",
                "NumberOfPatientRelatedSeries", "NumberOfPatientRelatedInstances"),
    "STUDY": ("StudyInstanceUID", "StudyDate", "StudyTime", "AccessionNumber", "StudyID",
              "StudyDescription", "ReferringPhysicianName", "ModalitiesInStudy",
              "SOPClassesInStudy", "NumberOfStudyRelatedSeries", "NumberOfStudyRelatedInstances"),
    "SERIES": ("SeriesInstanceUID", "Modality", "SeriesNumber", "SeriesDescription",
               "SeriesDate", "SeriesTime", "BodyPartExamined", "NumberOfSeriesRelatedInstances"),
    "IMAGE": ("SOPInstanceUID", "SOPClassUID", "InstanceNumber", "ImageType", "AcquisitionNumber"),
}
_LEVEL_OF = {key: level for level, keys in KEY_LEVELS.items() for key in keys}


# ----------------------------------------------------------------------------- identifiers

def parse_key(text: str) -> tuple[int, str | None]:
    """``"KEY=VALUE"`` or ``"KEY"`` (a keyword or ``gggg,eeee``) -> ``(tag, value or None)``.

    Parameters
    ----------
    text : str
        One key as dcmtk's ``-k`` takes it.

    Returns
    -------
    tuple of (int, str or None)
        The tag, and the value to match (None: return the attribute).

    Raises
    ------
    QueryLevelError
        For a key that is neither a keyword nor ``gggg,eeee``.

    Examples
    --------
    >>> parse_key("PatientName=DOE^J*")
    (1048592, 'DOE^J*')
    >>> parse_key("0020,000d")
    (2097165, None)
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    tag = tag_for_keyword(name)
    if tag is None:
        try:
            group, elem = name.replace("(", "").replace(")", "").split(",")
            tag = Tag(int(group, 16), int(elem, 16))
        except ValueError:
            raise QueryLevelError(f"{name!r} is neither a DICOM keyword (like PatientName) nor "
                                  "a tag gggg,eeee") from None
    return int(tag), (value if sep else None)


def identifier(keys: Keys, level: str | None = None) -> Dataset:
    """The C-FIND/C-MOVE/C-GET identifier: matched values, and empty keys asked back.

    Parameters
    ----------
    keys : dict or list of str
        ``{"PatientName": "DOE*", "StudyDate": None}`` or ``["PatientName=DOE*", "StudyDate"]``;
        ``None`` or a bare key means "return this attribute".
    level : str, optional
        The QueryRetrieveLevel, when ``keys`` do not give it.

    Returns
    -------
    pydicom.dataset.Dataset
        The identifier, with the VR of each key from pydicom's dictionary.

    Raises
    ------
    QueryLevelError
        A key that is neither a keyword nor ``gggg,eeee``.

    Examples
    --------
    >>> identifier({"PatientID": "1CT1"}, level="PATIENT").QueryRetrieveLevel
    'PATIENT'
    """
    items = (keys.items() if isinstance(keys, dict)
             else (parse_key(k) for k in keys))
    ds = Dataset()
    if level:
        ds.QueryRetrieveLevel = level.upper()
    for key, value in items:
        tag = int(tag_for_keyword(key) or 0) if isinstance(key, str) else int(key)
        if not tag:
            tag, _ = parse_key(key)
        vr = dictionary_VR(tag) if tag != 0x00080052 else "CS"
        with warnings.catch_warnings():  # "1.2*", "2024-" are matching keys, not values
            warnings.simplefilter("ignore", UserWarning)
            ds.add_new(tag, vr, [] if vr == "SQ" else "" if value is None else str(value))
    if "QueryRetrieveLevel" in ds:
        ds.QueryRetrieveLevel = str(ds.QueryRetrieveLevel).upper()
    return ds


def check_identifier(ds: Dataset, model: str = "study", relational: bool = False) -> str:
    """Check the level and keys before asking; returns the level.

    A baseline query is hierarchical (PS3.4 C.4.1.2.1): it names one entity at every level
    above the one it asks at, by a single value of that level's unique key (a SERIES query
    in the Study Root model carries one StudyInstanceUID). Anything else is a relational
    query (C.4.1.2.2), which a PACS supports only if it says so in association negotiation.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The identifier (see :func:`identifier`).
    model : {"study", "patient"}
        Study Root or Patient Root: which levels there are.
    relational : bool
        Allow a query without the unique keys of the levels above (for a PACS that supports
        relational queries; Orthanc answers them).

    Returns
    -------
    str
        The QueryRetrieveLevel.

    Raises
    ------
    QueryLevelError
        No QueryRetrieveLevel; a level the model does not have; a key that belongs below the
        query level (a STUDY query cannot match ``Modality``, a SERIES attribute); without
        ``relational``, a unique key of a level above that is missing or not a single value.

    Examples
    --------
    >>> check_identifier(identifier({"Modality": "CT"}, level="STUDY"))
    Traceback (most recent call last):
    ...
    workshop_helpers.qr.QueryLevelError: Modality is a SERIES attribute: a STUDY-level query cannot match or return it; ask at SERIES level (with the StudyInstanceUID), or use ModalitiesInStudy at STUDY level
    """
    levels = MODELS[_model(model)]
    level = str(ds.get("QueryRetrieveLevel", "")).strip().upper()
    if not level:
        raise QueryLevelError("the identifier has no QueryRetrieveLevel: say at which level to "
                              f"ask ({', '.join(levels)}), e.g. -k QueryRetrieveLevel=STUDY")
    if level not in levels:
        hint = ("use the Patient Root model (-P) or ask at STUDY level, where the patient's "
                "attributes are too" if level == "PATIENT" else
                f"the levels are {', '.join(MODELS['patient'])}")
        raise QueryLevelError(f"the {MODEL_NAMES[_model(model)]} model has no {level} level "
                              f"(its levels: {', '.join(levels)}); {hint}")
    for elem in ds:
        key_level = _LEVEL_OF.get(elem.keyword)
        if key_level is None or (model == "study" and key_level == "PATIENT"):
            continue
        if MODELS["patient"].index(key_level) > MODELS["patient"].index(level):
            alternative = {"Modality": ", or use ModalitiesInStudy at STUDY level",
                           "SOPClassUID": ", or use SOPClassesInStudy at STUDY level"}
            raise QueryLevelError(
                f"{elem.keyword} is a {key_level} attribute: a {level}-level query cannot match "
                f"or return it; ask at {key_level} level (with the "
                f"{UNIQUE_KEYS[level]})" + alternative.get(elem.keyword, ""))
    if not relational:
        _check_hierarchy(ds, level, model)
    return level


def _check_hierarchy(ds: Dataset, level: str, model: str) -> None:
    """The unique key of every level above ``level``, one value each (PS3.4 C.4.1.2.1)."""
    levels = MODELS[_model(model)]
    above = levels[:levels.index(level)]
    for upper in above:
        key = UNIQUE_KEYS[upper]
        raw = ds.get(key, "")
        value = "\\".join(map(str, raw)) if isinstance(raw, MultiValue) else str(raw or "")
        if value and not any(c in value for c in "*?\\"):
            continue
        keys = " and ".join(UNIQUE_KEYS[u] for u in above)
        found = f"'{value}'" if value else "none"
        article = "an" if level[0] in "AEIOU" else "a"
        raise QueryLevelError(
            f"{article} {level} query in the {MODEL_NAMES[_model(model)]} model names one "
            f"{upper} by its {key}, a single value (PS3.4 C.4.1.2.1), found {found}; otherwise it is a "
            f"relational query, which a PACS need not support: ask at {upper} level first, "
            f"then at {level} level with the {keys} of each match")


def _model(model: str) -> str:
    m = model.lower().removesuffix(" root").removesuffix("_root")
    if m in ("p", "patient"):
        return "patient"
    if m in ("s", "study"):
        return "study"
    raise ValueError(f"the model is 'patient' or 'study' (root), not {model!r}")


def _check_retrieve_keys(ds: Dataset, model: str) -> None:
    """A retrieve names what it wants by unique keys (PS3.4 C.4.2.2.1): no wildcards there."""
    level = check_identifier(ds, model)
    key = UNIQUE_KEYS[level]
    value = str(ds.get(key, "") or "")
    if not value or "*" in value or "?" in value:
        raise QueryLevelError(f"a {level}-level retrieve needs the {key} of what to fetch (a list "
                              f"separated by \\ is fine; no wildcards), found {value!r}")
