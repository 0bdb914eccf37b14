"""A storage SCU and C-ECHO: :func:`send` files or datasets, :func:`echo` a peer.

Built on the same small transport as the SCP (:class:`.link.Link`), as dcmtk's ``storescu`` is
built on its own: files travel from disk in pieces no larger than the peer's maximum PDU, never
whole in memory; each response must answer the request just sent (its Message ID Being
Responded To), or the association is aborted; every wait has a timeout, and whatever was not
answered is reported as not done, with a reason that says which side refused what.

This module decides what is sent and reports each item; the association itself (connect,
negotiate, one request and its response at a time, release or abort) is :mod:`.client`'s.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom.dsutils import encode, split_dataset

from ..files import dicom_files
from . import pdu
from .client import CHUNK, AssociationFailed, _Broken, _Client
from .pdu import VERIFICATION, Timeouts
from .status import status_text
from .storage import StoreRefused, read_identifiers, text_of
from .transcode import transcode

#: Transfer syntaxes that can be re-encoded as Implicit VR Little Endian, which every SCP accepts.
CONVERTIBLE = {ExplicitVRLittleEndian, ExplicitVRBigEndian}
#: The transfer syntax of a data set without File Meta, from pydicom's ``original_encoding``.
_BARE = {(True, True): ImplicitVRLittleEndian, (False, True): ExplicitVRLittleEndian,
         (False, False): ExplicitVRBigEndian}


#: What :func:`send` takes: one file or data set, or a sequence of them.
Items = str | os.PathLike | Dataset | Sequence[str | os.PathLike | Dataset]
#: What :func:`send` calls as each result is settled: ``on_result(index, result)``.
OnResult = Callable[[int, "SendResult"], None]


@dataclass
class SendResult:
    """What happened to one file or dataset given to :func:`send`.

    Attributes
    ----------
    item : str
        The file's path, or ``dataset <SOP Instance UID>``.
    sop_class_uid, transfer_syntax : str
        What was proposed for it.
    status : int or None
        The C-STORE status; None when no answer came: the item was not sent, or it was sent
        and not confirmed.
    reason : str
        The status in words, or why it was not sent, and which side refused.
    permanent : bool
        Trying again unchanged will not help.
    """

    item: str
    sop_class_uid: str = ""
    transfer_syntax: str = ""
    status: int | None = None
    reason: str = ""
    permanent: bool = False

    @property
    def ok(self) -> bool:
        """True when the peer answered Success (0x0000) or a Warning (0xB...)."""
        return self.status is not None and (self.status == 0 or (self.status >> 12) == 0xB)

    def __str__(self) -> str:
        code = "----" if self.status is None else f"{self.status:04X}"
        return f"{code}  {Path(self.item).name if os.sep in self.item else self.item}: {self.reason}"


@dataclass
class _Item:
    label: str
    source: object  # Path or Dataset
    sop_class: UID
    sop_instance: str
    transfer_syntax: UID
    offset: int = 0  # where the data set starts in the file (after the file meta)
    size: int = 0  # of the data set in the file
    note: str = ""  # said in the report after the status
    result: SendResult = field(init=False)

    def __post_init__(self):
        self.result = SendResult(self.label, str(self.sop_class), str(self.transfer_syntax))

    def syntaxes(self) -> list[str]:
        """What to propose for it: its own transfer syntax, and Implicit VR LE where possible."""
        extra = [ImplicitVRLittleEndian] if self.transfer_syntax in CONVERTIBLE else []
        return [str(self.transfer_syntax), *map(str, extra)]


def _uid_name(uid: str) -> str:
    name = UID(uid).name
    return name if name and name != uid else uid


def _describe_all(source: str | os.PathLike | Dataset) -> list[_Item | SendResult]:
    """:func:`_describe` of one item; a folder's files in path order (not below it).

    The folder is read with :func:`workshop_helpers.files.dicom_files`; a file in it that is not
    DICOM gets a result that says why it was not sent, so nothing vanishes from the report.
    """
    if isinstance(source, Dataset) or not Path(source).is_dir():
        return [_describe(source)]
    found = dicom_files(source)
    described: dict[Path, _Item | SendResult] = {path: _describe(path) for path in found}
    described.update({s.path: SendResult(str(s.path), reason=f"not sent: not a DICOM file "
                                         f"({s.reason})", permanent=True) for s in found.skipped})
    return [described[path] for path in sorted(described)]


def _describe(source) -> _Item | SendResult:
    """SOP Class, SOP Instance and transfer syntax of a path or dataset (no pixel data read)."""
    if isinstance(source, Dataset):
        label = f"dataset {source.get('SOPInstanceUID', '?')}"
        meta = getattr(source, "file_meta", None)
        ts = getattr(meta, "TransferSyntaxUID", None) or ExplicitVRLittleEndian
        if "SOPClassUID" not in source or "SOPInstanceUID" not in source:
            return SendResult(label, reason="not sent: the dataset has no SOPClassUID/SOPInstanceUID",
                              permanent=True)
        return _Item(label, source, UID(source.SOPClassUID), str(source.SOPInstanceUID), UID(ts))
    path = Path(source)
    label = str(path)
    try:
        meta, offset = split_dataset(path)
        size = path.stat().st_size - offset
    except FileNotFoundError:
        return SendResult(label, reason="not sent: no such file", permanent=True)
    except InvalidDicomError:
        return _bare_data_set(path)
    except Exception as exc:  # whatever else pydicom says about a file that is not DICOM
        return SendResult(label, reason=f"not sent: not a DICOM file ({exc})", permanent=True)
    ts = meta.get("TransferSyntaxUID")
    if not ts:
        return SendResult(label, reason="not sent: the file meta has no Transfer Syntax UID "
                                        "(PS3.10 7.1)", permanent=True)
    return _from_data_set(label, path, UID(ts), offset, size)


def _from_data_set(label: str, path: Path, ts: UID, offset: int, size: int,
                   note: str = "") -> _Item | SendResult:
    """The item whose Affected SOP Class and Instance UIDs are the data set's own.

    As dcmtk's ``storescu`` does: the File Meta's Media Storage UIDs describe the file and may
    differ (some of pydicom's test files do); the receiver compares the request with the data set.
    """
    try:
        ids = read_identifiers(path, offset, ts)
    except StoreRefused as exc:
        return SendResult(label, reason=f"not sent: {exc.comment}", permanent=True)
    sop_class, sop_instance = text_of(ids, 0x00080016), text_of(ids, 0x00080018)
    if not (sop_class and sop_instance):
        return SendResult(label, reason="not sent: the data set has no SOP Class UID (0008,0016) "
                                        "or SOP Instance UID (0008,0018)", permanent=True)
    return _Item(label, path, UID(sop_class), sop_instance, ts, offset, size, note)


def _bare_data_set(path: Path) -> _Item | SendResult:
    """A file without File Meta Information, read as a data set, as dcmtk's ``storescu`` does.

    Its encoding is what pydicom finds at its first element (Implicit or Explicit VR, Little or
    Big Endian); it is sent from byte 0, unchanged. Anything else is not a DICOM file to us.
    """
    label = str(path)
    refused = SendResult(label, reason="not sent: not a DICOM file (no 'DICM' and File Meta "
                                       "Information after the 128-byte preamble, PS3.10 7.1, "
                                       "and no data set at its start)", permanent=True)
    try:
        ds = pydicom.dcmread(path, force=True, stop_before_pixels=True)
        encoding = ds.original_encoding
    except Exception:  # whatever pydicom says about bytes that are no data set
        return refused
    ts = _BARE.get(encoding)
    if ts is None or len(ds.file_meta) or "SOPClassUID" not in ds:
        return refused
    return _from_data_set(label, path, ts, 0, path.stat().st_size,
                          " (no File Meta: sent as the data set it holds)")


def proposed_contexts(paths_or_datasets: Items) -> list[tuple[str, str]]:
    """The presentation contexts :func:`send` proposes: (SOP Class, transfer syntax) pairs.

    Each item's SOP Class with the transfer syntax it is encoded in (PS3.8 7.1.1.13); for
    uncompressed explicit VR data also Implicit VR Little Endian, the one transfer syntax every
    SCP must accept (PS3.5 10.1). Both go into one presentation context, and the SCP picks.

    Parameters
    ----------
    paths_or_datasets : path, Dataset or a sequence of them
        What :func:`send` would send (files, folders, data sets); an item that cannot be read
        is left out.

    Returns
    -------
    list of tuple of str
        ``(SOP Class UID, transfer syntax UID)`` pairs, each once, in the order first met.

    Examples
    --------
    >>> from pydicom.data import get_testdata_file
    >>> for a, t in proposed_contexts(get_testdata_file("CT_small.dcm")):
    ...     print(UID(a).name, "|", UID(t).name)
    CT Image Storage | Explicit VR Little Endian
    CT Image Storage | Implicit VR Little Endian
    """
    if isinstance(paths_or_datasets, (str, os.PathLike, Dataset)):
        paths_or_datasets = [paths_or_datasets]
    items = [d for s in paths_or_datasets for d in _describe_all(s) if isinstance(d, _Item)]
    return [(str(i.sop_class), t) for i in _unique_contexts(items) for t in i.syntaxes()]


def _unique_contexts(items: list[_Item]) -> list[_Item]:
    """One item for each (SOP Class, transfer syntax): one presentation context each."""
    return list({(i.sop_class, i.transfer_syntax): i for i in reversed(items)}.values())[::-1]


# --------------------------------------------------------------------------- one association

# --------------------------------------------------------------------------- sending

def _plan(item: _Item, ts: str):
    """How the data set travels in ``ts``: ``(send(client, cid), note for the report)``.

    A file is streamed as it is stored whenever it can be. An Explicit VR Little Endian file is
    re-encoded while it streams (:mod:`.transcode`) to Implicit VR, or padded where a value has
    an odd length (a broken file); a deflated one of odd length gets one trailing NUL (PS3.5
    A.5). Only what these cannot handle, and datasets given in memory, are encoded by pydicom.
    """
    note = f" (sent as {_uid_name(ts)})" if ts != item.transfer_syntax else ""
    if isinstance(item.source, Path):
        odd = item.size % 2 == 1
        if ts == item.transfer_syntax and not odd:
            return (lambda client, cid: client.send_file(item, cid)), note
        note += " (odd length: padded to even)" if odd else ""
        if ts == item.transfer_syntax and UID(ts).is_deflated:
            return (lambda client, cid: client.send_stream(cid, _file_pieces(item, b"\x00"))), note
        if item.transfer_syntax == ExplicitVRLittleEndian and ts in (ExplicitVRLittleEndian,
                                                                    ImplicitVRLittleEndian):
            implicit = ts == ImplicitVRLittleEndian
            return (lambda client, cid: client.send_stream(cid, _transcoded(item, implicit))), note
    data = _encoded(item, ts)
    return (lambda client, cid: client.link.send(*pdu.p_data_pdus(cid, data, False,
                                                                  client.peer_max))), note


def _file_pieces(item: _Item, tail: bytes = b""):
    with open(item.source, "rb") as f:
        f.seek(item.offset)
        while piece := f.read(CHUNK):
            yield piece
    yield tail


def _transcoded(item: _Item, implicit: bool):
    with open(item.source, "rb") as f:
        f.seek(item.offset)
        yield from transcode(f, item.size, implicit)


def _encoded(item: _Item, ts: str) -> bytes:
    """The data set encoded by pydicom, every value padded (in memory: small or rare cases)."""
    if isinstance(item.source, Path):
        ds = pydicom.dcmread(item.source, force=True)
        for _ in ds.iterall():  # every element decoded, so that it is written padded
            pass
    else:
        ds = item.source
    uid = UID(ts)
    data = encode(ds, uid.is_implicit_VR, uid.is_little_endian, uid.is_deflated)
    if data is None:
        raise ValueError(f"pydicom could not encode it as {_uid_name(ts)}")
    return data


def _store(client: _Client, item: _Item) -> None:
    res = item.result
    chosen = client.context_for(item)
    if chosen is None:
        offered = " or ".join(_uid_name(t) for t in item.syntaxes())
        res.reason = (f"no presentation context accepted by {client.where} for "
                      f"{_uid_name(item.sop_class)} with {offered}")
        res.permanent = True
        return
    cid, ts = chosen
    try:
        body, note = _plan(item, ts)
    except Exception as exc:  # whatever pydicom says about a dataset it cannot encode
        res.reason, res.permanent = f"not sent: {exc}", True
        return
    rsp = client.request(cid, lambda mid: pdu.c_store_command(mid, item.sop_class,
                                                              item.sop_instance),
                         lambda cid: body(client, cid))
    res.status = int(rsp.Status)
    res.transfer_syntax = ts
    res.reason = status_text(res.status, "store")
    if rsp.get("ErrorComment"):
        res.reason += f" - {rsp.ErrorComment}"
    res.reason += note + item.note
    res.permanent = not res.ok and not 0xA700 <= res.status <= 0xA7FF


def send(paths_or_datasets: Items, host: str = "127.0.0.1", port: int = 11112,
         called_ae: str = "ANY-SCP", *, calling_ae: str = "WORKSHOP-SCU",
         timeout: float | Timeouts = 30, progress: bool | None = None,
         on_result: OnResult | None = None) -> list[SendResult]:
    """Store files or datasets on a peer with C-STORE; one :class:`SendResult` per item, in order.

    The presentation contexts proposed are those the items need (:func:`proposed_contexts`),
    read from each file's meta information (no pixel data read); at most 128 per association.
    Files are streamed from disk as they are. Nothing raises for a peer that is down, refuses,
    or stops answering: the report says why, per item.

    Parameters
    ----------
    paths_or_datasets : path, Dataset or a sequence of them
        DICOM files (Part 10), folders (each file in it, not below it, in path order: what is
        not DICOM gets a result saying why, :func:`~workshop_helpers.files.dicom_files`), or
        data sets with their File Meta Information.
    host, port : str, int
        The peer (the storage SCP).
    called_ae : str
        The peer's AE title.
    calling_ae : str
        Ours.
    timeout : float or Timeouts
        Seconds for each wait (connect, association, answer, socket), or a :class:`Timeouts`.
    progress : bool, optional
        Show a progress bar; by default for more than 20 items.
    on_result : callable, optional
        ``on_result(index, result)`` for each :class:`SendResult` the moment it is settled,
        ``index`` being its place in the list returned: first the items that cannot be sent at
        all (not DICOM, no such file), then each instance as its answer comes (or as its
        association fails), before the next instance is sent. A caller that must act on each
        answer (delete what the peer has stored, as the router does) needs nothing else; if it
        raises, the association is aborted and the exception goes on.

    Returns
    -------
    list of SendResult
        One per item, in order: ``ok``, the status and a reason that says which side refused what.

    Examples
    --------
    >>> import tempfile
    >>> from pydicom.data import get_testdata_file
    >>> from workshop_helpers.net import StorageSCP
    >>> with tempfile.TemporaryDirectory() as folder, StorageSCP(folder) as scp:
    ...     report = send([get_testdata_file("CT_small.dcm")], port=scp.port, called_ae="WORKSHOP")
    >>> report[0].ok, report[0].reason
    (True, 'Success')
    """
    if isinstance(paths_or_datasets, (str, os.PathLike, Dataset)):
        paths_or_datasets = [paths_or_datasets]
    timeouts = Timeouts.of(timeout)
    described = [d for s in paths_or_datasets for d in _describe_all(s)]
    results = [d if isinstance(d, SendResult) else d.result for d in described]
    items = [d for d in described if isinstance(d, _Item)]
    place = {id(r): k for k, r in enumerate(results)}

    def settled(result: SendResult) -> None:
        if on_result is not None:
            on_result(place[id(result)], result)

    for d in described:
        if isinstance(d, SendResult):
            settled(d)
    contexts = _unique_contexts(items)
    bar = _progress_bar(len(items), progress, f"C-STORE to {called_ae}@{host}:{port}")
    try:
        for start in range(0, len(contexts), 128):
            batch = {(i.sop_class, i.transfer_syntax) for i in contexts[start:start + 128]}
            todo = [i for i in items if (i.sop_class, i.transfer_syntax) in batch]
            _send_batch(todo, [(str(i.sop_class), i.syntaxes()) for i in contexts[start:start + 128]],
                        _Client(host, port, called_ae, calling_ae, timeouts), bar, settled)
    finally:
        if bar is not None:
            bar.close()
    return results


def _send_batch(todo: list[_Item], contexts, client: _Client, bar,
                settled: Callable[[SendResult], None]) -> None:
    try:
        client.open(contexts)
    except AssociationFailed as exc:
        for item in todo:
            item.result.reason, item.result.permanent = exc.reason, exc.permanent
            settled(item.result)
        if bar is not None:
            bar.update(len(todo))
        return
    broken = ""
    try:
        for item in todo:
            if broken:
                item.result.reason = f"not sent: {broken}"
            else:
                try:
                    _store(client, item)
                except _Broken as exc:
                    item.result.reason, item.result.permanent = exc.reason, exc.permanent
                    broken = (f"the association with {client.where} was aborted before this "
                              f"item ({exc.reason.split(': ', 1)[-1]})")
            settled(item.result)
            if bar is not None:
                bar.update(1)
    except BaseException:   # the caller's on_result raised (or Ctrl-C): leave nothing open
        client.abort()
        raise
    if not broken:
        client.release()


def _progress_bar(total: int, progress: bool | None, text: str):
    if not (total > 20 if progress is None else progress):
        return None
    # imported here: in a kernel tqdm.auto loads ipywidgets (about 0.1 s), for a bar only
    from tqdm.auto import tqdm  # noqa: PLC0415

    return tqdm(total=total, unit="file", desc=text)


# --------------------------------------------------------------------------- C-ECHO

@dataclass
class EchoResult:
    """The answer to a C-ECHO.

    Attributes
    ----------
    host, port : str, int
        The peer.
    status : int or None
        The C-ECHO status; None when no answer came.
    reason : str
        The status in words, or why there was no answer.
    seconds : float
        From opening the connection to the answer.
    """

    host: str
    port: int
    status: int | None
    reason: str
    seconds: float

    @property
    def ok(self) -> bool:
        """True when the peer answered Success."""
        return self.status == 0


def echo(host: str = "127.0.0.1", port: int = 11112, called_ae: str = "ANY-SCP", *,
         calling_ae: str = "WORKSHOP-SCU", timeout: float | Timeouts = 10) -> EchoResult:
    """Send a C-ECHO (Verification, PS3.4 Annex A) and say what came back.

    Parameters
    ----------
    host, port : str, int
        The peer.
    called_ae : str
        The peer's AE title.
    calling_ae : str
        Ours.
    timeout : float or Timeouts
        Seconds for each wait, or a :class:`Timeouts`.

    Returns
    -------
    EchoResult
        ``ok``, the status (None when no answer came), the reason in words and the time taken.
        Nothing raises for a peer that is down or refuses.

    Examples
    --------
    >>> echo("127.0.0.1", 1, timeout=2).reason
    'connection refused at 127.0.0.1:1 (is the SCP running?)'
    """
    t0 = time.perf_counter()
    client = _Client(host, port, called_ae, calling_ae, Timeouts.of(timeout))
    try:
        client.open([(VERIFICATION, [str(ImplicitVRLittleEndian)])])
    except AssociationFailed as exc:
        return EchoResult(host, port, None, exc.reason, time.perf_counter() - t0)
    if not client.accepted:
        client.release()
        return EchoResult(host, port, None, f"{host}:{port} does not accept Verification",
                          time.perf_counter() - t0)
    try:
        rsp = client.request(next(iter(client.accepted)), lambda mid: pdu.c_echo_command(mid))
    except _Broken as exc:
        return EchoResult(host, port, None, exc.reason, time.perf_counter() - t0)
    client.release()
    code = int(rsp.get("Status", 0xC000))
    return EchoResult(host, port, code, status_text(code, "echo"), time.perf_counter() - t0)
