"""Reading the DICOM JSON model (PS3.18 F.2): :func:`tag_key`, :func:`json_value`, :func:`describe`, :func:`uids`.

One object per data set, keys are tags as eight hex digits, each element has a ``vr`` and a
``Value`` list; binary values are a ``BulkDataURI`` or ``InlineBinary``.
"""

from __future__ import annotations

from typing import Any

from pydicom.datadict import keyword_for_tag, tag_for_keyword


def tag_key(keyword_or_tag: str | int) -> str:
    """The key of an attribute in the DICOM JSON model: eight upper-case hex digits (PS3.18 F.2).

    Parameters
    ----------
    keyword_or_tag : str or int
        A keyword (``"PatientName"``), a tag as a number, or as text (``"0020000D"``,
        ``"(0020,000D)"``).

    Returns
    -------
    str
        The key, e.g. ``"00100010"``.

    Raises
    ------
    KeyError
        For a text that is neither a keyword nor a tag.

    Examples
    --------
    >>> tag_key("PatientName"), tag_key(0x0020000D), tag_key("0008103e")
    ('00100010', '0020000D', '0008103E')
    """
    if isinstance(keyword_or_tag, int):
        return f"{keyword_or_tag:08X}"
    tag = tag_for_keyword(keyword_or_tag)
    if tag is not None:
        return f"{tag:08X}"
    text = keyword_or_tag.replace("(", "").replace(")", "").replace(",", "")
    try:
        if len(text) == 8:
            return f"{int(text, 16):08X}"
    except ValueError:
        pass
    raise KeyError(f"{keyword_or_tag!r} is neither a DICOM keyword nor a tag like 0020000D")


def json_values(item: dict, keyword_or_tag: str | int) -> list:
    """All values of one attribute of a DICOM JSON object (``[]`` when absent or empty).

    A person name is its ``Alphabetic`` form; a sequence is a list of JSON objects.

    Parameters
    ----------
    item : dict
        One object of the DICOM JSON model (a QIDO-RS result, a metadata item).
    keyword_or_tag : str or int
        The attribute (see :func:`tag_key`).

    Returns
    -------
    list
        Its values, in order.

    Examples
    --------
    >>> json_values({"00080061": {"vr": "CS", "Value": ["CT", "MR"]}}, "ModalitiesInStudy")
    ['CT', 'MR']
    """
    element = item.get(tag_key(keyword_or_tag), {})
    values = element.get("Value", [])
    if element.get("vr") == "PN":
        return [v.get("Alphabetic", "") if isinstance(v, dict) else v for v in values]
    return list(values)


def json_value(item: dict, keyword_or_tag: str | int, default: Any = None) -> Any:
    """The first value of one attribute of a DICOM JSON object, or ``default``.

    Parameters
    ----------
    item : dict
        One object of the DICOM JSON model.
    keyword_or_tag : str or int
        The attribute (see :func:`tag_key`).
    default : object
        What to give when the attribute is absent or has no value.

    Returns
    -------
    object
        The first value (a person name as its ``Alphabetic`` text), or ``default``.

    Examples
    --------
    >>> json_value({"00200011": {"vr": "IS", "Value": [3]}}, "SeriesNumber")
    3
    """
    values = json_values(item, keyword_or_tag)
    return values[0] if values else default


def describe(item: dict, limit: int = 60) -> list[str]:
    """One line per element of a DICOM JSON object: tag, keyword, VR and what the value is.

    Reading the model by hand: a ``Value`` list, a ``BulkDataURI`` (the bytes are elsewhere),
    ``InlineBinary`` (base64 in the JSON), or nothing (present but empty).

    Parameters
    ----------
    item : dict
        One object of the DICOM JSON model.
    limit : int
        About how many characters of a value to show.

    Returns
    -------
    list of str
        One line per element, in the object's order.

    Examples
    --------
    >>> for line in describe({"00100010": {"vr": "PN", "Value": [{"Alphabetic": "DOE^J"}]},
    ...                       "7FE00010": {"vr": "OW", "BulkDataURI": "http://h/bulk/7fe00010"},
    ...                       "00080050": {"vr": "SH"}}):
    ...     print(line)
    (0010,0010) PatientName      PN  Value: ['DOE^J']
    (7FE0,0010) PixelData        OW  BulkDataURI: http://h/bulk/7fe00010
    (0008,0050) AccessionNumber  SH  (empty)
    """
    lines = []
    for key, element in item.items():
        tag = int(key, 16)
        name = keyword_for_tag(tag) or "(private or unknown)"
        vr = element.get("vr", "??")
        if "Value" in element:
            what = f"Value: {json_values(item, key)!r}"
            if vr == "SQ":
                what = f"Value: {len(element['Value'])} item(s)"
        elif "BulkDataURI" in element:
            what = f"BulkDataURI: {element['BulkDataURI']}"
        elif "InlineBinary" in element:
            what = f"InlineBinary: {len(element['InlineBinary'])} base64 characters"
        else:
            what = "(empty)"
        if len(what) > limit + 13:
            what = what[:limit + 10] + "..."
        lines.append(f"({tag >> 16:04X},{tag & 0xFFFF:04X}) {name:<16} {vr:<3} {what}")
    return lines


def uids(results: list[dict], keyword: str = "StudyInstanceUID") -> set[str]:
    """The set of one UID attribute over QIDO-RS results (or any DICOM JSON objects).

    Parameters
    ----------
    results : list of dict
        DICOM JSON objects.
    keyword : str
        The attribute.

    Returns
    -------
    set of str
        Its first value in each object that has one.

    Examples
    --------
    >>> sorted(uids([{"0020000D": {"vr": "UI", "Value": ["1.2"]}},
    ...              {"0020000D": {"vr": "UI", "Value": ["1.3"]}}]))
    ['1.2', '1.3']
    """
    return {json_value(r, keyword) for r in results} - {None}
