"""The instance archive: Part-10 files in the blob store, their attributes in the index tables."""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, cast, overload

from pydicom.datadict import keyword_for_tag, tag_for_keyword
from pydicom.dataset import Dataset
from sqlalchemy import Select, Table, and_, bindparam, delete, func, insert, literal_column, select, update

from mockservers.core import prepared
from mockservers.core.runtime import Context
from mockservers.dicom import dicomjson, validation
from mockservers.dicom.attributes import text
from mockservers.dicom.errors import INSTANCE_NOT_FOUND, SERIES_NOT_FOUND, STUDY_NOT_FOUND, not_found
from mockservers.dicom.examined import Examined, examine
from mockservers.dicom.face import IMPLICIT_VR_LE, Face
from mockservers.dicom.models import DicomInstance, DicomSeries, DicomStudy
from mockservers.dicom.part10 import inflate_limit
from mockservers.dicom.uids import is_valid_uid

# FailureReason / WarningReason values (PS3.18 Table I.2-1 and the msdicom conformance statement)
PROCESSING_FAILURE = 272
VALIDATION_FAILURE = 43264
STUDY_MISMATCH = 43265
ALREADY_EXISTS = 45070
BEING_STORED = 45071
COERCED_OR_INVALID = 45063
HAS_WARNINGS = 1  # WarningReasonCodes.DatasetHasValidationWarnings (msdicom v2)

_MAX_LENGTH = {"AE": 16, "CS": 16, "SH": 16, "LO": 64, "PN": 64 * 5, "UI": 64, "DA": 8, "TM": 16}


@overload
def normalize_name(value: str) -> str: ...
@overload
def normalize_name(value: str | None) -> str | None: ...
def normalize_name(value: str | None) -> str | None:
    """Case and accents ignored, name components separated by single spaces."""
    if value is None:
        return None
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    return re.sub(r"[\s^=]+", " ", text).strip()


def _valid_date(value: str | None) -> bool:
    return value is None or (
        len(value) == 8 and value.isdigit() and "01" <= value[4:6] <= "12" and "01" <= value[6:8] <= "31"
    )


