"""UIDs, the slides' "magic numbers": take them apart, check them, make them.

A DICOM UID is ``<org root>.<suffix>`` (PS3.5 Chapter 9): the organisation that owns the root
(registered as an ISO/ITU object identifier, PS3.5 Annex C) guarantees that the suffix is unique.
The slides split the suffix once more, into a *descriptive* part and a *unique* part::

    1.3.6.1.4.1.45037 . 5.2.1 . 6279.6001.314138616411061948052843767346
    org root            descr.  unique

That second split is a convention of the organisation, not something the standard encodes:
PS3.5 B.1 says the suffix is up to the organisation and that "implementations should not depend
on any assumed structure of UIDs". :func:`explain` therefore says *how* it decided, every time.

- :func:`explain` splits a UID and names the roots the course meets;
- :func:`validate` lists every rule of PS3.5 9.1 a string breaks, and where;
- :func:`make_uid` makes a new UID under a root, random or reproducible (``seed=``);
- :func:`mint_uid` is how the course's own helpers make every UID they need: under ``2.25``;
- :func:`count_roots` counts which roots the SOP Instance UIDs of a set of files use.

Only mint UIDs under a root you may use: ``2.25`` (no registration, PS3.5 B.2) or your
organisation's own. The slides' root, IANA Private Enterprise Number 45037, is not yours (nor
ours): the course owns no root, so everything in ``workshop_helpers`` mints under ``2.25``.

Where what is (every name below can be imported from ``workshop_helpers.uids`` itself):

- :mod:`.rules`    :func:`explain`, :func:`validate`, :func:`is_valid`, :class:`UIDExplanation`,
  :class:`UIDError`, :data:`KNOWN_ROOTS` and the roots, :data:`MAX_LENGTH`, :data:`MIN_UNIQUE_DIGITS`;
- :mod:`.making`   :func:`make_uid`, :func:`mint_uid`, :data:`SEED_NAMESPACE`,
  :data:`IMPLEMENTATION_CLASS_UID`;
- :mod:`.files`    :func:`uids_in`, :func:`root_of_file`, :func:`count_roots`;
- :mod:`.drawing`  :func:`plot_oid_tree`, :func:`oid_tree`, :data:`OID_ARCS`, :func:`plot_uid_parts`,
  :data:`PART_COLOURS`;
- :mod:`.cli`      ``register_cli``: ``python -m workshop_helpers uid explain|validate|make``.

Examples
--------
>>> explain("1.3.6.1.4.1.45037.5.2.1.6279.6001.314138616411061948052843767346").descriptive
'5.2.1'
>>> validate("1.2.03..4")
["component 3 '03' at index 4 has a leading zero (PS3.5 9.1)", 'empty component 4 at index 7: two dots in a row (PS3.5 9.1)']
>>> make_uid(seed="lesson 5") == make_uid(seed="lesson 5")
True
"""

from .._rehome import rehome
from .cli import register_cli as register_cli  # the command line (workshop_helpers.__main__)
from .drawing import OID_ARCS as OID_ARCS
from .drawing import PART_COLOURS as PART_COLOURS
from .drawing import oid_tree as oid_tree
from .drawing import plot_oid_tree as plot_oid_tree
from .drawing import plot_uid_parts as plot_uid_parts
from .files import count_roots, root_of_file, uids_in
from .making import IMPLEMENTATION_CLASS_UID, make_uid, mint_uid
from .making import SEED_NAMESPACE as SEED_NAMESPACE
from .rules import DCMTK_ROOT as DCMTK_ROOT
from .rules import DICOM_ROOT as DICOM_ROOT
from .rules import IANA_PEN_ARC as IANA_PEN_ARC
from .rules import (
    KNOWN_ROOTS,
    MAX_LENGTH,
    MIN_UNIQUE_DIGITS,
    UIDError,
    UIDExplanation,
    explain,
    is_valid,
    validate,
)
from .rules import PYDICOM_ROOT as PYDICOM_ROOT
from .rules import SLIDES_ROOT as SLIDES_ROOT
from .rules import UUID_ROOT as UUID_ROOT

__all__ = [
    "UIDError",
    "UIDExplanation",
    "KNOWN_ROOTS",
    "explain",
    "validate",
    "is_valid",
    "make_uid",
    "mint_uid",
    "IMPLEMENTATION_CLASS_UID",
    "count_roots",
    "root_of_file",
    "uids_in",
    "MAX_LENGTH",
    "MIN_UNIQUE_DIGITS",
]

# OID_ARCS, PART_COLOURS, SEED_NAMESPACE and the roots are imported above as ``X as X``: importable
# from the package as before, though not in __all__.

# The public names belong to the package, where learners import them from: a traceback says
# ``workshop_helpers.uids.UIDError`` and help() names ``workshop_helpers.uids``.
rehome(globals(), [*__all__, "oid_tree", "plot_oid_tree", "plot_uid_parts"])
