"""marshmallow schemas of every request the platform document shows."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate


class StrictInt(fields.Integer):
    """An integer in JSON (a bool is not one); a query string's digits are read as one too."""

    def __init__(self, *, from_text: bool = False, **kwargs):
        super().__init__(strict=not from_text, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBool(fields.Boolean):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def no_nul(value: str | None) -> bool:
    """NUL cannot be stored in every database (PostgreSQL refuses it in text)."""
    return value is None or "\x00" not in value


def text(required: bool = True, max_length: int = 1024, **kwargs) -> fields.String:
    return fields.String(required=required, validate=[validate.Length(min=1 if required else 0, max=max_length),
                                                      no_nul], **kwargs)


class OptionalUrl(fields.String):
    """An optional URL: absent, null and "" all mean none."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "":
            return None
        return super()._deserialize(value, attr, data, **kwargs)


def url(required: bool = True) -> fields.String:
    check = validate.URL(schemes={"http", "https"}, require_tld=False)
    if required:
        return fields.String(required=True, validate=check)
    return OptionalUrl(allow_none=True, validate=lambda value: value is None or check(value))


class Loose(Schema):
    class Meta:
        unknown = EXCLUDE  # clients send extra keys; the platform ignores what it does not use


def oss_fields() -> dict:
    """The OSS download fields both triggers take, in the document's order."""
    return {
        "accessKeyId": text(max_length=200),
        "accessKeySecret": text(max_length=200),
        "securityToken": fields.String(load_default="", allow_none=True, validate=[validate.Length(max=4096), no_nul]),
        "endpoint": url(),
        "bucketName": text(max_length=63),
        "key": text(max_length=1023),
    }


ExecuteAnalysisBody = Loose.from_dict({
    "studyInstanceUid": text(max_length=500),
    "studyType": StrictInt(required=True, validate=validate.Range(min=1, max=4)),
    "statusNotifyCallBackUrl": url(required=False),
    **oss_fields(),
    "forceAnalysis": StrictBool(load_default=False),
}, name="ExecuteAnalysisBody")


class ResultQuery(Loose):
    studyInstanceUid = text(max_length=500)
    studyType = StrictInt(required=True, from_text=True, validate=validate.Range(min=1, max=4))


class FeedbackItem(Loose):
    indexId = text(max_length=100)
    credibility = fields.String(required=True, validate=validate.OneOf(["Y", "N", "UN"]))


class FeedbackBody(Loose):
    studyInstanceUid = text(max_length=500)
    studyType = StrictInt(required=True, validate=validate.Range(min=1, max=3))
    data = fields.List(fields.Nested(FeedbackItem), required=True, validate=validate.Length(min=1))


OaBody = Loose.from_dict({
    "namespace": text(max_length=200),
    "ImageUid": text(max_length=500),
    **oss_fields(),
    "analysis": fields.String(required=True, validate=validate.OneOf(["OA"])),
    "resultCallBackUrl": url(),
}, name="OaBody")


class StsBody(Loose):
    accessKeyId = text(max_length=200)
    accessKeySecret = text(max_length=200)
    durationSeconds = StrictInt(load_default=3600, validate=validate.Range(min=900, max=43200))
