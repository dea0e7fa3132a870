"""RetrieveTransactionResourceTests.Rendered.cs (the C# fixture's client is Latest: /v2). RetrieveRendered*Async
sends the media type alone as the Accept, and ?quality= in the URL."""

from __future__ import annotations

import pytest

from tests.msdicom.conformance.conftest import instance_path
from tests.msdicom.conformance.samples import random_file_with_pixels


def rendered_frame(v2, ds, frame: int, quality: int = 100, media_type: str = "image/jpeg"):
    return v2.get(f"{instance_path(ds)}/frames/{frame}/rendered", media_type, query=f"quality={quality}")


@pytest.mark.parametrize("media_type", ["image/jpeg", "image/png"])
def test_given_valid_media_type_when_retrieve_rendered_instance_then_correct_content(v2, uid, media_type):
    """GivenValidMediaType_WhenRetrieveRenderedInstance_ThenServerShouldReturnCorrectContentSuccessfully, rows
    "image/jpeg" and "image/png"."""
    ds = random_file_with_pixels(uid, uid(), uid(), uid())
    v2.store_many([ds])
    response = v2.get(f"{instance_path(ds)}/rendered", media_type, query="quality=100")
    assert response.status_code == 200
    assert response.mimetype == media_type


def test_given_no_media_type_when_retrieve_rendered_frame_then_correct_content(v2, uid):
    """GivenNoMediaType_WhenRetrieveRenderedFrame_ThenServerShouldReturnCorrectContentSuccessfully: frames 1 and 2
    of 3 as JPEG."""
    ds = random_file_with_pixels(uid, uid(), uid(), uid(), frames=3)
    v2.store_many([ds])
    for frame in (1, 2):
        response = rendered_frame(v2, ds, frame)
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"


def test_given_no_media_type_when_retrieve_invalid_rendered_frame_then_not_found(v2, uid):
    """GivenNoMediaType_WhenRetrieveInvalidRenderedFrame_ThenServerShouldThrowError: frame 5 of 3."""
    ds = random_file_with_pixels(uid, uid(), uid(), uid(), frames=3)
    v2.store_many([ds])
    assert rendered_frame(v2, ds, 1).mimetype == "image/jpeg"
    assert rendered_frame(v2, ds, 5).status_code == 404


def test_given_different_qualities_when_retrieve_rendered_frame_then_correct_content(v2, uid):
    """GivenDifferentQualities_WhenRetrieveRenderedFrame_ThenServerShouldReturnCorrectContentSuccessfully:
    quality 100 and 1, frames 1 and 2."""
    ds = random_file_with_pixels(uid, uid(), uid(), uid(), frames=3)
    v2.store_many([ds])
    for frame, quality in ((1, 100), (2, 100), (1, 1), (2, 1)):
        response = rendered_frame(v2, ds, frame, quality)
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
