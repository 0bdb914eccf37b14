"""What a UID is made of: :func:`explain` takes one apart, :func:`validate` checks PS3.5 9.1.

Also the roots the course meets (:data:`KNOWN_ROOTS`), the limits (:data:`MAX_LENGTH`,
:data:`MIN_UNIQUE_DIGITS`), :class:`UIDExplanation` and :class:`UIDError`.
"""

from __future__ import annotations

import textwrap
import uuid
from dataclasses import dataclass, field

from pydicom.uid import PYDICOM_ROOT_UID, UID

from ..errors import ShortError

MAX_LENGTH = 64
"""PS3.5 9.1: a UID has at most 64 characters (including a padding NULL, which we never store)."""

MIN_UNIQUE_DIGITS = 10
"""Our rule, not the standard's: :func:`make_uid` leaves room for at least this many random
digits (pydicom's ``generate_uid`` makes the same choice: a prefix of at most 54 characters)."""

DICOM_ROOT = "1.2.840.10008"
DCMTK_ROOT = "1.2.276.0.7230010.3"
UUID_ROOT = "2.25"
SLIDES_ROOT = "1.3.6.1.4.1.45037"
PYDICOM_ROOT = PYDICOM_ROOT_UID.rstrip(".")
IANA_PEN_ARC = "1.3.6.1.4.1"

KNOWN_ROOTS: dict[str, str] = {
    DICOM_ROOT: "DICOM itself (NEMA): UIDs that the standard defines, such as SOP Classes and "
                "Transfer Syntaxes (PS3.5 Chapter 9, PS3.6 Annex A)",
    DCMTK_ROOT: "dcmtk (OFFIS, registered with DIN in Germany)",
    UUID_ROOT: "UUID-derived UID: 2.25 followed by a UUID as one decimal integer "
               "(ISO/IEC 9834-8, PS3.5 B.2) - needs no registration",
    SLIDES_ROOT: "the root used in the workshop's slides (IANA Private Enterprise Number 45037)",
    PYDICOM_ROOT: "pydicom's root, used by pydicom.uid.generate_uid",
}
"""Roots the course meets, longest first wins in :func:`explain`."""

# dcmtk's own sub-arcs below its root (dcmdata/dcuid.h: SITE_STUDY_UID_ROOT = root + ".1.2", ...).
_DCMTK_ARCS = {
    "1.2": "dcmtk's arc for Study Instance UIDs",
    "1.3": "dcmtk's arc for Series Instance UIDs",
    "1.4": "dcmtk's arc for SOP Instance UIDs",
    "1.0": "dcmtk's arc for its private SOP Classes",
    "0": "dcmtk's arc for its Implementation Class UID (the version follows)",
}

_SHORT = 3  # a "descriptive" component has at most this many digits (our heuristic)


class UIDError(ShortError, ValueError):
    """A UID (or a root or descriptive part) breaks the rules of PS3.5 9.1, or does not fit."""


@dataclass(frozen=True)
class UIDExplanation:
    """A UID taken apart: ``root`` + ``descriptive`` + ``unique`` (joined with dots).

    Parameters
    ----------
    uid : str
        The UID explained.
    root : str
        Its org root (``""`` when none is recognised).
    owner : str
        Who the root belongs to, in words.
    descriptive : str
        The components between root and unique part (may be empty).
    unique : str
        The part that makes it unique.
    name : str
        The name in the standard's registry (PS3.6 Annex A), for a UID of the standard.
    uuid : str
        The UUID of a ``2.25`` UID.
    uuid_version : int, optional
        That UUID's version (4 random, 5 name-based).
    how : str
        Which rule split it (the end of the descriptive part is the root owner's convention).
    problems : list of str
        The rules of PS3.5 9.1 it breaks (:func:`validate`).
    """

    uid: str
    root: str
    owner: str
    descriptive: str
    unique: str
    name: str = ""
    uuid: str = ""
    uuid_version: int | None = None
    how: str = ""
    problems: list[str] = field(default_factory=list)

    def parts(self) -> list[tuple[str, str]]:
        """``[(label, text), ...]`` for the non-empty parts, in order."""
        return [(label, text) for label, text in (
            ("org root", self.root), ("descriptive", self.descriptive), ("unique", self.unique))
            if text]

    def __str__(self) -> str:
        lines = [self.uid]
        for label, text in self.parts():
            lines.append(f"  {label + ':':<13}{text}")
        if self.owner:
            lines.append(f"  {'root owner:':<13}{self.owner}")
        if self.name:
            lines.append(f"  {'name:':<13}{self.name}")
        if self.uuid:
            version = f" (version {self.uuid_version})" if self.uuid_version else ""
            lines.append(f"  {'UUID:':<13}{self.uuid}{version}")
        if self.how:   # the rule in words can be long: wrapped under its label
            lines.append(textwrap.fill(self.how, 96, initial_indent=f"  {'split:':<13}",
                                       subsequent_indent=" " * 15))
        for problem in self.problems:
            lines.append(f"  invalid:     {problem}")
        return "\n".join(lines)


