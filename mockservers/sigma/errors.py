"""SigmaCloud DR's error catalog and its envelope, as data (core/errors.py renders them)."""

from __future__ import annotations

from mockservers.core.errors import Bare, Dialect, VendorError
from mockservers.core.fake import seeded_hex
from mockservers.core.http import per_answer

# code -> (HTTP status, message, message_chs). The status is the one a bare fault rule renders with; backends
# raise some codes with a more precise status (e.g. InternalServerError for a missing job is a 404).
CATALOG: dict[str, tuple[int, str, str]] = {
    "InvalidParameter": (400, "Invalid input, the input parameter is invalid!", "输入错误，输入的参数非法!"),
    "InternalServerError": (500, "An internal exception is raised.", "服务内部错误"),
    "ListStudyListError": (500, "list study failed!", ""),  # the document's failure example, message_chs and all
    "LoginFailed": (
        401,
        "User login failed, the account name, user name or password is incorrect!",
        "用户登录失败，账户名、用户名或密码错误!",
    ),
    "InvalidToken": (
        401,
        "Invalid token, the token is invalid or expired, please login again!",
        "无效的token，token非法或已过期，请重新登录!",
    ),
    "SignatureDoesNotMatch": (
        401,
        "The request signature does not match the signature calculated by the server!",
        "请求签名与服务端计算的签名不一致!",
    ),
    "AccessDenied": (403, "Access denied, the user does not belong to the account!", "拒绝访问，用户不属于该账户!"),
    "InvalidContentMD5": (
        400,
        "Invalid Content-MD5, the md5 of the uploaded file does not match!",
        "Content-MD5错误，上传文件的md5值不匹配!",
    ),
    "InvalidFileFormat": (
        400,
        "Invalid file format, the file is not a DICOM file!",
        "文件格式错误，文件不是DICOM文件!",
    ),
    "UploadQuantityExceeded": (
        400,
        "Upload failed, all files of the upload have been uploaded!",
        "上传失败，该上传的所有文件均已上传!",
    ),
    "FileAlreadyExists": (
        409,
        "Upload failed, the file already exists and overwrite is not allowed!",
        "上传失败，文件已存在且不允许覆盖!",
    ),
    "NotFound": (404, "The requested URL was not found on the server!", "请求的URL不存在!"),
    "MethodNotAllowed": (405, "The method is not allowed for the requested URL!", "请求的URL不支持该方法!"),
    "RequestEntityTooLarge": (413, "The request body is too large!", "请求数据过大!"),
}

# Where the document shows each code, or why the code is inferred (the fidelity ledger).
ERROR_SOURCES = {
    "InvalidParameter": "sigmacloud-dr.md § NewJob, 请求失败返回示例",
    "InternalServerError": "sigmacloud-dr.md § GetJob, 请求失败返回示例",
    "ListStudyListError": "sigmacloud-dr.md § GetStudylist, 当前API特有的ERROR_MESSAGE (HTTP 500) and 请求失败返回示例 "
    "(message `list study failed!`, message_chs empty); also a malformed filter",
    "LoginFailed": "inferred: the document shows the failure envelope, not the code (docs/sigma.md)",
    "InvalidToken": "inferred: the document leaves the auth error out (specs README)",
    "SignatureDoesNotMatch": "inferred: the SDK's access-key signature (specs README)",
    "AccessDenied": "inferred: <res_account_name> must be the caller's account",
    "InvalidContentMD5": "inferred: a Content-MD5 mismatch is rejected (specs README)",
    "InvalidFileFormat": "inferred: 文件格式：dcm; anything else is refused",
    "UploadQuantityExceeded": "inferred: quantity is the number of files",
    "FileAlreadyExists": 'inferred: overwrite "0" refuses a second file of the same name',
    "NotFound": "inferred: an unknown URL in the envelope, as every client parses it",
    "MethodNotAllowed": "inferred: a wrong method in the envelope",
    "RequestEntityTooLarge": "inferred: a body over the configured limit",
}

# Chinese names of parameters, for the documented "输入的作业类型（job_type）参数非法" pattern.
PARAM_CHS = {
    "account_name": "账户名",
    "user_name": "用户名",
    "password": "密码",
    "force_new": "强制登录标志",
    "study_id": "检查ID",
    "series_id": "序列ID",
    "patient_id": "患者ID",
    "format": "文件格式",
    "filename": "文件名",
    "job_type": "作业类型",
    "priority": "优先级",
    "type": "类型",
    "notify": "通知标志",
    "notify_url": "通知地址",
    "notify_info": "通知信息",
    "quantity": "文件数量",
    "converted": "转换标志",
    "overwrite": "覆盖标志",
    "groupname": "序列组名",
    "upload_id": "上传ID",
    "unique_id": "序列ID",
    "Content-MD5": "文件md5值",
    "group_name": "序列组名",
    "owner": "所有者",
    "body": "请求数据",
    "patient_name": "患者姓名",
    "accession_number": "检查号",
    "study_description": "检查描述",
    "study_start": "开始日期",
    "study_end": "结束日期",
    "start_time": "开始时间",
    "end_time": "结束时间",
}


class SigmaError(VendorError):
    def __init__(
        self,
        code: str,
        message: str | None = None,
        message_chs: str | None = None,
        status: int | None = None,
        explain: str | None = None,
    ):
        default_status, default_message, default_chs = CATALOG[code]
        super().__init__(message or default_message, status=status or default_status, explain=explain)
        self.code = code
        self.message_chs = message_chs if message_chs is not None else default_chs


def invalid_parameter(field: str, explain: str | None = None) -> SigmaError:
    words = field.replace("_", " ")
    return SigmaError(
        "InvalidParameter",
        f"Invalid input, the input {words} is invalid!",
        f"输入错误，输入的{PARAM_CHS.get(field, field)}（{field}）参数非法!",
        explain=explain,
    )


def missing_parameter(field: str) -> SigmaError:
    return SigmaError(
        "InvalidParameter",
        f"Invalid input, the parameter {field} is required!",
        f"输入错误，缺少必选参数{PARAM_CHS.get(field, field)}（{field}）!",
        explain=f"{field}: missing, it is required",
    )


def not_exist(what: str, action: str) -> SigmaError:
    """The documented not-exist error: code InternalServerError, message naming the action; HTTP 404."""
    return SigmaError(
        "InternalServerError",
        f"An internal exception is raised, message: {action} failed, the {what} is not exist or deleted.",
        "服务内部错误",
        status=404,
    )


def envelope(data=None, message: str = "", message_chs: str = "", error: dict | None = None) -> dict:
    return {
        "url": "",
        "message": message,
        "message_chs": message_chs,
        "data": data if data is not None else {},
        "error": error or {"message": "", "code": "", "message_chs": ""},
    }


def request_id() -> str:
    """x-sg-request-id: 24 hex digits, fresh on every answer."""
    seed, parts = per_answer("x-sg-request-id")
    return seeded_hex(seed, 24, *parts)


def _error_envelope(error: SigmaError) -> tuple[dict, dict[str, str]]:
    body = envelope(error={"message": error.message, "code": error.code, "message_chs": error.message_chs})
    return body, {"x-sg-request-id": request_id()}


DIALECT = Dialect(
    error=SigmaError,
    catalog=CATALOG,
    envelope=_error_envelope,
    sources=ERROR_SOURCES,
    bare={
        404: Bare("NotFound"),
        405: Bare("MethodNotAllowed"),
        413: Bare("RequestEntityTooLarge"),
        400: Bare("InvalidParameter", keep_status=True),
        500: Bare("InternalServerError"),
    },
)
