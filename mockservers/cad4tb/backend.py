"""CAD4TB's state and behaviour. No Flask: a Context and validated parameters in (cad4tb/routes.py validates them),
dicts/bytes out, Cad4tbError raised."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, select

from mockservers.cad4tb import dicom_attrs, results, schemas
from mockservers.cad4tb.errors import Cad4tbError, invalid, not_allowed, not_found
from mockservers.cad4tb.models import Cad4tbFormEntry, Cad4tbInstance, Cad4tbPatient, Cad4tbSeries, Cad4tbStudy
from mockservers.core import jsonbody, prepared
from mockservers.core.runtime import Context
from mockservers.core.validation import load
from mockservers.dicom.part10 import NotDicomError, inflate_limit, read_part10

PERMISSIONS = (
    "upload_project",
    "api_instance_upload",
    "api_get_patient",
    "api_delete_patient",
    "api_get_study",
    "api_list_studies",
    "api_delete_study",
    "api_get_series",
    "api_list_series",
    "api_dicom_get",
    "api_delete_series",
    "api_series_results",
    "api_list_forms",
    "api_add_form_submission",
)
# call -> the permissions it needs (all of them)
CALL_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "instance/upload": ("upload_project", "api_instance_upload"),
    "patient/get": ("api_get_patient",),
    "patient/delete": ("api_delete_patient",),
    "study/get": ("api_get_study",),
    "patient/studies/list": ("api_list_studies",),
    "study/delete": ("api_delete_study",),
    "series/get": ("api_get_series",),
    "patient/study/series/list": ("api_list_series",),
    "dicom/get": ("api_dicom_get",),
    "series/delete": ("api_delete_series",),
    "series/results": ("api_series_results",),
    "patient/study/series/forms/list": ("api_list_forms",),
    "patient/study/series/forms/add": ("api_add_form_submission",),
}
STATUS_MESSAGES = {"processing": "Series is being processed", "done": "Series processed successfully"}


def clean_filename(name: str) -> str:
    """The client's file name without its folders, spaces as underscores, only letters, digits, - _ . kept."""
    base = re.split(r"[\\/]", name or "")[-1].strip().replace(" ", "_")
    base = re.sub(r"[^-\w.]", "", base, flags=re.ASCII)
    return base if base.strip(".") else "file"


def iso_timestamp(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="microseconds")


# The lookups on every patient/study/series request, built once: building a select costs more than running it.
_PATIENT = select(Cad4tbPatient).where(
    Cad4tbPatient.project == bindparam("project"),
    Cad4tbPatient.archive == bindparam("archive"),
    Cad4tbPatient.patient_id == bindparam("patient"),
)
_STUDY = select(Cad4tbStudy).where(Cad4tbStudy.patient_pk == bindparam("patient"), Cad4tbStudy.uid == bindparam("uid"))
_SERIES = select(Cad4tbSeries).where(Cad4tbSeries.study_pk == bindparam("study"), Cad4tbSeries.uid == bindparam("uid"))
# The same, for the calls that only read what they find: without the ORM (core/prepared.py)
_PATIENTS, _STUDIES, _SERIES_ROWS = Cad4tbPatient.__table__.c, Cad4tbStudy.__table__.c, Cad4tbSeries.__table__.c
_PATIENT_READ = prepared.Statement(
    select(*_PATIENTS).where(
        _PATIENTS.project == bindparam("project"),
        _PATIENTS.archive == bindparam("archive"),
        _PATIENTS.patient_id == bindparam("patient"),
    )
)
_STUDY_READ = prepared.Statement(
    select(*_STUDIES).where(_STUDIES.patient_pk == bindparam("patient"), _STUDIES.uid == bindparam("uid"))
)
_SERIES_READ = prepared.Statement(
    select(*_SERIES_ROWS).where(_SERIES_ROWS.study_pk == bindparam("study"), _SERIES_ROWS.uid == bindparam("uid"))
)
# A Record is read as its ORM object is (core/prepared.py)
Patient = Cad4tbPatient | prepared.Record
Study = Cad4tbStudy | prepared.Record
Series = Cad4tbSeries | prepared.Record


def _first(statement: prepared.Statement, db, values: dict) -> prepared.Record | None:
    return next(iter(statement.records(db, values)), None)


