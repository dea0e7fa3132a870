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
        }

    def jobs(self, ctx):
        return dashboard.jobs(ctx)

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
