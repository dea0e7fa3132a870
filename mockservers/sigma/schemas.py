"""marshmallow schemas of every SigmaCloud DR request the document shows."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema


class Text(fields.String):
    """A string parameter; the vendor's own SDK sends some as numbers (`quantity: 1`), which it accepts."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, (int, float)):
            value = str(value)
        return super()._deserialize(value, attr, data, **kwargs)


def flag(**kwargs) -> Text:
    return Text(validate=validate.OneOf(["0", "1"]), **kwargs)


class Loose(Schema):
    class Meta:
        unknown = EXCLUDE  # clients send extra keys (e.g. `dirname`); the service ignores what it does not use


class LoginQuery(Loose):
    account_name = Text(required=True, validate=validate.Length(min=1))
    user_name = Text(required=True, validate=validate.Length(min=1))
    password = Text(required=True, validate=validate.Length(min=1))
    force_new = Text(load_default="False", validate=validate.OneOf(["True", "False", "true", "false"]))


class UploadInitBody(Loose):
    groupname = Text()
    quantity = Text(required=True, validate=validate.Regexp(r"^[1-9][0-9]{0,5}$"))
    converted = flag(required=True)
    overwrite = flag(required=True)
    dirname = Text(allow_none=True)


class UploadPutQuery(Loose):
    upload_id = Text(required=True, validate=validate.Length(min=1))


class DownloadQuery(Loose):
    filename = Text(required=True, validate=validate.Length(min=1))
    group_name = Text()
    owner = Text()


class NewJobBody(Loose):
    account_name = Text(required=True, validate=validate.Length(min=1))
    user_name = Text(required=True, validate=validate.Length(min=1))
    study_id = Text(required=True, validate=validate.Length(min=1, max=200))
    series_id = Text(required=True, validate=validate.Length(min=1, max=200))
    patient_id = Text(required=True, validate=validate.Length(max=200))  # the SDK may send ""
    format = Text(required=True, validate=validate.OneOf(["dcm"]))
    filename = Text(required=True, validate=validate.Length(min=1))
    job_type = Text(required=True)
    priority = Text(required=True, validate=validate.Regexp(r"^[1-5]$"))
    type = Text(required=True, validate=validate.OneOf(["file"]))
    notify = flag(load_default="0")
    notify_url = Text(allow_none=True, validate=validate.URL(schemes={"http", "https"}, require_tld=False))
    notify_info = fields.Dict(allow_none=True)

    @validates_schema
    def _notify_needs_url(self, data, **kwargs):
        if data.get("notify") == "1" and not data.get("notify_url"):
            raise ValidationError("notify is \"1\", so notify_url is required", field_name="notify_url")


class ListJobsQuery(Loose):
    unique_id = Text(required=True, validate=validate.Length(min=1))


class StudyListQuery(Loose):
    patient_id = Text()
    patient_name = Text()
    accession_number = Text()
    study_id = Text()
    study_description = Text()
    study_start = Text(validate=validate.Regexp(r"^\d{8}$"))
    study_end = Text(validate=validate.Regexp(r"^\d{8}$"))
    start_time = Text(validate=validate.Regexp(r"^\d+(\.\d+)?$"))
    end_time = Text(validate=validate.Regexp(r"^\d+(\.\d+)?$"))
    job_type = Text()
