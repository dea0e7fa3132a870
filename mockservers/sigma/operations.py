"""SigmaCloud DR's endpoints as the document describes them: the OpenAPI document and the fidelity ledger."""
from __future__ import annotations

from mockservers.core.openapi import Header, Operation, Reply
from mockservers.sigma import schemas as s

DOC = "sigmacloud-dr.md § "
TOKEN = Header("Sigma-Token", "the token from Login (or sign with Authorization: 12Sigma <access_key>:<signature> "
                              "and Date)")
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


def operations() -> list[Operation]:
    return [
        Operation("Login", "GET", "/login", "Log in; returns the token", DOC + "Login", query=s.LoginQuery,
                  responses={200: Reply("logged in", s.LoginEnvelope),
                             401: Reply("LoginFailed", s.ErrorEnvelope),
                             **{k: v for k, v in PUBLIC_ERRORS.items() if k != 401}}),
        Operation("Logout", "DELETE", "/logout", "Log out; the token stops working", DOC + "Logout",
                  headers=(Header("Sigma-Token", "the token to revoke", required=True),),
                  responses={200: Reply("logged out", s.EmptyEnvelope), **PUBLIC_ERRORS}),
        Operation("Upload (POST)", "POST", "/accounts/{res_account_name}/store/uploads/{groupname}/",
                  "Open an upload for a series", DOC + "Upload（POST）", body=s.UploadInitBody,
                  body_types=("application/json", "application/x-www-form-urlencoded"), headers=(TOKEN,),
                  path_params={**ACCOUNT, "groupname": "the series' SeriesInstanceUID"},
                  responses={200: Reply("the upload_id", s.UploadEnvelope), **ERRORS}),
        Operation("Upload (PUT)", "PUT", "/accounts/{res_account_name}/store/uploads/{filename}/",
                  "Store one DICOM file of the upload", DOC + "Upload（PUT）", query=s.UploadPutQuery,
                  raw_body="application/octet-stream",
                  headers=(TOKEN, Header("Content-MD5", "the file's MD5: 32 hex digits or base64", required=True)),
                  path_params={**ACCOUNT, "filename": "the file name (may be a whole Windows path)"},
                  responses={200: Reply("stored; store_id once all `quantity` files arrived", s.UploadEnvelope),
                             409: Reply("FileAlreadyExists", s.ErrorEnvelope), **ERRORS}),
        Operation("DownloadFile", "GET", "/accounts/{res_account_name}/store/downloads/",
                  "Download a result JSON (<series_id>.json) or an uploaded DICOM file", DOC + "DownloadFile",
                  query=s.DownloadQuery, headers=(TOKEN,), path_params=ACCOUNT,
                  responses={200: Reply("the file (application/json for results, application/dicom for images)",
                                        media="application/octet-stream", binary=True), **ERRORS}),
        Operation("NewJob", "POST", "/accounts/{res_account_name}/jobs/", "Create a DR detection job",
                  DOC + "NewJob", body=s.NewJobBody,
                  body_types=("application/json", "application/x-www-form-urlencoded"), headers=(TOKEN,),
                  path_params=ACCOUNT, responses={200: Reply("the job id", s.JobIdEnvelope), **ERRORS}),
        Operation("GetJob", "GET", "/accounts/{res_account_name}/jobs/{job_id}/", "A job and its tasks",
                  DOC + "GetJob", headers=(TOKEN,), path_params={**ACCOUNT, "job_id": "from NewJob"},
                  responses={200: Reply("the job", s.JobEnvelope), **ERRORS}),
        Operation("ListJobs", "GET", "/accounts/{res_account_name}/jobs/list/", "Every job of a series",
                  DOC + "ListJobs", query=s.ListJobsQuery, headers=(TOKEN,), path_params=ACCOUNT,
                  responses={200: Reply("the jobs", s.ListJobsEnvelope), **ERRORS}),
        Operation("GetStudylist", "GET", "/accounts/{res_account_name}/jobs/studylist/",
                  "Studies of the account's jobs, from the uploaded DICOM headers", DOC + "GetStudylist",
                  query=s.StudyListQuery, headers=(TOKEN,), path_params=ACCOUNT,
                  responses={200: Reply("the studies", s.StudyListEnvelope), **ERRORS}),
    ]


ERROR_SOURCES = {
    "InvalidParameter": DOC + "NewJob, 请求失败返回示例",
    "InternalServerError": DOC + "GetJob, 请求失败返回示例",
    "ListStudyListError": DOC + "GetStudylist, 当前API特有的ERROR_MESSAGE",
    "LoginFailed": "inferred: the document shows the failure envelope, not the code (docs/sigma.md)",
    "InvalidToken": "inferred: the document leaves the auth error out (specs README)",
    "SignatureDoesNotMatch": "inferred: the SDK's access-key signature (specs README)",
    "AccessDenied": "inferred: <res_account_name> must be the caller's account",
    "InvalidContentMD5": "inferred: a Content-MD5 mismatch is rejected (specs README)",
    "InvalidFileFormat": "inferred: 文件格式：dcm; anything else is refused",
    "UploadQuantityExceeded": "inferred: quantity is the number of files",
    "FileAlreadyExists": "inferred: overwrite \"0\" refuses a second file of the same name",
    "NotFound": "inferred: an unknown URL in the envelope, as every client parses it",
    "MethodNotAllowed": "inferred: a wrong method in the envelope",
    "RequestEntityTooLarge": "inferred: a body over the configured limit",
}
