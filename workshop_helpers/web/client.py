"""Storing and asking: STOW-RS (:func:`store`, :class:`StowResult`), the client and its errors.

:func:`client` makes a ``dicomweb_client.DICOMwebClient`` (with :func:`session`); :func:`call`
turns its ``requests.HTTPError`` into a one-line :class:`WebError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from dicomweb_client import DICOMwebClient
from pydicom import Dataset

from ..errors import ShortError
from .status import explain, failure_reason_text

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
    >>> from pydicom import Dataset
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
