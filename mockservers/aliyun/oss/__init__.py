"""An OSS-compatible object store (path style, signature v1) that the oss2 SDK works against."""
