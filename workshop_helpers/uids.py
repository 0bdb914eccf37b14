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

Examples
--------
>>> explain("1.3.6.1.4.1.45037.5.2.1.6279.6001.314138616411061948052843767346").descriptive
'5.2.1'
>>> validate("1.2.03..4")
["component 3 '03' at index 4 has a leading zero (PS3.5 9.1)", 'empty component 4 at index 7: two dots in a row (PS3.5 9.1)']
>>> make_uid(seed="lesson 5") == make_uid(seed="lesson 5")
True
"""

from __future__ import annotations

import argparse
import os
import textwrap
import uuid
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pydicom
from pydicom.uid import PYDICOM_ROOT_UID, UID, generate_uid

from .errors import ShortError
from .tools import CommandError

if TYPE_CHECKING:  # matplotlib is imported when a picture is drawn, not by the command line
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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


def count_roots(paths: Iterable[str | os.PathLike]) -> Counter:
    """How many of the files' SOP Instance UIDs use each org root (:func:`explain`).

    A file that pydicom cannot read, or that has no SOP Instance UID, counts under ``""``.

    Parameters
    ----------
    paths : iterable of str or os.PathLike
        DICOM files.

    Returns
    -------
    collections.Counter
        Org root -> how many files.

    Examples
    --------
    >>> from workshop_helpers.tools import testdata
    >>> count_roots([testdata("CT_small.dcm"), testdata("MR_small.dcm")])
    Counter({'1.3.6.1.4.1.5962': 2})
    """
    return Counter(root_of_file(path) for path in paths)


def root_of_file(path: str | os.PathLike) -> str:
    """The org root of a file's SOP Instance UID (:func:`explain`); ``""`` when there is none.

    ``""`` also for a file pydicom cannot read, one without a SOP Instance UID, and a root
    :func:`explain` does not recognise.

    Parameters
    ----------
    path : str or os.PathLike
        A DICOM file (its reading warnings are ignored).

    Returns
    -------
    str
        The org root, e.g. ``'1.3.6.1.4.1.5962'``, or ``""``.

    Examples
    --------
    >>> from workshop_helpers.tools import testdata
    >>> root_of_file(testdata("CT_small.dcm"))
    '1.3.6.1.4.1.5962'
    """
    try:
        with warnings.catch_warnings():  # only the UID matters here, not the file's quirks
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
            uid = str(ds.SOPInstanceUID)
    except Exception:  # not DICOM, or no SOP Instance UID
        return ""
    return explain(uid).root


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


def _check_part(what: str, text: str) -> None:
    problems = validate(text)
    if problems:
        raise UIDError(f"the {what} {text!r} is not a valid UID prefix: " + "; ".join(problems))


#: The namespace of the name-based UUIDs that seeded 2.25 UIDs use (made once from this text).
SEED_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:workshop_helpers:uids:seed")


def make_uid(root: str = UUID_ROOT, descriptive: str = "", *,
             seed: str | int | Sequence[str] | None = None,
             min_unique_digits: int = MIN_UNIQUE_DIGITS) -> str:
    """A new UID ``root.descriptive.unique``; reproducible when ``seed`` is given.

    Under ``2.25`` the whole rest is one UUID written as an integer (PS3.5 B.2): a random UUID
    (version 4) without a seed, a name-based UUID (version 5, SHA-1 of the seed, RFC 9562 5.5)
    with one. A descriptive part after ``2.25`` is refused: ``2.25.5.2.1...`` would lie under
    the arc of whoever made the UUID ``5``, not under yours. Under any other root the unique
    part comes from :func:`pydicom.uid.generate_uid`: random, or - with ``seed`` - a SHA-512
    hash of the seed (pydicom's ``entropy_srcs``), so the same seed gives the same UID.

    Parameters
    ----------
    root : str
        The organisation's root (default ``2.25``, which needs no registration). Use only a
        root you may use: your organisation's, or ``2.25``.
    descriptive : str
        Components of your own between root and unique part, e.g. ``"5.2.1"``; may be empty.
        Not under ``2.25``.
    seed : str, int or sequence of str, optional
        A string, an integer, or a list of strings (entropy sources). ``None``: random.
    min_unique_digits : int
        Refuse when root and descriptive part leave fewer digits than this for the unique part.

    Returns
    -------
    str
        The UID, at most 64 characters, valid by PS3.5 9.1.

    Raises
    ------
    UIDError
        When root or descriptive part break PS3.5 9.1, leave too little room, or put
        components after ``2.25`` that are not one whole UUID.

    Examples
    --------
    >>> make_uid(seed="workshop")
    '2.25.45329760333953208588239646625548396652'
    >>> explain(make_uid(seed="workshop")).uuid_version, explain(make_uid()).uuid_version
    (5, 4)
    >>> make_uid("1.2.826.0.1.3680043.8.498", "5.2.1", seed="workshop")  # pydicom's root
    '1.2.826.0.1.3680043.8.498.5.2.1.32610871106629641991135396667681'
    """
    _check_part("root", root)
    if descriptive:
        _check_part("descriptive part", descriptive)
    _refuse_under_a_uuid(root, descriptive)
    prefix = f"{root}.{descriptive}." if descriptive else f"{root}."
    room = MAX_LENGTH - len(prefix)
    if root == UUID_ROOT:
        value = uuid.uuid4() if seed is None else uuid.uuid5(SEED_NAMESPACE, _seed_text(seed))
        return f"{prefix}{value.int}"
    if room < min_unique_digits:
        raise UIDError(
            f"the prefix {prefix!r} has {len(prefix)} characters: that leaves {max(room, 0)} of "
            f"the {MAX_LENGTH} (PS3.5 9.1) for the unique part, and we want at least "
            f"{min_unique_digits}. Use a shorter root or descriptive part.")
    entropy = None if seed is None else [_seed_text(seed)]
    return str(generate_uid(prefix=prefix, entropy_srcs=entropy))


def mint_uid(*seed: object) -> str:
    """A new UID as the course's helpers make every one: ``2.25`` and a UUID (PS3.5 B.2).

    The course owns no root, so every UID that ``workshop_helpers`` makes - the phantom's Study,
    Series, SOP Instance and Frame of Reference UIDs, a new file's, a de-identified copy's -
    comes from here, never from someone else's root. With seed parts the UUID is name-based
    (version 5: a SHA-1 hash of the parts), so the same parts give the same UID, which a lesson
    whose output is discussed needs; without them it is random (version 4).

    Parameters
    ----------
    *seed : object
        Parts that make the UID reproducible (each written with ``str``); none: random.

    Returns
    -------
    str
        ``2.25.`` followed by the UUID as one decimal integer (at most 44 characters).

    Examples
    --------
    >>> mint_uid("phantom-study", 0) == mint_uid("phantom-study", 0) != mint_uid("phantom-study", 1)
    True
    >>> mint_uid("lesson 5") == make_uid(seed="lesson 5"), mint_uid().startswith("2.25.")
    (True, True)
    """
    return make_uid(seed=[str(part) for part in seed] if seed else None)


def _refuse_under_a_uuid(root: str, descriptive: str) -> None:
    if root == UUID_ROOT and descriptive:
        raise UIDError(
            f"no descriptive part after 2.25: a 2.25 UID is 2.25 followed by one integer, a UUID "
            f"(PS3.5 B.2), so '2.25.{descriptive}.' would put your UIDs under the arc of whoever "
            f"made the UUID {descriptive.split('.')[0]}. Use make_uid() for a 2.25 UID, or your "
            "own registered root for a descriptive part.")
    if root.startswith(UUID_ROOT + "."):
        raise UIDError(
            f"the root {root!r} lies below 2.25: the arc 2.25.<n> belongs to whoever made the UUID "
            "<n> (PS3.5 B.2). Use root '2.25' (make_uid() alone), or a root of your own.")


def _seed_text(seed: str | int | Sequence[str]) -> str:
    if isinstance(seed, (str, int)):
        return str(seed)
    return "\x1f".join(map(str, seed))


#: Implementation Class UID (0002,0012) of the files the helpers write, made once from our name.
#: PS3.5 B.2 finds a 2.25 UID usually not the choice for a UID fixed at design time: an
#: organisation with a root of its own would use that. The course has none.
IMPLEMENTATION_CLASS_UID = mint_uid("workshop_helpers", "implementation class", "0.1")


_UID_KEYWORDS = (
    ("StudyInstanceUID", "the study: every object of the examination"),
    ("SeriesInstanceUID", "the series: one run of the modality, one set of images"),
    ("SOPInstanceUID", "this one object (image): unique for ever"),
    ("FrameOfReferenceUID", "the coordinate system the positions refer to"),
    ("SOPClassUID", "what kind of object it is (an IOD, defined by DICOM)"),
)
_META_KEYWORDS = (
    ("MediaStorageSOPClassUID", "file meta: copy of the SOP Class UID"),
    ("MediaStorageSOPInstanceUID", "file meta: copy of the SOP Instance UID"),
    ("TransferSyntaxUID", "file meta: how the data set is encoded"),
    ("ImplementationClassUID", "file meta: the software that wrote the file"),
)


def uids_in(ds: pydicom.Dataset) -> list[tuple[str, str, str]]:
    """The main UIDs a file carries: ``(keyword, uid, what it identifies)`` rows.

    Data set first (Study, Series, SOP Instance, Frame of Reference, SOP Class), then the file
    meta information (PS3.10 7.1). Attributes the object does not have are left out.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        A data set, with or without its ``file_meta``.

    Returns
    -------
    list of (str, str, str)
        ``(keyword, uid, what it identifies)`` per UID found.

    Examples
    --------
    >>> from workshop_helpers.tools import testdata
    >>> [k for k, _, _ in uids_in(pydicom.dcmread(testdata("CT_small.dcm")))][:3]
    ['StudyInstanceUID', 'SeriesInstanceUID', 'SOPInstanceUID']
    """
    rows = [(k, str(ds[k].value), what) for k, what in _UID_KEYWORDS if k in ds]
    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        rows += [(k, str(meta[k].value), what) for k, what in _META_KEYWORDS if k in meta]
    return rows


# ---------------------------------------------------------------- command line

def _cli_explain(args: argparse.Namespace) -> int:
    for n, uid in enumerate(args.uid):
        if n:
            print()
        print(explain(uid))
    return 0


def _cli_validate(args: argparse.Namespace) -> int:
    bad = 0
    for uid in args.uid:
        problems = validate(uid)
        if problems:
            bad += 1
            print(f"invalid: {uid}")
            for p in problems:
                print(f"  {p}")
        else:
            print(f"valid:   {uid}")
    return 1 if bad else 0


def _cli_make(args: argparse.Namespace) -> int:
    try:
        for i in range(args.count):
            seed = None if args.seed is None else (
                args.seed if args.count == 1 else [args.seed, str(i)])
            print(make_uid(args.root, args.descriptive, seed=seed))
    except UIDError as exc:
        raise CommandError(str(exc), status=2) from exc
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``uid explain|validate|make``.

    Parameters
    ----------
    subparsers : argparse sub-parsers
        What ``ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser("uid", help="explain, validate and make DICOM UIDs (PS3.5 9)")
    sub = p.add_subparsers(dest="uid_command", metavar="ACTION", required=True)
    e = sub.add_parser("explain", help="split UIDs into org root, descriptive and unique part")
    e.add_argument("uid", nargs="+", help="one or more UIDs")
    e.set_defaults(func=_cli_explain)
    v = sub.add_parser("validate", help="check UIDs against PS3.5 9.1 (exit 1 if any is invalid)")
    v.add_argument("uid", nargs="+", help="one or more UIDs")
    v.set_defaults(func=_cli_validate)
    m = sub.add_parser("make", help="make new UIDs (random, or reproducible with --seed)")
    m.add_argument("--root", default=UUID_ROOT, help="org root (default 2.25: UUID-derived)")
    m.add_argument("--descriptive", default="", help="descriptive components, e.g. 5.2.1")
    m.add_argument("--seed", default=None, help="any text: the same seed gives the same UIDs")
    m.add_argument("--count", type=int, default=1, help="how many UIDs (default 1)")
    m.set_defaults(func=_cli_make)


# ---------------------------------------------------------------- pictures

OID_ARCS: dict[str, str] = {
    "1": "iso",
    "1.2": "member-body: national standards bodies",
    "1.2.276": "Germany (DIN)",
    DCMTK_ROOT: "dcmtk (OFFIS)",
    "1.2.826": "United Kingdom (BSI)",
    PYDICOM_ROOT: "pydicom",
    "1.2.840": "USA (ANSI)",
    DICOM_ROOT: "DICOM (NEMA)",
    "1.3": "identified-organization",
    "1.3.6": "dod",
    "1.3.6.1": "internet",
    IANA_PEN_ARC: "IANA Private Enterprise Numbers",
    "1.3.6.1.4.1.5962": "PEN 5962: roots of pydicom's CT/MR test files",
    SLIDES_ROOT: "PEN 45037: the slides' root",
    "2": "joint-iso-itu-t",
    UUID_ROOT: "uuid: UUID-derived UIDs, no registration",
}
"""Arcs of the OID tree that the course meets (the country arcs are ISO 3166 numeric codes)."""


def oid_tree(arcs: dict[str, str]) -> list[tuple[str, int, str | None]]:
    """``(oid, depth, parent)`` rows in tree order; the parent is the longest listed prefix.

    Parameters
    ----------
    arcs : dict of str to str
        OID -> its name, e.g. :data:`OID_ARCS`.

    Returns
    -------
    list of (str, int, str or None)
        Each OID with its depth in the tree and its parent (None at the top), depth first.

    Examples
    --------
    >>> oid_tree({"1": "iso", "1.2": "member-body", "1.2.840.10008": "DICOM", "2": "joint"})
    [('1', 0, None), ('1.2', 1, '1'), ('1.2.840.10008', 2, '1.2'), ('2', 0, None)]
    """
    def key(oid: str) -> tuple[int, ...]:
        return tuple(int(c) for c in oid.split("."))

    rows: list[tuple[str, int, str | None]] = []
    depth: dict[str, int] = {}
    for oid in sorted(arcs, key=key):
        parents = [p for p in arcs if oid.startswith(p + ".")]
        parent = max(parents, key=len) if parents else None
        depth[oid] = depth[parent] + 1 if parent else 0
        rows.append((oid, depth[oid], parent))
    return rows


def plot_oid_tree(arcs: dict[str, str] | None = None, ax: Axes | None = None) -> Figure:
    """Draw the OID tree of ``arcs`` (default :data:`OID_ARCS`), one arc per line.

    Parameters
    ----------
    arcs : dict of str to str, optional
        OID -> its name; default :data:`OID_ARCS`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415 - the command line imports this module

    arcs = OID_ARCS if arcs is None else arcs
    rows = oid_tree(arcs)
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 0.32 * len(rows) + 0.4))
    else:
        fig = ax.figure
    y_of = {oid: i for i, (oid, _, _) in enumerate(rows)}
    for oid, depth, parent in rows:
        y = y_of[oid]
        if parent is not None:
            px = depth - 1 + 0.15
            ax.plot([px, px, depth - 0.05], [y_of[parent] + 0.3, y, y], color="#999999", lw=1)
        arc = oid[len(parent) + 1:] if parent else oid
        ax.text(depth, y, f"{arc}", va="center", ha="left", family="monospace",
                fontsize=9, fontweight="bold")
        ax.text(depth + 0.22 * len(arc) + 0.3, y, f"{arcs[oid]}   [{oid}]", va="center",
                ha="left", fontsize=8, color="#333333")
    ax.set_ylim(len(rows) - 0.5, -0.7)
    ax.set_xlim(-0.2, max(d for _, d, _ in rows) + 6)
    ax.axis("off")
    return fig


