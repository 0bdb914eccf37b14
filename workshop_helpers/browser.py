"""A tag browser: a data set as a searchable, nested table (the slides' meta-data viewer).

The pure part, :func:`dataset_rows`, turns a pydicom ``Dataset`` into rows (tag, keyword, VR, VM,
shortened value, level, nesting depth, link). :func:`filter_rows` searches them and
:func:`rows_to_html` draws them; :func:`tag_browser` puts a search box on top (ipywidgets).

**Levels** come from the modules of PS3.3 that hold each attribute (:data:`MODULES`), not from
the group number: Patient Age (0010,1010) sits in group 0010 with the patient's name, but in the
Patient Study Module (C.7.2.2), so it belongs to the *study*. Attributes of the Equipment and
Frame of Reference IEs are shown at the series level, as the slides do. A standard attribute that
is in none of the modules of the small table counts as *instance* level (in an image IOD all
other modules belong to the Image IE); group 0002 is *file-meta* (PS3.10 7.1), odd groups are
*private* (PS3.5 7.8). Items of a sequence inherit the level of the sequence.

**Links**: dicom.innolitics.com addresses an attribute by IOD, module and tag
(``/ciods/ct-image/image-plane/00200032``), so a tag alone is not enough. We link there when the
object's SOP Class is one of :data:`IODS` and the attribute is in a module of our table that this
IOD has; otherwise to the registry of data elements in PS3.6 (chapter 6; file meta: chapter 7).

Examples
--------
>>> from workshop_helpers.tools import testdata
>>> import pydicom
>>> rows = dataset_rows(pydicom.dcmread(testdata("CT_small.dcm")))
>>> [(r.keyword, r.level) for r in rows if r.keyword in ("PatientName", "PatientAge")]
[('PatientName', 'patient'), ('PatientAge', 'study')]
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pydicom
from pydicom.datadict import keyword_for_tag
from pydicom.multival import MultiValue
from pydicom.tag import ItemTag

if TYPE_CHECKING:
    from ipywidgets import VBox

__all__ = ["Row", "MODULES", "IODS", "LEVELS", "level_of", "dataset_rows", "filter_rows",
           "rows_to_html", "tag_browser", "short_value", "attribute_url", "LEVEL_COLOURS", "CELL_STYLE",
           "LINK_STYLE"]

LEVELS = ("file-meta", "patient", "study", "series", "instance", "private")

# (module, PS3.3 section, innolitics module id, level, keywords). A small table: the modules
# that decide the patient/study/series levels, and the common image modules for links.
_MODULE_TABLE: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("Patient", "C.7.1.1", "patient", "patient", (
        "PatientName", "PatientID", "IssuerOfPatientID", "TypeOfPatientID",
        "IssuerOfPatientIDQualifiersSequence", "PatientBirthDate", "PatientBirthTime",
        "PatientSex", "OtherPatientIDsSequence", "OtherPatientNames", "EthnicGroup",
        "PatientComments", "PatientSpeciesDescription", "PatientBreedDescription",
        "ResponsiblePerson", "ResponsibleOrganization", "PatientIdentityRemoved",
        "DeidentificationMethod", "DeidentificationMethodCodeSequence",
        "ReferencedPatientSequence", "QualityControlSubject")),
    ("Clinical Trial Subject", "C.7.1.3", "clinical-trial-subject", "patient", (
        "ClinicalTrialSponsorName", "ClinicalTrialProtocolID", "ClinicalTrialProtocolName",
        "ClinicalTrialSiteID", "ClinicalTrialSiteName", "ClinicalTrialSubjectID",
        "ClinicalTrialSubjectReadingID")),
    ("General Study", "C.7.2.1", "general-study", "study", (
        "StudyInstanceUID", "StudyDate", "StudyTime", "ReferringPhysicianName",
        "ReferringPhysicianIdentificationSequence", "StudyID", "AccessionNumber",
        "IssuerOfAccessionNumberSequence", "StudyDescription", "PhysiciansOfRecord",
        "NameOfPhysiciansReadingStudy", "ReferencedStudySequence", "ProcedureCodeSequence")),
    ("Patient Study", "C.7.2.2", "patient-study", "study", (
        "AdmittingDiagnosesDescription", "PatientAge", "PatientSize", "PatientWeight",
        "Occupation", "AdditionalPatientHistory", "AdmissionID")),
    ("Clinical Trial Study", "C.7.2.3", "clinical-trial-study", "study", (
        "ClinicalTrialTimePointID", "ClinicalTrialTimePointDescription")),
    ("General Series", "C.7.3.1", "general-series", "series", (
        "Modality", "SeriesInstanceUID", "SeriesNumber", "Laterality", "SeriesDate",
        "SeriesTime", "PerformingPhysicianName", "ProtocolName", "SeriesDescription",
        "OperatorsName", "ReferencedPerformedProcedureStepSequence", "RelatedSeriesSequence",
        "BodyPartExamined", "PatientPosition", "SmallestPixelValueInSeries",
        "LargestPixelValueInSeries", "RequestAttributesSequence", "PerformedProcedureStepID",
        "PerformedProcedureStepStartDate", "PerformedProcedureStepStartTime",
        "PerformedProcedureStepDescription")),
    ("Clinical Trial Series", "C.7.3.2", "clinical-trial-series", "series", (
        "ClinicalTrialCoordinatingCenterName", "ClinicalTrialSeriesID",
        "ClinicalTrialSeriesDescription")),
    ("Frame of Reference", "C.7.4.1", "frame-of-reference", "series", (
        "FrameOfReferenceUID", "PositionReferenceIndicator")),
    ("General Equipment", "C.7.5.1", "general-equipment", "series", (
        "Manufacturer", "InstitutionName", "InstitutionAddress", "StationName",
        "InstitutionalDepartmentName", "ManufacturerModelName", "DeviceSerialNumber",
        "SoftwareVersions", "SpatialResolution", "DateOfLastCalibration",
        "TimeOfLastCalibration", "PixelPaddingValue")),
    ("General Image", "C.7.6.1", "general-image", "instance", (
        "InstanceNumber", "PatientOrientation", "ContentDate", "ContentTime", "ImageType",
        "AcquisitionNumber", "AcquisitionDate", "AcquisitionTime", "DerivationDescription",
        "ImagesInAcquisition", "ImageComments", "LossyImageCompression")),
    ("Image Plane", "C.7.6.2", "image-plane", "instance", (
        "PixelSpacing", "ImageOrientationPatient", "ImagePositionPatient", "SliceThickness",
        "SliceLocation")),
    ("Image Pixel", "C.7.6.3", "image-pixel", "instance", (
        "SamplesPerPixel", "PhotometricInterpretation", "Rows", "Columns", "BitsAllocated",
        "BitsStored", "HighBit", "PixelRepresentation", "PixelData", "PlanarConfiguration",
        "PixelAspectRatio")),
    ("SOP Common", "C.12.1", "sop-common", "instance", (
        "SOPClassUID", "SOPInstanceUID", "SpecificCharacterSet", "InstanceCreationDate",
        "InstanceCreationTime", "InstanceCreatorUID")),
)


@dataclass(frozen=True)
class Module:
    """One module of PS3.3: its name, section, innolitics id and the level it decides."""

    name: str
    section: str
    slug: str
    level: str


MODULES: dict[str, Module] = {
    keyword: Module(name, section, slug, level)
    for name, section, slug, level, keywords in _MODULE_TABLE for keyword in keywords
}
"""Keyword -> the module (of our small table) that holds it."""

_COMMON = {"patient", "clinical-trial-subject", "general-study", "patient-study",
           "clinical-trial-study", "general-series", "clinical-trial-series",
           "general-equipment", "general-image", "image-pixel", "sop-common"}
_CROSS_SECTIONAL = _COMMON | {"frame-of-reference", "image-plane"}

IODS: dict[str, tuple[str, frozenset[str]]] = {
    "1.2.840.10008.5.1.4.1.1.2": ("ct-image", frozenset(_CROSS_SECTIONAL)),   # PS3.3 A.3
    "1.2.840.10008.5.1.4.1.1.4": ("mr-image", frozenset(_CROSS_SECTIONAL)),   # PS3.3 A.4
    "1.2.840.10008.5.1.4.1.1.7": ("secondary-capture-image", frozenset(_COMMON)),  # PS3.3 A.8.1
}
"""SOP Class UID -> (innolitics IOD id, modules of our table that this IOD has)."""

INNOLITICS = "https://dicom.innolitics.com/ciods"
PART06 = "https://dicom.nema.org/medical/dicom/current/output/chtml/part06"
PRIVATE_URL = ("https://dicom.nema.org/medical/dicom/current/output/chtml/part05/"
               "sect_7.8.html")


@dataclass(frozen=True)
class Row:
    """One line of the browser: an attribute, or an item of a sequence (VR ``""``).

    Parameters
    ----------
    tag : str
        ``"(gggg,eeee)"``.
    keyword : str
        The keyword, or a private element's name; ``"Item"`` for an item.
    vr : str
        The VR (``""`` for an item).
    vm : int
        The value multiplicity.
    value : str
        The value, shortened (:func:`short_value`).
    level : str
        One of :data:`LEVELS`.
    depth : int
        The nesting: 0 at the top, +1 for an item, +2 for an element in it.
    module : str
        The PS3.3 module (of our small table) that holds a top-level attribute.
    url : str
        A page about the attribute (:func:`attribute_url`).
    path : tuple of int
        The tags from the top to this element.
    """

    tag: str
    keyword: str
    vr: str
    vm: int
    value: str
    level: str
    depth: int
    module: str = ""
    url: str = ""
    path: tuple[int, ...] = ()


def level_of(tag: int, keyword: str) -> str:
    """The level of a top-level attribute: file-meta, patient, study, series, instance, private.

    Parameters
    ----------
    tag : int
        The attribute's tag, e.g. ``0x00100010``.
    keyword : str
        Its keyword (``""`` for a private one), which finds its module in :data:`MODULES`.

    Returns
    -------
    str
        One of :data:`LEVELS`.

    Examples
    --------
    >>> level_of(0x00100010, "PatientName"), level_of(0x00101010, "PatientAge")
    ('patient', 'study')
    >>> level_of(0x00020010, "TransferSyntaxUID"), level_of(0x00091001, "")
    ('file-meta', 'private')
    """
    group = tag >> 16
    if group == 0x0002:
        return "file-meta"
    if group % 2 == 1:
        return "private"
    module = MODULES.get(keyword)
    return module.level if module else "instance"


def attribute_url(tag: int, keyword: str, sop_class_uid: str = "",
                  parents: tuple[int, ...] = ()) -> str:
    """A page about the attribute: innolitics when IOD and module are known, else PS3.6.

    Parameters
    ----------
    tag : int
        The attribute's tag.
    keyword : str
        Its keyword.
    sop_class_uid : str
        The SOP Class of the data set, which decides the IOD (:data:`IODS`).
    parents : tuple of int
        The tags of the sequences above it, outermost first (``()`` at the top level).

    Returns
    -------
    str
        The address: dicom.innolitics.com, PS3.6 chapter 6 (chapter 7 for file meta), or
        PS3.5 7.8 for a private tag.

    Examples
    --------
    >>> attribute_url(0x00200032, "ImagePositionPatient", "1.2.840.10008.5.1.4.1.1.2")
    'https://dicom.innolitics.com/ciods/ct-image/image-plane/00200032'
    >>> attribute_url(0x00200032, "ImagePositionPatient", "1.2.840.10008.5.1.4.1.1.7")[-14:]
    'chapter_6.html'
    """
    group = tag >> 16
    if group % 2 == 1:
        return PRIVATE_URL
    if group == 0x0002:
        return f"{PART06}/chapter_7.html"
    iod = IODS.get(str(sop_class_uid))
    top = keyword_for_tag(parents[0]) if parents else keyword
    module = MODULES.get(top)
    if iod and module and module.slug in iod[1]:
        steps = "/".join(f"{t:08x}" for t in (*parents, tag))
        return f"{INNOLITICS}/{iod[0]}/{module.slug}/{steps}"
    return f"{PART06}/chapter_6.html"


def short_value(value: Any, vr: str = "", limit: int = 64) -> str:
    r"""A data element's value as one short line of text, for a table or a listing.

    The one value-shortening rule of the package (the browser and :mod:`.private` use it). Two
    look alike and differ on purpose: ``dump`` cuts as dcmdump does, byte for byte, and ``deid``
    shows two characters at most, so that its report leaks nothing.

    Parameters
    ----------
    value : Any
        The element's value: text, a number, a multi-value, bytes, or a sequence's items.
    vr : str
        The element's VR; ``"SQ"`` shows the number of items.
    limit : int
        The most characters shown; a longer text ends in ``…``.

    Returns
    -------
    str
        ``"2 items"``, ``"(no value)"``, ``"1024 bytes: 00 01 … "`` (the first 8 bytes in hex),
        or the value as text, multiple values joined by ``\`` as DICOM writes them.

    Examples
    --------
    >>> short_value("WORKSHOP^01"), short_value([1.5, 2], "DS"), short_value(b"\x00\x01", "OB")
    ('WORKSHOP^01', '1.5\\2', '2 bytes: 00 01')
    >>> short_value("A" * 100, limit=8), short_value([], "SQ"), short_value("")
    ('AAAAAAA…', '0 items', '(no value)')
    """
    if vr == "SQ":
        n = len(value)
        return f"{n} item" + ("" if n == 1 else "s")
    if value is None or value == "" or value == b"":
        return "(no value)"
    if isinstance(value, bytes | bytearray):
        head = " ".join(f"{b:02x}" for b in value[:8])
        return f"{len(value)} bytes: {head}" + (" …" if len(value) > 8 else "")
    if isinstance(value, MultiValue | list | tuple):
        text = "\\".join(map(str, value))
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dataset_rows(ds: pydicom.Dataset, limit: int = 64, include_meta: bool = True) -> list[Row]:
    """The data set as rows, file meta first, sequences followed by their items, nested.

    Values are shortened by :func:`short_value`; pixel data is never decoded.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set (read from a file, or made in memory).
    limit : int
        The most characters of a value shown.
    include_meta : bool
        Whether the File Meta Information (group 0002) comes first.

    Returns
    -------
    list of Row
        One row per attribute and one per sequence item, in order, ``depth`` giving the nesting.

    Examples
    --------
    >>> ds = pydicom.Dataset()
    >>> ds.PatientName = "WORKSHOP^01"
    >>> item = pydicom.Dataset(); item.CodeValue = "121"
    >>> ds.ProcedureCodeSequence = [item]
    >>> [(r.keyword, r.depth, r.level) for r in dataset_rows(ds)]
    [('ProcedureCodeSequence', 0, 'study'), ('Item', 1, 'study'), ('CodeValue', 2, 'study'), ('PatientName', 0, 'patient')]
    """
    sop_class = str(ds.get("SOPClassUID", ""))
    rows: list[Row] = []

    def walk(dataset: pydicom.Dataset, depth: int, level: str | None, parents: tuple[int, ...]):
        for elem in dataset:
            tag = int(elem.tag)
            keyword = elem.keyword or ("" if not elem.is_private else
                                       (elem.name.strip("[]") if elem.name else ""))
            lvl = level or level_of(tag, elem.keyword)
            module = MODULES.get(elem.keyword) if depth == 0 else None
            rows.append(Row(
                tag=str(elem.tag), keyword=keyword, vr=str(elem.VR), vm=int(elem.VM),
                value=short_value(elem.value, elem.VR, limit), level=lvl, depth=depth,
                module=f"{module.name} ({module.section})" if module else "",
                url=attribute_url(tag, elem.keyword, sop_class, parents),
                path=(*parents, tag)))
            if elem.VR == "SQ":
                for n, item in enumerate(elem.value, start=1):
                    rows.append(Row(tag=str(ItemTag), keyword="Item", vr="", vm=1,
                                    value=f"item {n} of {len(elem.value)}", level=lvl,
                                    depth=depth + 1, path=(*parents, tag, int(ItemTag))))
                    walk(item, depth + 2, lvl, (*parents, tag))

    meta = getattr(ds, "file_meta", None)
    if include_meta and meta is not None:
        walk(meta, 0, "file-meta", ())
    walk(ds, 0, None, ())
    return rows


def filter_rows(rows: list[Row], query: str) -> list[Row]:
    """Rows whose tag, keyword or value contain ``query``, with the rows above them.

    The sequences and items above a matching row are kept too, so that the nesting stays
    readable. The search ignores case.

    Parameters
    ----------
    rows : list of Row
        Rows of :func:`dataset_rows`.
    query : str
        Part of a tag (``0010``), a keyword (``UID``) or a value; empty keeps every row.

    Returns
    -------
    list of Row
        The matching rows and their parents, in their order.

    Examples
    --------
    >>> rows = [Row("(0010,0010)", "PatientName", "PN", 1, "A^B", "patient", 0)]
    >>> len(filter_rows(rows, "patient")), len(filter_rows(rows, "0010,0010")), len(filter_rows(rows, "xyz"))
    (1, 1, 0)
    """
    q = query.strip().lower()
    if not q:
        return list(rows)
    keep = [False] * len(rows)
    stack: list[int] = []  # indices of the open rows above the current one
    for i, row in enumerate(rows):
        while stack and rows[stack[-1]].depth >= row.depth:
            stack.pop()
        text = f"{row.tag} {row.keyword} {row.value}".lower()
        if q in text:
            keep[i] = True
            for j in stack:
                keep[j] = True
        stack.append(i)
    return [r for r, k in zip(rows, keep, strict=True) if k]


LEVEL_COLOURS = {"file-meta": "#eeeeee", "patient": "#fde2e2", "study": "#fff1d0",
            "series": "#e2f0d9", "instance": "#dbe9f7", "private": "#ead9f2"}


CELL_STYLE = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"
"""Every cell of the table: room around the text, a thin line under each row."""
LINK_STYLE = "color:#0b5cad;text-decoration:underline;cursor:pointer"
"""Tag links: blue and underlined, like links anywhere (JupyterLab's theme shows a bare ``<a>``
in an HTML widget as plain text)."""


def rows_to_html(rows: list[Row], max_rows: int = 400) -> str:
    """An HTML table of the rows: indented by depth, coloured by level, tags linked.

    Every cell has :data:`CELL_STYLE`; the tag cell is indented 14 px per level of nesting, and a
    tag with a page about it is a link styled :data:`LINK_STYLE`.

    Parameters
    ----------
    rows : list of Row
        Rows of :func:`dataset_rows` or :func:`filter_rows`.
    max_rows : int
        The most rows drawn; a last line says how many more there are.

    Returns
    -------
    str
        The ``<table>``, e.g. for ``IPython.display.HTML``.

    Examples
    --------
    >>> "<table" in rows_to_html([Row("(0010,0010)", "PatientName", "PN", 1, "A^B", "patient", 0)])
    True
    """
    td = f'<td style="{CELL_STYLE}">'
    th = f'<th style="{CELL_STYLE}">'
    out = ['<table style="border-collapse:collapse;font-family:monospace;font-size:12px">',
           "<tr>" + "".join(f"{th}{name}</th>" for name in
                            ("tag", "keyword", "VR", "VM", "value", "level")) + "</tr>"]
    for row in rows[:max_rows]:
        pad = row.depth * 14
        tag = (f'<a href="{html.escape(row.url)}" target="_blank" rel="noopener" '
               f'style="{LINK_STYLE}">{row.tag}</a>' if row.url else row.tag)
        title = html.escape(row.module or row.level)
        out.append(
            f'<tr style="background:{LEVEL_COLOURS.get(row.level, "#fff")}">'
            f'<td style="{CELL_STYLE};padding-left:{pad + 8}px">{tag}</td>'
            f"{td}{html.escape(row.keyword)}</td>{td}{row.vr}</td>"
            f"{td}{row.vm if row.vr else ''}</td>{td}{html.escape(row.value)}</td>"
            f'<td style="{CELL_STYLE}" title="{title}">{row.level}</td></tr>')
    if len(rows) > max_rows:
        out.append(f'<tr><td colspan=6 style="{CELL_STYLE}">… {len(rows) - max_rows} more rows: '
                   "narrow the search</td></tr>")
    out.append("</table>")
    return "\n".join(out)


def tag_browser(ds: pydicom.Dataset, query: str = "") -> VBox:
    """An ipywidgets box: a search field over a nested table of the data set.

    Type part of a tag (``0010``), a keyword (``UID``) or a value (``CT``) to filter.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The data set to browse.
    query : str
        What the search field holds at first.

    Returns
    -------
    ipywidgets.VBox
        The search field and its count above the table; shown when it is a cell's last value.
    """
    import ipywidgets as widgets  # noqa: PLC0415 - the command line imports this module (private)

    rows = dataset_rows(ds)
    search = widgets.Text(value=query, placeholder="tag, keyword or value, e.g. UID",
                          description="search", continuous_update=True)
    count = widgets.Label()
    table = widgets.HTML()

    def update(_=None):
        shown = filter_rows(rows, search.value)
        count.value = f"{len(shown)} of {len(rows)} rows"
        table.value = rows_to_html(shown)

    search.observe(update, names="value")
    update()
    return widgets.VBox([widgets.HBox([search, count]), table])
