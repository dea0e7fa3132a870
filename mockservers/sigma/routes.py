"""SigmaCloud DR's HTTP surface: one declaration per endpoint (core.endpoints), as the document describes it, over a
thin view that calls the backend with validated values and answers in the envelope."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote

from flask import Response, jsonify, request
from werkzeug.routing import PathConverter

from mockservers.core import jsonbody
from mockservers.core.endpoints import Endpoints
from mockservers.core.http import current_ctx
from mockservers.core.openapi import Header, Reply
from mockservers.sigma import schemas as s
from mockservers.sigma.auth import SignedRequest
from mockservers.sigma.backend import SigmaBackend
from mockservers.sigma.errors import SigmaError, envelope, invalid_parameter, missing_parameter, request_id

DOC = "sigmacloud-dr.md § "
TOKEN = Header(
    "Sigma-Token", "the token from Login (or sign with Authorization: 12Sigma <access_key>:<signature> and Date)"
)
ACCOUNT = {"res_account_name": "the caller's account name"}
ERRORS = {
    400: Reply("InvalidParameter (or another 4xx code of the catalog)", s.ErrorEnvelope),
    401: Reply("InvalidToken, SignatureDoesNotMatch", s.ErrorEnvelope),
    403: Reply("AccessDenied: the caller is not of <res_account_name>", s.ErrorEnvelope),
    404: Reply("not exist (InternalServerError with the documented message), or NotFound", s.ErrorEnvelope),
    405: Reply("MethodNotAllowed", s.ErrorEnvelope),
    413: Reply("RequestEntityTooLarge", s.ErrorEnvelope),
    500: Reply("InternalServerError, ListStudyListError (fault rules)", s.ErrorEnvelope),
}
PUBLIC_ERRORS = {k: v for k, v in ERRORS.items() if k not in (403,)}
FORM_OR_JSON = ("application/json", "application/x-www-form-urlencoded")


def ok(data: dict, message: str, message_chs: str, **top_level: str) -> Response:
    response = jsonify({**envelope(data, message, message_chs), **top_level})
    response.headers["x-sg-request-id"] = request_id()
    return response


def read_body() -> dict:
    """The SDK posts JSON without a Content-Type; forms, and form pairs sent as text, are accepted too."""
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.form.to_dict()
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = jsonbody.loads(raw)
    except jsonbody.RefusedJSON as exc:
        raise invalid_parameter("body", explain=f"body: {exc}") from None
    except jsonbody.NotJSON:
        if request.mimetype in ("", "text/plain"):
            pairs = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True, strict_parsing=False)
            if pairs and all(k for k, _ in pairs):
                return dict(pairs)
        raise invalid_parameter("body", explain="body: neither a JSON object nor form data") from None
    if not isinstance(data, dict):
        raise invalid_parameter("body", explain="body: must be a JSON object")
    return data


def reject(field: str, message: str) -> SigmaError:
    """A parameter that fails its schema: missing ones say they are required, the others that they are invalid."""
    if "required" in message.lower() or "missing" in message.lower():
        return missing_parameter(field)
    return invalid_parameter(field, explain=f"{field}: {message}")


def reject_study_filter(field: str, message: str) -> SigmaError:
    """GetStudylist's own error (当前API特有的ERROR_MESSAGE): the documented HTTP 500, even for a malformed filter."""
    return SigmaError("ListStudyListError", explain=f"{field}: {message}")


class LocalPath(PathConverter):
    """The PUT's <filename> is the whole local path the SDK read the file from: on Linux or macOS it starts with a
    '/' (`.../uploads//home/u/a.dcm/`), which Flask's `path` refuses."""

    regex = ".+?"
    part_isolating = False  # werkzeug would infer True from a regex without a '/'


def backend() -> SigmaBackend:
    return SigmaBackend(current_ctx())


