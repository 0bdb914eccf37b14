"""Private blocks by the rules of PS3.5 7.8.1: reserve one, write to it, read from it.

A private creator (gggg,00bb) reserves the block (gggg,bb00)-(gggg,bbFF) of an odd group;
:func:`reserve_block`, :func:`add_private`, :func:`add_at_slot` and :func:`read_private` know an
element by *(group, creator, offset)*, never by its fixed tag. :class:`PrivateTagError` says
which rule a tag or block breaks.
"""

from __future__ import annotations

from typing import Any

import pydicom
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.tag import Tag

#: Odd groups that PS3.5 7.8.1 does not allow for private data elements.
FORBIDDEN_PRIVATE_GROUPS = frozenset({0x0001, 0x0003, 0x0005, 0x0007, 0xFFFF})



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
    >>> from pydicom import Dataset
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
    >>> from pydicom import Dataset
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
    >>> from pydicom import Dataset
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
    >>> from pydicom import Dataset
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

