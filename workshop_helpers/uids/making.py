"""Making UIDs: :func:`make_uid` (random or reproducible) and :func:`mint_uid` (the helpers' own, under 2.25).

Also :data:`SEED_NAMESPACE` (of the seeded UUIDs) and :data:`IMPLEMENTATION_CLASS_UID`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from pydicom.uid import generate_uid

from .rules import MAX_LENGTH, MIN_UNIQUE_DIGITS, UUID_ROOT, UIDError, validate


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
    >>> from workshop_helpers.uids import explain
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
