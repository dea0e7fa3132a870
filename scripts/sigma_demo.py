"""SigmaCloud DR, the whole flow against a running mock (`make run`): login, upload, job, callback, result."""

import _bootstrap  # noqa: F401  (must come first: picks the project's virtualenv)

import argparse
import os

from _receiver import start_receiver

from mockservers.dicom.synthetic import chest_file
from mockservers.sigma.client import SigmaAPIError, SigmaClient


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default=os.environ.get("MOCKSERVERS_URL", "http://127.0.0.1:8080") + "/sigma")
    args = parser.parse_args()
    client = SigmaClient(args.base_url)
    try:
        print(f"1. Login as sigma/test at {args.base_url}")
        client.login()
        print(f"   token {client.token[:12]}…, access_key {client.user_info['access_key']}")
        print("2. Upload a synthetic chest DX (POST opens the upload, PUT sends the file with its MD5)")
        ids = client.upload_dicom(chest_file(index=7), name="C:\\Users\\demo\\chest.dcm")
        print(f"   series {ids['series_id']}, store_id {ids['store_id']}")
        receiver, received = start_receiver()
        notify_url = receiver + "/sigma-notify"
        print(f"3. New lung_dr_detection job, notify_url {notify_url}")
        job_id = client.new_job(
            ids["study_id"],
            ids["series_id"],
            ids["patient_id"],
            ids["filename"],
            notify_url=notify_url,
            notify_info={"demo": True},
        )
        print(f"   job {job_id}")
        job = client.wait_for_job(job_id, timeout=120, interval=1)
        print(f"4. Job {job['status']} after {job['end_ts'] - job['start_ts']:.0f}s")
        _, callback = received.get(timeout=60)
        print(
            f"5. Callback received: status {callback['status']}, result_file {callback['result_file']}, "
            f"notify_info {callback['notify_info']}"
        )
        result = client.result(ids["series_id"])
        print(f"6. Result: {len(result['findings'])} finding(s)")
        for finding in result["findings"]:
            print(f"   - {finding['label']} ({finding['label_chs']}) score {finding['score']} box {finding['bbox']}")
        studies = client.study_list(patient_id=ids["patient_id"])
        print(f"7. Study list for patient {ids['patient_id']}: {studies['total_study_count']} study")
        client.logout()
        print("8. Logged out")
    except SigmaAPIError as exc:
        print(f"error: {exc}")
        return 1
    except OSError as exc:
        print(f"error: cannot reach the mock at {args.base_url} ({exc}); is `make run` running?")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
