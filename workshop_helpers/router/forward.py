"""Forwarding: one worker thread per destination sends what waits in its outbox.

Each worker reads up to :data:`BATCH` tickets, sends their instances on one association
(:func:`~.guard.send_each`) and settles each ticket as its answer comes: Success deletes it, a
permanent refusal makes it a dead letter, a transient failure leaves it for a retry after a
bounded, growing delay (:class:`~.guard.Retry`). A worker that has nothing to send sleeps until
the trigger queues something (no CPU while idle).

:class:`_Forwarding` is the part of :class:`~workshop_helpers.router.Router` that does it; it uses
the router's lock, table (``_mark``), log (``_note``, ``_emit``) and paths (``_path_of``).
"""

from __future__ import annotations

import threading
import time
import traceback
from pathlib import Path

from ..net import SendResult
from .guard import Retry, send_each
from .series import Destination
from .tickets import Ticket, TicketFolder, folder_name

BATCH = 64  # instances a worker sends on one association at most


class _Worker:
    """One destination: its outbox, its dead letters, its thread and its retry state."""

    def __init__(self, destination: Destination, state: Path, lock, retry: Retry) -> None:
        self.destination = destination
        self.name = destination.name
        self.outbox = TicketFolder(state / "outbox" / folder_name(self.name), state / "tmp", lock)
        self.dead = TicketFolder(state / "dead" / folder_name(self.name), state / "tmp", lock)
        self.wake = threading.Event()
        self.retry, self.last_error, self.sent = retry, "", 0   # retry: its bounded back-off


class _Forwarding:
    """The workers' loop and what they do with each answer (a mixin of the Router)."""

    def _deliver_loop(self, w: _Worker, stop: threading.Event) -> None:
        while not stop.is_set():
            w.wake.clear()
            try:
                batch = w.outbox.tickets(limit=BATCH)
                if not batch:
                    w.wake.wait()  # until the trigger queues something, or stop
                    continue
                failures = self._deliver(w, batch)
            except Exception as exc:  # e.g. EMFILE: this thread must not die of it
                failures = [f"{type(exc).__name__}: {exc}"]
            if failures:
                self._back_off(w, failures, stop)
            else:
                w.retry.succeeded()
                w.last_error = ""

    def _deliver(self, w: _Worker, batch: list[Ticket]) -> list[str]:
        """Send one batch; returns the reasons of transient failures (to retry later)."""
        present = []
        for t in batch:
            if self._path_of(t.data).is_file():
                present.append(t)
            else:
                self._bury(w, t, f"the instance file {t.data.get('path')} is gone")
        d = w.destination
        if not present:
            return []
        failures: list[str] = []

        def answered(k: int, result: SendResult) -> None:  # settled as each answer comes
            if not self._settle_result(w, present[k], result):
                failures.append(result.reason)

        try:
            send_each([self._path_of(t.data) for t in present], d.host, d.port, d.called_ae,
                      self.ae_title, self.timeout, answered)
        except Exception as exc:  # network trouble is in the results; anything else
            self._note(traceback.format_exc())
            return [*failures, f"{type(exc).__name__}: {exc}"]
        return failures

    def _settle_result(self, w: _Worker, t: Ticket, result: SendResult) -> bool:
        """Delete, dead-letter or keep ``t`` after ``result``; False when it is to be retried."""
        if result.ok:
            with self._lock:
                if w.outbox.remove_if_unchanged(t):  # else a newer version waits: send it too
                    self._mark(w, t.name, t.data, "sent")
                w.sent += 1
            return True
        if result.permanent:
            code = "" if result.status is None else f" (status 0x{result.status:04X})"
            self._bury(w, t, result.reason + code, result.status)
            return True
        return False

    def _bury(self, w: _Worker, t: Ticket, reason: str, status: int | None = None) -> None:
        data = {**t.data, "destination": w.name, "reason": reason, "status": status,
                "failed": time.strftime("%Y-%m-%dT%H:%M:%S")}
        with self._lock:
            if not w.outbox.move_if_unchanged(t, w.dead, data):
                return
            self._mark(w, t.name, t.data, "dead", reason)
        self._note(f"{w.name}: {t.name} is a dead letter: {reason}")

    def _back_off(self, w: _Worker, failures: list[str], stop: threading.Event) -> None:
        with self._lock:
            w.last_error = failures[0]
            delay = w.retry.failed()
            self._emit("waiting", destination=w.name, reason=w.last_error)
        self._note(f"{w.name}: {len(failures)} not sent ({w.last_error}); retry in {delay:.1f} s")
        stop.wait(delay)
