"""A small DICOM router: receive, store, decide a series is complete, then act and forward.

The last part of the workshop's slides ("How to build a medical workstation") in code:

1. **receive and store** — a :class:`~workshop_helpers.net.StorageSCP`;
2. **trigger** — a series is *complete* when no new instance came for ``quiet_seconds``, or when
   ``expected`` instances arrived, or when your own ``complete_when(series)`` says so (DICOM has no
   "end of series" message over C-STORE, so every router has to guess);
3. **route** — call ``on_series(series)`` and/or forward the series with C-STORE to one or more
   :class:`Destination` s. A destination that is down loses nothing: the series waits and is
   retried with a bounded, growing delay; :meth:`Router.status` shows who got what.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder, Router(folder, quiet_seconds=0.2) as router:
...     router.port > 0, router.status()
(True, [])
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .net import Arrival, SendResult, StorageSCP, send

__all__ = ["Destination", "Series", "Router", "quiet_for", "flow_diagram"]


@dataclass(frozen=True)
class Destination:
    """Where a router forwards series: a storage SCP's address and AE title.

    ``match`` is an optional declarative rule: a series goes to this destination only when every
    key (``calling_ae``, ``patient_id``, ``study_uid``, ``series_uid``, ``sop_class_uid``) has the
    given value in the series' first instance, e.g. ``{"calling_ae": "CT01"}``.
    """

    host: str
    port: int
    called_ae: str
    match: tuple[tuple[str, str], ...] | dict | None = None

    @property
    def name(self) -> str:
        """``AE@host:port``."""
        return f"{self.called_ae}@{self.host}:{self.port}"

    def wants(self, first: Arrival) -> bool:
        """True when this destination's rule matches the series' first instance."""
        rules = dict(self.match or {})
        return all(str(getattr(first, key, "")).strip() == str(value).strip()
                   for key, value in rules.items())


@dataclass
class Delivery:
    """How far one series got to one destination."""

    sent: set[Path] = field(default_factory=set)
    attempts: int = 0
    next_try: float = 0.0
    last_error: str = ""


@dataclass
class Series:
    """Everything a router knows about one series."""

    patient_id: str
    study_uid: str
    series_uid: str
    files: list[Path] = field(default_factory=list)
    first: Arrival | None = None
    last_arrival: float = 0.0
    triggered: int = 0  # how many times the trigger fired (a late instance re-opens a series)
    state: str = "receiving"
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    handler_error: str = ""

    @property
    def count(self) -> int:
        """Number of instances received."""
        return len(self.files)

    @property
    def quiet(self) -> float:
        """Seconds since the last instance arrived."""
        return time.monotonic() - self.last_arrival


def quiet_for(seconds: float) -> Callable[[Series], bool]:
    """A trigger: the series is complete when nothing new came for ``seconds``.

    Examples
    --------
    >>> s = Series("P", "1.2", "1.2.3", last_arrival=time.monotonic() - 5)
    >>> quiet_for(2)(s), quiet_for(10)(s)
    (True, False)
    """
    def complete(series: Series) -> bool:
        return series.quiet >= seconds

    complete.__name__ = f"quiet_for_{seconds:g}s"
    return complete


class Router:
    """Receive → store → trigger → call a function and/or forward, with retries.

    Parameters
    ----------
    folder : path
        Where the router's SCP stores what it receives (layout of :class:`StorageSCP`).
    port, ae_title : int, str
        The router's own listening port (0: a free one) and AE title.
    destinations : iterable of Destination
        Where complete series are forwarded (C-STORE).
    on_series : callable, optional
        Called as ``on_series(series)`` when a series is complete (from the router's thread); an
        exception is recorded in the status table, not raised.
    quiet_seconds : float
        Default trigger: complete after this many seconds without a new instance.
    expected : int, optional
        Also complete as soon as this many instances arrived.
    complete_when : callable, optional
        Your own trigger ``complete_when(series) -> bool``; replaces the two above.
    retry_first, retry_max : float
        Delay before the first retry of a destination that failed, doubled on every failure up
        to ``retry_max`` seconds (bounded back-off).
    """

    def __init__(self, folder, port: int = 0, ae_title: str = "ROUTER", *,
                 destinations: Iterable[Destination] = (),
                 on_series: Callable[[Series], object] | None = None,
                 quiet_seconds: float = 2.0, expected: int | None = None,
                 complete_when: Callable[[Series], bool] | None = None,
                 retry_first: float = 0.5, retry_max: float = 30.0, timeout: float = 10) -> None:
        self.scp = StorageSCP(folder, port=port, ae_title=ae_title, on_arrival=self._arrived)
        self.destinations = list(destinations)
        self.on_series = on_series
        if complete_when is None:
            quiet = quiet_for(quiet_seconds)

            def complete_when(series: Series) -> bool:
                return quiet(series) or (expected is not None and series.count >= expected)
        self.complete_when = complete_when
        self.retry_first, self.retry_max, self.timeout = retry_first, retry_max, timeout
        self.series: dict[tuple[str, str, str], Series] = {}
        self.log: list[str] = []
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life cycle
    @property
    def port(self) -> int:
        """The router's listening port."""
        return self.scp.port

    @property
    def ae_title(self) -> str:
        """The router's AE title."""
        return self.scp.ae_title

    def start(self) -> Router:
        """Start receiving and the worker that triggers and forwards; returns ``self``."""
        self.scp.start()
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._work, name="router", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop receiving and forwarding (what was not forwarded stays on disk and in the table)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 5)
            self._thread = None
        self.scp.stop()

    def __enter__(self) -> Router:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what the notebook looks at
    def status(self) -> list[dict]:
        """One row per series: instances, state, and for each destination what it got."""
        rows = []
        with self._lock:
            for s in self.series.values():
                row = {"patient": s.patient_id, "series": s.series_uid[-12:], "instances": s.count,
                       "state": s.state}
                for d in self.destinations:
                    dl = s.deliveries.get(d.name)
                    if dl is None:
                        row[d.name] = "-" if s.first and not d.wants(s.first) else "pending"
                    elif len(dl.sent) == s.count:
                        row[d.name] = f"sent {s.count}/{s.count}"
                    elif dl.last_error:
                        wait = max(0.0, dl.next_try - time.monotonic())
                        row[d.name] = (f"waiting ({len(dl.sent)}/{s.count}): {dl.last_error}; "
                                       f"retry {dl.attempts} in {wait:.1f} s")
                    else:
                        row[d.name] = f"sending {len(dl.sent)}/{s.count}"
                if s.handler_error:
                    row["error"] = s.handler_error
                rows.append(row)
        return rows

    def idle(self) -> bool:
        """True when every series was triggered and delivered everywhere it should go."""
        with self._lock:
            return all(s.state in ("done", "handled") for s in self.series.values())

    def wait_until_idle(self, timeout: float = 10) -> bool:
        """Wait until :meth:`idle` (True) or ``timeout`` seconds passed (False)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.series and self.idle():
                return True
            time.sleep(0.02)
        return bool(self.series) and self.idle()

    # -- inside
    def _arrived(self, arrival: Arrival) -> None:
        key = (arrival.patient_id, arrival.study_uid, arrival.series_uid)
        with self._lock:
            s = self.series.get(key)
            if s is None:
                s = self.series[key] = Series(*key, first=arrival)
            if arrival.path not in s.files:
                s.files.append(arrival.path)
            s.last_arrival = time.monotonic()
            s.state = "receiving"

    def _work(self) -> None:
        while not self._stop.wait(0.05):
            with self._lock:
                todo = list(self.series.values())
            for s in todo:
                if self._stop.is_set():
                    return
                try:
                    self._step(s)
                except Exception as exc:  # keep routing the other series
                    s.handler_error = f"{type(exc).__name__}: {exc}"
                    self.log.append(traceback.format_exc())

    def _step(self, s: Series) -> None:
        if s.state == "receiving":
            if not self.complete_when(s):
                return
            s.triggered += 1
            s.state = "complete"
            self.log.append(f"series {s.series_uid} complete with {s.count} instance(s)")
            if self.on_series is not None:
                try:
                    self.on_series(s)
                except Exception as exc:
                    s.handler_error = f"on_series raised {type(exc).__name__}: {exc}"
            for d in self.destinations:
                if s.first is not None and d.wants(s.first):
                    s.deliveries.setdefault(d.name, Delivery())
        if s.state not in ("complete", "forwarding", "waiting"):
            return
        s.state = "forwarding"
        now = time.monotonic()
        for d in self.destinations:
            dl = s.deliveries.get(d.name)
            if dl is None or dl.next_try > now:
                continue
            missing = [p for p in list(s.files) if p not in dl.sent]
            if not missing:
                continue
            report: list[SendResult] = send(missing, d.host, d.port, called_ae=d.called_ae,
                                            calling_ae=self.ae_title, timeout=self.timeout,
                                            progress=False)
            for path, r in zip(missing, report, strict=True):
                if r.ok:
                    dl.sent.add(path)
            failed = [r for r in report if not r.ok]
            if failed:
                dl.attempts += 1
                dl.last_error = failed[0].reason
                delay = min(self.retry_max, self.retry_first * 2 ** (dl.attempts - 1))
                dl.next_try = time.monotonic() + delay
                self.log.append(f"{d.name}: {len(failed)} not sent ({dl.last_error}); "
                                f"retry in {delay:.1f} s")
            else:
                dl.last_error = ""
                self.log.append(f"{d.name}: series {s.series_uid} sent ({len(missing)} file(s))")
        if all(len(dl.sent) == s.count for dl in s.deliveries.values()):
            s.state = "done" if s.deliveries else "handled"
        elif s.state == "forwarding" and any(dl.last_error for dl in s.deliveries.values()):
            s.state = "waiting"


def flow_diagram(boxes: list[tuple[str, str]], arrows: list[str], ax=None, title: str = ""):
    """Boxes left to right (``(name, detail)``) joined by labelled arrows; returns the ``Axes``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = flow_diagram([("Modality", "SCU"), ("PACS", "SCP")], ["C-STORE"])
    >>> [t.get_text().split() for t in ax.texts if t.get_text()]
    [['Modality', 'SCU'], ['PACS', 'SCP'], ['C-STORE']]
    """
    import matplotlib.pyplot as plt

    if len(arrows) != len(boxes) - 1:
        raise ValueError(f"{len(boxes)} boxes need {len(boxes) - 1} arrows, got {len(arrows)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(2.6 * len(boxes), 1.8))
    ax.set_xlim(-1.6, 4 * len(boxes) - 2.4)
    ax.set_ylim(-1, 1)
    ax.axis("off")
    for k, (name, detail) in enumerate(boxes):
        ax.text(4 * k, 0, f"{name}\n{detail}", ha="center", va="center", fontsize=10,
                bbox={"boxstyle": "round,pad=0.5", "fc": "#e8eef7", "ec": "#4a6fa5"})
    for k, label in enumerate(arrows):
        ax.annotate("", xy=(4 * k + 2.6, 0), xytext=(4 * k + 1.4, 0),
                    arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.5})
        ax.text(4 * k + 2, 0.25, label, ha="center", va="bottom", fontsize=8)
    if title:
        ax.set_title(title)
    return ax
