"""SigmaCloud DR as the core sees it."""

from __future__ import annotations

from mockservers.core import callback_retry, callback_targets
from mockservers.core.vendor import VendorSpec
from mockservers.sigma import dashboard
from mockservers.sigma.backend import SigmaBackend
from mockservers.sigma.errors import DIALECT


class SigmaVendor(VendorSpec):
    key = "sigma"
    title = "SigmaCloud DR"
    document = "sigmacloud-dr.md"
    real_hosts = ("https://api.12sigma.ai", "http://api.12sigma.ai")
    # the Login password (sent, and hashed in its answer), the token it returns and the signing key
    credential_names = ("password", "Sigma-Token", "token", "secret_key")
    errors = DIALECT

    def blueprint(self):
        from mockservers.sigma.routes import api

        return api.blueprint

    def endpoints(self):
        from mockservers.sigma.routes import api

        return [api]

    def behaviour_sources(self):
        return {
            "notify_url callback: where it may go": callback_targets.TARGET_SOURCE,
            "notify_url callback: retries": callback_retry.RETRY_SOURCE,
            "notify_url callback: when": "sigmacloud-dr.md § NewJob, notify: 是否在计算成功后通知调用方 (after "
            "success); a failed job too only with the setting sigma_notify_on_failure (default false)",
            "Sigma-Token: lifetime": "inferred: the document gives none; one day (sigma_token_lifetime_seconds, 0: "
            "never) after the Login that returned the token, on the clock; then InvalidToken, whose message says "
            "'invalid or expired, please login again'; access-key signatures do not expire",
            "Upload (PUT): <filename> a Unix path": "inferred: the SDK sends the whole local path it read the file "
            "from (specs README), the document's example a Windows one; a Unix one (uploads//home/u/a.dcm/) is "
            "taken the same way, stored under its base name",
            "Upload (PUT): Content-MD5 on a signed request": "inferred: the SDK's access-key mode sends none, its "
            "signature covering the request (specs README); it stays required (必选) with a Sigma-Token",
            "NewJob: filename <series_id>.<format>": "sigmacloud-dr.md § NewJob, 请求数据json范例 (series_id "
            "222.222.222, filename 222.222.222.dcm): the series itself, whose first uploaded file the job reads",
            "NewJob: format nii": "inferred: the SDK asks for `<series_id>.nii` after uploading with converted "
            '"1" (是否dcm转nii) (specs README); needs that upload',
            "GetStudylist: a malformed filter": "sigmacloud-dr.md § GetStudylist, 当前API特有的ERROR_MESSAGE: "
            "ListStudyListError with HTTP 500",
            "result findings: where the boxes lie": "inferred: a viewer draws them on the image; each finding on the "
            "chest found on the uploaded image's pixels (core/anatomy.py): lung findings in a lung field, "
            "pneumothorax and tuberculosis in its upper half, effusion at its base, cardiomegaly between the lungs, "
            "fracture in the body; no recognisable chest: where a PA chest's lungs usually are",
        }

    def jobs(self, ctx):
        return dashboard.jobs(ctx)

    def dicom_files(self, ctx):
        return dashboard.dicom_files(ctx)

    def findings(self, ctx):
        return dashboard.findings(ctx)

    def studies(self, ctx):
        return dashboard.studies(ctx)

    def demo(self, unit, studies, progress):
        from mockservers.sigma.demo import seed

        seed(unit, studies, progress)

    def handlers(self):
        return {
            "job_start": lambda ctx, p: SigmaBackend(ctx).start_job(p["job_id"]),
            "job_finish": lambda ctx, p: SigmaBackend(ctx).finish_job(p["job_id"]),
        }

    def default_config(self):
        return {
            "accounts": {
                "sigma": {
                    "users": {
                        "test": {
                            "password": "123456",
                            "email": "test@12sigma.ai",
                            "mobile": "18888888888",
                            "display_name": "test",
                            "description": "12sigma",
                            "user_level": "12sigma",
                        },
                    },
                },
            },
            "job_types": ["lung_dr_detection"],
            "queue_seconds": 1,
            "run_seconds": 5,
        }
