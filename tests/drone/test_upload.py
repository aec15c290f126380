"""Resumable upload over HTTP: interrupted transfer resumes from the server's offset; bad files refused."""

from __future__ import annotations

import hashlib
import io
import json

import pytest
from django.urls import reverse

from drone_ingest import services
from drone_ingest.models import ImageryStatus, Orthomosaic, Survey, UploadSession
from gis_portal.errors import DomainError
from gis_portal.roles import SURVEYOR, VIEWER

from .conftest import files_under

pytestmark = pytest.mark.django_db


@pytest.fixture
def surveyor(make_user, pangmu):  # noqa: ANN001, ANN201
    return make_user("surveyor1", pangmu, SURVEYOR)


def _start(client, data: bytes, **extra):  # noqa: ANN001, ANN003, ANN202
    body = {
        "organisation": "pangmu",
        "filename": "flight.tif",
        "size": len(data),
        "captured": "2026-01-15",
        "kind": "ortho",
        "title": "Flight 1",
        "sha256": hashlib.sha256(data).hexdigest(),
        "survey": {"surveyor": "Somchai", "drone": "DJI Phantom 4 RTK", "camera": "FC6310R"},
    } | extra
    return client.post(
        reverse("drone_ingest:upload-start"), json.dumps(body), content_type="application/json"
    )


def _put(client, url: str, data: bytes, start: int, end: int, total: int, **headers):  # noqa: ANN001, ANN003, ANN202
    return client.put(
        url,
        data[start:end],
        content_type="application/octet-stream",
        headers={"Content-Range": f"bytes {start}-{end - 1}/{total}", **headers},
    )


def test_interrupted_upload_resumes_from_the_server_offset_and_checksum_matches(
    client, surveyor, imagery_root, make_tiff, django_capture_on_commit_callbacks
):
    data = make_tiff().read_bytes()
    client.force_login(surveyor)
    started = _start(client, data)
    assert started.status_code == 201, started.content
    session = started.json()
    url, total = session["url"], len(data)
    half = total // 2

    # First half arrives.
    assert _put(client, url, data, 0, half, total).status_code == 200
    # The next chunk is cut off mid-way by a dropped connection: the server keeps only whole chunks.
    with pytest.raises(DomainError) as cut:
        services.upload_write(
            user=surveyor,
            session_id=session["id"],
            offset=half,
            stream=io.BytesIO(data[half : half + 100]),
            length=total - half,
        )
    assert getattr(cut.value, "code", "") == "chunk_incomplete"

    # The client asks where to continue…
    state = client.get(url).json()
    assert state["offset"] == half
    # …a stale retry of an already stored chunk is refused with the offset to use…
    conflict = _put(client, url, data, 0, 10, total)
    assert conflict.status_code == 409 and conflict.json()["offset"] == half
    # …a chunk damaged in transit is refused by its checksum…
    damaged = _put(client, url, data, half, total, total, **{"X-Chunk-SHA256": "0" * 64})
    assert damaged.status_code == 400 and client.get(url).json()["offset"] == half
    # …and the rest goes through.
    rest = _put(
        client, url, data, half, total, total, **{"X-Chunk-SHA256": hashlib.sha256(data[half:]).hexdigest()}
    )
    assert rest.status_code == 200 and rest.json()["offset"] == total

    with django_capture_on_commit_callbacks(execute=False) as queued:
        done = client.post(session["finalize_url"])
    assert done.status_code == 201, done.content
    assert len(queued) == 1, "processing is queued on commit"
    ortho = Orthomosaic.objects.get()
    assert ortho.sha256 == hashlib.sha256(data).hexdigest()
    assert (imagery_root / ortho.source_path).read_bytes() == data
    assert ortho.survey.surveyor == "Somchai" and ortho.created_by == surveyor
    assert not (imagery_root / "uploads" / f"{session['id']}.part").exists()

    # Finalizing again is harmless; processing makes it ready and the status endpoint says so.
    assert client.post(session["finalize_url"]).json()["id"] == ortho.pk
    assert services.process_orthomosaic(ortho.pk) == ImageryStatus.READY
    status = client.get(done.json()["status_url"]).json()
    assert status["status"] == "ready" and status["progress"] == 100


def test_finalize_refuses_a_file_that_is_not_a_geotiff_and_keeps_nothing(client, surveyor, imagery_root):
    data = b"PK\x03\x04 this is a zip, not an orthomosaic" * 100
    client.force_login(surveyor)
    session = _start(client, data).json()
    assert _put(client, session["url"], data, 0, len(data), len(data)).status_code == 200
    refused = client.post(session["finalize_url"])
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "not_tiff" and "TIFF" in body["message_th"] and "TIFF" in body["message_en"]
    assert (
        not Orthomosaic.objects.exists()
        and not UploadSession.objects.exists()
        and not Survey.objects.exists()
    )
    assert files_under(imagery_root) == []


def test_finalize_refuses_a_checksum_mismatch(client, surveyor, imagery_root, make_tiff):
    data = make_tiff().read_bytes()
    client.force_login(surveyor)
    session = _start(client, data, sha256="a" * 64).json()
    _put(client, session["url"], data, 0, len(data), len(data))
    refused = client.post(session["finalize_url"])
    assert refused.status_code == 400 and refused.json()["code"] == "checksum_mismatch"
    assert files_under(imagery_root) == [] and not Orthomosaic.objects.exists()


def test_finalize_before_all_bytes_arrived_is_refused(client, surveyor, imagery_root, make_tiff):
    data = make_tiff().read_bytes()
    client.force_login(surveyor)
    session = _start(client, data).json()
    _put(client, session["url"], data, 0, 100, len(data))
    refused = client.post(session["finalize_url"])
    assert refused.status_code == 400 and refused.json()["offset"] == 100


def test_only_uploaders_of_the_organisation_may_upload(client, make_user, pangmu, mokchampae, imagery_root):
    client.force_login(make_user("viewer1", pangmu, VIEWER))
    assert _start(client, b"x" * 10).status_code == 403
    client.force_login(make_user("other", mokchampae, SURVEYOR))
    assert _start(client, b"x" * 10).status_code == 403


def test_another_user_cannot_see_or_write_an_upload(client, surveyor, make_user, pangmu, imagery_root):
    client.force_login(surveyor)
    session = _start(client, b"x" * 10).json()
    client.force_login(make_user("surveyor2", pangmu, SURVEYOR))
    assert client.get(session["url"]).status_code == 404
    assert _put(client, session["url"], b"x" * 10, 0, 10, 10).status_code == 404


def test_upload_page_shows_the_form_and_progress_bars(client, surveyor, imagery_root):
    client.force_login(surveyor)
    page = client.get(reverse("drone_ingest:index"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="ortho-upload"' in html and 'id="upload-bar"' in html and 'id="process-bar"' in html
    assert "drone_ingest/uploader.js" in html and "<script>" not in html
