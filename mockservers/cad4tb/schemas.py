"""marshmallow schemas of CAD4TB's parameters and answers, and of a form's submission (built from its configured
fields). `__source__` says where the document shows a schema's fields, `__inferred__` why a field is not there."""

from __future__ import annotations

import functools
import json

from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, ValidationError, fields, pre_load, validate, validates_schema

DOC = "cad4tb-api-v1.txt § "
UNSTORABLE = ("must not contain NUL characters", "must be valid Unicode (no lone surrogates)")
MISSING_OR_EMPTY = "missing or empty"


def storable(value: str | None) -> None:
    """Text every database can store and look up: PostgreSQL refuses NUL, and no database encodes a lone
    surrogate (JSON's "\\ud800"). Failing it is invalid_post_value, not a lookup miss."""
    if value is None:
        return
    if "\x00" in value:
        raise ValidationError(UNSTORABLE[0])
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(UNSTORABLE[1]) from None


class Text(fields.String):
    """A parameter; a JSON body may carry an id as a number (PatientID 12345)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


NO_NUL = "^[^\\x00]*$"  # what storable() checks, as far as a JSON Schema pattern can say it


def param(description: str = "") -> Text:
    return Text(
        load_default="",
        validate=storable,
        metadata={"pattern": NO_NUL, **({"description": description} if description else {})},
    )


class Loose(Schema):
    class Meta:
        unknown = EXCLUDE  # clients send extra, unrelated parameters; the service ignores them


class ArchiveParams(Loose):
    __source__ = DOC + "2.1.2.1.1. Upload series, Parameters"
    Project = param("Project of the patient")
    Archive = param("Archive of the patient")


class UploadBody(ArchiveParams):
    """The file is looked at first (no file: no_data_submitted, whatever the other fields), and only then the
    Project and Archive, which an upload needs (a lookup with an empty one finds nothing instead)."""

    __source__ = DOC + "2.1.2.1.1. Upload series, Parameters"
    file = fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "contentMediaType": "application/dicom",
            "description": "The file to upload (a DICOM Part-10 file)",
        },
    )

    @pre_load
    def file_first(self, data: dict, **_kwargs) -> dict:
        file = data.get("file")  # (file name, bytes) from a multipart body's file part
        if file is None or not file[1]:
            raise ValidationError("no file part, or an empty file", "file")
        return data

    @validates_schema(skip_on_field_errors=True)
    def archive_given(self, data: dict, **_kwargs) -> None:
        for name in ("Project", "Archive"):
            if not data[name]:
                raise ValidationError(MISSING_OR_EMPTY, name)


class PatientParams(ArchiveParams):
    __source__ = DOC + "2.1.2.2.1. Get patient, Parameters"
    PatientID = param("ID of the patient")


class StudyParams(PatientParams):
    __source__ = DOC + "2.1.2.3.1. Get study, Parameters"
    StudyInstanceUID = param("Study instance UID of the study")


class SeriesParams(StudyParams):
    __source__ = DOC + "2.1.2.4.1. Get series, Parameters"
    SeriesInstanceUID = param("Series instance UID of the series")


class ResultParams(SeriesParams):
    __source__ = DOC + "2.1.2.5.1. Get algorithm results, Parameters"
    Type = param("Type of the result (cad4tb/retina)")
    Results = param("Names of the results requested, a comma list")


class FormAddParams(SeriesParams):
    __source__ = DOC + "2.1.2.6.2. Add reportings, Body"
    FormName = param("Name of the form for which you want to add a submission")
    # a JSON text, or (in a JSON body) the object itself
    FormSubmission = fields.Raw(load_default=None, metadata={"description": "The form submission in valid JSON"})


# ---- answers --------------------------------------------------------------------------------------------------


def nullable(cls=fields.String, **kwargs):
    return cls(allow_none=True, **kwargs)


class UploadReply(Schema):
    __source__ = DOC + "2.1.2.1.1. Upload series, Returns"
    PatientID = fields.String(required=True)
    StudyInstanceUID = fields.String(required=True)
    SeriesInstanceUID = fields.String(required=True)
    SOPInstanceUID = fields.String(required=True)


class PatientReply(Schema):
    __source__ = DOC + "2.1.2.2.1. Get patient, Returns"
    __inferred__ = {
        "PatientName": "null where the file has none (docs/cad4tb.md)",
        "PatientSex": "null where the file has none (docs/cad4tb.md)",
        "PatientBirthDate": "ISO date as the example shows; null where the file has none",
    }
    PatientName = nullable(required=True)
    PatientID = fields.String(required=True)
    PatientSex = nullable(required=True)
    PatientBirthDate = nullable(required=True)


class StatusReply(Schema):
    __source__ = DOC + "2.1.2.2.2. Delete patient, Returns"
    status = fields.String(
        required=True,
        validate=validate.OneOf(["Ok"]),
        metadata={"description": "Ok (an Error comes as the error body)"},
    )


class StudyReply(Schema):
    __source__ = DOC + "2.1.2.3.1. Get study, Returns"
    StudyInstanceUID = fields.String(required=True)
    StudyDate = nullable(required=True)
    StudyTime = nullable(required=True)
    StudyDescription = nullable(required=True)
    ReferringPhysicianName = nullable(required=True)
    InstitutionName = nullable(required=True)
    AccessionNumber = nullable(required=True)


EXTRA_SERIES = "a DICOM keyword of the series the document does not list; clients read it (docs/cad4tb.md)"


class SeriesReply(Schema):
    """Also a key form_<form id> per form with a reporting on the series: the latest reporting's entry."""

    class Meta:
        unknown = INCLUDE  # the form_<id> keys: additionalProperties

    __source__ = DOC + "2.1.2.4.1. Get series, Returns"
    __inferred__ = {
        "Modality": EXTRA_SERIES,
        "SeriesNumber": EXTRA_SERIES,
        "BodyPartExamined": EXTRA_SERIES,
        "ViewPosition": EXTRA_SERIES,
        "Rows": EXTRA_SERIES,
        "Columns": EXTRA_SERIES,
        "ImageType": EXTRA_SERIES,
        "modified": "when the series last changed (ISO 8601); clients poll on it (docs/cad4tb.md)",
    }
    SeriesInstanceUID = fields.String(required=True)
    SOPClassUID = nullable(required=True)
    SeriesDate = nullable(required=True)
    SeriesTime = nullable(required=True)
    SeriesDescription = nullable(required=True)
    Manufacturer = nullable(required=True)
    ManufacturerModelName = nullable(required=True)
    Modality = nullable(required=True)
    SeriesNumber = nullable(fields.Integer, required=True)
    BodyPartExamined = nullable(required=True)
    ViewPosition = nullable(required=True)
    Rows = nullable(fields.Integer, required=True)
    Columns = nullable(fields.Integer, required=True)
    ImageType = nullable(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["processing", "done", "error"]))
    status_message = fields.String(required=True)
    modified = fields.String(required=True)


