"""What a router knows: where it forwards (:class:`Destination`), each series and how far it got.

Also :class:`DeadLetter`, an instance a destination refused for good, and :func:`quiet_for`, the
default trigger ("complete when nothing new came for a while").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from ..net import Arrival

__all__ = ["Destination", "Series", "Delivery", "DeadLetter", "quiet_for"]


@dataclass(frozen=True)
class Destination:
    """Where a router forwards series: a storage SCP's address and AE title.

    ``match`` is an optional declarative rule: a series goes to this destination only when every
    key (``calling_ae``, ``patient_id``, ``study_uid``, ``series_uid``, ``sop_class_uid``) has the
    given value in the series' first instance, e.g. ``{"calling_ae": "CT01"}``.

    Parameters
    ----------
    host : str
        The storage SCP's address.
    port : int
        Its port.
    called_ae : str
        Its AE title.
    match : dict or tuple of (str, str), optional
        The rule; None forwards every series.

    Examples
    --------
    >>> d = Destination("127.0.0.1", 104, "PACS", match={"calling_ae": "CT01"})
    >>> d.name
    'PACS@127.0.0.1:104'
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
    """How far one series got to one destination: ticket names waiting, sent and dead.

    Parameters
    ----------
    waiting, sent, dead : set of str
        Ticket names in each state.
    reason : str
        Why the last dead letter died.
    """

    waiting: set[str] = field(default_factory=set)
    sent: set[str] = field(default_factory=set)
    dead: set[str] = field(default_factory=set)
    reason: str = ""  # why the last dead letter died

    @property
    def total(self) -> int:
        """Instances this destination should get."""
        return len(self.waiting) + len(self.sent) + len(self.dead)


@dataclass
class Series:
    """Everything a router knows about one series.

    Parameters
    ----------
    patient_id, study_uid, series_uid : str
        What identifies the series.
    files : list of pathlib.Path
        The instance files received, in order of arrival.
    first : Arrival, optional
        The first instance's arrival (calling AE title, identifiers), for the rules.
    last_arrival : float
        ``time.monotonic()`` of the last instance.
    triggered : int
        How many times the trigger fired (a late instance re-opens a series).
    state : str
        receiving, complete, forwarding, waiting, done, handled or failed.
    deliveries : dict of str to Delivery
        Destination name -> how far the series got there.
    handler_error : str
        What ``on_series`` or ``complete_when`` raised, if anything.
    number : int
        The order of first arrival, for the status table.

    Examples
    --------
    >>> import time
    >>> s = Series("P", "1.2", "1.2.3", files=["a.dcm", "b.dcm"], last_arrival=time.monotonic())
    >>> s.count, s.quiet < 5
    (2, True)
    """

    patient_id: str
    study_uid: str
    series_uid: str
    files: list[Path] = field(default_factory=list)
    first: Arrival | None = None
    last_arrival: float = 0.0
    triggered: int = 0  # how many times the trigger fired (a late instance re-opens a series)
    state: str = "receiving"  # receiving, complete, forwarding, waiting, done, handled, failed
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    handler_error: str = ""
    number: int = 0  # order of first arrival, for the status table
    _paths: set = field(default_factory=set, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._paths = set(self.files)

    @property
    def key(self) -> tuple[str, str, str]:
        """``(patient_id, study_uid, series_uid)``."""
        return (self.patient_id, self.study_uid, self.series_uid)

    @property
    def count(self) -> int:
        """Number of instances received."""
        return len(self.files)

    @property
    def quiet(self) -> float:
        """Seconds since the last instance arrived."""
        return time.monotonic() - self.last_arrival

    def add(self, path: Path) -> None:
        """Remember an instance file (a re-sent one is counted once)."""
        if path not in self._paths:
            self._paths.add(path)
            self.files.append(path)

    def copy(self) -> Series:
        """A copy that the router's threads do not change (its lists and sets copied too)."""
        deliveries = {name: replace(d, waiting=set(d.waiting), sent=set(d.sent), dead=set(d.dead))
                      for name, d in self.deliveries.items()}
        return replace(self, files=list(self.files), deliveries=deliveries)


class DeadLetter(NamedTuple):
    """An instance a destination refused for good, and why.

    Parameters
    ----------
    destination : str
        The destination's name, ``AE@host:port``.
    instance : str
        The SOP Instance UID.
    reason : str
        Why it was refused, with the status.
    path : pathlib.Path
        The instance file.
    """

    destination: str
    instance: str  # SOP Instance UID
    reason: str
    path: Path


def quiet_for(seconds: float) -> Callable[[Series], bool]:
    """A trigger: the series is complete when nothing new came for ``seconds``.

    Parameters
    ----------
    seconds : float
        How long the series must have been quiet.

    Returns
    -------
    callable
        ``complete(series) -> bool``, for ``Router(complete_when=...)``. Its attribute
        ``quiet_seconds`` tells the router when to look again (a trigger without one is asked
        every 0.05 s while a series is arriving).

    Examples
    --------
    >>> import time
    >>> s = Series("P", "1.2", "1.2.3", last_arrival=time.monotonic() - 5)
    >>> quiet_for(2)(s), quiet_for(10)(s)
    (True, False)
    """
    def complete(series: Series) -> bool:
        return series.quiet >= seconds

    complete.__name__ = f"quiet_for_{seconds:g}s"
    complete.quiet_seconds = seconds  # the router looks again exactly when that much has passed
    return complete
