"""Query/retrieve statuses in words, and the errors of :mod:`workshop_helpers.qr`.

:func:`status_text` puts a C-FIND, C-MOVE or C-GET status into words (PS3.4 C.4.1.1.4,
C.4.2.1.5, C.4.3.1.4), :func:`is_pending` says whether more responses follow, and
:func:`move_failure_hint` says what most likely went wrong when a C-MOVE failed. The errors:
:class:`QueryRetrieveError`, and its kinds :class:`AssociationRefused` and
:class:`QueryLevelError`.
"""

from __future__ import annotations

from ..errors import ShortError
from ..net import NetError
from ..net import status as net_status

# ----------------------------------------------------------------------------- errors

class QueryRetrieveError(ShortError, NetError):
    """A query or retrieve did not complete; the message says what failed and why."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AssociationRefused(QueryRetrieveError):
    """No association: the PACS rejected it (AE titles), aborted it, or could not be reached."""


class QueryLevelError(QueryRetrieveError, ValueError):
    """The identifier asks at a level the model does not have, or with keys of another level."""


# ----------------------------------------------------------------------------- statuses in words

def status_text(code: int, service: str = "find") -> str:
    """A C-FIND/C-MOVE/C-GET status in words (PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4).

    The package's one table of status words (:func:`workshop_helpers.net.status.status_text`):
    for these services PS3.4 gives single codes for Refused (A700 for C-FIND; A701, A702 and,
    for C-MOVE, A801) and for a data set that does not match (A900), and a range only for
    "unable to process" (C000 to CFFF), so another A7xx or A9xx code has no meaning here.

    Parameters
    ----------
    code : int
        The Status (0000,0900) of a response.
    service : {"find", "move", "get"}
        The service whose statuses apply.

    Returns
    -------
    str
        The status in words, with its code where the meaning is generic.

    Raises
    ------
    ValueError
        For another service.

    Examples
    --------
    >>> status_text(0xFF00)
    'Pending: a match; more may follow'
    >>> status_text(0xA801, "move")
    'Refused: move destination unknown'
    >>> status_text(0xC000, "move"), status_text(0xA711, "get")
    ('Failed: unable to process (0xC000)', 'status 0xA711')
    """
    if service not in ("find", "move", "get"):
        raise ValueError(f"service is one of find, move, get, not {service!r}")
    return net_status.status_text(code, service)


def is_pending(code: int) -> bool:
    """0xFF00 and 0xFF01: more responses follow.

    Parameters
    ----------
    code : int
        The Status (0000,0900) of a response.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_pending(0xFF01), is_pending(0x0000)
    (True, False)
    """
    return code in (0xFF00, 0xFF01)


def move_failure_hint(code: int, destination: str, comment: str = "") -> str:
    """What most likely went wrong when a C-MOVE to ``destination`` failed with ``code``.

    Parameters
    ----------
    code : int
        The final Status of the C-MOVE.
    destination : str
        The Move Destination AE title.
    comment : str
        The Error Comment of the response, if any.

    Returns
    -------
    str
        The likely causes, in one paragraph.

    Examples
    --------
    >>> print(move_failure_hint(0xC000, "WORKSTATION"))
    the PACS gave no reason. Orthanc answers 0xC000 when it cannot deliver to 'WORKSTATION': either the AE title is not in its DicomModalities (the standard's status for that is 0xA801), or the host and port listed there are not where that storage SCP listens, or that SCP refused the instances
    """
    if code == 0xA801:
        return (f"the PACS does not know the AE title {destination!r}: add it, with the host "
                "and port of its storage SCP, to the PACS's list of modalities")
    if 0xC000 <= code <= 0xCFFF and not comment:
        return ("the PACS gave no reason. Orthanc answers 0xC000 when it cannot deliver to "
                f"{destination!r}: either the AE title is not in its DicomModalities (the "
                "standard's status for that is 0xA801), or the host and port listed there are "
                "not where that storage SCP listens, or that SCP refused the instances")
    return f"the PACS says: {comment}" if comment else "the PACS gave no reason"
