"""What private blocks a data set holds: :func:`list_blocks`, :func:`explain_tag`, :func:`format_blocks`.

Also :func:`walk_private` (every data set and sequence item, with its path) and the
descriptions they return, :class:`BlockInfo` and :class:`PrivateElement`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydicom.datadict import dictionary_description
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag, Tag

from ..browser import short_value
from .blocks import FORBIDDEN_PRIVATE_GROUPS
from .dictionary import _KEYWORDS


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
    >>> import pydicom
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
    >>> from workshop_helpers.private import add_private
    >>> from pydicom import Dataset
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
