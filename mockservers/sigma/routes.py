"""SigmaCloud DR's HTTP surface: parse, authenticate, call the backend, answer in the envelope."""
from __future__ import annotations

from urllib.parse import parse_qsl, quote

from flask import Blueprint, Response, jsonify, request

from mockservers.core import jsonbody
from mockservers.core.http import current_ctx
from mockservers.sigma.auth import SignedRequest
from mockservers.sigma.backend import SigmaBackend
from mockservers.sigma.errors import envelope, invalid_parameter, request_id

blueprint = Blueprint("sigma", __name__)


def ok(data: dict, message: str, message_chs: str) -> Response:
    response = jsonify(envelope(data, message, message_chs))
    response.headers["x-sg-request-id"] = request_id()
    return response


def body_dict() -> dict:
    """The SDK posts JSON without a Content-Type; forms are accepted too."""
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


def backend() -> SigmaBackend:
    return SigmaBackend(current_ctx())


def caller(b: SigmaBackend, account: str) -> str:
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI")
    raw_path = raw.split("?", 1)[0] if raw else quote(request.script_root + request.path)
    signed = SignedRequest(method=request.method, raw_path=raw_path,
                           raw_query=request.query_string.decode("latin-1"),
                           headers={k.lower(): v for k, v in request.headers.items()})
    return b.authenticate(request.headers.get("Sigma-Token"), request.headers.get("Authorization"), signed, account)


@blueprint.get("/login")
def login():
    data = backend().login(request.args.to_dict())
    return ok(data, "User login successfully.", "用户登录成功.")


@blueprint.delete("/logout")
def logout():
    backend().logout(request.headers.get("Sigma-Token"))
    return ok({}, "User logout successfully!", "用户登出成功")


@blueprint.post("/accounts/<account>/store/uploads/<path:groupname>/")
def upload_init(account: str, groupname: str):
    b = backend()
    user = caller(b, account)
    data = b.init_upload(account, user, groupname, body_dict())
    return ok(data, "Initial multi upload", "初始化分块上传")


@blueprint.put("/accounts/<account>/store/uploads/<path:filename>/")
def upload_put(account: str, filename: str):
    b = backend()
    user = caller(b, account)
    data = b.put_file(account, user, filename, request.args.to_dict(), request.get_data(cache=True),
                      request.headers.get("Content-MD5"))
    return ok(data, f"Upload {filename} succeed", f"文件 {filename} 上传成功")


@blueprint.get("/accounts/<account>/store/downloads/")
def download(account: str):
    b = backend()
    caller(b, account)
    content, name, mimetype = b.download(account, request.args.to_dict())
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response.headers["x-sg-request-id"] = request_id()
    return response


@blueprint.post("/accounts/<account>/jobs/")
def new_job(account: str):
    b = backend()
    user = caller(b, account)
    data = b.new_job(account, user, body_dict())
    return ok(data, "new job successfully!", "新建作业成功！")


@blueprint.get("/accounts/<account>/jobs/list/")
def list_jobs(account: str):
    b = backend()
    caller(b, account)
    return ok(b.list_jobs(account, request.args.to_dict()), "list jobs successfully!", "获取作业列表成功!")


@blueprint.get("/accounts/<account>/jobs/studylist/")
def study_list(account: str):
    b = backend()
    caller(b, account)
    return ok(b.study_list(account, request.args.to_dict()), "list jobs successfully!", "获取作业列表成功!")


@blueprint.get("/accounts/<account>/jobs/<job_id>/")
def get_job(account: str, job_id: str):
    b = backend()
    caller(b, account)
    return ok(b.get_job(account, job_id), "get job information successfully!", "获取作业信息成功!")
