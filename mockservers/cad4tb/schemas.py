"""marshmallow schemas of CAD4TB's parameters, and of a form's submission (built from its configured fields)."""
from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate


class Text(fields.String):
    """A parameter; a JSON body may carry an id as a number (PatientID 12345)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


def param() -> Text:
    return Text(load_default="")


class Loose(Schema):
    class Meta:
        unknown = EXCLUDE  # clients send extra, unrelated parameters; the service ignores them


class ArchiveParams(Loose):
    Project = param()
    Archive = param()


class PatientParams(ArchiveParams):
    PatientID = param()


class StudyParams(PatientParams):
    StudyInstanceUID = param()


class SeriesParams(StudyParams):
    SeriesInstanceUID = param()


class ResultParams(SeriesParams):
    Type = param()
    Results = param()


class FormAddParams(SeriesParams):
    FormName = param()
    FormSubmission = fields.Raw(load_default=None)  # a JSON text, or (in a JSON body) the object itself


FIELD_TYPES = {
    "text": lambda spec: fields.String(),
    "integer": lambda spec: fields.Integer(strict=True),
    "number": lambda spec: fields.Float(allow_nan=False),
    "boolean": lambda spec: fields.Boolean(),
    "choice": lambda spec: fields.String(validate=validate.OneOf([str(c) for c in spec.get("choices", [])])),
}


def submission_schema(form: dict) -> Schema:
    """The schema of one configured form: its fields, their types, which are required; nothing else."""
    declared = {}
    for spec in form.get("fields", []):
        field = FIELD_TYPES[spec.get("type", "text")](spec)
        field.required = bool(spec.get("required", False))
        field.allow_none = not field.required
        declared[spec["name"]] = field
    return Schema.from_dict(declared, name=f"Form{form.get('id', '')}")(unknown=RAISE)
