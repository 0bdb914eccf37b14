"""Private dictionaries: teach pydicom a creator's elements, forget them, see the difference.

:func:`register_private_dictionary` and :func:`forget_private_dictionary` change pydicom's
(global) private dictionary; :func:`implicit_vr_roundtrip` shows why it matters: without it,
private elements read from an Implicit VR file come back as UN. :data:`CTP_DICTIONARY` is the
block RSNA's Clinical Trial Processor (CTP) writes.
"""

from __future__ import annotations

import io

import pydicom
from pydicom.datadict import add_private_dict_entries, private_dictionaries
from pydicom.dataset import Dataset
from pydicom.tag import Tag

from .blocks import PrivateTagError, _check_creator, _check_group

#: The block RSNA's Clinical Trial Processor (CTP) writes, as on the workshop's slide.
CTP_CREATOR = "CTP"
CTP_GROUP = 0x0013

#: CTP's private elements, ``{offset: (VR, VM, name, keyword)}``. Offsets and names from CTP's
#: default anonymizer script (``<e t="00131010" n="ProjectName">`` ... ``n="SiteID"``); VR LO
#: as TCIA's published files carry them (dcmdump of an LIDC-IDRI file shows
#: ``(0013,1010) LO [LIDC-IDRI]``, ``(0013,1013) LO [62796001]``).
CTP_DICTIONARY: dict[int, tuple[str, str, str, str]] = {
    0x10: ("LO", "1", "Project Name", "ProjectName"),
    0x11: ("LO", "1", "Trial Name", "TrialName"),
    0x12: ("LO", "1", "Site Name", "SiteName"),
    0x13: ("LO", "1", "Site ID", "SiteID"),
}

# keywords we registered: {creator: {offset: keyword}} (pydicom's 4th field is "retired")
_KEYWORDS: dict[str, dict[int, str]] = {}


def register_private_dictionary(creator: str, entries: dict[int, tuple[str, ...]],
                                group: int | None = None) -> None:
    """Teach pydicom a creator's elements: ``{offset: (VR, VM, name, keyword)}``.

    Keys are offsets (0x00-0xFF, then ``group`` is needed) or full tags (gggg,xxoo), whose
    high byte of the element is ignored — a private element is known by its offset, not its block.
    With it, pydicom knows the VR of these elements when it reads implicit VR files.

    Parameters
    ----------
    creator : str
        The private creator's name.
    entries : dict of int to tuple of str
        Offset (or full tag) -> ``(VR, VM, name, keyword)``; the keyword may be left out.
    group : int, optional
        The group, needed when the keys are offsets.

    Raises
    ------
    PrivateTagError
        When the keys are offsets and no ``group`` is given.

    Examples
    --------
    >>> import pydicom
    >>> register_private_dictionary("CTP", CTP_DICTIONARY, group=0x0013)
    >>> pydicom.datadict.get_private_entry(0x00131110, "CTP")[:3]
    ('LO', '1', 'Project Name')
    >>> forget_private_dictionary("CTP")  # pydicom's dictionary is global: leave it as it was
    """
    _check_creator(creator)
    full: dict[int, tuple[str, str, str, str]] = {}
    for key, value in entries.items():
        if key <= 0xFF:
            if group is None:
                raise PrivateTagError(f"entry {key:#04x} of {creator!r} is an offset: give group=")
            _check_group(group)
            tag = Tag(group, 0x1000 | key)
        else:
            tag = Tag(key)
            _check_group(tag.group)
        vr, vm, name = value[0], value[1], value[2]
        keyword = value[3] if len(value) > 3 else ""
        full[int(tag)] = (vr, vm, name, "")  # pydicom's 4th field means "retired"
        if keyword:
            _KEYWORDS.setdefault(creator, {})[tag.element & 0xFF] = keyword
    add_private_dict_entries(creator, full)


def forget_private_dictionary(creator: str) -> None:
    """Remove a creator from pydicom's private dictionary (to show the "before" again).

    Parameters
    ----------
    creator : str
        The private creator's name.
    """
    private_dictionaries.pop(creator, None)
    _KEYWORDS.pop(creator, None)


def implicit_vr_roundtrip(ds: Dataset) -> Dataset:
    """Write ``ds`` as Implicit VR Little Endian (no VRs in the file) and read it back.

    Private elements come back as UN unless pydicom's private dictionary knows their creator.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set.

    Returns
    -------
    pydicom.dataset.Dataset
        ``ds`` written as Implicit VR Little Endian and read back.

    Examples
    --------
    >>> from workshop_helpers.private import add_private
    >>> from pydicom import Dataset
    >>> ds = Dataset()
    >>> _ = add_private(ds, 0x0029, "NOBODY KNOWS ME", 0x01, "LO", "hello")
    >>> str(implicit_vr_roundtrip(ds)[0x00291001].VR)
    'UN'
    """
    out = Dataset()
    out.update(ds)
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, out, implicit_vr=True, little_endian=True)
    buffer.seek(0)
    return pydicom.dcmread(buffer, force=True)
