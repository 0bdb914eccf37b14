"""Status words for every DIMSE service of the course, in one table (PS3.4, PS3.7 Annex C).

A response's Status (0000,0900) is a number; its meaning depends on the service: 0xA900 is "the
data set does not match the SOP Class" for C-STORE (PS3.4 B.2.3) and "the identifier does not
match" for C-FIND (C.4.1.1.4). Codes every service shares (Success, Cancel, the general failures
of PS3.7 C.4) are written once; each service adds its own, and a range (A7xx, A9xx, Cxxx) names
the codes a peer may pick inside it. ``tests/test_net.py`` checks every entry against the
tables pynetdicom keeps (``pynetdicom.status``).

Examples
--------
>>> status_text(0xA700, "store"), status_text(0xA801, "move")
('Refused: out of resources', 'Refused: move destination unknown')
>>> category(0xFF01, "find"), category(0xB000, "get"), category(0xC123, "store")
('Pending', 'Warning', 'Failure')
"""

from __future__ import annotations

#: The services whose words are here: C-ECHO, C-STORE, C-FIND, C-MOVE, C-GET.
SERVICES = ("echo", "store", "find", "move", "get")

#: Codes with the same meaning in every service (PS3.7 C.1 to C.4).
GENERAL = {
    0x0000: "Success",
    0xFE00: "Cancel: the operation was cancelled",
    0x0122: "Refused: SOP Class not supported",
    0x0124: "Refused: not authorised",
    0x0211: "Refused: unrecognised operation",
}

_RETRIEVE = {  # C-MOVE and C-GET (PS3.4 C.4.2.1.5, C.4.3.1.4)
    0xFF00: "Pending: sub-operations are continuing",
    0x0000: "Success: all sub-operations completed",
    0xB000: "Warning: sub-operations complete, one or more failed or had warnings",
    0xA701: "Refused: out of resources - unable to calculate the number of matches",
    0xA702: "Refused: out of resources - unable to perform sub-operations",
    0xA900: "Error: the identifier does not match the SOP Class (a key or the level is wrong)",
}

#: Each service's own codes (PS3.4 B.2.3, C.4.1.1.4, C.4.2.1.5, C.4.3.1.4).
SPECIFIC = {
    "echo": {},
    "store": {
        0xB000: "Warning: coercion of data elements",
        0xB006: "Warning: elements discarded",
        0xB007: "Warning: data set does not match SOP Class",
        0xA700: "Refused: out of resources",
        0xA900: "Error: data set does not match SOP Class",
        0xC000: "Error: cannot understand",
    },
    "find": {
        0xFF00: "Pending: a match; more may follow",
        0xFF01: "Pending: a match, but the PACS does not support one or more optional keys asked for",
        0x0000: "Success: all matches sent",
        0xA700: "Refused: out of resources",
        0xA900: "Error: the identifier does not match the SOP Class (a key or the level is wrong)",
    },
    "move": {**_RETRIEVE, 0xA801: "Refused: move destination unknown"},
    "get": dict(_RETRIEVE),
}

_QUERY_RANGES = ((0xC000, 0xCFFF, "Failed: unable to process"),)
#: Ranges a peer picks a code from, with their meaning (for queries and retrieves PS3.4 gives
#: single codes for A7xx and A9xx, and a range only for Cxxx).
RANGES = {
    "echo": (),
    "store": ((0xA700, 0xA7FF, "Refused: out of resources"),
              (0xA900, 0xA9FF, "Error: data set does not match SOP Class"),
              (0xC000, 0xCFFF, "Error: cannot understand")),
    "find": _QUERY_RANGES,
    "move": _QUERY_RANGES,
    "get": _QUERY_RANGES,
}

_CATEGORIES = {"Success": "Success", "Warning": "Warning", "Pending": "Pending",
               "Cancel": "Cancel", "Refused": "Failure", "Error": "Failure", "Failed": "Failure"}


def _service(service: str) -> str:
    if service not in SERVICES:
        raise ValueError(f"service is one of {', '.join(SERVICES)}, not {service!r}")
    return service


def status_text(code: int, service: str = "store") -> str:
    """A status of ``service`` in words; a code of a known range also shows its number.

    Parameters
    ----------
    code : int
        The Status (0000,0900) of a response, e.g. ``0xA700``.
    service : {"echo", "store", "find", "move", "get"}
        The service that answered.

    Returns
    -------
    str
        Its meaning; ``'status 0x....'`` for a code this table does not know.

    Raises
    ------
    ValueError
        For a service not in :data:`SERVICES`.

    Examples
    --------
    >>> status_text(0x0000), status_text(0xA7FF), status_text(0xC000, "move")
    ('Success', 'Refused: out of resources (0xA7FF)', 'Failed: unable to process (0xC000)')
    """
    table = {**GENERAL, **SPECIFIC[_service(service)]}
    if code in table:
        return table[code]
    for low, high, words in RANGES[service]:
        if low <= code <= high:
            return f"{words} (0x{code:04X})"
    return f"status 0x{code:04X}"


def category(code: int, service: str = "store") -> str:
    """``'Success'``, ``'Warning'``, ``'Pending'``, ``'Cancel'``, ``'Failure'`` or ``'Unknown'``.

    The names pynetdicom's ``pynetdicom.status`` tables use (PS3.7 C.1 to C.4).

    Parameters
    ----------
    code : int
        The Status (0000,0900).
    service : {"echo", "store", "find", "move", "get"}
        The service that answered.

    Returns
    -------
    str

    Examples
    --------
    >>> category(0x0000, "echo"), category(0x0999, "echo")
    ('Success', 'Unknown')
    """
    first = status_text(code, service).split(":")[0].split(" ")[0]
    return _CATEGORIES.get(first, "Unknown")
