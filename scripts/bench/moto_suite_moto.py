"""The same shape with moto (run by moto_suites.py, not collected by the project's tests): 50 tests, each in a fresh
`mock_aws`, a login (STS credentials) and a call (S3 ListBuckets) through boto3."""

import boto3
import pytest
from moto import mock_aws

REGION = "us-east-1"


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.mark.parametrize("n", range(50))
@mock_aws
def test_login_and_list_buckets(n):
    credentials = boto3.client("sts", region_name=REGION).get_session_token()["Credentials"]
    s3 = boto3.client(
        "s3",
        region_name=REGION,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    answer = s3.list_buckets()
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert answer["Buckets"] == []