def validate(uid: str) -> list[str]:
    """Every rule of PS3.5 9.1 that ``uid`` breaks; an empty list means valid.

    Rules: at most 64 characters; only digits and ``.``; no empty component (so no leading,
    trailing or double dot); no leading zero in a component, except the component ``0`` itself.
    Each message says which rule and where (component number and 0-based character index).

    Parameters
    ----------
    uid : str
        The UID to check, as written (no padding NUL).

    Returns
    -------
    list of str
        One message per rule broken, in the order of the rules above; empty for a valid UID.

    Examples
    --------
    >>> validate("1.2.840.10008.1.2.1")
    []
    >>> validate(".1.2a")
    ["starts with '.': empty component 1 at index 0 (PS3.5 9.1)", "character 'a' at index 4 is not a digit or '.' (PS3.5 9.1)"]
    """
    if not isinstance(uid, str):
        return [f"a UID is a text string, not {type(uid).__name__} (PS3.5 9.1)"]
    if uid == "":
        return ["empty: a UID has at least one component (PS3.5 9.1)"]
    found: list[tuple[int, str]] = []  # (index, message): reported in reading order
    if len(uid) > MAX_LENGTH:
        found.append((-1, f"{len(uid)} characters, more than {MAX_LENGTH} (PS3.5 9.1)"))
    for i, ch in enumerate(uid):
        if not (ch.isascii() and ch.isdigit()) and ch != ".":
            found.append((i, f"character {ch!r} at index {i} is not a digit or '.' (PS3.5 9.1)"))
    index = 0
    components = uid.split(".")
    for n, comp in enumerate(components, start=1):
        if comp == "":
            if n == 1:
                message = "starts with '.': empty component 1 at index 0 (PS3.5 9.1)"
            elif n == len(components):
                message = f"ends with '.': empty component {n} at index {index} (PS3.5 9.1)"
            else:
                message = f"empty component {n} at index {index}: two dots in a row (PS3.5 9.1)"
            found.append((index, message))
        elif len(comp) > 1 and comp[0] == "0" and comp.isdigit():
            found.append((index, f"component {n} {comp!r} at index {index} has a leading zero "
                                 "(PS3.5 9.1)"))
        index += len(comp) + 1
    return [message for _, message in sorted(found, key=lambda f: f[0])]


def is_valid(uid: str) -> bool:
    """True when :func:`validate` finds nothing wrong.

    Parameters
    ----------
    uid : str
        The UID to check.

    Returns
    -------
    bool
        Whether it keeps every rule of PS3.5 9.1.

    Examples
    --------
    >>> is_valid("2.25.0"), is_valid("1.2.3.")
    (True, False)
    """
    return not validate(uid)



def _split_heuristic(rest: list[str]) -> tuple[list[str], list[str]]:
    """Short components right after the root are descriptive; the rest is unique (>= 1 kept)."""
    n = 0
    while n < len(rest) - 1 and len(rest[n]) <= _SHORT:
        n += 1
    return rest[:n], rest[n:]


_HEURISTIC = (f"not encoded in the UID (PS3.5 B.1); our rule: the components of at most "
              f"{_SHORT} digits right after the root are descriptive, everything from the first "
              f"longer component on is unique")


