"""Multipart bodies (``multipart/related``, PS3.18 8.6.1.2): :func:`boundary_of`, :func:`split_multipart`."""

from __future__ import annotations


def boundary_of(content_type: str) -> str:
    """The ``boundary`` parameter of a ``multipart/related`` Content-Type.

    Parameters
    ----------
    content_type : str
        The Content-Type header.

    Returns
    -------
    str
        The boundary, without quotes.

    Raises
    ------
    ValueError
        When there is no boundary: not a multipart body.

    Examples
    --------
    >>> boundary_of('multipart/related; type="application/dicom"; boundary="abc-1"')
    'abc-1'
    """
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "boundary":
            return value.strip('"')
    raise ValueError(f"no boundary in Content-Type {content_type!r}: not a multipart body")


def split_multipart(body: bytes, content_type: str) -> list[tuple[dict[str, str], bytes]]:
    r"""The parts of a ``multipart/related`` body: ``(headers, content)`` each.

    Each part starts after ``--boundary`` and a blank line ends its headers; ``--boundary--``
    ends the body.

    Parameters
    ----------
    body : bytes
        The body of the answer.
    content_type : str
        Its Content-Type header (which names the boundary).

    Returns
    -------
    list of tuple
        ``(headers, content)`` per part: a dict of the part's headers and its bytes.

    Raises
    ------
    ValueError
        When the Content-Type names no boundary.

    Examples
    --------
    >>> body = b'--XY\r\nContent-Type: application/dicom\r\n\r\nDICM...\r\n--XY--\r\n'
    >>> split_multipart(body, 'multipart/related; boundary=XY')
    [({'Content-Type': 'application/dicom'}, b'DICM...')]
    """
    delimiter = b"--" + boundary_of(content_type).encode()
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            if name:
                headers[name.strip()] = value.strip()
        parts.append((headers, content.removesuffix(b"\r\n")))
    return parts
