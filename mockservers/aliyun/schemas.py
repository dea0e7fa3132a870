"""marshmallow schemas of every request and answer the platform document shows (and the mock's STS endpoint)."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

DOC = "aliyun-medical-analysis.txt § "


class StrictInt(fields.Integer):
    """An integer in JSON (a bool is not one, 2.0 is, as JSON Schema and the platform's Java JSON readers have it);
    a query string's digits are read as one too."""

    def __init__(self, *, from_text: bool = False, **kwargs):
        super().__init__(strict=not from_text, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBool(fields.Boolean):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def storable(value: str | None) -> None:
    """Text every database can store: PostgreSQL refuses NUL, and no database encodes a lone surrogate (JSON's
    "\\ud800"). marshmallow 4 ignores a validator's return value, so this one raises."""
    if value is None:
        return
    if "\x00" in value:
        raise ValidationError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("must be valid Unicode (no lone surrogates)") from None


NO_NUL = "^[^\\x00]*$"  # what storable() checks, as far as a JSON Schema pattern can say it
# A part of what validate.URL(schemes={"http", "https"}, require_tld=False) takes, as the document's pattern: host
# names whose last label has two characters or more, a port, a path of printable ASCII.
URL = r"^https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]{2,63}(?::[0-9]{1,5})?(?:/[!-~]*)?$"


def text(required: bool = True, max_length: int = 1024, **kwargs) -> fields.String:
    return fields.String(
        required=required,
        validate=[validate.Length(min=1 if required else 0, max=max_length), storable],
        metadata={"pattern": NO_NUL},
        **kwargs,
    )


class OptionalUrl(fields.String):
    """An optional URL: absent, null and "" all mean none."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "":
            return None
        return super()._deserialize(value, attr, data, **kwargs)


def url(required: bool = True) -> fields.String:
    checks = [validate.Length(max=2048), storable, validate.URL(schemes={"http", "https"}, require_tld=False)]
    if required:
        return fields.String(required=True, validate=checks, metadata={"pattern": URL})

    def check_unless_none(value):  # "" is read as None, and validators still run on it
        if value is not None:
            for check in checks:
                check(value)

    return OptionalUrl(allow_none=True, validate=check_unless_none, metadata={"pattern": URL.replace("^", "^$|^", 1)})


def schema(name: str, base: type[Schema], attrs: dict) -> type[Schema]:
    """A schema class with keys Python cannot spell as attributes (or in a given order). Unlike from_dict it is
    registered with marshmallow: apispec looks a component name up there, and an unregistered class would resolve to
    another vendor's schema of the same name."""
    return type(name, (base,), {"__module__": __name__, **attrs})  # else "abc", shared with other vendors


class Loose(Schema):
    class Meta:
        unknown = EXCLUDE  # clients send extra keys; the platform ignores what it does not use


ENDPOINT_WHY = (
    "any non-empty form (a bare domain such as oss-cn-beijing.aliyuncs.com, as the document's OSS服务器域名 and oss2 "
    "take it, or a URL): never contacted, the mock reads its own store"
)


def oss_fields() -> dict:
    """The OSS download fields both triggers take, in the document's order."""
    return {
        "accessKeyId": text(max_length=200),
        "accessKeySecret": text(max_length=200),
        "securityToken": fields.String(
            load_default="", allow_none=True, validate=[validate.Length(max=4096), storable]
        ),
        "endpoint": text(max_length=2048),
        "bucketName": text(max_length=63),
        "key": text(max_length=1023),
    }


ExecuteAnalysisBody = schema(
    "ExecuteAnalysisBody",
    Loose,
    {
        "__source__": DOC + "executeAnalysis, Path Param : Request Body",
        "__inferred__": {"endpoint": ENDPOINT_WHY},
        "studyInstanceUid": text(max_length=500),
        "studyType": StrictInt(required=True, validate=validate.Range(min=1, max=4)),
        "statusNotifyCallBackUrl": url(required=False),
        **oss_fields(),
        "forceAnalysis": StrictBool(load_default=False),
    },
)


class ResultQuery(Loose):
    __source__ = DOC + "getAnalysisResult, URL"
    studyInstanceUid = text(max_length=500)
    studyType = StrictInt(required=True, from_text=True, validate=validate.Range(min=1, max=4))


class FeedbackItem(Loose):
    __source__ = DOC + "submitAnalysisFeedback, Path Param"
    indexId = text(max_length=100)
    credibility = fields.String(required=True, validate=validate.OneOf(["Y", "N", "UN"]))


class FeedbackBody(Loose):
    __source__ = DOC + "submitAnalysisFeedback, Path Param"
    studyInstanceUid = text(max_length=500)
    studyType = StrictInt(required=True, validate=validate.Range(min=1, max=3))
    data = fields.List(fields.Nested(FeedbackItem), required=True, validate=validate.Length(min=1))


OaBody = schema(
    "OaBody",
    Loose,
    {
        "__source__": DOC + "触发算法分析, Path Param : Request Body",
        "__inferred__": {"endpoint": ENDPOINT_WHY},
        "namespace": text(max_length=200),
        "ImageUid": text(max_length=500),
        **oss_fields(),
        "analysis": fields.String(required=True, validate=validate.OneOf(["OA"])),
        "resultCallBackUrl": url(),
    },
)


class StsBody(Loose):
    __source__ = "inferred: the mock's own issuer of temporary OSS credentials; the document only names the STS token"
    accessKeyId = text(max_length=200)
    accessKeySecret = text(max_length=200)
    durationSeconds = StrictInt(load_default=3600, validate=validate.Range(min=900, max=43200))


# ---- responses ---------------------------------------------------------------------------------------------------


class Strict(Schema):
    """Response schemas describe exactly the documented keys."""


RETURN_CODE = validate.Regexp(r"^\d{6}$")
CREDIBILITY = fields.String(required=True, allow_none=True, validate=validate.OneOf(["Y", "N", "UN"]))


def envelope(name: str, data: fields.Field, source: str) -> type[Schema]:
    """The platform's envelope around one `data` field."""
    return schema(
        name,
        Strict,
        {
            "__source__": source,
            "returnCode": fields.String(required=True, validate=RETURN_CODE),
            "returnMessage": fields.String(required=True),
            "solution": fields.String(required=True),
            "requestId": fields.String(required=True),
            "data": data,
            "success": fields.Boolean(required=True),
        },
    )


Box = schema(
    "Box",
    Strict,
    {
        "__source__": DOC + "getAnalysisResult, Response (boxes)",
        "boxUid": fields.String(required=True, validate=validate.Regexp(r"^\d{5}$")),
        "coordinates": fields.List(fields.Integer(), required=True, validate=validate.Length(equal=4)),
        "class": fields.String(required=True, validate=validate.OneOf([f"KL{n}级" for n in range(5)])),
    },
)


class OcularItem(Strict):
    __source__ = DOC + "getAnalysisResult, Response (ocularDataList)"
    indexId = fields.String(required=True)
    analysisInstanceUid = fields.String(required=True)
    eye = fields.String(required=True, validate=validate.OneOf(["OS", "OD"]))
    dr = fields.Integer(required=True, validate=validate.Range(min=0, max=4))
    dme = fields.Integer(required=True, validate=validate.Range(min=0, max=1))
    confidence = fields.Float(required=True)
    imgCenter = fields.String(required=True, validate=validate.OneOf(["DISC", "MACULA"]))
    imgQuality = fields.String(
        required=True, validate=validate.OneOf(["VERY_GOOD", "GOOD", "NEUTRAL", "POOR", "VERY_POOR"])
    )
    inspection = fields.String(required=True)
    inspectionModel = fields.String(
        required=True, validate=validate.OneOf(["AIFC40", "AIFC50", "AIFC60", "AIFC70", "AIFC80"])
    )


class XRayItem(Strict):
    __source__ = DOC + "getAnalysisResult, Response (xRayDataList)"
    indexId = fields.String(required=True)
    posProb = fields.Float(required=True, validate=validate.Range(min=0, max=1))
    posMap = fields.List(fields.List(fields.Float(), validate=validate.Length(equal=2)), required=True)


class Nodule(Strict):
    __source__ = DOC + "getAnalysisResult, Response (imageDataList)"
    indexId = fields.String(required=True)
    seriesInstanceUid = fields.String(required=True)
    spacing = fields.List(fields.Float(), required=True, validate=validate.Length(equal=3))
    origin = fields.List(fields.Float(), required=True, validate=validate.Length(equal=3))
    x = fields.Float(required=True)
    y = fields.Float(required=True)
    z = fields.Float(required=True)
    diameter = fields.Float(required=True)
    confidence = fields.Float(required=True)
    credibility = CREDIBILITY
    category = fields.String(required=True, validate=validate.OneOf(["ggo", "solid", "part-solid", "unknown"]))
    lung = fields.String(required=True, validate=validate.OneOf(["left", "right", "unknow"]))
    lobe = fields.String(required=True, validate=validate.OneOf(["up", "middle", "down", "unknow"]))


# Each result list and the schema of its items: an item answers exactly the schema's keys (backend.py).
ITEM_SCHEMAS = {"boxes": Box, "ocularDataList": OcularItem, "xRayDataList": XRayItem, "imageDataList": Nodule}


class ResultData(Strict):
    __source__ = DOC + "getAnalysisResult, Response (data)"
    studyInstanceUid = fields.String(required=True)
    studyType = fields.Integer(required=True, validate=validate.Range(min=1, max=4))
    boxes = fields.List(fields.Nested(Box), required=True)
    ocularDataList = fields.List(fields.Nested(OcularItem), required=True)
    xRayDataList = fields.List(fields.Nested(XRayItem), required=True)
    imageDataList = fields.List(fields.Nested(Nodule), required=True)


class StsData(Strict):
    __source__ = "inferred: the names of Aliyun STS AssumeRole's Credentials, which oss2.StsAuth takes"
    AccessKeyId = fields.String(required=True)
    AccessKeySecret = fields.String(required=True)
    SecurityToken = fields.String(required=True)
    Expiration = fields.String(required=True, metadata={"description": "ISO 8601 UTC, e.g. 2026-01-01T01:00:00Z"})


class OaReply(Strict):
    __source__ = DOC + "触发算法分析, Response"
    returnCode = fields.String(required=True, validate=RETURN_CODE)
    returnMessage = fields.String(required=True)


BoolEnvelope = envelope(
    "BoolEnvelope",
    fields.Boolean(
        required=True, metadata={"description": "true on success; false when the answer carries an error code"}
    ),
    DOC + "executeAnalysis, Response",
)
ResultEnvelope = envelope(
    "ResultEnvelope",
    fields.Nested(
        ResultData,
        required=True,
        allow_none=True,
        metadata={"description": "null while not ready (100007) or when the analysis failed"},
    ),
    DOC + "getAnalysisResult, Response",
)
ErrorEnvelope = envelope(
    "ErrorEnvelope",
    fields.Boolean(required=True, allow_none=True, metadata={"description": "false on POST, null on GET"}),
    DOC + "executeAnalysis, Response (returnCode 1000xx, success false)",
)
StsEnvelope = envelope("StsEnvelope", fields.Nested(StsData, required=True), DOC + "executeAnalysis, Response")