class Cad4tbBackend:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.db = ctx.db
        self.config = ctx.config

    # ---- users and permissions --------------------------------------------------------------------

    def authenticate(self, username: str | None, password: str | None) -> dict:
        info = (self.config.get("users") or {}).get(username or "")
        if not username or info is None or str(info.get("password", "")) != (password or ""):
            raise not_allowed(
                "Invalid username or password",
                explain="X-USERNAME/X-PASSWORD: missing, or not a configured user and password",
            )
        return {**info, "name": username}

    @staticmethod
    def permissions_of(user: dict) -> set[str]:
        granted = set(user.get("permissions") or [])
        return set(PERMISSIONS) if "*" in granted else granted

    def require(self, user: dict, call: str) -> None:
        missing = [p for p in CALL_PERMISSIONS[call] if p not in self.permissions_of(user)]
        if missing:
            raise not_allowed(explain=f"user {user['name']!r} lacks the permission(s) {', '.join(missing)}")

    @staticmethod
    def may_use(user: dict, project: str, archive: str) -> bool:
        archives = (user.get("projects") or {}).get(project) or []
        return bool(project) and bool(archive) and archive in archives

    # ---- finding things, always within the caller's Project/Archive -------------------------------

    # Each finds its object as a Record (core/prepared.py), or with read_only=False as the ORM's, for a call that
    # changes or deletes it; the objects above the one sought are only read, as Records.

    def _patient(self, user: dict, p: dict, suberror: str, read_only: bool = True) -> Patient:
        if not self.may_use(user, p["Project"], p["Archive"]):
            raise not_found(suberror, explain=f"Project/Archive {p['Project']!r}/{p['Archive']!r}: not the user's")
        values = {"project": p["Project"], "archive": p["Archive"], "patient": p["PatientID"]}
        patient = _first(_PATIENT_READ, self.db, values) if read_only else self.db.scalars(_PATIENT, values).first()
        if patient is None:
            raise not_found(suberror, explain=f"PatientID {p['PatientID']!r}: no such patient in the archive")
        return patient

    def _study(self, user: dict, p: dict, suberror: str, read_only: bool = True) -> tuple[Patient, Study]:
        patient = self._patient(user, p, suberror)
        values = {"patient": patient.id, "uid": p["StudyInstanceUID"]}
        study = _first(_STUDY_READ, self.db, values) if read_only else self.db.scalars(_STUDY, values).first()
        if study is None:
            raise not_found(suberror, explain=f"StudyInstanceUID {p['StudyInstanceUID']!r}: not a study of the patient")
        return patient, study

    def _series(self, user: dict, p: dict, suberror: str, read_only: bool = True) -> tuple[Patient, Study, Series]:
        patient, study = self._study(user, p, suberror)
        values = {"study": study.id, "uid": p["SeriesInstanceUID"]}
        series = _first(_SERIES_READ, self.db, values) if read_only else self.db.scalars(_SERIES, values).first()
        if series is None:
            raise not_found(
                suberror, explain=f"SeriesInstanceUID {p['SeriesInstanceUID']!r}: not a series of the study"
            )
        return patient, study, series

    # ---- upload -----------------------------------------------------------------------------------

    def upload(self, user: dict, p: dict) -> dict:
        """`p`: Project, Archive (not empty) and file, as (file name, bytes)."""
        if not self.may_use(user, p["Project"], p["Archive"]):
            raise not_allowed(explain=f"user {user['name']!r} may not upload to {p['Project']}/{p['Archive']}")
        filename, data = p["file"]
        try:
            attrs = dicom_attrs.read(read_part10(data, max_inflated=inflate_limit(self.ctx.runtime.settings)))
        except NotDicomError as exc:
            raise invalid("The submitted file is not a valid DICOM file", explain=f"file: {exc}") from None
        except Exception as exc:  # pydicom meets malformed values only when they are read
            raise invalid(
                "The submitted file is not a valid DICOM file",
                explain=f"file: unreadable header ({type(exc).__name__}: {exc})",
            ) from None
        for key, value in (
            ("PatientID", attrs["patient"]["PatientID"]),
            ("StudyInstanceUID", attrs["study"]["StudyInstanceUID"]),
            ("SeriesInstanceUID", attrs["series"]["SeriesInstanceUID"]),
            ("SOPInstanceUID", attrs["SOPInstanceUID"]),
        ):
            if not value:
                raise invalid(f"The submitted file has no {key}", explain=f"file: the DICOM header {key} is empty")
        patient = self._get_or_add(
            Cad4tbPatient,
            dict(project=p["Project"], archive=p["Archive"], patient_id=attrs["patient"]["PatientID"]),
            attrs=attrs["patient"],
        )
        study = self._get_or_add(
            Cad4tbStudy, dict(patient_pk=patient.id, uid=attrs["study"]["StudyInstanceUID"]), attrs=attrs["study"]
        )
        series = self._get_or_add(
            Cad4tbSeries,
            dict(study_pk=study.id, uid=attrs["series"]["SeriesInstanceUID"]),
            attrs=attrs["series"],
            retina=attrs["retina"],
            status="processing",
            status_message=STATUS_MESSAGES["processing"],
            ready_at=self.ctx.now,
            modified=self.ctx.now,
        )
        self._store_instance(series, attrs["SOPInstanceUID"], clean_filename(filename), data)
        self._start_processing(series)
        return {
            "PatientID": patient.patient_id,
            "StudyInstanceUID": study.uid,
            "SeriesInstanceUID": series.uid,
            "SOPInstanceUID": attrs["SOPInstanceUID"],
        }

    def _get_or_add(self, model, keys: dict, **values):
        found = self.db.scalars(select(model).filter_by(**keys)).first()
        if found is None:  # the first file's headers describe the patient, study and series
            found = model(**keys, **values)
            self.db.add(found)
            self.db.flush()
        return found

    def _store_instance(self, series: Cad4tbSeries, sop_uid: str, filename: str, data: bytes) -> None:
        existing = self.db.scalars(
            select(Cad4tbInstance).where(Cad4tbInstance.series_pk == series.id, Cad4tbInstance.sop_uid == sop_uid)
        ).first()
        blob = self.ctx.blobs.put(data) if self.config.get("store_dicom", True) else None
        if existing is not None:
            if existing.blob:
                self.ctx.blobs.release(existing.blob)
            existing.blob, existing.size, existing.created_at = blob, len(data), self.ctx.now
            return
        taken = set(self.db.scalars(select(Cad4tbInstance.filename).where(Cad4tbInstance.series_pk == series.id)))
        stem, dot, ext = filename.rpartition(".") if "." in filename.lstrip(".") else (filename, "", "")
        unique, n = filename, 1
        while unique in taken:
            unique = f"{stem}_{n}{dot}{ext}"
            n += 1
        self.db.add(
            Cad4tbInstance(
                series_pk=series.id,
                sop_uid=sop_uid,
                filename=unique,
                blob=blob,
                size=len(data),
                created_at=self.ctx.now,
            )
        )

    def _start_processing(self, series: Cad4tbSeries) -> None:
        series.status, series.status_message = "processing", STATUS_MESSAGES["processing"]
        series.ready_at = self.ctx.now + float(self.config.get("processing_seconds", 3))
        series.modified = self.ctx.now
        failure = self.ctx.fault.get("fail_job")
        series.fail_with = (failure if isinstance(failure, str) else "Processing failed") if failure else None
        self.ctx.schedule(
            "series_done", series.ready_at - self.ctx.now, {"series": series.id, "ready_at": series.ready_at}
        )

    def finish_series(self, series_pk: int, ready_at: float) -> None:
        series = self.db.get(Cad4tbSeries, series_pk)
        if series is None or series.status != "processing" or abs(series.ready_at - ready_at) > 1e-6:
            return  # deleted, or a later upload restarted its processing
        if series.fail_with:
            series.status, series.status_message = "error", series.fail_with
        else:
            series.status, series.status_message = "done", STATUS_MESSAGES["done"]
        series.modified = self.ctx.now

    def finish_now(self, ids: dict) -> None:
        """Demo data: end the processing of a just-uploaded series at once."""
        user = {"name": "demo", "projects": {ids["Project"]: [ids["Archive"]]}}
        *_, series = self._series(user, ids, "series_not_found")
        self.finish_series(series.id, series.ready_at)

    # ---- patients, studies, series ----------------------------------------------------------------

    def get_patient(self, user: dict, p: dict) -> dict:
        return self.patient_dict(self._patient(user, p, "patient_not_found"))

    @staticmethod
    def patient_dict(patient: Patient) -> dict:
        a = patient.attrs
        return {
            "PatientName": a.get("PatientName"),
            "PatientID": patient.patient_id,
            "PatientSex": a.get("PatientSex"),
            "PatientBirthDate": a.get("PatientBirthDate"),
        }

    def get_study(self, user: dict, p: dict) -> dict:
        _, study = self._study(user, p, "study_not_found")
        return self.study_dict(study)

    @staticmethod
    def study_dict(study: Study) -> dict:
        return {k: (study.uid if k == "StudyInstanceUID" else study.attrs.get(k)) for k in dicom_attrs.STUDY_KEYS}

    def list_studies(self, user: dict, p: dict) -> list[dict]:
        patient = self._patient(user, p, "patient_not_found")
        return [self.study_dict(s) for s in self._studies_of(patient)]

    def _studies_of(self, patient: Patient) -> list[Cad4tbStudy]:
        return list(
            self.db.scalars(select(Cad4tbStudy).where(Cad4tbStudy.patient_pk == patient.id).order_by(Cad4tbStudy.id))
        )

    def _series_of(self, study: Study) -> list[Cad4tbSeries]:
        return list(
            self.db.scalars(select(Cad4tbSeries).where(Cad4tbSeries.study_pk == study.id).order_by(Cad4tbSeries.id))
        )

    def get_series(self, user: dict, p: dict) -> dict:
        *_, series = self._series(user, p, "series_not_found")
        return self.series_dict(series)

    def list_series(self, user: dict, p: dict) -> list[dict]:
        _, study = self._study(user, p, "study_not_found")
        return [self.series_dict(s) for s in self._series_of(study)]

    def series_dict(self, series: Series) -> dict:
        out = {k: (series.uid if k == "SeriesInstanceUID" else series.attrs.get(k)) for k in dicom_attrs.SERIES_KEYS}
        out.update(status=series.status, status_message=series.status_message, modified=iso_timestamp(series.modified))
        for entry in self._entries_of(series):  # the latest entry of each form wins
            out[f"form_{entry.form_id}"] = entry.entry
        return out

    def _entries_of(self, series: Series) -> list[Cad4tbFormEntry]:
        return list(
            self.db.scalars(
                select(Cad4tbFormEntry).where(Cad4tbFormEntry.series_pk == series.id).order_by(Cad4tbFormEntry.id)
            )
        )

    def _instances_of(self, series: Series) -> list[Cad4tbInstance]:
        return list(
            self.db.scalars(
                select(Cad4tbInstance).where(Cad4tbInstance.series_pk == series.id).order_by(Cad4tbInstance.id)
            )
        )

    def dicom_zip(self, user: dict, p: dict) -> tuple[bytes, str]:
        *_, series = self._series(user, p, "series_not_found")
        files = []
        for instance in self._instances_of(series):
            data = self._read_blob(instance.blob)
            if data is not None:
                files.append((instance.filename, data))
        if not files:
            raise not_found("no_dicom_available", explain="the series' DICOM files were not kept (store_dicom)")
        return results.zip_of(files), series.uid

    def _read_blob(self, key: str | None) -> bytes | None:
        if not key or not self.ctx.blobs.exists(key):
            return None
        return self.ctx.blobs.get(key)

    # ---- deleting: the object, everything under it, its files -------------------------------------

    def delete_patient(self, user: dict, p: dict) -> dict:
        patient = self._patient(user, p, "patient_not_found", read_only=False)
        for study in self._studies_of(patient):
            self._delete_study(study)
        self.db.delete(patient)
        return {"status": "Ok"}

    def delete_study(self, user: dict, p: dict) -> dict:
        _, study = self._study(user, p, "study_not_found", read_only=False)
        assert isinstance(study, Cad4tbStudy)  # read_only=False
        self._delete_study(study)
        return {"status": "Ok"}

    def delete_series(self, user: dict, p: dict) -> dict:
        *_, series = self._series(user, p, "series_not_found", read_only=False)
        assert isinstance(series, Cad4tbSeries)  # read_only=False
        self._delete_series(series)
        return {"status": "Ok"}

    def _delete_study(self, study: Cad4tbStudy) -> None:
        for series in self._series_of(study):
            self._delete_series(series)
        self.db.delete(study)

    def _delete_series(self, series: Cad4tbSeries) -> None:
        for instance in self._instances_of(series):
            if instance.blob:
                self.ctx.blobs.release(instance.blob)  # the file goes once no record holds it
            self.db.delete(instance)
        for entry in self._entries_of(series):
            self.db.delete(entry)
        self.db.delete(series)

    # ---- results ----------------------------------------------------------------------------------

    def series_results(self, user: dict, p: dict) -> tuple[str, Any]:
        """('json', [{name, algorithm, value}]) or ('zip', bytes) when a non-scalar result is asked for. Type and
        Results are checked here: what they may name is configuration."""
        *_, series = self._series(user, p, "result_not_found")
        kind = p["Type"].lower()
        catalog = (self.config.get("results") or {}).get(kind)
        if catalog is None:
            raise not_found(
                "result_not_found", explain=f"Type {p['Type']!r}: one of {', '.join(self.config.get('results') or {})}"
            )
        if (kind == "retina") != series.retina:
            raise not_found(
                "result_not_found",
                explain=f"Type {kind!r}: the series is {'a retina' if series.retina else 'not a retina'} image",
            )
        names = [n.strip() for n in p["Results"].split(",") if n.strip()]
        if not names:
            raise not_found("result_not_found", explain="Results: no result name given")
        for name in names:
            if name not in catalog:
                raise not_found(
                    "result_not_found",
                    f"Result not found: {name}",
                    explain=f"Results: {name!r} is not one of {', '.join(catalog)}",
                )
        if series.status == "error":
            raise not_found("result_not_found", explain=f"the series failed: {series.status_message}")
        if series.status != "done":
            return "json", []  # no result yet
        scalars, files, image = [], [], None
        for name in names:
            spec = catalog[name]
            rng = self.ctx.rng("result", kind, series.uid, name)
            if spec.get("kind", "float") in results.SCALAR_KINDS:
                scalars.append(
                    {"name": name, "algorithm": spec.get("algorithm", kind.upper()), "value": results.scalar(rng, spec)}
                )
            else:
                if image is None:
                    image = self._first_image(series)
                files.append((f"{clean_filename(name)}.png", results.heatmap_png(rng, image, series.retina)))
        if not files:
            return "json", scalars
        if scalars:
            files.append(("results.xml", results.scalars_xml(scalars)))
        return "zip", results.zip_of(files)

    def _first_image(self, series: Series) -> bytes:
        """The series' first kept file (the one its heat map is of); nothing when none was kept."""
        for instance in self._instances_of(series):
            data = self._read_blob(instance.blob)
            if data is not None:
                return data
        return b""

    # ---- forms ------------------------------------------------------------------------------------

    def list_forms(self, user: dict, p: dict) -> list[dict]:
        *_, series = self._series(user, p, "series_not_found")
        return [self.entry_dict(e, series) for e in self._entries_of(series)]

    @staticmethod
    def entry_dict(entry: Cad4tbFormEntry, series: Series) -> dict:
        return {
            "id": entry.id,
            "entry": entry.entry,
            "entry_formatted": entry.entry_formatted,
            "user": entry.user_email,
            "series": series.uid,
            "form": entry.form_name,
        }

    def add_form(self, user: dict, p: dict) -> dict:
        """FormSubmission is validated here, against the form found: its schema is the configured form's, and the
        series and the form are looked up first."""
        patient, _, series = self._series(user, p, "series_not_found", read_only=False)
        assert isinstance(series, Cad4tbSeries)  # read_only=False: its `modified` changes
        forms = [
            f
            for f in self.config.get("forms") or []
            if f.get("name") == p["FormName"] and f.get("project") in (None, patient.project)
        ]
        if not forms:
            raise not_found("form_not_found", explain=f"FormName {p['FormName']!r}: no such form in the project")
        if len(forms) > 1:
            raise Cad4tbError(
                "multiple_objects_found",
                None,
                f"Multiple forms found with name {p['FormName']}",
                explain=f"FormName: {len(forms)} forms share this name",
            )
        form = forms[0]
        entry = self._submission(form, p["FormSubmission"])
        record = Cad4tbFormEntry(
            series_pk=series.id,
            form_id=int(form["id"]),
            form_name=form["name"],
            entry=entry,
            entry_formatted=self.formatted(form, entry),
            user_email=user.get("email") or user["name"],
            created_at=self.ctx.now,
        )
        self.db.add(record)
        series.modified = self.ctx.now
        self.db.flush()
        return self.entry_dict(record, series)

    @staticmethod
    def _submission(form: dict, raw: Any) -> dict:
        if raw is None or raw == "":
            raise invalid("No data submitted", "no_data_submitted", explain="FormSubmission: missing or empty")
        if isinstance(raw, str):
            try:
                raw = jsonbody.loads(raw)
            except jsonbody.NotJSON as exc:
                raise invalid("FormSubmission is not valid JSON", explain=f"FormSubmission: {exc}") from None
        if not isinstance(raw, dict):
            raise invalid("FormSubmission must be a JSON object", explain="FormSubmission: not a JSON object")
        return load(
            schemas.submission_schema(form),
            raw,
            lambda f, m: invalid(f"Invalid value for {f}: {m}", explain=f"FormSubmission.{f}: {m}"),
        )

    @staticmethod
    def formatted(form: dict, entry: dict) -> str:
        def show(value):
            if isinstance(value, bool):
                return "Yes" if value else "No"
            return "" if value is None else str(value)

        return "\n".join(
            f"{spec.get('label', spec['name'])}: {show(entry[spec['name']])}"
            for spec in form.get("fields", [])
            if spec["name"] in entry
        )
