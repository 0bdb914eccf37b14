"""DICOMweb (PS3.18): the same questions as C-FIND, C-GET and C-STORE, asked over plain HTTP.

========================  ==============================  =====================================
DICOMweb (PS3.18)         HTTP                            DIMSE counterpart
========================  ==============================  =====================================
QIDO-RS (10.6): search    ``GET .../studies?PatientID=``  C-FIND
WADO-RS (10.4): retrieve  ``GET .../instances/{uid}``     C-GET / C-MOVE
STOW-RS (10.5): store     ``POST .../studies``            C-STORE
========================  ==============================  =====================================

No association, no AE titles: a URL, an ``Accept`` header saying which media type we want
(``application/dicom+json`` for search results and metadata, ``multipart/related;
type="application/dicom"`` for instances, ``image/png`` for a rendered picture), and an HTTP
status. Search results and metadata come in the DICOM JSON model (PS3.18 F.2): one object per
data set, keys are tags as eight hex digits, each element has a ``vr`` and a ``Value`` list,
binary values are a ``BulkDataURI`` (fetch it separately) or ``InlineBinary`` (base64).

The client is ``dicomweb-client`` (:func:`client`; the course's Orthanc wants its user and password,
``client(url, auth=orthanc.auth)``, and answers 401 without them); the pure functions here read the JSON model
(:func:`json_value`, :func:`describe`), split a multipart body (:func:`split_multipart`), and
put a failure into words (:func:`explain`, :class:`StowResult`).

Examples
--------
>>> study = {"0020000D": {"vr": "UI", "Value": ["1.2.3"]},
...          "00100010": {"vr": "PN", "Value": [{"Alphabetic": "DOE^JANE"}]}}
>>> json_value(study, "StudyInstanceUID"), json_value(study, "PatientName")
('1.2.3', 'DOE^JANE')
>>> json_value(study, "StudyDate") is None
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import requests
from dicomweb_client import DICOMwebClient
from pydicom import Dataset
from pydicom.datadict import keyword_for_tag, tag_for_keyword

from workshop_helpers.errors import ShortError

# ----------------------------------------------------------------------------- media types

DICOM_JSON = "application/dicom+json"
MULTIPART_DICOM = 'multipart/related; type="application/dicom"'
OCTET_STREAM = "application/octet-stream"  # frames and bulk data: the bytes as they are


# ----------------------------------------------------------------------------- the JSON model

def tag_key(keyword_or_tag: str | int) -> str:
    """The key of an attribute in the DICOM JSON model: eight upper-case hex digits (PS3.18 F.2).

    Parameters
    ----------
    keyword_or_tag : str or int
        A keyword (``"PatientName"``), a tag as a number, or as text (``"0020000D"``,
        ``"(0020,000D)"``).

    Returns
    -------
    str
        The key, e.g. ``"00100010"``.

    Raises
    ------
    KeyError
        For a text that is neither a keyword nor a tag.

    Examples
    --------
    >>> tag_key("PatientName"), tag_key(0x0020000D), tag_key("0008103e")
    ('00100010', '0020000D', '0008103E')
    """
    if isinstance(keyword_or_tag, int):
        return f"{keyword_or_tag:08X}"
    tag = tag_for_keyword(keyword_or_tag)
    if tag is not None:
        return f"{tag:08X}"
    text = keyword_or_tag.replace("(", "").replace(")", "").replace(",", "")
    try:
        if len(text) == 8:
            return f"{int(text, 16):08X}"
    except ValueError:
        pass
    raise KeyError(f"{keyword_or_tag!r} is neither a DICOM keyword nor a tag like 0020000D")


def json_values(item: dict, keyword_or_tag: str | int) -> list:
    """All values of one attribute of a DICOM JSON object (``[]`` when absent or empty).

    A person name is its ``Alphabetic`` form; a sequence is a list of JSON objects.

    Parameters
    ----------
    item : dict
        One object of the DICOM JSON model (a QIDO-RS result, a metadata item).
    keyword_or_tag : str or int
        The attribute (see :func:`tag_key`).

    Returns
    -------
    list
        Its values, in order.

    Examples
    --------
    >>> json_values({"00080061": {"vr": "CS", "Value": ["CT", "MR"]}}, "ModalitiesInStudy")
    ['CT', 'MR']
    """
    element = item.get(tag_key(keyword_or_tag), {})
    values = element.get("Value", [])
    if element.get("vr") == "PN":
        return [v.get("Alphabetic", "") if isinstance(v, dict) else v for v in values]
    return list(values)


def json_value(item: dict, keyword_or_tag: str | int, default: Any = None) -> Any:
    """The first value of one attribute of a DICOM JSON object, or ``default``.

    Parameters
    ----------
    item : dict
        One object of the DICOM JSON model.
    keyword_or_tag : str or int
        The attribute (see :func:`tag_key`).
    default : object
        What to give when the attribute is absent or has no value.

    Returns
    -------
    object
        The first value (a person name as its ``Alphabetic`` text), or ``default``.

    Examples
    --------
    >>> json_value({"00200011": {"vr": "IS", "Value": [3]}}, "SeriesNumber")
    3
    """
    values = json_values(item, keyword_or_tag)
    return values[0] if values else default


def describe(item: dict, limit: int = 60) -> list[str]:
    """One line per element of a DICOM JSON object: tag, keyword, VR and what the value is.

    Reading the model by hand: a ``Value`` list, a ``BulkDataURI`` (the bytes are elsewhere),
    ``InlineBinary`` (base64 in the JSON), or nothing (present but empty).

    Parameters
    ----------
    item : dict
        One object of the DICOM JSON model.
    limit : int
        About how many characters of a value to show.

    Returns
    -------
    list of str
        One line per element, in the object's order.

    Examples
    --------
    >>> for line in describe({"00100010": {"vr": "PN", "Value": [{"Alphabetic": "DOE^J"}]},
    ...                       "7FE00010": {"vr": "OW", "BulkDataURI": "http://h/bulk/7fe00010"},
    ...                       "00080050": {"vr": "SH"}}):
    ...     print(line)
    (0010,0010) PatientName      PN  Value: ['DOE^J']
    (7FE0,0010) PixelData        OW  BulkDataURI: http://h/bulk/7fe00010
    (0008,0050) AccessionNumber  SH  (empty)
    """
    lines = []
    for key, element in item.items():
        tag = int(key, 16)
        name = keyword_for_tag(tag) or "(private or unknown)"
        vr = element.get("vr", "??")
        if "Value" in element:
            what = f"Value: {json_values(item, key)!r}"
            if vr == "SQ":
                what = f"Value: {len(element['Value'])} item(s)"
        elif "BulkDataURI" in element:
            what = f"BulkDataURI: {element['BulkDataURI']}"
        elif "InlineBinary" in element:
            what = f"InlineBinary: {len(element['InlineBinary'])} base64 characters"
        else:
            what = "(empty)"
        if len(what) > limit + 13:
            what = what[:limit + 10] + "..."
        lines.append(f"({tag >> 16:04X},{tag & 0xFFFF:04X}) {name:<16} {vr:<3} {what}")
    return lines


def uids(results: list[dict], keyword: str = "StudyInstanceUID") -> set[str]:
    """The set of one UID attribute over QIDO-RS results (or any DICOM JSON objects).

    Parameters
    ----------
    results : list of dict
        DICOM JSON objects.
    keyword : str
        The attribute.

    Returns
    -------
    set of str
        Its first value in each object that has one.

    Examples
    --------
    >>> sorted(uids([{"0020000D": {"vr": "UI", "Value": ["1.2"]}},
    ...              {"0020000D": {"vr": "UI", "Value": ["1.3"]}}]))
    ['1.2', '1.3']
    """
    return {json_value(r, keyword) for r in results} - {None}


# ----------------------------------------------------------------------------- multipart bodies

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


# ----------------------------------------------------------------------------- errors in words

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


# ----------------------------------------------------------------------------- STOW-RS

@dataclass
class StowResult:
    """What a STOW-RS answered: the HTTP status, the instances stored and those refused.

    Attributes
    ----------
    status : int
        The HTTP status.
    stored : list of str
        SOP Instance UIDs of the Referenced SOP Sequence.
    failed : list of tuple of (str, int)
        SOP Instance UID and Failure Reason of each item of the Failed SOP Sequence.
    retrieve_urls : list of str
        Where the stored instances can be retrieved.
    answer : pydicom.dataset.Dataset
        The whole response.
    """

    status: int
    stored: list[str] = field(default_factory=list)            # SOP Instance UIDs
    failed: list[tuple[str, int]] = field(default_factory=list)  # (SOP Instance UID, reason)
    retrieve_urls: list[str] = field(default_factory=list)
    answer: Dataset = field(default_factory=Dataset)

    @property
    def ok(self) -> bool:
        """True when every instance was stored."""
        return 200 <= self.status < 300 and not self.failed

    def message(self) -> str:
        """One line per refused instance, with the reason in words."""
        text = (f"STOW-RS: HTTP {self.status}, {len(self.stored)} stored, "
                f"{len(self.failed)} refused")
        for uid, reason in self.failed:
            text += f"\n  refused {uid}: {failure_reason_text(reason)}"
        if self.status >= 400 and not self.failed:
            text += "\n  " + explain(self.status)
        return text

    def __str__(self) -> str:
        return self.message()


def stow_result(status: int, answer: Dataset) -> StowResult:
    """Read a STOW-RS response (PS3.18 10.5): Referenced SOP Sequence and Failed SOP Sequence.

    Parameters
    ----------
    status : int
        The HTTP status.
    answer : pydicom.dataset.Dataset
        The response body as a data set (empty when there was none).

    Returns
    -------
    StowResult
        The instances stored and those refused, with their reasons.

    Examples
    --------
    >>> answer = Dataset.from_json({"00081198": {"vr": "SQ", "Value": [
    ...     {"00081155": {"vr": "UI", "Value": ["1.2.3"]},
    ...      "00081197": {"vr": "US", "Value": [272]}}]}})
    >>> print(stow_result(409, answer))
    STOW-RS: HTTP 409, 0 stored, 1 refused
      refused 1.2.3: 0x0110 Processing failure: the server could not store it (Orthanc: see its log)
    """
    result = StowResult(status, answer=answer)
    for item in answer.get("ReferencedSOPSequence", []):
        result.stored.append(str(item.ReferencedSOPInstanceUID))
        if "RetrieveURL" in item:
            result.retrieve_urls.append(str(item.RetrieveURL))
    for item in answer.get("FailedSOPSequence", []):
        result.failed.append((str(item.get("ReferencedSOPInstanceUID", "?")),
                              int(item.get("FailureReason", 0xC000))))
    return result


def store(dicomweb: DICOMwebClient, datasets: list[Dataset], study_uid: str | None = None
          ) -> StowResult:
    """STOW-RS ``datasets`` with a dicomweb-client; a refusal is read, not raised.

    Parameters
    ----------
    dicomweb : dicomweb_client.DICOMwebClient
        The client (see :func:`client`).
    datasets : list of pydicom.dataset.Dataset
        The instances, with their File Meta Information.
    study_uid : str, optional
        Post to ``/studies/{study_uid}``: the server then refuses instances of another study
        (Orthanc: 409 and Failure Reason 0x0110).

    Returns
    -------
    StowResult
        ``ok``, the instances stored and those refused; ``message()`` says why.

    Raises
    ------
    requests.ConnectionError
        When the server does not answer at all.
    """
    try:
        answer = dicomweb.store_instances(datasets, study_instance_uid=study_uid)
        return stow_result(200, answer)
    except requests.HTTPError as exc:
        response = exc.response
        try:
            answer = Dataset.from_json(response.content.decode()) if response.content else Dataset()
        except (ValueError, TypeError):
            answer = Dataset()
        return stow_result(response.status_code, answer)


# ----------------------------------------------------------------------------- the client

def session(auth: tuple[str, str] | None = None) -> requests.Session:
    """A ``requests.Session`` that ignores proxy variables (the course talks to 127.0.0.1 only).

    Parameters
    ----------
    auth : tuple of (str, str), optional
        ``(user, password)`` sent with every request (HTTP Basic), e.g. ``Orthanc.auth``.

    Returns
    -------
    requests.Session
        With ``trust_env`` off: no proxies, no .netrc.

    Examples
    --------
    >>> session(("learner", "secret")).auth
    ('learner', 'secret')
    """
    s = requests.Session()
    s.trust_env = False
    s.auth = auth
    return s


def client(url: str, timeout: float = 20, auth: tuple[str, str] | None = None) -> DICOMwebClient:
    """A ``dicomweb_client.DICOMwebClient`` for ``url`` (e.g. ``Orthanc.dicomweb_url``).

    No proxies, no retries (an error is shown at once, not after back-off), a timeout, and the
    user and password of the server when it asks for them (the course's Orthanc does: 401).

    Parameters
    ----------
    url : str
        The DICOMweb root, e.g. ``http://127.0.0.1:8042/dicom-web``.
    timeout : float
        Seconds each request may take.
    auth : tuple of (str, str), optional
        ``(user, password)`` for HTTP Basic authentication, e.g. ``Orthanc.auth``.

    Returns
    -------
    dicomweb_client.DICOMwebClient
        Ready for ``search_for_studies``, ``retrieve_instance``, :func:`store`, ...
    """
    dicomweb = DICOMwebClient(url, session=session(auth), timeout=timeout)
    dicomweb.set_http_retry_params(retry=False)
    return dicomweb


class WebError(ShortError, RuntimeError):
    """A DICOMweb request that failed: one line with the method, the URL, the status and why."""


def call(request: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one dicomweb-client request; a failure is a :class:`WebError` of one line.

    ``call(dicomweb.retrieve_study_metadata, uid)`` is ``dicomweb.retrieve_study_metadata(uid)``,
    except that the ``requests.HTTPError`` it raises (with a traceback of some 40 lines through
    dicomweb-client and requests) becomes a :class:`WebError` naming the method, the URL and the
    status, in the words of :func:`explain`.

    Parameters
    ----------
    request : callable
        A method of a ``DICOMwebClient``, e.g. ``dicomweb.search_for_studies``.
    *args, **kwargs
        Its arguments.

    Returns
    -------
    Any
        What the request returns.

    Raises
    ------
    WebError
        The server answered with an error status.
    """
    try:
        return request(*args, **kwargs)
    except requests.HTTPError as exc:
        if exc.response is None:
            raise
        response = exc.response
        sent = response.request
        method, accept = (sent.method, sent.headers.get("Accept", "")) if sent is not None else ("GET", "")
        raise WebError(f"{method} {response.url} -> "
                       f"{explain(response.status_code, response.content, accept)}") from None
