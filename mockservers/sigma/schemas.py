"""marshmallow schemas of every SigmaCloud DR request the document shows."""

from __future__ import annotations

from typing import Any

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
    __source__ = "sigmacloud-dr.md § Login, 请求参数"
    __inferred__ = {"force_new": 'documented as required; optional with default "False" (specs README)'}
    account_name = Text(required=True, validate=validate.Length(min=1))
    user_name = Text(required=True, validate=validate.Length(min=1))
    password = Text(required=True, validate=validate.Length(min=1))
    force_new = Text(load_default="False", validate=validate.OneOf(["True", "False", "true", "false"]))


class UploadInitBody(Loose):
    __source__ = "sigmacloud-dr.md § Upload（POST）, 请求参数"
    __inferred__ = {"dirname": "sent by the vendor SDK (specs README); accepted and kept"}
    groupname = Text()
    quantity = Text(required=True, validate=validate.Regexp(r"^[1-9][0-9]{0,5}$"))
    converted = flag(required=True)
    overwrite = flag(required=True)
    dirname = Text(allow_none=True)


class UploadPutQuery(Loose):
    __source__ = "sigmacloud-dr.md § Upload（PUT）, 请求参数"
    upload_id = Text(required=True, validate=validate.Length(min=1))


class DownloadQuery(Loose):
    __source__ = "sigmacloud-dr.md § DownloadFile, 请求参数"
    __inferred__ = {
        "group_name": "the vendor SDK sends it (specs README)",
        "owner": "the vendor SDK sends it (specs README)",
    }
    filename = Text(required=True, validate=validate.Length(min=1))
    group_name = Text()
    owner = Text()


class NewJobBody(Loose):
    __source__ = "sigmacloud-dr.md § NewJob, 请求参数"
    account_name = Text(required=True, validate=validate.Length(min=1))
    user_name = Text(required=True, validate=validate.Length(min=1))
    study_id = Text(required=True, validate=validate.Length(min=1, max=200))
    series_id = Text(required=True, validate=validate.Length(min=1, max=200))
    patient_id = Text(required=True, validate=validate.Length(max=200))  # the SDK may send ""
    format = Text(required=True, validate=validate.OneOf(["dcm", "nii"]))  # nii: the series converted on upload
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
            raise ValidationError('notify is "1", so notify_url is required', field_name="notify_url")


class ListJobsQuery(Loose):
    __source__ = "sigmacloud-dr.md § ListJobs, 请求参数"
    unique_id = Text(required=True, validate=validate.Length(min=1))


class StudyListQuery(Loose):
    __source__ = "sigmacloud-dr.md § GetStudylist, 请求参数"
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


# ---- responses ---------------------------------------------------------------------------------------------------


class Strict(Schema):
    """Response schemas describe exactly the documented keys."""


def nullable_float(**kw):
    return fields.Float(allow_none=True, **kw)


class ErrorBlock(Strict):
    __source__ = "sigmacloud-dr.md § Login, 请求失败返回示例"
    message = fields.String(required=True)
    code = fields.String(required=True)
    message_chs = fields.String(required=True)


def envelope(name: str, data_schema: type[Schema] | None, source: str, **top_level: Any) -> type[Schema]:
    """The envelope every answer is wrapped in, around one data schema; `top_level`: fields beside `data`."""
    data = fields.Nested(data_schema, required=True) if data_schema else fields.Dict(required=True)
    attrs = {
        "__source__": source,
        "url": fields.String(required=True),
        "message": fields.String(required=True),
        "message_chs": fields.String(required=True),
        "data": data,
        "error": fields.Nested(ErrorBlock, required=True),
        **top_level,
    }
    return type(name, (Strict,), attrs)


class UserInfo(Strict):
    __source__ = "sigmacloud-dr.md § Login, 请求成功返回示例"
    account_id = fields.String(required=True)
    password = fields.String(required=True)
    description = fields.String(required=True)
    access_key = fields.String(required=True)
    display_name = fields.String(required=True)
    name = fields.String(required=True)
    mobile = fields.String(required=True)
    token = fields.String(required=True)
    user_level = fields.String(required=True)
    secret_key = fields.String(required=True)
    _id = fields.String(required=True)
    type = fields.String(required=True)
    email = fields.String(required=True)
    sys_user = fields.Boolean(required=True)


class LoginData(Strict):
    __source__ = "sigmacloud-dr.md § Login, 请求成功返回示例"
    user_info = fields.Nested(UserInfo, required=True)
    user_name = fields.String(required=True)
    account_name = fields.String(required=True)


class UploadData(Strict):
    __source__ = "sigmacloud-dr.md § Upload（POST）/ Upload（PUT）, 请求成功返回示例"
    __inferred__ = {"store_id": "the SDK stops uploading when an answer carries it (specs README)"}
    upload_id = fields.String(required=True)
    store_id = fields.String()


class JobIdData(Strict):
    __source__ = "sigmacloud-dr.md § NewJob, 请求成功返回示例"
    job_id = fields.String(required=True)


class JobError(Strict):
    __source__ = "inferred: a failed job says why, in the catalog's shape"
    __inferred__ = {"code": "see docs/sigma.md", "message": "see docs/sigma.md", "message_chs": "see docs/sigma.md"}
    code = fields.String(required=True)
    message = fields.String(required=True)
    message_chs = fields.String(required=True)


class Task(Strict):
    __source__ = "sigmacloud-dr.md § GetJob, 请求成功返回示例"
    status = fields.String(required=True)
    timestamp = nullable_float(required=True)
    task_id = fields.String(required=True)


