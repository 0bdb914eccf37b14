"""What a query or retrieve brought back: :class:`FindResult` and :class:`RetrieveResult`.

Each holds the final status (in words: ``.status_text``), the counts or matches, and prints as a
short table and one line saying what happened (``.table()``, ``.message()``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydicom import Dataset

from ..net import table_text
from .identifiers import MODEL_NAMES
from .status import QueryRetrieveError, status_text

# ----------------------------------------------------------------------------- results

@dataclass
class FindResult:
    """What a C-FIND brought: the matches (pydicom data sets) and the final status.

    Attributes
    ----------
    status : int
        The final status (0x0000: the query completed, with or without matches).
    matches : list of pydicom.dataset.Dataset
        The identifier of each pending response that carried one.
    pending : dict of int to int
        How many pending responses of each status (0xFF00, 0xFF01).
    comment : str
        The Error Comment of the final response, if any.
    seconds : float
        From the association request to the final response.
    model : str
        ``"study"`` or ``"patient"``.
    """

    status: int
    matches: list[Dataset] = field(default_factory=list)
    pending: dict[int, int] = field(default_factory=dict)  # status -> how many responses
    comment: str = ""
    seconds: float = 0.0
    model: str = "study"

    @property
    def ok(self) -> bool:
        """True when the query completed (even with no match)."""
        return self.status == 0x0000

    @property
    def status_text(self) -> str:
        """The final status in words."""
        return status_text(self.status, "find")

    def message(self) -> str:
        """One line: what happened."""
        text = (f"C-FIND ({MODEL_NAMES[self.model]}): {len(self.matches)} match(es), "
                f"final status 0x{self.status:04X} {self.status_text}")
        if 0xFF01 in self.pending:
            text += f"; {self.pending[0xFF01]} match(es) said " + status_text(0xFF01)
        return text + (f"; the PACS says: {self.comment}" if self.comment else "")

    def rows(self) -> list[dict]:
        """The matches as dicts ``{keyword: value}`` (without the QueryRetrieveLevel)."""
        return [{e.keyword or str(e.tag): "" if e.value is None else str(e.value)
                 for e in ds if e.keyword not in ("QueryRetrieveLevel", "SpecificCharacterSet")}
                for ds in self.matches]

    def table(self) -> str:
        """A short readable table of the matches."""
        return table_text(self.rows(), width=64)

    def to_json(self) -> str:
        """The matches as one JSON array in the DICOM JSON model (PS3.18 F.2)."""
        return json.dumps([ds.to_json_dict() for ds in self.matches])

    def __str__(self) -> str:
        return self.table() + "\n" + self.message()


@dataclass
class RetrieveResult:
    """What a C-MOVE or C-GET did: the counts of its sub-operations and the files received.

    Attributes
    ----------
    service : str
        ``"move"`` or ``"get"``.
    status : int
        The final status.
    completed, failed, warning, remaining : int
        Numbers of sub-operations (one per instance), from the final response.
    files : list of pathlib.Path
        What was stored here (by our receiver).
    comment : str
        The Error Comment of the final response, if any.
    destination : str
        The Move Destination (C-MOVE).
    failed_uids : list of str
        The Failed SOP Instance UID List of the final response.
    seconds : float
        From the association request to the final response.
    hint : str
        What most likely went wrong, when something did.
    """

    service: str
    status: int
    completed: int = 0
    failed: int = 0
    warning: int = 0
    remaining: int = 0
    files: list[Path] = field(default_factory=list)
    comment: str = ""
    destination: str = ""
    failed_uids: list[str] = field(default_factory=list)
    seconds: float = 0.0
    hint: str = ""

    @property
    def ok(self) -> bool:
        """True when every sub-operation completed (final status Success, none failed)."""
        return self.status == 0x0000 and self.failed == 0

    @property
    def status_text(self) -> str:
        """The final status in words."""
        return status_text(self.status, self.service)

    def message(self) -> str:
        """One line: counts, status in words, and what is likely wrong when it failed."""
        name = "C-MOVE to " + repr(self.destination) if self.service == "move" else "C-GET"
        text = (f"{name}: {self.completed} completed, {self.failed} failed, {self.warning} "
                f"warning; final status 0x{self.status:04X} {self.status_text}")
        if self.comment:
            text += f"; the PACS says: {self.comment}"
        if self.hint:
            text += f" - {self.hint}"
        return text

    def rows(self) -> list[dict]:
        """One row per file received."""
        return [{"series": p.parent.name, "instance": p.stem, "bytes": p.stat().st_size,
                 "file": str(p)} for p in self.files if p.exists()]

    def table(self) -> str:
        """A short readable table of what arrived."""
        return table_text(self.rows(), columns=["series", "instance", "bytes"], width=64)

    def raise_for_status(self) -> RetrieveResult:
        """Raise :class:`QueryRetrieveError` with :meth:`message` unless :attr:`ok`."""
        if not self.ok:
            raise QueryRetrieveError(self.message(), self.status)
        return self

    def __str__(self) -> str:
        return self.table() + "\n" + self.message()
