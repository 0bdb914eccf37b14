"""The :class:`Router` itself: receive → store → trigger → call a function and forward.

One worker thread per destination; the tickets (:mod:`.tickets`) that say what is still to do are
on disk, so a restart resumes where the last run stopped. The package's docstring
(:mod:`workshop_helpers.router`) tells the whole story and where each ticket lives.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

from ..net import Arrival, StorageSCP, Timeouts
from ..net.guard import COURSE_CALLERS, add_calling_ae
from ..net.storage import StoreRefused
from ..tools import PRIVATE_FOLDER
from .events import RouterEvent, Snapshot
from .forward import _Forwarding, _Worker
from .guard import FolderLock, Retry
from .series import DeadLetter, Delivery, Destination, Series, quiet_for
from .tickets import Ticket, TicketFolder, _series_folder, ticket_name

__all__ = ["Router"]

LOOK_EVERY = 0.05  # seconds between two questions to a trigger that has no quiet_seconds
_ARRIVAL_FIELDS = ("time", "calling_ae", "patient_id", "study_uid", "series_uid",
                   "sop_instance_uid", "sop_class_uid", "transfer_syntax", "path", "size",
                   "duplicate")
_DEAD_FIELDS = ("destination", "reason", "status", "failed")
_FINAL = ("done", "handled", "failed")


# --------------------------------------------------------------------------- the router

class Router(_Forwarding):
    """Receive → store → trigger → call a function and forward, one worker per destination.

    Parameters
    ----------
    folder : str or os.PathLike
        Where the router's SCP stores what it receives (layout of :class:`StorageSCP`) and where
        its tickets live (``folder/.router``, see :mod:`workshop_helpers.router`).
    port, ae_title : int, str
        The router's own listening port (0: a free one) and AE title.
    bind : str
        The address it listens on (default 127.0.0.1: only this machine can connect; another
        interface only where the network around it is yours to open).
    destinations : iterable of Destination
        Where complete series are forwarded (C-STORE), each by its own worker thread.
    on_series : callable, optional
        Called as ``on_series(series)`` when a series is complete (from the router's trigger
        thread), again when a late or re-sent instance re-opened it; an exception is shown in
        the status table, not raised, and forwarding goes on.
    quiet_seconds : float
        Default trigger: complete after this many seconds without a new instance.
    expected : int, optional
        Also complete as soon as this many instances arrived.
    complete_when : callable, optional
        Your own trigger ``complete_when(series) -> bool``; replaces the two above.
    retry_first, retry_max : float
        Delay before a destination's first retry after a transient failure, doubled on every
        failure up to ``retry_max`` seconds (bounded back-off).
    timeout : float or Timeouts
        Seconds the router's SCU waits for a destination (connect, ACSE, DIMSE, network).
    keep_recent : int
        How many finished series :meth:`status` still shows.
    allowed_calling_aes : iterable of str or None
        The AE titles the router accepts instances from (default: the course's,
        :data:`~workshop_helpers.net.guard.COURSE_CALLERS`; None: any title). The router's own
        title is added to the course's (:func:`~workshop_helpers.net.guard.add_calling_ae`), so
        the SCPs it forwards to in the same notebook accept it.
    same_user_only : bool
        Refuse peers on this machine that belong to another Unix user (Linux; see
        :class:`~workshop_helpers.net.StorageSCP`).
    on_event : callable, optional
        Called as ``on_event(event)`` with each :class:`~workshop_helpers.router.RouterEvent`
        as it happens (received, complete, sent, dead, waiting, finished, refused, note), from
        the router's threads: keep it quick, e.g. a queue's ``put`` (:mod:`.events`).

    Raises
    ------
    workshop_helpers.router.FolderBusy
        From :meth:`start`, when another router already works in ``folder``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from pydicom.data import get_testdata_file
    >>> from workshop_helpers.net import StorageSCP, send
    >>> folder = tempfile.TemporaryDirectory()
    >>> with StorageSCP(Path(folder.name) / "pacs", ae_title="PACS") as pacs:
    ...     to_pacs = Destination("127.0.0.1", pacs.port, "PACS")
    ...     with Router(Path(folder.name) / "router", destinations=[to_pacs], expected=1) as router:
    ...         _ = send([get_testdata_file("CT_small.dcm")], port=router.port, called_ae="ROUTER")
    ...         router.wait_until_idle(10)
    ...         [row[to_pacs.name] for row in router.status()]
    True
    ['sent 1/1']
    >>> folder.cleanup()
    """

    def __init__(self, folder: str | os.PathLike, port: int = 0, ae_title: str = "ROUTER", *,
                 destinations: Iterable[Destination] = (),
                 on_series: Callable[[Series], object] | None = None,
                 quiet_seconds: float = 2.0, expected: int | None = None,
                 complete_when: Callable[[Series], bool] | None = None,
                 retry_first: float = 0.5, retry_max: float = 30.0,
                 timeout: float | Timeouts = 10,
                 keep_recent: int = 20,
                 allowed_calling_aes: Iterable[str] | None = COURSE_CALLERS,
                 same_user_only: bool = True, bind: str = "127.0.0.1",
                 on_event: Callable[[RouterEvent], object] | None = None) -> None:
        self.folder = Path(folder).resolve()
        add_calling_ae(ae_title)
        self.scp = StorageSCP(self.folder, port=port, ae_title=ae_title, bind=bind,
                              on_arrival=self._arrived, allowed_calling_aes=allowed_calling_aes,
                              same_user_only=same_user_only,
                              on_failure=lambda text: self._emit("refused", reason=text))
        self.on_event = on_event
        self.destinations = _distinct(destinations)
        self.on_series = on_series
        self.complete_when = complete_when or _default_trigger(quiet_seconds, expected)
        self.retry_first, self.retry_max, self.timeout = retry_first, retry_max, timeout
        self.series: dict[tuple[str, str, str], Series] = {}  # in progress only
        self.recent: deque[Series] = deque(maxlen=keep_recent)  # finished, for status()
        self.log: deque[str] = deque(maxlen=500)
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)  # a series finished
        self._poke = threading.Event()  # the trigger thread: something arrived, or stop
        self._state = self.folder / ".router"
        self._workers = {d.name: _Worker(d, self._state, self._lock,
                                         Retry(self.retry_first, self.retry_max))
                         for d in self.destinations}
        self._numbers = itertools.count(1)
        self._finished = 0
        self._busy_once = False  # something arrived or was found on disk
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._folder_lock = FolderLock(self._state)
        self._requeue: dict[tuple[str, str, str], tuple[Series, list, Retry]] = {}

    # -- life cycle
    @property
    def port(self) -> int:
        """The router's listening port."""
        return self.scp.port

    @property
    def ae_title(self) -> str:
        """The router's AE title."""
        return self.scp.ae_title

    @property
    def bind(self) -> str:
        """The address it listens on."""
        return self.scp.bind

    def start(self) -> Router:
        """Resume what waits on disk, start receiving, triggering and forwarding; returns ``self``."""
        if self._threads:
            return self
        self._folder_lock.acquire()  # before anything in the folder is touched
        try:
            for part in ("inbox", "outbox", "dead", "tmp"):  # its user's alone, as tickets are
                (self._state / part).mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
            self._clear_tmp()
            self._load()
            self.scp.start()
        except BaseException:
            self._folder_lock.release()
            raise
        self._stop = stop = threading.Event()
        self._spawn("router-trigger", self._trigger_loop, stop)
        for w in self._workers.values():
            w.retry.succeeded()
            w.last_error = ""
            self._spawn(f"router-{w.name}", self._deliver_loop, w, stop)
        return self

    def stop(self) -> None:
        """Stop receiving and forwarding; whatever was not forwarded stays on disk for next time."""
        self._stop.set()
        self._poke.set()
        for w in self._workers.values():
            w.wake.set()
        self.scp.stop()
        end = time.monotonic() + _longest(self.timeout) + 5
        for thread in self._threads:
            thread.join(max(0.0, end - time.monotonic()))
        self._threads = []
        self._folder_lock.release()

    def __enter__(self) -> Router:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _spawn(self, name: str, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    # -- what the notebook looks at
    def status(self) -> list[dict]:
        """One row per series (in progress and the ``keep_recent`` last finished).

        Each row has ``patient``, ``series``, ``instances``, ``state`` and, per destination, what
        it got: ``"pending"`` (not triggered yet), ``"-"`` (its rule does not match),
        ``"sending 3/16"``, ``"sent 16/16"``, ``"waiting (0/4): <reason>; retry 2 in 0.4 s"`` or
        ``"dead letters 4/4: <reason>"``; and ``error`` when ``on_series`` raised.
        """
        with self._lock:
            return [self._row(s) for s in self._table()]

    def snapshot(self) -> Snapshot:
        """A consistent copy of the table (series, their :meth:`status` rows, the log).

        Taken under the router's lock, so nothing in it changes while it is read.
        """
        with self._lock:
            every = self._table()
            return Snapshot([s.copy() for s in every], [self._row(s) for s in every],
                            list(self.log))

    def _table(self) -> list[Series]:
        """Every series of the table, settled, oldest first (under the lock)."""
        self._settle_all()
        return sorted([*self.recent, *self.series.values()], key=lambda s: s.number)

    def idle(self) -> bool:
        """True when every series was triggered and delivered (or dead-lettered) everywhere."""
        with self._lock:
            self._settle_all()
            return not self.series

    def wait_until_idle(self, timeout: float = 10) -> bool:
        """Wait until something was routed and :meth:`idle` (True), or ``timeout`` seconds (False)."""
        with self._changed:  # woken as each series finishes
            return self._changed.wait_for(lambda: self._busy_once and self.idle(), timeout)

    def stats(self) -> dict:
        """Counts for a dashboard: series in progress and finished, tickets on disk per folder.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     stats = Router(folder, destinations=[Destination("127.0.0.1", 9, "X")]).stats()
        >>> stats["in progress"], stats["finished"], stats["inbox"], stats["outbox"]
        (0, 0, 0, {'X@127.0.0.1:9': 0})
        """
        inbox = sum(TicketFolder(f, "", None).count() for f in self._inbox_folders())
        with self._lock:
            counts = {"in progress": len(self.series), "finished": self._finished, "inbox": inbox}
        per = self._workers.values()
        return {**counts, "outbox": {w.name: w.outbox.count() for w in per},
                "dead": {w.name: w.dead.count() for w in per},
                "forwarded": {w.name: w.sent for w in per}}

    def dead_letters(self) -> list[DeadLetter]:
        """Every instance a destination refused for good, with the reason (from disk)."""
        letters = []
        for folder in sorted((self._state / "dead").glob("*/")):
            for t in TicketFolder(folder, "", None).tickets():
                letters.append(DeadLetter(t.data.get("destination", folder.name),
                                          t.data.get("sop_instance_uid", ""),
                                          t.data.get("reason", ""), self._path_of(t.data)))
        return letters

    def retry_dead_letters(self, destination: str | None = None) -> int:
        """Put dead letters (of one destination, or all) back in the outbox; returns how many."""
        moved = 0
        for w in self._workers.values():
            if destination not in (None, w.name):
                continue
            for t in w.dead.tickets():
                data = {k: v for k, v in t.data.items() if k not in _DEAD_FIELDS}
                with self._lock:
                    if w.dead.move_if_unchanged(t, w.outbox, data):
                        self._mark(w, t.name, data, "waiting")
                        moved += 1
            w.wake.set()
        self._note(f"{moved} dead letter(s) put back in the outbox")
        return moved

    # -- receiving (in the SCP's association thread, before it answers Success)
    def _arrived(self, arrival: Arrival) -> None:
        if not all(t.is_alive() for t in self._threads):  # Success only for what will go on
            raise StoreRefused(0xA700, "the router cannot forward at the moment")
        key = (arrival.patient_id, arrival.study_uid, arrival.series_uid)
        self._inbox(key).put(ticket_name(arrival.sop_instance_uid), self._ticket_data(arrival))
        with self._lock:
            s = self._series_for(key, arrival)
            s.add(Path(arrival.path))
            s.last_arrival = time.monotonic()
            s.state = "receiving"
            self._busy_once = True
            self._emit("received", s.series_uid, time=arrival.time,
                       instance=arrival.sop_instance_uid, calling_ae=arrival.calling_ae,
                       again=bool(arrival.duplicate))
        self._poke.set()  # the trigger looks at once (``expected`` may be reached)

    def _ticket_data(self, arrival: Arrival) -> dict:
        data = {name: getattr(arrival, name) for name in _ARRIVAL_FIELDS}
        path = Path(arrival.path)
        data["path"] = (path.relative_to(self.folder) if path.is_relative_to(self.folder)
                        else path).as_posix()
        return data

    def _arrival_of(self, data: dict) -> Arrival:
        return Arrival(**{**{k: data.get(k) for k in _ARRIVAL_FIELDS}, "path": self._path_of(data)})

    def _path_of(self, data: dict) -> Path:
        return self.folder / data.get("path", "")

    def _inbox(self, key: tuple[str, str, str]) -> TicketFolder:
        return TicketFolder(self._state / "inbox" / _series_folder(key), self._state / "tmp",
                            self._lock)

    def _inbox_folders(self) -> list[Path]:
        return sorted((self._state / "inbox").glob("*/"))

    # -- the in-memory table (call with the lock held)
    def _series_for(self, key, first: Arrival, state: str = "receiving") -> Series:
        s = self.series.get(key)
        if s is None:
            s = self._revive(key) or Series(*key, first=first, last_arrival=time.monotonic(),
                                            state=state, number=next(self._numbers))
            self.series[key] = s
        return s

    def _revive(self, key) -> Series | None:
        for s in self.recent:
            if s.key == key:
                self.recent.remove(s)
                s.state = "forwarding"
                return s
        return None

    def _settle_all(self) -> None:
        for s in list(self.series.values()):
            self._settle(s)

    def _settle(self, s: Series) -> None:
        if s.state in ("receiving", "complete"):  # "complete": the trigger is queueing it
            return
        s.state = self._state_of(s)
        if s.state in _FINAL and self.series.get(s.key) is s:
            del self.series[s.key]
            self.recent.append(s)
            self._finished += 1
            self._emit("finished", s.series_uid, state=s.state)
            self._note(f"series {s.series_uid} {s.state}")
            self._changed.notify_all()

    def _state_of(self, s: Series) -> str:
        busy = [name for name, d in s.deliveries.items() if d.waiting]
        if busy:
            failing = any(name in self._workers and self._workers[name].last_error
                          for name in busy)
            return "waiting" if failing else "forwarding"
        if any(d.dead for d in s.deliveries.values()):
            return "failed"
        return "done" if s.deliveries else "handled"

    def _mark(self, w: _Worker, name: str, data: dict, outcome: str, reason: str = "") -> None:
        """Record that ticket ``name`` of destination ``w`` is waiting, sent or dead."""
        with self._lock:
            s = self._series_for(_key(data), self._arrival_of(data), state="forwarding")
            s.add(self._path_of(data))
            d = s.deliveries.setdefault(w.name, Delivery())
            for bucket in (d.waiting, d.sent, d.dead):
                bucket.discard(name)
            getattr(d, outcome).add(name)
            d.reason = reason or d.reason
            if outcome != "waiting":
                self._emit(outcome, s.series_uid, instance=data.get("sop_instance_uid", ""),
                           destination=w.name, reason=reason)
            self._settle(s)

    def _row(self, s: Series) -> dict:
        row = {"patient": s.patient_id, "series": s.series_uid[-12:], "instances": s.count,
               "state": s.state}
        for w in self._workers.values():
            row[w.name] = self._delivery_text(s, w)
        if s.handler_error:
            row["error"] = s.handler_error
        return row

    def _delivery_text(self, s: Series, w: _Worker) -> str:
        d = s.deliveries.get(w.name)
        if d is None or not d.total:
            return "-" if s.first is not None and not w.destination.wants(s.first) else "pending"
        done = f"{len(d.sent)}/{d.total}"
        if d.waiting and w.last_error:
            wait = max(0.0, w.retry.next_try - time.monotonic())
            return f"waiting ({done}): {w.last_error}; retry {w.retry.attempts} in {wait:.1f} s"
        if d.waiting:
            return f"sending {done}"
        if d.dead:
            return f"dead letters {len(d.dead)}/{d.total}: {d.reason}"
        return f"sent {done}"

    def _note(self, text: str) -> None:
        self.log.append(f"{time.strftime('%H:%M:%S')} {text}")
        self._emit("note", reason=text)

    def _emit(self, kind: str, series_uid: str = "", **fields) -> None:
        if self.on_event is None:
            return
        fields.setdefault("time", time.time())
        try:
            self.on_event(RouterEvent(kind, series_uid=series_uid, **fields))
        except Exception as exc:  # the routing goes on; the log says why (no event about it)
            self.log.append(f"{time.strftime('%H:%M:%S')} on_event raised "
                            f"{type(exc).__name__}: {exc}")

    # -- start: resume from disk
    def _clear_tmp(self) -> None:
        for part in (self._state / "tmp").glob("*.part"):
            part.unlink(missing_ok=True)

    def _load(self) -> None:
        """Rebuild the table from the tickets: outboxes first, then inboxes (not triggered yet)."""
        with self._lock:
            self.series.clear()
        for w in self._workers.values():
            for t in w.outbox.tickets():
                self._mark(w, t.name, t.data, "waiting")
                self._busy_once = True
        for folder in self._inbox_folders():
            for t in TicketFolder(folder, "", None).tickets():
                self._load_received(t.data)

    def _load_received(self, data: dict) -> None:
        with self._lock:
            s = self._series_for(_key(data), self._arrival_of(data))
            s.add(self._path_of(data))
            s.last_arrival = time.monotonic()
            s.state = "receiving"
            self._busy_once = True

    # -- trigger (one thread)
    def _trigger_loop(self, stop: threading.Event) -> None:
        retry = Retry(self.retry_first, self.retry_max)
        while not stop.is_set():
            self._poke.clear()
            try:
                self._requeue_due()
                for s in self._due():
                    if stop.is_set():
                        return
                    try:
                        self._trigger(s)
                    except Exception as exc:  # keep routing the other series
                        s.handler_error = f"{type(exc).__name__}: {exc}"
                        self._note(traceback.format_exc())
                retry.succeeded()
            except Exception as exc:  # e.g. no file descriptor left: rest, then go on
                self._note(f"trigger: {type(exc).__name__}: {exc}; again in {retry.failed():.1f} s")
                stop.wait(max(0.0, retry.next_try - time.monotonic()))
                continue
            self._poke.wait(self._next_look())

    def _next_look(self) -> float | None:
        """Seconds until the trigger must look again; None: not before something arrives."""
        now = time.monotonic()
        with self._lock:
            times = [retry.next_try - now for _, _, retry in self._requeue.values()]
            arrivals = [s.last_arrival for s in self.series.values() if s.state == "receiving"]
        if arrivals:
            quiet = getattr(self.complete_when, "quiet_seconds", None)
            times.append(LOOK_EVERY if quiet is None else min(arrivals) + quiet - now)
        return max(0.001, min(times)) if times else None

    def _due(self) -> list[Series]:
        with self._lock:
            receiving = [s for s in self.series.values() if s.state == "receiving"]
        return [s for s in receiving if self._complete(s)]

    def _complete(self, s: Series) -> bool:
        try:
            return bool(self.complete_when(s))
        except Exception as exc:
            s.handler_error = f"complete_when raised {type(exc).__name__}: {exc}"
            return False

    def _trigger(self, s: Series) -> None:
        """Call ``on_series``, then move the series' inbox tickets to the wanting outboxes."""
        with self._lock:
            s.triggered += 1
            s.state = "complete"
            self._emit("complete", s.series_uid, count=s.count, again=s.triggered > 1)
        self._note(f"series {s.series_uid} complete with {s.count} instance(s)")
        self._call_on_series(s)
        wanted = [w for w in self._workers.values()
                  if s.first is None or w.destination.wants(s.first)]
        with self._lock:
            for w in wanted:
                s.deliveries.setdefault(w.name, Delivery())
        self._queue_or_retry(s, wanted, Retry(self.retry_first, self.retry_max))

    def _queue_or_retry(self, s: Series, wanted: list[_Worker], retry: Retry) -> None:
        """Move the series' tickets to the outboxes; after an OSError, try again later."""
        try:
            self._queue_inbox(s.key, wanted)
        except OSError as exc:
            delay = retry.failed()
            s.handler_error = f"cannot queue it ({exc.strerror or exc}); retry in {delay:.1f} s"
            self._note(f"series {s.series_uid}: {s.handler_error}")
            with self._lock:
                self._requeue[s.key] = (s, wanted, retry)
            return
        with self._lock:
            self._requeue.pop(s.key, None)
            s.handler_error = "" if s.handler_error.startswith("cannot queue") else s.handler_error
            if s.state == "complete":  # not re-opened by a new instance meanwhile
                s.state = "forwarding"
            self._settle(s)
        for w in wanted:
            w.wake.set()

    def _requeue_due(self) -> None:
        with self._lock:
            due = [entry for entry in self._requeue.values() if entry[2].due]
        for s, wanted, retry in due:
            self._queue_or_retry(s, wanted, retry)

    def _call_on_series(self, s: Series) -> None:
        if self.on_series is None:
            return
        try:
            self.on_series(s)
            s.handler_error = ""
        except Exception as exc:
            s.handler_error = f"on_series raised {type(exc).__name__}: {exc}"
            self._note(s.handler_error)

    def _queue_inbox(self, key, wanted: list[_Worker]) -> None:
        """Give each wanting outbox the series' tickets; the inbox lets go once they last."""
        inbox = self._inbox(key)
        tickets = inbox.tickets()
        for w in wanted:
            for t in tickets:
                self._queue(w, t)
            w.outbox.sync()  # one fsync for the series, before any inbox ticket goes
        for t in tickets:
            inbox.remove_if_unchanged(t)
        inbox.remove_folder_if_empty()

    def _queue(self, w: _Worker, t: Ticket) -> None:
        tmp = w.outbox.stage(t)  # the same bytes, already on disk: not written again
        with self._lock:  # the table never says "sent" for a ticket that is on disk
            w.outbox.install(t.name, tmp, sync=False)
            (w.dead.folder / t.name).unlink(missing_ok=True)  # a corrected version replaces it
            self._mark(w, t.name, t.data, "waiting")


def _key(data: dict) -> tuple[str, str, str]:
    return (data.get("patient_id", ""), data.get("study_uid", ""), data.get("series_uid", ""))


def _longest(timeout: float | Timeouts) -> float:
    t = Timeouts.of(timeout)
    return max((x for x in (t.connect, t.acse, t.dimse, t.network) if x is not None), default=60)


def _distinct(destinations: Iterable[Destination]) -> list[Destination]:
    out = list(destinations)
    names = [d.name for d in out]
    if len(set(names)) != len(names):
        raise ValueError(f"each destination may appear once, got {names}")
    return out


def _default_trigger(quiet_seconds: float, expected: int | None) -> Callable[[Series], bool]:
    quiet = quiet_for(quiet_seconds)

    def complete_when(series: Series) -> bool:
        return quiet(series) or (expected is not None and series.count >= expected)

    complete_when.quiet_seconds = quiet_seconds  # when to look again (``expected``: at arrival)
    return complete_when


# The package (workshop_helpers.router) owns Router, so doctest finds the class's example there;
# a method's example runs here, with this module's names.
__test__ = {"Router.stats": Router.stats}