def authenticate(res_account_name: str, **_path_values: str) -> str:
    """The user behind the request, by Sigma-Token or by access-key signature over the raw path and query."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    raw_path = raw.split("?", 1)[0] if raw else quote(request.script_root + request.path)
    signed = SignedRequest(
        method=request.method,
        raw_path=raw_path,
        raw_query=request.query_string.decode("latin-1"),
        headers={k.lower(): v for k, v in request.headers.items()},
    )
    return backend().authenticate(
        request.headers.get("Sigma-Token"), request.headers.get("Authorization"), signed, res_account_name
    )


api = Endpoints(
    "sigma",
    __name__,
    reject=reject,
    read_body=read_body,
    authenticate=authenticate,
    rule_names={"res_account_name": "account"},
    url_converters={"sigma_local_path": LocalPath},
)


@api(
    "GET",
    "/login",
    name="Login",
    summary="Log in; returns the token",
    source=DOC + "Login",
    query=s.LoginQuery,
    responses={
        200: Reply("logged in", s.LoginEnvelope),
        401: Reply("LoginFailed", s.ErrorEnvelope),
        **{k: v for k, v in PUBLIC_ERRORS.items() if k != 401},
    },
)
def login(query: dict):
    return ok(backend().login(query), "User login successfully.", "用户登录成功.")


@api(
    "DELETE",
    "/logout",
    name="Logout",
    summary="Log out; the token stops working",
    source=DOC + "Logout",
    headers=(Header("Sigma-Token", "the token to revoke", required=True),),
    responses={200: Reply("logged out", s.EmptyEnvelope), **PUBLIC_ERRORS},
)
def logout():
    backend().logout(request.headers.get("Sigma-Token"))
    return ok({}, "User logout successfully!", "用户登出成功")


@api(
    "POST",
    "/accounts/{res_account_name}/store/uploads/{groupname}/",
    name="Upload (POST)",
    summary="Open an upload for a series",
    source=DOC + "Upload（POST）",
    auth=True,
    body=s.UploadInitBody,
    body_types=FORM_OR_JSON,
    headers=(TOKEN,),
    converters={"groupname": "path"},
    path_params={**ACCOUNT, "groupname": "the series' SeriesInstanceUID"},
    responses={200: Reply("the upload_id", s.UploadEnvelope), **ERRORS},
)
def upload_init(res_account_name: str, groupname: str, caller: str, body: dict):
    data = backend().init_upload(res_account_name, caller, groupname, body)
    return ok(data, "Initial multi upload", "初始化分块上传")


@api(
    "PUT",
    "/accounts/{res_account_name}/store/uploads/{filename}/",
    name="Upload (PUT)",
    summary="Store one DICOM file of the upload",
    source=DOC + "Upload（PUT）",
    auth=True,
    query=s.UploadPutQuery,
    raw_body="application/octet-stream",
    converters={"filename": "sigma_local_path"},
    headers=(
        TOKEN,
        Header("Content-MD5", "the file's MD5: 32 hex digits or base64; optional on a signed request", required=True),
    ),
    path_params={**ACCOUNT, "filename": "the file name (may be a whole Windows or Unix path)"},
    responses={
        200: Reply("stored; store_id (in data and at the top) once all `quantity` files arrived", s.UploadPutEnvelope),
        409: Reply("FileAlreadyExists", s.ErrorEnvelope),
        **ERRORS,
    },
)
def upload_put(res_account_name: str, filename: str, caller: str, query: dict):
    data = backend().put_file(
        res_account_name,
        caller,
        filename,
        query,
        request.get_data(cache=True),
        request.headers.get("Content-MD5"),
        signed=not request.headers.get("Sigma-Token"),  # authenticated without a token: by signature
    )
    # the SDK ends its PUT loop on `'store_id' in ret.keys()`: the envelope's top level
    top = {"store_id": data["store_id"]} if "store_id" in data else {}
    return ok(data, f"Upload {filename} succeed", f"文件 {filename} 上传成功", **top)


@api(
    "GET",
    "/accounts/{res_account_name}/store/downloads/",
    name="DownloadFile",
    summary="Download a result JSON (<series_id>.json) or an uploaded DICOM file",
    source=DOC + "DownloadFile",
    auth=True,
    query=s.DownloadQuery,
    headers=(TOKEN,),
    path_params=ACCOUNT,
    responses={
        200: Reply(
            "the file (application/json for results, application/dicom for images)",
            media="application/octet-stream",
            binary=True,
        ),
        **ERRORS,
    },
)
def download(res_account_name: str, caller: str, query: dict):
    content, name, mimetype = backend().download(res_account_name, query)
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response.headers["x-sg-request-id"] = request_id()
    return response


@api(
    "POST",
    "/accounts/{res_account_name}/jobs/",
    name="NewJob",
    summary="Create a DR detection job",
    source=DOC + "NewJob",
    auth=True,
    body=s.NewJobBody,
    body_types=FORM_OR_JSON,
    headers=(TOKEN,),
    path_params=ACCOUNT,
    responses={200: Reply("the job id", s.JobIdEnvelope), **ERRORS},
)
def new_job(res_account_name: str, caller: str, body: dict):
    return ok(backend().new_job(res_account_name, caller, body), "new job successfully!", "新建作业成功！")


@api(
    "GET",
    "/accounts/{res_account_name}/jobs/{job_id}/",
    name="GetJob",
    summary="A job and its tasks",
    source=DOC + "GetJob",
    auth=True,
    headers=(TOKEN,),
    path_params={**ACCOUNT, "job_id": "from NewJob"},
    responses={200: Reply("the job", s.JobEnvelope), **ERRORS},
)
def get_job(res_account_name: str, job_id: str, caller: str):
    return ok(backend().get_job(res_account_name, job_id), "get job information successfully!", "获取作业信息成功!")


@api(
    "GET",
    "/accounts/{res_account_name}/jobs/list/",
    name="ListJobs",
    summary="Every job of a series",
    source=DOC + "ListJobs",
    auth=True,
    query=s.ListJobsQuery,
    headers=(TOKEN,),
    path_params=ACCOUNT,
    responses={200: Reply("the jobs", s.ListJobsEnvelope), **ERRORS},
)
def list_jobs(res_account_name: str, caller: str, query: dict):
    return ok(backend().list_jobs(res_account_name, query), "list jobs successfully!", "获取作业列表成功!")


@api(
    "GET",
    "/accounts/{res_account_name}/jobs/studylist/",
    name="GetStudylist",
    summary="Studies of the account's jobs, from the uploaded DICOM headers",
    source=DOC + "GetStudylist",
    auth=True,
    query=s.StudyListQuery,
    reject=reject_study_filter,
    headers=(TOKEN,),
    path_params=ACCOUNT,
    responses={
        200: Reply("the studies", s.StudyListEnvelope),
        **ERRORS,
        500: Reply("ListStudyListError: a malformed filter (the documented status), a fault rule", s.ErrorEnvelope),
    },
)
def study_list(res_account_name: str, caller: str, query: dict):
    return ok(backend().study_list(res_account_name, query), "list jobs successfully!", "获取作业列表成功!")
