"""The queries the OSS store checks before it looks at its buckets: ListObjects' (v1 and v2), ListBuckets'."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields

from mockservers.aliyun.oss.store import MAX_LIST_KEYS
from mockservers.core.validation import is_whole_number


class MaxKeys(fields.Field):
    """1 to MAX_LIST_KEYS in ASCII digits; empty means the default, as absent does."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value == "":
            return self.load_default
        if not isinstance(value, str) or not is_whole_number(value) or not 1 <= int(value) <= MAX_LIST_KEYS:
            raise ValidationError(f"must be an integer between 1 and {MAX_LIST_KEYS}")
        return int(value)


def text(name: str) -> fields.String:
    return fields.String(data_key=name, load_default="")


class ListQuery(Schema):
    __source__ = "inferred: the oss2 SDK's Bucket.list_objects and list_objects_v2 (GetBucket)"

    class Meta:
        unknown = EXCLUDE  # signatures, sub-resources and whatever else oss2 sends

    list_type = text("list-type")
    prefix = text("prefix")
    delimiter = text("delimiter")
    marker = text("marker")
    continuation_token = text("continuation-token")
    start_after = text("start-after")
    max_keys = MaxKeys(data_key="max-keys", load_default=100)
    encoding_type = text("encoding-type")
    fetch_owner = text("fetch-owner")


class ListBucketsQuery(Schema):
    __source__ = "inferred: the oss2 SDK's Service.list_buckets (GetService)"

    class Meta:
        unknown = EXCLUDE

    prefix = text("prefix")
    marker = text("marker")
    max_keys = MaxKeys(data_key="max-keys", load_default=100)
