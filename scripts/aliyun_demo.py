"""Aliyun medical analysis, the whole flow against a running mock (`make run`): upload a CT study with oss2,
trigger executeAnalysis, receive the status callback, fetch the result, send feedback; then the OA trigger with
STS credentials and its result callback."""

import _bootstrap  # noqa: F401  (must come first: picks the project's virtualenv)

import argparse
import os
import queue
import time

import oss2
from _receiver import start_receiver

from mockservers.aliyun.client import AliyunAPIError, AliyunClient, OssSource
from mockservers.dicom.synthetic import ct_series, knee_dataset, to_part10

OSS_KEY_ID, OSS_SECRET, BUCKET = "mock-access-key-id", "mock-access-key-secret", "demo-bucket"


def acknowledge(path: str) -> dict:
    """Each callback acknowledged in the shape its sender expects."""
    return (
        {"code": 0, "message": "OK"} if path == "/api/taskStatus" else {"returnCode": "000000", "returnMessage": "OK"}
    )


def ct_study(seed: int, slices: int = 3) -> tuple[str, list[bytes]]:
    series = ct_series(seed=seed, index=0, slices=slices)
    return str(series[0].StudyInstanceUID), [to_part10(ds) for ds in series]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--server",
        default=os.environ.get("MOCKSERVERS_URL", "http://127.0.0.1:8080"),
        help="the mock server (OSS is at its root)",
    )
    args = parser.parse_args()
    server = args.server.rstrip("/")
    client = AliyunClient(server + "/aliyun", token_id="demo", namespace="demo")
    receiver, received = start_receiver(acknowledge)
    run = int(time.time())  # a fresh study each run: the mock keeps state between runs
    try:
        bucket = oss2.Bucket(oss2.Auth(OSS_KEY_ID, OSS_SECRET), server, BUCKET)
        prefix = f"demo/{run}/ct"
        study_uid, files = ct_study(seed=run)
        print(f"1. Upload a synthetic 3-slice CT study with oss2 to oss://{BUCKET}/{prefix}/")
        for i, data in enumerate(files):
            result = bucket.put_object(f"{prefix}/{i:04d}.dcm", data)
            print(f"   {prefix}/{i:04d}.dcm  ETag {result.etag}")
        print(f"   listed back: {len(list(oss2.ObjectIterator(bucket, prefix=prefix + '/')))} object(s)")

        source = OssSource(OSS_KEY_ID, OSS_SECRET, server, BUCKET, prefix)
        print(f"2. executeAnalysis studyType 1 (lung nodule CT), callback {receiver}/api/taskStatus")
        client.execute_analysis(study_uid, 1, source, status_callback_url=receiver + "/api/taskStatus")
        print(f"   accepted, studyInstanceUid {study_uid}")
        path, status = received.get(timeout=60)
        print(f"3. Status callback on {path}: status {status['status']}, errorCode {status['errorCode']}")
        data = client.get_analysis_result(study_uid, 1)
        nodules = data["imageDataList"]
        print(f"4. getAnalysisResult: {len(nodules)} nodule(s)")
        for n in nodules:
            print(
                f"   - {n['category']:<10} {n['lung']}/{n['lobe']} at ({n['x']}, {n['y']}, {n['z']}) "
                f"diameter {n['diameter']} mm, confidence {n['confidence']}"
            )
        if nodules:
            client.submit_feedback(study_uid, 1, {nodules[0]["indexId"]: "Y"})
            again = client.get_analysis_result(study_uid, 1)["imageDataList"][0]
            print(f"5. submitAnalysisFeedback: nodule {again['indexId'][:8]}… credibility now {again['credibility']}")
        else:
            print("5. (no nodule to give feedback on)")

        cred = client.issue_sts(OSS_KEY_ID, OSS_SECRET, 900)
        print(f"6. STS credentials from the mock: {cred['AccessKeyId']} (expires {cred['Expiration']})")
        sts_bucket = oss2.Bucket(
            oss2.StsAuth(cred["AccessKeyId"], cred["AccessKeySecret"], cred["SecurityToken"]), server, BUCKET
        )
        knee_key = f"demo/{run}/knee.dcm"
        sts_bucket.put_object(knee_key, to_part10(knee_dataset(seed=run, index=9)))
        sts_source = OssSource(
            cred["AccessKeyId"], cred["AccessKeySecret"], server, BUCKET, knee_key, security_token=cred["SecurityToken"]
        )
        client.trigger_oa(f"knee-{run}", sts_source, receiver + "/oa/result")
        print(f"7. OA trigger accepted for {knee_key}")
        path, oa = received.get(timeout=60)
        print(f"8. OA result callback on {path}: returnCode {oa['returnCode']}, {len(oa['Boxes'])} knee(s)")
        for box in oa["Boxes"]:
            print(f"   - BoxUid {box['BoxUid']} {box['Class']} at {box['Coordinates']}")
    except AliyunAPIError as exc:
        print(f"error: {exc}")
        return 1
    except queue.Empty:
        print("error: no callback within 60 s; is the server running with the real clock (`make run`)?")
        return 1
    except (OSError, oss2.exceptions.RequestError) as exc:
        print(f"error: cannot reach the mock at {server} ({exc}); is `make run` running?")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