class ResultReply(Schema):
    __source__ = DOC + "2.1.2.5.1. Get algorithm results, Returns: (int/float/string type results)"
    name = fields.String(required=True)
    algorithm = fields.String(required=True)
    value = fields.Raw(required=True, metadata={"type": ["number", "string"], "description": "Result score"})


class ReportingReply(Schema):
    __source__ = DOC + "2.1.2.6.1. Get reportings, Returns"
    id = fields.Integer(required=True)
    entry = fields.Dict(required=True)
    entry_formatted = fields.String(required=True)
    user = fields.String(required=True)
    series = fields.String(required=True)
    form = fields.String(required=True)


class ErrorBody(Schema):
    __source__ = DOC + "2.1.2.1.1. Upload series, Error types"
    __inferred__ = {
        "status": "the document names the error types, not the body (docs/cad4tb.md)",
        "error": "the error type, as the document names them (docs/cad4tb.md)",
        "suberror": "the suberror type, or null (docs/cad4tb.md)",
        "message": "a readable text (docs/cad4tb.md)",
    }
    status = fields.String(required=True, validate=validate.OneOf(["Error"]))
    error = fields.String(required=True)
    suberror = nullable(required=True)
    message = fields.String(required=True)


FIELD_TYPES = {
    "text": lambda spec: fields.String(validate=storable),
    "integer": lambda spec: fields.Integer(strict=True),
    "number": lambda spec: fields.Float(allow_nan=False),
    "boolean": lambda spec: fields.Boolean(),
    "choice": lambda spec: fields.String(validate=validate.OneOf([str(c) for c in spec.get("choices", [])])),
}


def submission_schema(form: dict) -> Schema:
    """The schema of one configured form: its fields, their types, which are required; nothing else."""
    return _submission_schema_class(json.dumps(form, sort_keys=True))(unknown=RAISE)


@functools.lru_cache(maxsize=256)
def _submission_schema_class(form_json: str) -> type[Schema]:
    """Built once per form (forms are configuration, fixed while the server runs)."""
    form = json.loads(form_json)
    declared = {}
    for spec in form.get("fields", []):
        field = FIELD_TYPES[spec.get("type", "text")](spec)
        field.required = bool(spec.get("required", False))
        field.allow_none = not field.required
        declared[spec["name"]] = field
    return Schema.from_dict(declared, name=f"Form{form.get('id', '')}")
