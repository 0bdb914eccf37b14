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
This package gives those a small vocabulary for the course: :func:`reserve_block`,
:func:`add_private`, :func:`read_private`, :func:`list_blocks`, :func:`explain_tag`,
:func:`register_private_dictionary` and :data:`CTP_DICTIONARY`.

Where what is (every name below can be imported from ``workshop_helpers.private`` itself):

- :mod:`.blocks`      the rules: :class:`PrivateTagError`, :func:`is_private_group`,
  :data:`FORBIDDEN_PRIVATE_GROUPS`, :func:`reserve_block`, :func:`add_private`,
  :func:`add_at_slot`, :func:`read_private`;
- :mod:`.listing`     what a data set holds: :func:`list_blocks`, :func:`explain_tag`,
  :func:`format_blocks`, :func:`walk_private`, :class:`BlockInfo`, :class:`PrivateElement`;
- :mod:`.dictionary`  :func:`register_private_dictionary`, :func:`forget_private_dictionary`,
  :func:`implicit_vr_roundtrip`, :data:`CTP_DICTIONARY`, :data:`CTP_CREATOR`, :data:`CTP_GROUP`;
- :mod:`.drawing`     :func:`draw_group`: a picture of one private group;
- :mod:`.cli`         ``register_cli``: ``python -m workshop_helpers private FILE``.

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


from .._rehome import rehome
from .blocks import (
    FORBIDDEN_PRIVATE_GROUPS,
    PrivateTagError,
    add_at_slot,
    add_private,
    is_private_group,
    read_private,
    reserve_block,
)
from .cli import register_cli
from .dictionary import (
    CTP_CREATOR,
    CTP_DICTIONARY,
    CTP_GROUP,
    forget_private_dictionary,
    implicit_vr_roundtrip,
    register_private_dictionary,
)
from .drawing import draw_group
from .listing import (
    BlockInfo,
    PrivateElement,
    explain_tag,
    format_blocks,
    list_blocks,
    walk_private,
)

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

# The public names belong to the package, where learners import them from: a traceback says
# ``workshop_helpers.private.PrivateTagError`` and help() names ``workshop_helpers.private``.
rehome(globals())
