"""Private tags: how a private creator reserves a block, and how to read what it holds.

The rules (DICOM PS3.5 section 7.8.1, "Private Data Elements"):

- private data elements live in **odd** groups, except groups 0001, 0003, 0005, 0007 and FFFF,
  which are not allowed;
- elements (gggg,0010) to (gggg,00FF) are **private creators** (VR LO). The value of
  (gggg,00xx) is the creator's name; it **reserves the block** (gggg,xx00) to (gggg,xxFF);
- elements (gggg,0001) to (gggg,000F) are not allowed; (gggg,0000) was a group length;
- so a private element is known by *(group, creator, offset)* — never by its fixed tag. The same
  creator may get block 0x10 in one file and 0x11 in the next. A creator name may be used only
  once per group (CP-1529, now in PS3.5 7.8.1).

pydicom already does the block arithmetic (:meth:`pydicom.dataset.Dataset.private_block`,
:meth:`~pydicom.dataset.Dataset.private_creators`,
:meth:`~pydicom.dataset.Dataset.get_private_item`, :func:`pydicom.datadict.add_private_dict_entries`).
This module gives those a small vocabulary for the course: :func:`reserve_block`,
:func:`add_private`, :func:`read_private`, :func:`list_blocks`, :func:`explain_tag`,
:func:`register_private_dictionary` and :data:`CTP_DICTIONARY`.

Examples
--------
>>> from pydicom import Dataset
>>> ds = Dataset()
>>> _ = add_private(ds, 0x0013, "CTP", 0x10, "LO", "TCGA-LUAD")
>>> ds[0x00130010].value, ds[0x00131010].value
('CTP', 'TCGA-LUAD')
>>> explain_tag(ds, 0x00131010)
"(0013,1010) is element 0x10 of the block reserved by 'CTP' at (0013,0010)"
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pydicom
from pydicom.datadict import add_private_dict_entries, dictionary_description, private_dictionaries
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag, Tag

from .browser import short_value
from .tools import CommandError

if TYPE_CHECKING:  # matplotlib is imported when a picture is drawn, not by the command line
    from matplotlib.axes import Axes

__all__ = [
    "PrivateTagError",
    "PrivateElement",
    "BlockInfo",
    "FORBIDDEN_PRIVATE_GROUPS",
    "CTP_CREATOR",
    "CTP_GROUP",
    "CTP_DICTIONARY",
    "is_private_group",
    "reserve_block",
    "add_private",
    "add_at_slot",
    "read_private",
    "walk_private",
    "list_blocks",
    "explain_tag",
    "register_private_dictionary",
    "forget_private_dictionary",
    "implicit_vr_roundtrip",
    "format_blocks",
    "draw_group",
    "register_cli",
]

#: Odd groups that PS3.5 7.8.1 does not allow for private data elements.
FORBIDDEN_PRIVATE_GROUPS = frozenset({0x0001, 0x0003, 0x0005, 0x0007, 0xFFFF})

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


class PrivateTagError(ValueError):
    """A private tag or block that breaks PS3.5 7.8.1, or one that is not in the data set."""


def is_private_group(group: int) -> bool:
    """True when ``group`` may hold private data elements (odd, not 0001/0003/0005/0007/FFFF).

    Parameters
    ----------
    group : int
        A group number, e.g. ``0x0009``.

    Returns
    -------
    bool
        Whether private elements may live in it (odd, and not 0001, 0003, 0005, 0007 or FFFF).

    Examples
    --------
    >>> is_private_group(0x0013), is_private_group(0x0010), is_private_group(0x0001)
    (True, False, False)
    """
    return group % 2 == 1 and group not in FORBIDDEN_PRIVATE_GROUPS


def _check_group(group: int) -> None:
    if not 0 <= group <= 0xFFFF:
        raise PrivateTagError(f"group {group:#x} is not a 16-bit number")
    if group % 2 == 0:
        raise PrivateTagError(
            f"group {group:04X} is even: even groups belong to the standard; private "
            "elements need an odd group (PS3.5 7.8.1)"
        )
    if group in FORBIDDEN_PRIVATE_GROUPS:
        raise PrivateTagError(
            f"group {group:04X} is odd but not allowed for private elements "
            "(PS3.5 7.8.1 excludes 0001, 0003, 0005, 0007 and FFFF)"
        )


def _check_creator(creator: str) -> None:
    if not isinstance(creator, str) or not creator.strip():
        raise PrivateTagError(f"a private creator needs a non-empty name, got {creator!r}")
    if len(creator) > 64 or "\\" in creator:
        raise PrivateTagError(
            f"private creator {creator!r} is not a valid LO value (at most 64 characters, no '\\')"
        )


def reserve_block(ds: Dataset, group: int, creator: str) -> pydicom.dataset.PrivateBlock:
    """The block of ``creator`` in ``group``: the one it already holds, or the first free slot.

    The creator goes into the first free element (gggg,0010) ... (gggg,00FF) — pydicom's
    :meth:`~pydicom.dataset.Dataset.private_block` with ``create=True`` does the search.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set.
    group : int
        An odd group allowed for private elements.
    creator : str
        The private creator's name (VR LO: at most 64 characters, no backslash).

    Returns
    -------
    pydicom.dataset.PrivateBlock
        pydicom's handle on the block, to add and read elements by offset.

    Raises
    ------
    PrivateTagError
        For an even or forbidden group, an invalid creator name, or a group with all 240 slots taken.

    Examples
    --------
    >>> ds = Dataset()
    >>> hex(reserve_block(ds, 0x0009, "VENDOR A").block_start)   # element number of the block
    '0x1000'
    >>> hex(reserve_block(ds, 0x0009, "VENDOR B").block_start)
    '0x1100'
    >>> hex(reserve_block(ds, 0x0009, "VENDOR A").block_start)   # already holds one
    '0x1000'
    """
    _check_group(group)
    _check_creator(creator)
    try:
        return ds.private_block(group, creator, create=True)
    except (ValueError, StopIteration) as exc:  # pydicom 3.0 lets StopIteration escape
        raise PrivateTagError(f"group {group:04X}: no free private creator slot for {creator!r}: "
                              "all of (gggg,0010)-(gggg,00FF) are taken") from exc


def add_private(ds: Dataset, group: int, creator: str, offset: int, vr: str, value: Any
                ) -> DataElement:
    """Add (or replace) element ``offset`` (0x00-0xFF) of ``creator``'s block; reserve it first.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set.
    group : int
        An odd group allowed for private elements.
    creator : str
        The private creator's name.
    offset : int
        The element's offset in the block, 0x00-0xFF.
    vr : str
        Its value representation, e.g. ``"LO"``.
    value : Any
        Its value.

    Returns
    -------
    pydicom.dataelem.DataElement
        The element as it is now in ``ds``.

    Raises
    ------
    PrivateTagError
        For an even or forbidden group, or an invalid creator name.

    Examples
    --------
    >>> ds = Dataset()
    >>> add_private(ds, 0x0013, "CTP", 0x13, "LO", "77779002").tag
    (0013,1013)
    """
    if not 0 <= offset <= 0xFF:
        raise PrivateTagError(f"offset {offset:#x} is outside a block (0x00-0xFF)")
    block = reserve_block(ds, group, creator)
    block.add_new(offset, vr, value)
    return block[offset]


def add_at_slot(ds: Dataset, group: int, creator: str, slot: int, offset: int, vr: str, value: Any
                ) -> DataElement:
    """Like :func:`add_private`, but the creator takes slot ``slot`` (0x10-0xFF), not the first free one.

    A real file may have its creator in any slot: which one depends on who wrote before it. This
    puts the block where a test wants it, so code that assumes a fixed tag can be caught.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set.
    group : int
        An odd group allowed for private elements.
    creator : str
        The private creator's name.
    slot : int
        The creator's element (gggg,00ss), 0x10-0xFF: the block it reserves is ``ss``.
    offset : int
        The element's offset in the block, 0x00-0xFF.
    vr : str
        Its value representation.
    value : Any
        Its value.

    Returns
    -------
    pydicom.dataelem.DataElement
        The element (gggg,ssoo) as it is now in ``ds``.

    Raises
    ------
    PrivateTagError
        For a slot outside 0x10-0xFF, or one that another creator already holds.

    Examples
    --------
    >>> ds = Dataset()
    >>> add_at_slot(ds, 0x0019, "ACME MEDICAL", 0x47, 0x21, "DS", "0.75").tag
    (0019,4721)
    >>> read_private(ds, 0x0019, "ACME MEDICAL", 0x21)
    '0.75'
    """
    _check_group(group)
    _check_creator(creator)
    if not 0x10 <= slot <= 0xFF:
        raise PrivateTagError(f"slot {slot:#x} is not a private creator slot (0x10-0xFF, PS3.5 7.8.1)")
    held = ds.get(Tag(group, slot))
    if held is not None and held.value != creator:
        raise PrivateTagError(f"{str(Tag(group, slot))} already holds creator {held.value!r}")
    if held is None:
        if creator in ds.private_creators(group):
            raise PrivateTagError(f"{creator!r} already holds another block of group {group:04X}")
        ds.add_new(Tag(group, slot), "LO", creator)
    return add_private(ds, group, creator, offset, vr, value)


def read_private(ds: Dataset, group: int, creator: str, offset: int) -> Any:
    """The value of element ``offset`` in ``creator``'s block of ``group``, wherever the block is.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set.
    group : int
        The private group.
    creator : str
        The private creator whose block to look in, wherever it is.
    offset : int
        The element's offset in that block, 0x00-0xFF.

    Returns
    -------
    Any
        The element's value.

    Raises
    ------
    PrivateTagError
        When the creator has no block in that group, or the block has no such element.

    Examples
    --------
    >>> ds = Dataset()
    >>> _ = add_private(ds, 0x0009, "SOMEONE ELSE", 0x10, "LO", "x")
    >>> _ = add_private(ds, 0x0009, "ACME", 0x10, "LO", "ours")
    >>> read_private(ds, 0x0009, "ACME", 0x10)       # it sits at (0009,1110)
    'ours'
    """
    _check_group(group)
    if creator not in ds.private_creators(group):
        found = ds.private_creators(group)
        raise PrivateTagError(
            f"no private creator {creator!r} in group {group:04X} "
            f"(creators there: {found if found else 'none'})"
        )
    block = ds.private_block(group, creator)
    if offset not in block:
        raise PrivateTagError(
            f"{creator!r} holds block {str(Tag(group, block.block_start))}-"
            f"{str(Tag(group, block.block_start + 0xFF))} but element offset {offset:#04x} at "
            f"{str(block.get_tag(offset))} is not in the data set"
        )
    return block[offset].value


@dataclass
class PrivateElement:
    """One private element of a block: where it is, its tag, offset, VR and value.

    Parameters
    ----------
    path : str
        Where its data set is (``""`` at the top level).
    tag : pydicom.tag.BaseTag
        Its tag in this data set.
    offset : int
        Its offset in the block, 0x00-0xFF.
    VR : str
        Its value representation.
    value : Any
        Its value.
    name : str
        Its name, when a private dictionary knows it.
    """

    path: str
    tag: BaseTag
    offset: int
    VR: str
    value: Any
    name: str = ""

    def short_value(self, width: int = 40) -> str:
        """The value as text, cut to ``width`` characters (:func:`.browser.short_value`).

        Parameters
        ----------
        width : int
            The most characters shown.

        Returns
        -------
        str
            E.g. ``'TCGA-LUAD'``, ``'2 items'``, ``'12 bytes: 00 01 …'``.
        """
        return short_value(self.value, self.VR, width)


@dataclass
class BlockInfo:
    """What :func:`list_blocks` found of one private block: creator, group, number, elements.

    A description to read, not a handle to write with: :func:`reserve_block` returns pydicom's
    own :class:`pydicom.dataset.PrivateBlock` for that (hence the different name).

    ``creator`` is ``None`` for *orphan* elements whose block has no creator element.
    ``path`` says where the block is ("" at the top level, ``"(3F03,1001)[0]"`` inside an item).

    Parameters
    ----------
    creator : str or None
        The private creator, or None for orphans.
    group : int
        The odd group.
    block : int
        The block number bb, 0x10-0xFF (the creator's element is (gggg,00bb)).
    path : str
        Where the block is.
    elements : list of PrivateElement
        The elements in it, in tag order.
    """

    creator: str | None
    group: int
    block: int
    path: str = ""
    elements: list[PrivateElement] = field(default_factory=list)

    @property
    def creator_tag(self) -> BaseTag:
        """The tag of the creator element, (gggg,00bb)."""
        return Tag(self.group, self.block)

    @property
    def first_tag(self) -> BaseTag:
        """The first tag the block reserves, (gggg,bb00)."""
        return Tag(self.group, self.block << 8)


def _item_path(path: str, elem: DataElement, index: int) -> str:
    name = elem.keyword or str(elem.tag)
    step = f"{name}[{index}]"
    return f"{path}.{step}" if path else step


def walk_private(ds: Dataset, path: str = "") -> Iterator[tuple[str, Dataset]]:
    """Every data set in ``ds``, itself first, then every sequence item (depth-first), with its path.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set.
    path : str
        The path of ``ds`` itself (``""`` at the top).

    Yields
    ------
    (str, pydicom.dataset.Dataset)
        The path, e.g. ``"ReferencedImageSequence[0]"``, and the data set there.
    """
    yield path, ds
    for elem in ds:
        if elem.VR == "SQ":
            for i, item in enumerate(elem.value):
                yield from walk_private(item, _item_path(path, elem, i))


def _element_name(creator: str | None, elem: DataElement) -> str:
    if creator is None:
        return ""
    offset = elem.tag.element & 0xFF
    keyword = _KEYWORDS.get(creator, {}).get(offset)
    if keyword:
        return keyword
    name = elem.name
    return name if name and name != "Private tag data" else ""


def list_blocks(ds: Dataset) -> list[BlockInfo]:
    """Every private block of ``ds``, including those inside sequences, in file order.

    Elements with no creator for their block are grouped as orphan blocks (``creator=None``).
    Element numbers (gggg,0100)-(gggg,0FFF), which no creator can reserve, also come out as orphans.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set.

    Returns
    -------
    list of BlockInfo
        The blocks, top level first, each with its elements.

    Examples
    --------
    >>> from workshop_helpers.tools import testdata
    >>> blocks = list_blocks(pydicom.dcmread(testdata("CT_small.dcm")))
    >>> [(b.creator, f"{b.group:04X}", hex(b.block)) for b in blocks][:2]
    [('GEMS_IDEN_01', '0009', '0x10'), ('GEMS_PATI_01', '0011', '0x10')]
    """
    result: list[BlockInfo] = []
    for path, item in walk_private(ds):
        blocks: dict[tuple[int, int], BlockInfo] = {}
        for elem in item:
            tag = elem.tag
            if not tag.is_private or tag.element == 0 or tag.group in FORBIDDEN_PRIVATE_GROUPS:
                continue
            if 0x10 <= tag.element <= 0xFF:  # a creator
                creator = str(elem.value).strip() if elem.value is not None else ""
                key = (tag.group, tag.element)
                blocks.setdefault(key, BlockInfo(creator or None, tag.group, tag.element, path))
                blocks[key].creator = creator or None
                continue
            if tag.element < 0x10:
                continue
            number = tag.element >> 8
            key = (tag.group, number)
            if key not in blocks:
                creator_elem = item.get(Tag(tag.group, number)) if number >= 0x10 else None
                creator = str(creator_elem.value).strip() if creator_elem is not None else None
                blocks[key] = BlockInfo(creator or None, tag.group, number, path)
            block = blocks[key]
            block.elements.append(PrivateElement(
                path, tag, tag.element & 0xFF, str(elem.VR), elem.value,
                _element_name(block.creator, elem)))
        result.extend(sorted(blocks.values(), key=lambda b: (b.group, b.block)))
    return result


def explain_tag(ds: Dataset, tag: Any) -> str:
    """Say in words what ``tag`` is in ``ds``: public, creator, element of a block, or orphan.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set.
    tag : int, str or tuple
        Anything :func:`pydicom.tag.Tag` takes: ``0x00131010``, ``(0x0013, 0x1010)``, a keyword.

    Returns
    -------
    str
        One sentence, naming the tags of the creator and the block.

    Examples
    --------
    >>> ds = Dataset()
    >>> _ = add_private(ds, 0x0013, "CTP", 0x10, "LO", "TCGA-LUAD")
    >>> explain_tag(ds, 0x00130010)
    "(0013,0010) is a private creator: 'CTP' reserves the block (0013,1000)-(0013,10FF)"
    >>> explain_tag(ds, 0x00131110)
    '(0013,1110) is an orphan: no private creator at (0013,0011) reserves its block, so nobody can say what it means'
    """
    tag = Tag(tag)
    where = str(tag)
    group, element = tag.group, tag.element
    if group % 2 == 0:
        try:
            return f"{where} is a public (standard) element: {dictionary_description(tag)}"
        except KeyError:
            return f"{where} is in an even (standard) group but not in pydicom's dictionary"
    if group in FORBIDDEN_PRIVATE_GROUPS:
        return (f"{where} is in group {group:04X}, which PS3.5 7.8.1 does not allow for "
                "private elements")
    if element == 0:
        return f"{where} is a group length (retired for private groups)"
    if element < 0x10:
        return f"{where} is not allowed: (gggg,0001)-(gggg,000F) are reserved (PS3.5 7.8.1)"
    if element <= 0xFF:
        start, end = str(Tag(group, element << 8)), str(Tag(group, (element << 8) | 0xFF))
        if tag in ds:
            return f"{where} is a private creator: {ds[tag].value!r} reserves the block {start}-{end}"
        return f"{where} is a free private creator slot: it would reserve the block {start}-{end}"
    number = element >> 8
    if number < 0x10:
        return (f"{where} cannot belong to any block: blocks (gggg,0100)-(gggg,0FFF) would need "
                f"a creator at (gggg,00{number:02X}), which is not allowed (PS3.5 7.8.1)")
    creator_tag = Tag(group, number)
    if creator_tag not in ds:
        return (f"{where} is an orphan: no private creator at {str(creator_tag)} reserves its "
                "block, so nobody can say what it means")
    creator = ds[creator_tag].value
    text = (f"{where} is element 0x{element & 0xFF:02X} of the block reserved by {creator!r} "
            f"at {str(creator_tag)}")
    if tag in ds:
        name = _element_name(creator, ds[tag])
        if name:
            text += f" ({name})"
    else:
        text += ", not present in this data set"
    return text


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


def format_blocks(blocks: list[BlockInfo]) -> str:
    """A readable table of :func:`list_blocks`' result.

    Parameters
    ----------
    blocks : list of BlockInfo
        What :func:`list_blocks` returned.

    Returns
    -------
    str
        One line per block, one indented line per element (tag, offset, VR, name, value);
        ``'no private elements'`` when there are none.
    """
    if not blocks:
        return "no private elements"
    lines = []
    for b in blocks:
        where = f" in {b.path}" if b.path else ""
        who = repr(b.creator) if b.creator else "ORPHAN (no creator)"
        lines.append(f"group {b.group:04X} block {b.block:02X}  {who} at "
                     f"{str(b.creator_tag)}{where}: {len(b.elements)} element(s)")
        for e in b.elements:
            lines.append(f"    {str(e.tag)}  +{e.offset:02X}  {e.VR:<2}  {e.name[:28]:<28}  "
                         f"{e.short_value()}")
    return "\n".join(lines)


def draw_group(ds: Dataset, group: int, ax: Axes | None = None) -> Axes:
    """Draw the element space of one private group: creator slots above, the blocks they reserve below.

    Top row: the 256 elements (gggg,0000)-(gggg,00FF) — 0000 group length, 0001-000F not
    allowed, 0010-00FF creator slots (filled ones coloured and named). Bottom row: the 256 blocks
    (gggg,bb00)-(gggg,bbFF); an arrow joins each creator (gggg,00bb) to its block bb, whose
    height shows how many elements it holds.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set.
    group : int
        The private group to draw.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.axes.Axes
        The axes drawn on.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415 - the command line imports this module
    from matplotlib.patches import FancyArrowPatch, Rectangle  # noqa: PLC0415 - likewise

    _check_group(group)
    creators = [e for e in ds if e.tag.group == group and 0x10 <= e.tag.element <= 0xFF]
    counts: dict[int, int] = {}
    for elem in ds:
        if elem.tag.group == group and elem.tag.element > 0xFF:
            counts[elem.tag.element >> 8] = counts.get(elem.tag.element >> 8, 0) + 1
    orphans = [b for b in counts if Tag(group, b) not in ds]
    lines = len(creators) + len(orphans)
    top = 1.6 + 0.5 * max(lines, 1)   # the gap between the rows holds one label per line
    if ax is None:
        _, ax = plt.subplots(figsize=(10, 1.6 + 0.5 * (top + 1.6)))
    colours = plt.get_cmap("tab10")
    used = [e.tag.element for e in creators] + list(counts)
    hi = min(256, max([0x30, *[u + 0x20 for u in used]]))   # zoom on the part in use
    label_x = max([0x14, *[u + 3 for u in used]])
    ax.add_patch(Rectangle((0, top), 1, 1, color="0.6"))
    ax.add_patch(Rectangle((1, top), 15, 1, color="0.85", hatch="//", ec="0.6"))
    ax.add_patch(Rectangle((16, top), hi - 16, 1, fill=False, ec="0.5"))
    ax.add_patch(Rectangle((0, 0), 16, 1, color="0.85", hatch="//", ec="0.6"))
    ax.add_patch(Rectangle((16, 0), hi - 16, 1, fill=False, ec="0.5"))
    ax.text(8, top + 1.2, "0000: length\n0001-000F: not allowed", ha="center", fontsize=9)
    ax.text((16 + hi) / 2, top + 1.2, f"creator slots ({group:04X},0010)-({group:04X},00FF)",
            ha="center", fontsize=10)
    ax.text(8, -0.5, "no blocks 00-0F", ha="center", fontsize=9)
    ax.text((16 + hi) / 2, -0.5, f"blocks ({group:04X},1000-10FF) ... ({group:04X},FF00-FFFF)",
            ha="center", fontsize=10)
    for line, elem in enumerate(creators):
        colour, b = colours(line % 10), elem.tag.element
        y = top - 0.5 - 0.5 * line
        ax.add_patch(Rectangle((b, top), 1, 1, color=colour))
        ax.add_patch(Rectangle((b, 0), 1, min(1.0, 0.25 + counts.get(b, 0) / 16), color=colour))
        ax.add_patch(FancyArrowPatch((b + 0.5, top), (b + 0.5, 1.05), arrowstyle="-|>",
                                     mutation_scale=10, color=colour))
        ax.plot([b + 1, label_x - 0.5], [y, y], color=colour, lw=0.8, ls=":")
        ax.text(label_x, y, f"{elem.value!r} at ({group:04X},00{b:02X}) reserves block "
                f"{b:02X}00-{b:02X}FF: {counts.get(b, 0)} element(s)",
                fontsize=9, color=colour, va="center")
    for line, b in enumerate(orphans, start=len(creators)):
        ax.add_patch(Rectangle((b, 0), 1, 1, color="red"))
        ax.text(label_x, top - 0.5 - 0.5 * line, f"orphan block {b:02X}: no creator at "
                f"({group:04X},00{b:02X})", color="red", fontsize=9, va="center")
    ax.set_xlim(-1, hi + 1)
    ax.set_ylim(-0.8, top + 1.9)
    ax.set_yticks([0.5, top + 0.5], ["blocks bb00-bbFF", "elements 0000-00FF"])
    ticks = list(range(0, hi, 8))
    ax.set_xticks(ticks, [f"{t:02X}" for t in ticks])
    ax.set_xlabel("bb (hex)" + ("" if hi == 256 else "; the rest up to FF is unused"))
    ax.set_title(f"Private group {group:04X}: who reserved what (PS3.5 7.8.1)")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return ax


def _cli_private(args: argparse.Namespace) -> int:
    """``private FILE``: the private blocks of a file on stdout."""
    try:
        ds = pydicom.dcmread(args.file, force=args.force)
        blocks = list_blocks(ds)
    except (OSError, pydicom.errors.InvalidDicomError) as exc:
        raise CommandError(f"cannot read {args.file}: {exc}", status=2) from exc
    print(f"{args.file}: {len(blocks)} private block(s)")
    print(format_blocks(blocks))
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``private FILE``: list the private blocks of a file.

    Parameters
    ----------
    subparsers : argparse sub-parsers
        What ``ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser("private", help="list the private blocks of a DICOM file")
    p.add_argument("file", help="a DICOM file")
    p.add_argument("--force", action="store_true", help="read files without the DICM preamble")
    p.set_defaults(func=_cli_private)
