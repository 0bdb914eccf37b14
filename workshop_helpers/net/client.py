"""The association client under :func:`~.scu.send` and :func:`~.scu.echo` (PS3.8 9.1, SCU side).

:class:`_Client` connects, proposes the presentation contexts, reads the answer (accept, reject
or abort, each with a readable reason), sends one DIMSE request at a time and checks that each
response answers it (Message ID Being Responded To, PS3.7 9.3), streams a data set in P-DATA-TF
PDUs no larger than the peer's maximum, then releases or aborts. What to send, in which order,
and how each item is reported is :mod:`.scu`'s business.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset

from . import pdu
from .link import Link
from .pdu import PeerAborted, ProtocolError, ReleaseRequested, Timeouts

if TYPE_CHECKING:
    from .scu import _Item

#: Largest P-DATA-TF PDU we accept from a peer (its C-STORE responses are tiny).
MAX_PDU = 64 * 1024
#: Largest piece of a data set we put in one PDU when the peer sets no limit.
CHUNK = 1024 * 1024

class AssociationFailed(Exception):
    """No association; ``permanent`` when the peer rejected it for good."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.permanent = reason, permanent


class _Broken(Exception):
    """The association cannot go on; ``permanent`` when the item itself is at fault."""

    def __init__(self, reason: str, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.permanent = reason, permanent


class _LocalFailure(Exception):
    """Our side could not produce the data set (a file that cannot be read or re-encoded)."""


class _Client:
    """One association as the requestor (the SCU side of PS3.8 9.1)."""

    def __init__(self, host: str, port: int, called_ae: str, calling_ae: str,
                 timeouts: Timeouts) -> None:
        self.host, self.port, self.called_ae, self.calling_ae = host, port, called_ae, calling_ae
        self.where = f"{host}:{port}"
        self.timeouts = timeouts
        self.link: Link | None = None
        self.accepted: dict[int, tuple[str, str]] = {}
        self.peer_max = 0
        self.message_id = 0
        self._buffer: memoryview | None = None

    def open(self, contexts: list[tuple[str, list[str]]]) -> None:
        """Connect and negotiate; raises :class:`AssociationFailed` with a readable reason."""
        try:
            sock = _connect(self.host, self.port, self.timeouts.connect)
        except ConnectionRefusedError:
            raise AssociationFailed(f"connection refused at {self.where} "
                                    "(is the SCP running?)") from None
        except TimeoutError:
            raise AssociationFailed(f"no answer from {self.where} within "
                                    f"{self.timeouts.connect:g} s (connect timeout)") from None
        except OSError as exc:
            raise AssociationFailed(f"cannot connect to {self.where}: {exc}") from None
        self.link = Link(sock, self.where, MAX_PDU, self.timeouts)
        request = pdu.AssociateRequest(self.called_ae, self.calling_ae,
                                       {2 * k + 1: c for k, c in enumerate(contexts)}, MAX_PDU)
        try:
            self.link.send(pdu.encode_associate_rq(request))
            kind, length = self.link.read_header(self.timeouts.acse)
            body = self.link.read_exact(length)
        except TimeoutError:
            self.abort()
            raise AssociationFailed(f"no answer to the association request from {self.where} "
                                    f"within {self.timeouts.acse:g} s (ACSE timeout)") from None
        except (PeerAborted, OSError):
            self.close()
            raise AssociationFailed(f"connection closed by {self.where} during association "
                                    "negotiation") from None
        except ProtocolError as exc:
            self.abort(2, exc.abort_reason)
            raise AssociationFailed(f"association with {self.where} failed: {exc}") from None
        self._answered(kind, body, request)

    def _answered(self, kind: int, body: bytes, request: pdu.AssociateRequest) -> None:
        if kind == 0x03:
            self.close()
            result, source, reason = body[1], body[2], body[3]
            text = f"association rejected by {self.where}: {pdu.reject_text(result, source, reason)}"
            if (source, reason) == (1, 7):
                text += f"; {self.called_ae!r} is not its AE title"
            elif (source, reason) == (1, 3):
                text += f"; our calling AE title {self.calling_ae!r} is not on its list"
            raise AssociationFailed(text, permanent=result == 1)
        if kind == 0x07:
            self.close()
            raise AssociationFailed(f"association aborted by {self.where} during negotiation "
                                    f"({pdu.abort_text(body[2], body[3])})")
        if kind != 0x02:
            self.abort(2, 2)
            raise AssociationFailed(f"{self.where} answered the association request with "
                                    f"{pdu.PDU_NAMES[kind]}")
        try:
            ac = pdu.decode_associate_ac(body)
        except ProtocolError as exc:
            self.abort(2, exc.abort_reason)
            raise AssociationFailed(f"association with {self.where} failed: {exc}") from None
        self.peer_max = ac.max_pdu
        self.accepted = {cid: (request.contexts[cid][0], syntax)
                         for cid, (result, syntax) in ac.contexts.items()
                         if result == 0 and cid in request.contexts
                         and syntax in request.contexts[cid][1]}

    def context_for(self, item: _Item) -> tuple[int, str] | None:
        """An accepted context for ``item``: its own transfer syntax first, then implicit VR."""
        choices = [(cid, ts) for cid, (abstract, ts) in self.accepted.items()
                   if abstract == item.sop_class and ts in item.syntaxes()]
        choices.sort(key=lambda c: c[1] != item.transfer_syntax)
        return choices[0] if choices else None

    def request(self, cid: int, command, data=None) -> Dataset:
        """Send one request (command and data set) and return the response that answers it.

        ``command(message_id)`` makes the command set; ``data(cid)``, if given, sends the data
        set. Raises :class:`_Broken` when the association cannot go on.
        """
        self.message_id = self.message_id % 0xFFFF + 1
        expected = self.message_id
        try:
            self.link.send(*pdu.p_data_pdus(cid, command(expected), True, self.peer_max))
            if data is not None:
                data(cid)
        except _LocalFailure as exc:
            self.abort()
            raise _Broken(f"not sent: {exc}; association aborted (the data set was cut short)",
                          permanent=True) from None
        except TimeoutError:
            self.abort()
            raise _Broken(f"not sent: {self.where} stopped reading (nothing moved for "
                          f"{self.timeouts.network:g} s); association aborted") from None
        except (OSError, PeerAborted) as exc:
            self.abort()
            raise _Broken(f"not sent: connection to {self.where} lost while sending "
                          f"({exc})") from None
        return self._response(expected)

    def _response(self, expected: int) -> Dataset:
        try:
            _, rsp, _ = self.link.read_message(self.timeouts.dimse)
        except TimeoutError:
            self.abort()
            raise _Broken(f"not confirmed: no answer from {self.where} within "
                          f"{self.timeouts.dimse:g} s (DIMSE timeout); association aborted, "
                          "the peer may or may not have stored it") from None
        except (PeerAborted, ReleaseRequested, OSError) as exc:
            self.abort()
            raise _Broken(f"not confirmed: {exc}") from None
        except ProtocolError as exc:
            self.abort(2, exc.abort_reason)
            raise _Broken(f"not confirmed: {exc}; association aborted") from None
        answered = rsp.get("MessageIDBeingRespondedTo")
        if answered != expected or not int(rsp.get("CommandField", 0)) & 0x8000:
            self.abort()
            raise _Broken(f"not confirmed: {self.where} answered message {answered}, not "
                          f"{expected}; association aborted")
        if rsp.get("Status") is None:
            self.abort()
            raise _Broken(f"not confirmed: the answer from {self.where} has no Status; "
                          "association aborted")
        return rsp

    def _chunk(self) -> memoryview:
        """The reusable buffer for one PDU's worth of data set (at most the peer's maximum)."""
        size = min(self.peer_max - 6, CHUNK) if self.peer_max else CHUNK
        if self._buffer is None or len(self._buffer) != size:
            self._buffer = memoryview(bytearray(size))
        return self._buffer

    def send_file(self, item: _Item, cid: int) -> None:
        """Stream a file's data set, as stored, in PDUs no larger than the peer accepts."""
        buffer = self._chunk()
        try:
            f = open(item.source, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise _LocalFailure(f"cannot read {item.source}: {exc.strerror}") from None
        with f:
            f.seek(item.offset)
            left = item.size
            while True:
                n = min(len(buffer), left)
                try:
                    complete = f.readinto(buffer[:n]) == n
                except OSError as exc:
                    raise _LocalFailure(f"cannot read {item.source}: {exc.strerror}") from None
                if not complete:
                    raise _LocalFailure(f"{item.source} changed while being sent")
                left -= n
                self.link.send(pdu.pdv_header(cid, n, False, left == 0), buffer[:n])
                if not left:
                    return

    def send_stream(self, cid: int, pieces) -> None:
        """Send the data set that ``pieces`` yields, in PDUs no larger than the peer accepts."""
        buffer = self._chunk()
        fill = 0
        try:
            for piece in pieces:
                view = memoryview(piece)
                while view:
                    if fill == len(buffer):  # more is coming: this one is not the last
                        self.link.send(pdu.pdv_header(cid, fill, False, False), buffer)
                        fill = 0
                    take = min(len(view), len(buffer) - fill)
                    buffer[fill:fill + take] = view[:take]
                    fill, view = fill + take, view[take:]
        except (OSError, ValueError) as exc:  # from reading or re-encoding, not from the socket
            if isinstance(exc, (TimeoutError, ConnectionError)):
                raise
            raise _LocalFailure(str(exc)) from None
        self.link.send(pdu.pdv_header(cid, fill, False, True), buffer[:fill])

    def release(self) -> None:
        """A-RELEASE-RQ, wait for the A-RELEASE-RP (ACSE timeout), close."""
        if self.link is None:
            return
        try:
            self.link.send(pdu.RELEASE_RQ)
            kind, length = self.link.read_header(self.timeouts.acse)
            self.link.read_exact(length)
        except (OSError, PeerAborted, ProtocolError):
            pass
        self.close()

    def abort(self, source: int = 0, reason: int = 0) -> None:
        """A-ABORT and close."""
        if self.link is not None:
            self.link.abort(source, reason)
            self.link = None

    def close(self) -> None:
        if self.link is not None:
            self.link.close()
            self.link = None


def _connect(host: str, port: int, timeout: float | None) -> socket.socket:
    return socket.create_connection((host, port), timeout=timeout)
