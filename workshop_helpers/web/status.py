"""An HTTP status and a STOW-RS failure in words: :func:`explain`, :func:`failure_reason_text`."""

from __future__ import annotations

import json

# Failure Reason (0008,1197) values of a STOW-RS response (PS3.18 10.5; PS3.4 for C-STORE)
FAILURE_REASONS = {
    0x0110: "Processing failure: the server could not store it (Orthanc: see its log)",
    0x0122: "Referenced SOP Class not supported",
    0xA700: "Out of resources",
    0xA900: "Data set does not match SOP Class",
    0xC000: "Cannot understand",
    0xC122: "Referenced Transfer Syntax not supported",
}


def failure_reason_text(code: int) -> str:
    """A Failure Reason (0008,1197) in words.

    Parameters
    ----------
    code : int
        The Failure Reason of one refused instance.

    Returns
    -------
    str
        ``0xNNNN`` and what it means (PS3.18 10.5, PS3.4 B.2.3).

    Examples
    --------
    >>> failure_reason_text(272)
    '0x0110 Processing failure: the server could not store it (Orthanc: see its log)'
    >>> failure_reason_text(0xA7FF)
    '0xA7FF Out of resources'
    """
    if code in FAILURE_REASONS:
        return f"0x{code:04X} {FAILURE_REASONS[code]}"
    for low, high, text in ((0xA700, 0xA7FF, "Out of resources"),
                            (0xA900, 0xA9FF, "Data set does not match SOP Class"),
                            (0xC000, 0xCFFF, "Cannot understand")):
        if low <= code <= high:
            return f"0x{code:04X} {text}"
    return f"0x{code:04X} (a reason this table does not know)"


def _server_details(body: bytes) -> str:
    try:
        answer = json.loads(body)
    except ValueError:
        return body.decode(errors="replace").strip()[:200]
    if isinstance(answer, dict):
        return str(answer.get("Details") or answer.get("Message") or "")
    return ""


def explain(status: int, body: bytes = b"", accept: str = "", url: str = "") -> str:
    """What an HTTP answer to a DICOMweb request means, in words.

    Parameters
    ----------
    status : int
        The HTTP status code.
    body : bytes
        The answer's body (Orthanc puts its reason in ``Details``).
    accept : str
        The Accept header that was sent.
    url : str
        The URL asked for.

    Returns
    -------
    str
        One line: an empty result or an error, and what to do.

    Examples
    --------
    >>> explain(200, b"[]")
    'no match: the search ran and found nothing (200 with an empty JSON array)'
    >>> explain(204)
    'no match: the search ran and found nothing (204 No Content)'
    >>> explain(406, accept="image/png")
    "406 Not Acceptable: the server cannot give this resource as 'image/png' (the Accept header); ask for a media type it offers"
    """
    details = _server_details(body)
    says = f"; the server says: {details}" if details else ""
    if status == 204 or (status == 200 and body.strip() in (b"[]", b"")):
        how = "204 No Content" if status == 204 else "200 with an empty JSON array"
        return f"no match: the search ran and found nothing ({how})"
    if 200 <= status < 300:
        return f"{status}: success"
    if status == 406 or (status == 400 and "cannot generate" in details):
        text = (f"the server cannot give this resource as {accept!r} (the Accept header); ask "
                "for a media type it offers")
        if status == 400:
            return (f"400 Bad Request where the standard says 406 Not Acceptable: {text}{says}")
        return f"406 Not Acceptable: {text}{says}"
    if status == 401:
        return ("401 Unauthorized: the server wants a user and password (HTTP Basic): pass "
                f"them, e.g. web.client(url, auth=orthanc.auth){says}")
    if status == 404:
        return (f"404 Not Found: an error, not an empty result - no such study, series or "
                f"instance (or a wrong path{': ' + url if url else ''}){says}")
    if status == 409:
        return ("409 Conflict: the server refused to store some or all instances; the reason "
                f"of each is in the Failed SOP Sequence (0008,1198){says}")
    if status == 400:
        return f"400 Bad Request: the server could not understand the request{says}"
    if status >= 500:
        return f"{status} Server Error: the server failed while answering{says}"
    return f"{status}: an error{says}"