PART_COLOURS = {"org root": "#9dc3e6", "descriptive": "#ffd966", "unique": "#a9d18e"}


def plot_uid_parts(uids: Sequence[str], ax: Axes | None = None) -> Figure:
    """Draw each UID as coloured blocks: org root, descriptive part, unique part.

    Parameters
    ----------
    uids : sequence of str
        The UIDs, one per line, split by :func:`explain`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib.figure.Figure
        The figure drawn on.
    """
    import matplotlib.pyplot as plt  # noqa: PLC0415 - the command line imports this module
    from matplotlib.patches import Patch, Rectangle  # noqa: PLC0415 - likewise

    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 0.45 * len(uids) + 0.6))
    else:
        fig = ax.figure
    width = 0.13  # per character, in axis units
    for row, uid in enumerate(uids):
        x = 0.0
        for label, text in explain(uid).parts():
            w = width * len(text)
            ax.add_patch(Rectangle((x, row - 0.35), w, 0.7, facecolor=PART_COLOURS[label],
                                   edgecolor="white"))
            ax.text(x + w / 2, row, text, ha="center", va="center", family="monospace",
                    fontsize=8)
            x += w + width  # the dot between parts
    ax.set_xlim(0, width * MAX_LENGTH + 0.5)
    ax.set_ylim(len(uids) - 0.4, -0.6)
    ax.axis("off")
    ax.legend(handles=[Patch(facecolor=c, label=k) for k, c in PART_COLOURS.items()],
              loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=3, frameon=False, fontsize=8)
    return fig