@functools.lru_cache(maxsize=16)
def _tags(keywords: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    return tuple((kw, tag) for kw in keywords if (tag := tag_for_keyword(kw)) is not None)


def invalid_searchable(ds: Dataset, keywords: tuple[str, ...]) -> list[str]:
    """Searchable attributes whose value breaks its VR (bad date, too long)."""
    bad = []
    for kw, tag in _tags(keywords):
        if tag not in ds:
            continue
        elem = ds[tag]
        if elem.VR != "DA" and elem.VR not in _MAX_LENGTH:
            continue
        value = text(ds, kw)
        if value is None:
            continue
        if (elem.VR == "DA" and not _valid_date(value)) or (
            elem.VR in _MAX_LENGTH and len(value) > _MAX_LENGTH[elem.VR]
        ):
            bad.append(kw)
    return bad


def _uid(file: Examined, keyword: str) -> str | None:
    """A UID as the index keeps it: trailing spaces dropped (the server's SQL compares strings without them)."""
    value = file.text(keyword)
    return value.rstrip(" ") if value is not None else None


# What AddInstanceV6.sql updates in a study or series that exists ("Latest wins"): column <- keyword
STUDY_LATEST = {
    "patient_id": "PatientID",
    "patient_name": "PatientName",
    "patient_birth_date": "PatientBirthDate",
    "referring_physician_name": "ReferringPhysicianName",
    "study_date": "StudyDate",
    "study_description": "StudyDescription",
    "accession_number": "AccessionNumber",
}
SERIES_LATEST = {
    "modality": "Modality",
    "pps_start_date": "PerformedProcedureStepStartDate",
    "manufacturer_model_name": "ManufacturerModelName",
}


def _take_latest(row: dict[str, Any], columns: dict[str, str], value_of) -> None:
    """A new instance's non-empty values replace its study's or series' (the others stay)."""
    for column, keyword in columns.items():
        value = value_of(keyword)
        if value and row[column] != value:
            row[column] = value
            if column in ("patient_name", "referring_physician_name"):
                row[column + "_norm"] = normalize_name(value)


@dataclass
class Outcome:
    sop_class: str | None
    sop_uid: str | None
    stored: bool
    reason: int | None = None  # FailureReason when not stored, WarningReason when stored with a warning
    detail: str = ""
    study_uid: str | None = None
    series_uid: str | None = None
    warnings: list[str] = field(default_factory=list)
    comments: list[str] | None = None  # FailedAttributesSequence's ErrorComments; None: no such sequence


# The lookups on every WADO and STOW request, built once: building a select costs more than running it.
_STUDY = select(DicomStudy).where(DicomStudy.face == bindparam("face"), DicomStudy.study_uid == bindparam("study"))
_SERIES = select(DicomSeries).where(
    DicomSeries.face == bindparam("face"),
    DicomSeries.study_uid == bindparam("study"),
    DicomSeries.series_uid == bindparam("series"),
)
_INSTANCE_ID = select(DicomInstance.id).where(
    DicomInstance.face == bindparam("face"), DicomInstance.sop_uid == bindparam("sop")
)
_EXISTING = select(DicomInstance.sop_uid).where(
    DicomInstance.face == bindparam("face"), DicomInstance.sop_uid.in_(bindparam("sops", expanding=True))
)
# What a STOW reads of a study or series it stores into, and writes back (by face and UID): Core rows, not ORM
# objects, which cost a third of a one-instance STOW to load, track and flush.
_STUDIES, _SERIES_TABLE = cast(Table, DicomStudy.__table__), cast(Table, DicomSeries.__table__)
_STUDY_CHANGES = (
    *STUDY_LATEST,
    "patient_name_norm",
    "referring_physician_name_norm",
    "modalities",
    "n_series",
    "n_instances",
)
_SERIES_CHANGES = (*SERIES_LATEST, "n_instances")
_STUDY_STATE = select(*(_STUDIES.c[c] for c in _STUDY_CHANGES)).where(
    _STUDIES.c.face == bindparam("face"), _STUDIES.c.study_uid == bindparam("study")
)
_SERIES_STATE = select(*(_SERIES_TABLE.c[c] for c in _SERIES_CHANGES)).where(
    _SERIES_TABLE.c.face == bindparam("face"),
    _SERIES_TABLE.c.study_uid == bindparam("study"),
    _SERIES_TABLE.c.series_uid == bindparam("series"),
)
_SERIES_MODALITIES = select(_SERIES_TABLE.c.series_uid, _SERIES_TABLE.c.modality).where(
    _SERIES_TABLE.c.face == bindparam("face"), _SERIES_TABLE.c.study_uid == bindparam("study")
)
_UPDATE_STUDY = (
    update(_STUDIES)
    .where(_STUDIES.c.face == bindparam("b_face"), _STUDIES.c.study_uid == bindparam("b_study"))
    .values({c: bindparam(c) for c in _STUDY_CHANGES})
)
_UPDATE_SERIES = (
    update(_SERIES_TABLE)
    .where(
        _SERIES_TABLE.c.face == bindparam("b_face"),
        _SERIES_TABLE.c.study_uid == bindparam("b_study"),
        _SERIES_TABLE.c.series_uid == bindparam("b_series"),
    )
    .values({c: bindparam(c) for c in _SERIES_CHANGES})
)
_INSERT_STUDY, _INSERT_SERIES = insert(_STUDIES), insert(_SERIES_TABLE)
# A one-instance STOW's lookups in one query (not three): whether the instance exists, its study's and its series'
# state (NULLs: none). A study has a non-null n_series, a series a non-null n_instances.
_ST, _SE = _STUDIES.alias("st"), _SERIES_TABLE.alias("se")
_ONE_INSTANCE = select(
    select(DicomInstance.id)
    .where(DicomInstance.face == bindparam("face"), DicomInstance.sop_uid == bindparam("sop"))
    .scalar_subquery()
    .label("instance"),
    *(_ST.c[c].label("st_" + c) for c in _STUDY_CHANGES),
    *(_SE.c[c].label("se_" + c) for c in _SERIES_CHANGES),
).select_from(
    select(literal_column("1").label("one"))
    .subquery("one")
    .outerjoin(_ST, and_(_ST.c.face == bindparam("face"), _ST.c.study_uid == bindparam("study")))
    .outerjoin(
        _SE,
        and_(
            _SE.c.face == bindparam("face"),
            _SE.c.study_uid == bindparam("study"),
            _SE.c.series_uid == bindparam("series"),
        ),
    )
)
_INSERT_INSTANCE = insert(cast(Table, DicomInstance.__table__))


def _under(*selected) -> dict[str, Select]:
    """The selects of the instances under a study, a series and one instance, in series then instance order."""
    of_study = (
        select(*selected)
        .where(DicomInstance.face == bindparam("face"), DicomInstance.study_uid == bindparam("study"))
        .order_by(DicomInstance.series_uid, DicomInstance.instance_number, DicomInstance.seq)
    )
    of_series = of_study.where(DicomInstance.series_uid == bindparam("series"))
    return {
        "study": of_study,
        "series": of_series,
        "instance": of_series.where(DicomInstance.sop_uid == bindparam("sop")),
    }


_INSTANCES_UNDER = _under(DicomInstance)
# The same, for reads whose rows are only read (WADO): without the ORM (core/prepared.py); without metadata_json, the
# columns the ORM rows load
_INSTANCE_COLUMNS = DicomInstance.__table__.columns
_READS_UNDER = {
    with_metadata: {
        level: prepared.Statement(stmt)
        for level, stmt in _under(*(c for c in _INSTANCE_COLUMNS if with_metadata or c.name != "metadata_json")).items()
    }
    for with_metadata in (False, True)
}


def _level(series: str | None, sop: str | None) -> str:
    return "study" if series is None else "series" if sop is None else "instance"


class Archive:
    """One request's view of a face's instances. Stored instances are written by write_pending(), all at once."""

    def __init__(self, ctx: Context, face: Face, planned: int = 1):
        self.ctx = ctx
        self.db = ctx.db
        self.face = face
        self.key = face.key
        # a STOW's studies and series, looked up once, as rows to write (write_pending); the new ones' keys
        self._studies_stored_into: dict[str, dict[str, Any]] = {}
        self._series_stored_into: dict[tuple[str, str], dict[str, Any]] = {}
        self._new: set[str | tuple[str, str]] = set()
        self._pending: list[dict] = []  # instance rows stored by this request, not written yet
        self._seq_block = max(1, planned)  # sequence numbers are taken that many at a time
        self._seq_next = self._seq_last = 0
        self._looked_up: set[str] = set()  # SOP Instance UIDs looked up at once (look_up), and of those
        self._existing: set[str] = set()  # the ones stored already
        # a one-instance STOW's study and series as look_up found them (None: none), until _index takes them
        self._found: dict[str | tuple[str, str], dict[str, Any] | None] = {}

    def look_up(self, files: list[Examined]) -> None:
        """Which of a STOW's instances exist already, in one query (not one each as store() checks them); for one
        instance, its study and series as well."""
        if len(files) == 1 and self._look_up_one(files[0]):
            return
        uids = sorted({uid for f in files if f.ds is not None and (uid := _uid(f, "SOPInstanceUID"))})
        for i in range(0, len(uids), 500):
            chunk = uids[i : i + 500]
            with self.db.no_autoflush:
                self._existing.update(self.db.scalars(_EXISTING, {"face": self.key, "sops": chunk}))
            self._looked_up.update(chunk)

    def _look_up_one(self, file: Examined) -> bool:
        """Whether the one instance exists, and its study's and series' state, in one query (False: its UIDs are
        not all there to look up, store() refuses it)."""
        if file.ds is None:
            return False
        sop, study, series = (_uid(file, kw) for kw in ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID"))
        if not (sop and study and series):
            return False
        row = (
            self.db.connection()
            .execute(_ONE_INSTANCE, {"face": self.key, "sop": sop, "study": study, "series": series})
            .one()
            ._asdict()
        )
        self._looked_up.add(sop)
        if row["instance"] is not None:
            self._existing.add(sop)
        self._found[study] = {c: row["st_" + c] for c in _STUDY_CHANGES} if row["st_n_series"] is not None else None
        self._found[(study, series)] = (
            {c: row["se_" + c] for c in _SERIES_CHANGES} if row["se_n_instances"] is not None else None
        )
        return True

    # ---- storing ---------------------------------------------------------------------------

    def store(self, file: bytes | Examined, study_in_path: str | None, seen: set[str]) -> Outcome:
        """Store one Part-10 file; never raises for a bad file, the Outcome says why it failed."""
        examined = file if isinstance(file, Examined) else examine(file, inflate_limit(self.ctx.runtime.settings))
        if examined.error is not None:
            return Outcome(None, None, False, PROCESSING_FAILURE, examined.error)
        ds = examined.ds
        assert ds is not None  # examine() reads a data set whenever it finds no error
        sop_class = examined.text("SOPClassUID") or text(getattr(ds, "file_meta", Dataset()), "MediaStorageSOPClassUID")
        sop_uid = _uid(examined, "SOPInstanceUID")
        outcome = Outcome(
            sop_class,
            sop_uid,
            False,
            study_uid=_uid(examined, "StudyInstanceUID"),
            series_uid=_uid(examined, "SeriesInstanceUID"),
        )
        dropped: list[int] = []  # the attributes left out of the metadata and the index
        warned: list[str] | None = None
        if self.face.validation is not None:
            problems = validation.check(examined.raw, study_in_path, lenient=self.face.validation == "lenient")
            if problems.refused:
                outcome.comments = list(problems.comments.values())
                return self._fail(outcome, VALIDATION_FAILURE, "; ".join(outcome.comments))
            dropped = problems.dropped()
            skip = {keyword_for_tag(tag) or str(tag) for tag in dropped}
            if self.face.validation == "lenient":  # v2: a stored instance's warnings, none or some
                warned = list(problems.comments.values())
        else:
            refused = self._generic_checks(ds, outcome, study_in_path)
            if refused is not None:
                return refused
            skip = set(invalid_searchable(ds, tuple(a for level in self.face.queryable.values() for a in level)))
            if skip and self.face.searchable_invalid_fails:
                return self._fail(outcome, VALIDATION_FAILURE, f"invalid value in {', '.join(sorted(skip))}")
            if skip:
                outcome.warnings.append(f"invalid value in {', '.join(sorted(skip))}: stored, not searchable by it")
        study_uid, series_uid = outcome.study_uid, outcome.series_uid
        assert study_uid and series_uid and sop_uid  # the checks above found them valid UIDs
        if sop_uid in seen:
            return self._fail(outcome, BEING_STORED, "the same instance is being stored by this request")
        if self._instance_exists(sop_uid):
            return self._fail(outcome, ALREADY_EXISTS, "the instance already exists")
        if examined.meta_error is not None:
            return self._fail(outcome, PROCESSING_FAILURE, examined.meta_error)
        assert examined.meta is not None  # examine() gives the DICOM JSON or why it has none
        meta = examined.meta
        kept = validation.null_padded(examined.raw) if self.face.validation is not None else {}
        if dropped or kept:  # msdicom: the attributes v2 warned of left out (the file keeps them), nulls kept
            keys = {f"{tag:08X}" for tag in dropped}
            attributes = {k: v for k, v in json.loads(meta).items() if k not in keys}
            for key, values in kept.items():
                if key in attributes:
                    attributes[key] = {**attributes[key], "Value": values}
            meta = dicomjson.dumps(attributes)
        ts = str(ds.file_meta.TransferSyntaxUID)
        if ts == IMPLICIT_VR_LE and self.face.implicit_vr_warns:
            outcome.warnings.append("implicit VR little endian: stored as is")
        self._index(examined, ts, meta, study_uid, series_uid, skip=skip)
        seen.add(sop_uid)
        outcome.stored, outcome.comments = True, warned
        outcome.reason = COERCED_OR_INVALID if outcome.warnings else HAS_WARNINGS if outcome.comments else None
        outcome.detail = "; ".join(outcome.warnings + (outcome.comments or []))
        return outcome

    def _generic_checks(self, ds: Dataset, outcome: Outcome, study_in_path: str | None) -> Outcome | None:
        """A server without the Microsoft server's own validation: the face's required attributes, strict UIDs,
        the study of the URL (43265)."""
        missing = [kw for kw in self.face.required if not text(ds, kw)]
        if missing:
            return self._fail(outcome, VALIDATION_FAILURE, f"missing required attribute(s): {', '.join(missing)}")
        for kw in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "SOPClassUID"):
            if not is_valid_uid(text(ds, kw)):
                return self._fail(outcome, VALIDATION_FAILURE, f"{kw} '{text(ds, kw)}' is not a valid UID")
        if study_in_path and outcome.study_uid != study_in_path:
            return self._fail(
                outcome, STUDY_MISMATCH, f"StudyInstanceUID {outcome.study_uid} does not match the study in the URL"
            )
        return None

    def refuse(self, file: bytes | Examined, reason: int, detail: str) -> Outcome:
        """A part failed on purpose (a fault rule): its UIDs, if readable, and the given FailureReason."""
        examined = file if isinstance(file, Examined) else examine(file, inflate_limit(self.ctx.runtime.settings))
        if examined.error is not None:
            return Outcome(None, None, False, PROCESSING_FAILURE, examined.error)
        ds = examined.ds
        assert ds is not None  # examine() reads a data set whenever it finds no error
        sop_class = text(ds, "SOPClassUID") or text(getattr(ds, "file_meta", Dataset()), "MediaStorageSOPClassUID")
        return Outcome(
            sop_class,
            text(ds, "SOPInstanceUID"),
            False,
            reason,
            detail,
            study_uid=text(ds, "StudyInstanceUID"),
            series_uid=text(ds, "SeriesInstanceUID"),
        )

    @staticmethod
    def _fail(outcome: Outcome, reason: int, detail: str) -> Outcome:
        outcome.reason, outcome.detail = reason, detail
        return outcome

    def _index(self, file: Examined, ts: str, meta: str, study_uid: str, series_uid: str, skip: set[str]) -> None:
        def t(kw: str) -> str | None:
            return None if kw in skip else file.text(kw)

        data = file.data

        now = self.ctx.now
        seq = self._next_seq()
        conn = self.db.connection()
        study = self._studies_stored_into.get(study_uid)
        if study is None and study_uid in self._found:
            study = self._found.pop(study_uid)
        elif study is None:
            found = conn.execute(_STUDY_STATE, {"face": self.key, "study": study_uid}).first()
            study = found._asdict() if found is not None else None
        if study is not None and self.face.latest_wins:
            _take_latest(study, STUDY_LATEST, t)
        if study is None:
            study = dict(
                face=self.key,
                study_uid=study_uid,
                specific_charset=t("SpecificCharacterSet"),
                patient_name=t("PatientName"),
                patient_name_norm=normalize_name(t("PatientName")),
                patient_id=t("PatientID"),
                patient_birth_date=t("PatientBirthDate"),
                patient_sex=t("PatientSex"),
                accession_number=t("AccessionNumber"),
                referring_physician_name=t("ReferringPhysicianName"),
                referring_physician_name_norm=normalize_name(t("ReferringPhysicianName")),
                study_date=t("StudyDate"),
                study_time=t("StudyTime"),
                study_description=t("StudyDescription"),
                study_id=t("StudyID"),
                institution_name=t("InstitutionName"),
                protocol_name=t("ProtocolName"),
                timezone_offset=t("TimezoneOffsetFromUTC"),
                modalities="",
                n_series=0,
                n_instances=0,
                seq=seq,
                created_at=now,
            )
            self._new.add(study_uid)
        series_key = (study_uid, series_uid)
        series = self._series_stored_into.get(series_key)
        if series is None and series_key in self._found:
            series = self._found.pop(series_key)
        elif series is None and study_uid not in self._new:  # a new study has no series yet
            found = conn.execute(_SERIES_STATE, {"face": self.key, "study": study_uid, "series": series_uid}).first()
            series = found._asdict() if found is not None else None
        if series is not None and self.face.latest_wins:
            modality = series["modality"]
            _take_latest(series, SERIES_LATEST, t)
            if series["modality"] != modality:  # the study's ModalitiesInStudy follows its series'
                self._series_stored_into[series_key] = series
                study["modalities"] = self._modalities_of(study_uid)
        if series is None:
            series = dict(
                face=self.key,
                study_uid=study_uid,
                series_uid=series_uid,
                modality=t("Modality"),
                manufacturer=t("Manufacturer"),
                manufacturer_model_name=t("ManufacturerModelName"),
                body_part_examined=t("BodyPartExamined"),
                series_date=t("SeriesDate"),
                series_description=t("SeriesDescription"),
                station_name=t("StationName"),
                series_number=file.integer("SeriesNumber"),
                pps_start_date=t("PerformedProcedureStepStartDate"),
                pps_start_time=t("PerformedProcedureStepStartTime"),
                timezone_offset=t("TimezoneOffsetFromUTC"),
                n_instances=0,
                seq=seq,
            )
            self._new.add(series_key)
            study["n_series"] += 1
            modalities = set(filter(None, study["modalities"].split("\\")))
            if series["modality"] is not None:
                modalities.add(series["modality"])
            study["modalities"] = "\\".join(sorted(modalities))
        series["n_instances"] += 1
        study["n_instances"] += 1
        self._studies_stored_into[study_uid], self._series_stored_into[series_key] = study, series
        self._pending.append(
            dict(
                face=self.key,
                study_uid=study_uid,
                series_uid=series_uid,
                sop_uid=file.text("SOPInstanceUID"),
                sop_class_uid=file.text("SOPClassUID"),
                transfer_syntax=ts,
                instance_number=file.integer("InstanceNumber"),
                rows=file.integer("Rows"),
                columns=file.integer("Columns"),
                bits_allocated=file.integer("BitsAllocated"),
                number_of_frames=file.integer("NumberOfFrames"),
                timezone_offset=t("TimezoneOffsetFromUTC"),
                blob=self.ctx.blobs.put(data, file.key, staged=file.staged),
                size=len(data),
                seq=seq,
                created_at=now,
                metadata_json=meta,
            )
        )

    def _modalities_of(self, study_uid: str) -> str:
        """ModalitiesInStudy from its series: as stored, and as this request changes or adds them."""
        rows = self.db.connection().execute(_SERIES_MODALITIES, {"face": self.key, "study": study_uid})
        modality: dict[str, str | None] = {row.series_uid: row.modality for row in rows}
        for (study, series_uid), series in self._series_stored_into.items():
            if study == study_uid:
                modality[series_uid] = series["modality"]
        return "\\".join(sorted({m for m in modality.values() if m}))

    def _next_seq(self) -> int:
        if self._seq_next == self._seq_last:
            self._seq_last = self.ctx.counter("dicom_seq", self._seq_block)
            self._seq_next = self._seq_last - self._seq_block
        self._seq_next += 1
        return self._seq_next

    def write_pending(self) -> None:
        """Write the instances stored so far (one multi-row insert), and the studies and series they changed."""
        self.db.flush()  # what else the caller changed through the ORM goes first, as it did
        conn = self.db.connection()
        studies, series = self._studies_stored_into, self._series_stored_into
        for table, rows in ((_INSERT_STUDY, studies), (_INSERT_SERIES, series)):
            added = [row for key, row in rows.items() if key in self._new]
            if added:
                conn.execute(table, added)
        changed = [
            {"b_face": self.key, "b_study": uid, **{c: row[c] for c in _STUDY_CHANGES}}
            for uid, row in studies.items()
            if uid not in self._new
        ]
        if changed:
            conn.execute(_UPDATE_STUDY, changed)
        changed = [
            {"b_face": self.key, "b_study": key[0], "b_series": key[1], **{c: row[c] for c in _SERIES_CHANGES}}
            for key, row in series.items()
            if key not in self._new
        ]
        if changed:
            conn.execute(_UPDATE_SERIES, changed)
        if self._pending:
            conn.execute(_INSERT_INSTANCE, self._pending)
            self._pending = []
        self._studies_stored_into, self._series_stored_into, self._new = {}, {}, set()

    # ---- looking up ------------------------------------------------------------------------

    def _study_row(self, study_uid: str) -> DicomStudy | None:
        return self.db.scalar(_STUDY, {"face": self.key, "study": study_uid})

    def _series_row(self, study_uid: str, series_uid: str) -> DicomSeries | None:
        return self.db.scalar(_SERIES, {"face": self.key, "study": study_uid, "series": series_uid})

    def _instance_exists(self, sop_uid: str) -> bool:
        if sop_uid in self._looked_up:
            return sop_uid in self._existing
        with self.db.no_autoflush:  # pending counts need not be written to look up an instance
            return self.db.scalar(_INSTANCE_ID, {"face": self.key, "sop": sop_uid}) is not None

    def instances(self, study: str, series: str | None = None, sop: str | None = None) -> list[DicomInstance]:
        """The instances under a resource, in series then instance order; 404 naming the missing level."""
        query = _INSTANCES_UNDER[_level(series, sop)]
        rows = list(self.db.scalars(query, {"face": self.key, "study": study, "series": series, "sop": sop}))
        if rows:  # so its study and series exist: one query on the common path
            return rows
        if self._study_row(study) is None:
            raise not_found(STUDY_NOT_FOUND)
        if series is not None and self._series_row(study, series) is None:
            raise not_found(SERIES_NOT_FOUND)
        raise not_found(INSTANCE_NOT_FOUND)

    def read_instances(
        self, study: str, series: str | None = None, sop: str | None = None, with_metadata: bool = False
    ) -> list[prepared.Record] | list[DicomInstance]:
        """instances() for a caller that only reads them: read-only records, in the same order; the same 404s."""
        given = {"face": self.key, "study": study, "series": series, "sop": sop}
        values = {name: value for name, value in given.items() if value is not None}
        rows = _READS_UNDER[with_metadata][_level(series, sop)].records(self.db, values)
        return rows or self.instances(study, series, sop)

    def file(self, row: DicomInstance | prepared.Record) -> bytes:
        try:
            return self.ctx.blobs.get(row.blob)
        except (KeyError, FileNotFoundError):  # deleted by a request that committed after this one's snapshot
            raise not_found(INSTANCE_NOT_FOUND) from None

    def path(self, row: DicomInstance | prepared.Record) -> str:
        try:
            return self.ctx.blobs.path(row.blob)
        except KeyError:
            raise not_found(INSTANCE_NOT_FOUND) from None

    # ---- deleting --------------------------------------------------------------------------

    def delete(self, study: str, series: str | None = None, sop: str | None = None) -> int:
        rows = self.instances(study, series, sop)
        ids = [r.id for r in rows]
        self.db.execute(delete(DicomInstance).where(DicomInstance.id.in_(ids)))
        self.ctx.blobs.release(*(r.blob for r in rows))  # a file goes once no record holds it (the other face may)
        touched = {r.series_uid for r in rows}
        for series_uid in touched:
            row = self._series_row(study, series_uid)
            assert row is not None  # it holds the instances just found
            left = self.db.scalar(
                select(func.count())
                .select_from(DicomInstance)
                .where(
                    DicomInstance.face == self.key,
                    DicomInstance.study_uid == study,
                    DicomInstance.series_uid == series_uid,
                )
            )
            if left:
                row.n_instances = left
            else:
                self.db.delete(row)
        self.db.flush()
        study_row = self._study_row(study)
        assert study_row is not None  # it held the instances just found
        series_rows = list(
            self.db.scalars(select(DicomSeries).where(DicomSeries.face == self.key, DicomSeries.study_uid == study))
        )
        if not series_rows:
            self.db.delete(study_row)
        else:
            study_row.n_series = len(series_rows)
            study_row.n_instances = sum(s.n_instances for s in series_rows)
            study_row.modalities = "\\".join(sorted({s.modality for s in series_rows if s.modality}))
        self.db.flush()
        return len(rows)