class JobData(Strict):
    __source__ = "sigmacloud-dr.md § GetJob, 请求成功返回示例"
    __inferred__ = {"error": "only on a failed job; the document shows no failed job"}
    status = fields.String(required=True)
    tasks = fields.List(fields.Nested(Task), required=True)
    job_id = fields.String(required=True)
    end_ts = nullable_float(required=True)
    start_ts = fields.Float(required=True)
    user_name = fields.String(required=True)
    account_name = fields.String(required=True)
    error = fields.Nested(JobError)


class JobSummary(Strict):
    __source__ = "sigmacloud-dr.md § ListJobs, 请求成功返回示例"
    status = fields.String(required=True)
    job_id = fields.String(required=True)
    job_type = fields.String(required=True)
    end_ts = nullable_float(required=True)
    start_ts = fields.Float(required=True)
    patient_id = fields.String(required=True)
    series_id = fields.String(required=True)
    study_id = fields.String(required=True)
    user_name = fields.String(required=True)
    account_name = fields.String(required=True)


class ListJobsData(Strict):
    __source__ = "sigmacloud-dr.md § ListJobs, 请求成功返回示例"
    jobs = fields.List(fields.Nested(JobSummary), required=True)
    total_number = fields.Integer(required=True)


class SeriesJob(Strict):
    __source__ = "sigmacloud-dr.md § GetStudylist, 请求成功返回示例"
    status = fields.String(required=True)
    priority = fields.Integer(required=True)
    job_type = fields.String(required=True)
    job_id = fields.String(required=True)


class StudySeries(Strict):
    """Attribute values are "" where the file has none, hence Raw for the numeric ones."""

    __source__ = "sigmacloud-dr.md § GetStudylist, 请求成功返回示例"
    Rows = fields.Integer(required=True)
    SeriesTime = fields.String(required=True)
    ContentDate = fields.String(required=True)
    ProtocolName = fields.String(required=True)
    WindowCenter = fields.Raw(required=True, metadata={"description": 'list of floats, or ""'})
    Columns = fields.Integer(required=True)
    SeriesDate = fields.String(required=True)
    SeriesNumber = fields.Raw(required=True, metadata={"description": 'int, or ""'})
    ImageOrientationPatient = fields.Raw(required=True)
    SliceThickness = fields.Raw(required=True)
    AcquisitionNumber = fields.Raw(required=True)
    ConvolutionKernel = fields.Raw(required=True)
    Manufacturer = fields.String(required=True)
    ModalitiesInStudy = fields.Raw(required=True)
    WindowWidth = fields.Raw(required=True, metadata={"description": 'list of floats, or ""'})
    SeriesDescription = fields.String(required=True)
    job = fields.Nested(SeriesJob, required=True)
    PatientPosition = fields.String(required=True)
    SpacingBetweenSlices = fields.Raw(required=True)
    ImageType = fields.String(required=True)
    SOPClassUID = fields.String(required=True)
    BodyPartExamined = fields.String(required=True)
    FrameOfReferenceUID = fields.String(required=True)
    StationName = fields.String(required=True)
    SeriesInstanceUID = fields.String(required=True)
    Modality = fields.String(required=True)
    quantity = fields.Integer(required=True)


class Study(Strict):
    __source__ = "sigmacloud-dr.md § GetStudylist, 请求成功返回示例"
    AccessionNumber = fields.String(required=True)
    account = fields.String(required=True)
    StudyDate = fields.String(required=True)
    series = fields.Dict(keys=fields.String(), values=fields.Nested(StudySeries), required=True)
    StudyDescription = fields.String(required=True)
    InstitutionName = fields.String(required=True)
    PatientBirthDate = fields.String(required=True)
    PatientID = fields.String(required=True)
    PatientAge = fields.Raw(required=True, metadata={"description": 'years as an int, or ""'})
    PatientSex = fields.String(required=True)
    StudyInstanceUID = fields.String(required=True)
    StudyTime = fields.String(required=True)
    StudyID = fields.String(required=True)
    PatientName = fields.String(required=True)
    job_type = fields.List(fields.String(), required=True)


class StudyListData(Strict):
    __source__ = "sigmacloud-dr.md § GetStudylist, 请求成功返回示例"
    studies = fields.List(fields.Nested(Study), required=True)
    total_study_count = fields.Integer(required=True)


ErrorEnvelope = envelope("ErrorEnvelope", None, "sigmacloud-dr.md § Login, 请求失败返回示例")
LoginEnvelope = envelope("LoginEnvelope", LoginData, "sigmacloud-dr.md § Login")
EmptyEnvelope = envelope("EmptyEnvelope", None, "sigmacloud-dr.md § Logout")
UploadEnvelope = envelope("UploadEnvelope", UploadData, "sigmacloud-dr.md § Upload（POST）")
UploadPutEnvelope = envelope(
    "UploadPutEnvelope",
    UploadData,
    "sigmacloud-dr.md § Upload（PUT）",
    store_id=fields.String(),
    __inferred__={
        "store_id": "also at the top level: the SDK ends its PUT loop on 'store_id' in ret.keys() (specs README)"
    },
)
JobIdEnvelope = envelope("JobIdEnvelope", JobIdData, "sigmacloud-dr.md § NewJob")
JobEnvelope = envelope("JobEnvelope", JobData, "sigmacloud-dr.md § GetJob")
ListJobsEnvelope = envelope("ListJobsEnvelope", ListJobsData, "sigmacloud-dr.md § ListJobs")
StudyListEnvelope = envelope("StudyListEnvelope", StudyListData, "sigmacloud-dr.md § GetStudylist")