def _find_root(comps: list[str]) -> tuple[int, str]:
    """How many components form the org root, and who owns it ("" when unknown)."""
    text = ".".join(comps)
    for root in sorted(KNOWN_ROOTS, key=len, reverse=True):
        if text == root or text.startswith(root + "."):
            return root.count(".") + 1, KNOWN_ROOTS[root]
    if text.startswith(IANA_PEN_ARC + ".") and len(comps) > 6:
        return 7, (f"IANA Private Enterprise Number {comps[6]} (arc 1.3.6.1.4.1; look the owner "
                   "up in IANA's enterprise-numbers registry)")
    if text.startswith("1.2.840.") and len(comps) > 3:
        return 4, ("an organisation registered by ANSI, the US member body of ISO "
                   "(arc 1.2.840, PS3.5 Annex C)")
    if text.startswith("2.16.840.1.") and len(comps) > 4:
        return 5, "an organisation registered under the joint ISO/ITU-T arc for the US (2.16.840.1)"
    return 0, ""


def explain(uid: str) -> UIDExplanation:
    """Split ``uid`` into org root, descriptive part and unique part, and name its root.

    The org root is recognised from :data:`KNOWN_ROOTS` and from the registration arcs
    (IANA Private Enterprise Numbers 1.3.6.1.4.1.N, ANSI's 1.2.840.N). Where the descriptive part
    ends is a convention of the root's owner, not part of the standard (PS3.5 B.1); ``how`` says
    which rule was used. A UID that breaks PS3.5 9.1 is still explained, with ``problems`` set.

    Parameters
    ----------
    uid : str
        Any UID.

    Returns
    -------
    UIDExplanation
        Root, descriptive and unique parts, the root's owner, the registry name of a UID of the
        standard, the UUID of a ``2.25`` UID, and the rules it breaks.

    Examples
    --------
    >>> e = explain("1.3.6.1.4.1.45037.5.2.1.6279.6001.314138616411061948052843767346")
    >>> e.root, e.descriptive, e.unique
    ('1.3.6.1.4.1.45037', '5.2.1', '6279.6001.314138616411061948052843767346')
    >>> explain("1.2.840.10008.5.1.4.1.1.2").name
    'CT Image Storage'
    >>> explain("2.25.329800735698586629295641978511506172918").uuid
    'f81d4fae-7dec-11d0-a765-00a0c91e6bf6'
    """
    uid = str(uid)
    problems = validate(uid)
    comps = uid.split(".")
    n_root, owner = _find_root(comps)
    root = ".".join(comps[:n_root])
    rest = comps[n_root:]
    name = uuid_text = ""
    uuid_version = None
    if root == DICOM_ROOT:
        descriptive, unique = rest, []
        name = UID(uid).name if UID(uid).name != uid else ""
        how = ("a UID the standard itself defines: everything after the root is fixed, "
               "nothing is random (PS3.6 Annex A)")
    elif root == UUID_ROOT:
        descriptive, unique = [], rest
        how = "2.25 UIDs have no descriptive part: the rest is one integer, a UUID (PS3.5 B.2)"
        if len(rest) == 1 and rest[0].isdigit() and int(rest[0]) < 2**128:
            value = uuid.UUID(int=int(rest[0]))
            uuid_text = str(value)
            uuid_version = value.version  # None unless the variant is RFC 4122/9562's
            if value.int == 0:
                how = ("the nil UUID (all 128 bits zero, RFC 9562 5.9): valid by PS3.5 9.1, but "
                       "no UUID generator makes it, so it identifies nothing unique")
    elif root == DCMTK_ROOT:
        text = ".".join(rest)
        arc = next((a for a in sorted(_DCMTK_ARCS, key=len, reverse=True)
                    if text == a or text.startswith(a + ".")), None)
        if arc is None:
            descriptive, unique = _split_heuristic(rest)
            how = _HEURISTIC
        else:
            k = arc.count(".") + 1
            descriptive, unique = rest[:k], rest[k:]
            how = f"dcmtk's convention (dcmdata/dcuid.h): {_DCMTK_ARCS[arc]}"
    elif root == PYDICOM_ROOT:
        descriptive, unique = [], rest
        how = "pydicom's generate_uid appends one random (or hashed) integer to its root"
    elif n_root:
        descriptive, unique = _split_heuristic(rest)
        how = _HEURISTIC + (" - the slides split their example this way"
                            if root == SLIDES_ROOT else "")
    else:
        descriptive, unique = [], comps
        how = "root not recognised: the UID itself does not say where the root ends"
    return UIDExplanation(uid=uid, root=root, owner=owner, descriptive=".".join(descriptive),
                          unique=".".join(unique), name=name, uuid=uuid_text,
                          uuid_version=uuid_version, how=how,
                          problems=problems)

