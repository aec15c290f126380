"""Imagery services: upload sessions, ingest of a file, and the processing job (COG + footprint).

State machine of an :class:`Orthomosaic`: ``uploaded → processing → ready | failed``. A job claims
the row under a row lock with a token (the Celery task id); a redelivered task with the same token,
or any job once the heartbeat is older than ``IMAGERY_STALE_AFTER_SECONDS``, may take it over.
The original file is removed only after the COG has been validated and the row committed as ready;
bad input is refused before any row exists, or (for what is only seen while converting) marks the
row failed with the reason and removes every file of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Polygon
from django.db import connections, transaction
from django.utils import timezone

from gis_portal.errors import ConflictError, DomainError, NotFoundError, disk_full_error, is_disk_full
from gis_portal.roles import GIS_EDITOR, SURVEYOR
from parcels.models import Organisation
from parcels.selectors import require_role

from . import conf, files, placement, raster
from .files import absolute as _absolute
from .files import relative as _relative
from .models import (
    ImageryKind,
    ImageryStatus,
    Orthomosaic,
    RefusedImagery,
    Survey,
    UploadSession,
    UploadStatus,
)

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, str], None]
UPLOAD_ROLES = (SURVEYOR, GIS_EDITOR)
ACCEPTED_SUFFIXES = (".tif", ".tiff", ".gtiff")
COPY_BUFFER = 8 * 1024 * 1024


# --- files ------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(COPY_BUFFER):
            digest.update(chunk)
    return digest.hexdigest()


def _store_original(path: Path, organisation: Organisation) -> tuple[Path, str]:
    """Put the file under originals/ (a hard link when possible, else a copy), hashing it once."""
    target_dir = conf.originals_dir() / str(organisation.pk)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{uuid.uuid4().hex}.tif"
    try:
        os.link(path, target)
        return target, sha256_of(target)
    except OSError:
        pass
    digest = hashlib.sha256()
    try:
        with path.open("rb") as src, target.open("wb") as dst:
            while chunk := src.read(COPY_BUFFER):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, digest.hexdigest()


def _unlink(*paths: Path | None) -> None:
    for path in paths:
        if path is not None:
            path.unlink(missing_ok=True)


def _check_suffix(name: str) -> None:
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        raise raster.ImageryInputError(
            "not_tiff",
            f"Only GeoTIFF files (.tif, .tiff) are accepted, not {name!r}",
            f"รับเฉพาะไฟล์ GeoTIFF (.tif, .tiff) ไม่รับ {name!r}",
        )


def _check_kind(kind: str) -> None:
    if kind not in ImageryKind.values:
        raise DomainError(
            "kind", f"Unknown kind {kind!r} (ortho, dsm or dtm)", f"ไม่รู้จักชนิด {kind!r} (ortho, dsm หรือ dtm)"
        )


# --- ingest -----------------------------------------------------------------------------------


def _polygon(bounds: tuple[float, float, float, float]) -> Polygon:
    return Polygon.from_bbox(bounds)


def _create_record(
    *,
    organisation: Organisation,
    stored: Path,
    source_name: str,
    size: int,
    sha256: str,
    info: raster.RasterInfo,
    kind: str,
    captured_on: dt.date,
    title: str,
    survey: Survey | None,
    user: Any,
) -> Orthomosaic:
    ortho = Orthomosaic(
        organisation=organisation,
        survey=survey,
        kind=kind,
        title=title[:200],
        captured_on=captured_on,
        status=ImageryStatus.UPLOADED,
        source_name=source_name[:255],
        source_path=_relative(stored),
        file_size=size,
        sha256=sha256,
        crs=info.crs,
        crs_wkt=info.crs_wkt,
        width=info.width,
        height=info.height,
        band_count=info.band_count,
        dtype=info.dtype,
        pixel_size_x=info.pixel_size_x,
        pixel_size_y=info.pixel_size_y,
        ground_resolution_m=info.ground_resolution_m,
        bounds_4326=_polygon(info.bounds_4326),
        created_by=user if getattr(user, "pk", None) else None,
    )
    ortho.full_clean(exclude=["source_path", "cog_path"])
    ortho.save()
    return ortho


def queue_processing(ortho_id: int) -> None:
    """Queue the processing job once the surrounding transaction has committed."""
    from .tasks import process_orthomosaic_task

    transaction.on_commit(lambda: process_orthomosaic_task.delay(ortho_id))


def ingest_file(
    *,
    organisation: Organisation,
    path: Path,
    captured_on: dt.date,
    kind: str = ImageryKind.ORTHO,
    title: str = "",
    user: Any = None,
    survey: Survey | None = None,
    queue: bool = True,
) -> Orthomosaic:
    """Check a GeoTIFF on disk, keep a copy (or hard link) of it and create its record (``uploaded``).

    Refused input raises :class:`raster.ImageryInputError` and leaves nothing behind. With
    ``queue`` the processing job is queued on commit; otherwise call :func:`process_orthomosaic`.
    """
    path = Path(path)
    _check_kind(kind)
    if user is not None:
        require_role(user, organisation, *UPLOAD_ROLES)
    if not path.is_file():
        raise NotFoundError("file_not_found", f"No file {path}", f"ไม่พบไฟล์ {path}")
    _check_suffix(path.name)
    info = raster.inspect_raster(path, kind)
    placement.check_placement(organisation, info, kind)
    stored, digest = _store_original(path, organisation)
    size = stored.stat().st_size
    try:
        files.publish(stored)
        with transaction.atomic():
            ortho = _create_record(
                organisation=organisation,
                stored=stored,
                source_name=path.name,
                size=size,
                sha256=digest,
                info=info,
                kind=kind,
                captured_on=captured_on,
                title=title or path.stem,
                survey=survey,
                user=user,
            )
            if queue:
                queue_processing(ortho.pk)
    except BaseException:
        files.unpublish(stored)
        _unlink(stored)
        raise
    files.drop_local(stored)
    return ortho


# --- processing -------------------------------------------------------------------------------


def _is_stale(ortho: Orthomosaic, now: dt.datetime) -> bool:
    beat = ortho.heartbeat_at or ortho.processing_started_at
    return beat is None or (now - beat).total_seconds() > conf.stale_after_seconds()


def _tmp_cogs(ortho: Orthomosaic) -> Iterable[Path]:
    folder = conf.cogs_dir() / str(ortho.organisation_id)
    return folder.glob(f"{ortho.pk}.*.tmp*") if folder.exists() else []


def claim(ortho_id: int, token: str) -> Orthomosaic | None:
    """Take the job under a row lock; None when there is nothing to do (or someone alive has it)."""
    now = timezone.now()
    with transaction.atomic():
        ortho = Orthomosaic.objects.select_for_update().filter(pk=ortho_id).first()
        if ortho is None:
            return None
        if ortho.status == ImageryStatus.PROCESSING:
            if ortho.claimed_by != token and not _is_stale(ortho, now):
                return None
        elif ortho.status != ImageryStatus.UPLOADED:
            return None
        if not ortho.source_path or not files.is_stored(ortho.source_path):
            _fail(
                ortho,
                "original_missing",
                "The uploaded file is missing; upload it again",
                "ไม่พบไฟล์ที่อัปโหลด กรุณาอัปโหลดใหม่",
                retryable=False,
            )
            return None
        ortho.status = ImageryStatus.PROCESSING
        ortho.claimed_by = token[:200]
        ortho.attempts += 1
        ortho.progress = 0
        ortho.heartbeat_at = now
        ortho.processing_started_at = now
        ortho.error_code = ortho.error_en = ortho.error_th = ""
        ortho.save(
            update_fields=[
                "status",
                "claimed_by",
                "attempts",
                "progress",
                "heartbeat_at",
                "processing_started_at",
                "error_code",
                "error_en",
                "error_th",
                "updated_at",
            ]
        )
    for leftover in _tmp_cogs(ortho):
        leftover.unlink(missing_ok=True)
    return ortho


def _refuse(ortho: Orthomosaic, exc: raster.ImageryInputError) -> RefusedImagery:
    """The file itself is bad (found while processing): remove its record, keep a note of why."""
    note = RefusedImagery.objects.create(
        organisation_id=ortho.organisation_id,
        orthomosaic_id=ortho.pk,
        kind=ortho.kind,
        title=ortho.title,
        captured_on=ortho.captured_on,
        source_name=ortho.source_name,
        file_size=ortho.file_size,
        sha256=ortho.sha256,
        error_code=exc.code[:64],
        error_en=exc.message_en,
        error_th=exc.message_th,
        uploaded_by_id=ortho.created_by_id,
    )
    log.warning("orthomosaic %s (%s) refused: %s", ortho.pk, ortho.source_name, exc.message_en)
    ortho.delete()
    return note


def _fail(ortho: Orthomosaic, code: str, en: str, th: str, *, retryable: bool) -> None:
    ortho.status = ImageryStatus.FAILED
    ortho.retryable = retryable
    ortho.error_code, ortho.error_en, ortho.error_th = code[:64], en, th
    ortho.claimed_by = ""
    fields = ["status", "retryable", "error_code", "error_en", "error_th", "claimed_by", "updated_at"]
    if not retryable:
        ortho.source_path = ""
        fields.append("source_path")
    ortho.save(update_fields=fields)


def _progress_writer(ortho_id: int, token: str, echo: ProgressFn | None) -> ProgressFn:
    last = {"t": 0.0, "pct": -1}

    def write(pct: int, stage: str) -> None:
        if echo:
            echo(pct, stage)
        now = time.monotonic()
        if pct == last["pct"] or now - last["t"] < 1.0:
            return
        last["t"], last["pct"] = now, pct
        try:
            with transaction.atomic():
                with connections["default"].cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '2s'")
                Orthomosaic.objects.filter(
                    pk=ortho_id, claimed_by=token, status=ImageryStatus.PROCESSING
                ).update(progress=pct, heartbeat_at=timezone.now())
        except Exception:  # noqa: BLE001 - progress is best effort; the job must go on
            log.warning("could not record progress of orthomosaic %s", ortho_id, exc_info=True)

    return write


def process_orthomosaic(
    ortho_id: int, token: str | None = None, progress: ProgressFn | None = None
) -> str | None:
    """Convert the original to a COG, verify it, compute the footprint, mark ready. Safe to re-run.

    Returns the final status, or None when the job was not ours to run.
    """
    token = token or f"local-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    ortho = claim(ortho_id, token)
    if ortho is None:
        return None
    report = _progress_writer(ortho.pk, token, progress)
    folder = conf.cogs_dir() / str(ortho.organisation_id)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{ortho.pk}.{uuid.uuid4().hex[:8]}.tmp.tif"
    final = folder / f"{ortho.pk}.tif"
    remote = files.remote()
    # From an object store the original is fetched into a local work file (claim() removes leftovers).
    work_copy = folder / f"{ortho.pk}.{uuid.uuid4().hex[:8]}.tmp-source.tif"
    source = work_copy if remote else _absolute(ortho.source_path)
    try:
        if remote:
            report(1, "downloading")
            files.fetch(ortho.source_path, source)
        report(1, "validating")
        raster.inspect_raster(source, ortho.kind)

        def converting(fraction: float, stage: str) -> None:
            report(2 + int(fraction * 88), stage)

        raster.to_cog(source, tmp, ortho.kind, converting)
        report(91, "verifying")
        raster.validate_cog(tmp)
        report(95, "footprint")
        footprint = raster.compute_footprint(tmp, ortho.kind)
        cog_size = tmp.stat().st_size
        if remote:
            # Uploaded before the commit. A job that was taken over meanwhile writes the same COG
            # (same original, same settings) under the same name, so either upload may stand.
            report(97, "uploading")
            files.publish(tmp, as_path=final)
        with transaction.atomic():
            current = Orthomosaic.objects.select_for_update().get(pk=ortho.pk)
            if current.status != ImageryStatus.PROCESSING or current.claimed_by != token:
                log.warning(
                    "orthomosaic %s was taken over by %s; dropping this result", ortho.pk, current.claimed_by
                )
                _unlink(tmp)
                return None
            if not remote:
                os.replace(tmp, final)
            current.cog_path = _relative(final)
            current.cog_size = cog_size
            current.footprint = MultiPolygon(
                [GEOSGeometry(memoryview(poly.wkb)) for poly in footprint.geometry_4326.geoms], srid=4326
            )
            current.bounds_4326 = _polygon(footprint.bounds_4326)
            current.footprint_area_m2 = footprint.area_m2
            current.value_min, current.value_max = footprint.value_min, footprint.value_max
            current.status = ImageryStatus.READY
            current.progress = 100
            current.processed_at = timezone.now()
            current.claimed_by = ""
            kept_source = current.source_path
            current.source_path = ""
            current.save()
        _unlink(tmp)  # with an object store: the uploaded local copy
        files.remove(kept_source)
        report(100, "ready")
        return ImageryStatus.READY
    except raster.ImageryInputError as exc:
        _unlink(tmp)
        with transaction.atomic():
            current = Orthomosaic.objects.select_for_update().get(pk=ortho.pk)
            if current.claimed_by == token:
                kept_source = current.source_path
                _refuse(current, exc)
                if kept_source:
                    transaction.on_commit(lambda: files.remove(kept_source))
        report(100, "refused")
        return ImageryStatus.FAILED
    except Exception as exc:
        log.exception("processing orthomosaic %s failed", ortho.pk)
        _unlink(tmp)
        with transaction.atomic():
            current = Orthomosaic.objects.select_for_update().get(pk=ortho.pk)
            if current.claimed_by == token:
                _fail(
                    current,
                    "processing_error",
                    f"Processing failed ({type(exc).__name__}: {exc}); the upload is kept and can be retried",
                    "การประมวลผลล้มเหลว ไฟล์ที่อัปโหลดยังเก็บไว้และลองใหม่ได้",
                    retryable=True,
                )
        return ImageryStatus.FAILED
    finally:
        if remote:
            _unlink(work_copy)  # the work copy of the original (it stays in the store until ready)


def requeue(ortho: Orthomosaic) -> None:
    """Put a stale or retryable-failed job back to ``uploaded`` and queue it."""
    with transaction.atomic():
        locked = Orthomosaic.objects.select_for_update().get(pk=ortho.pk)
        if locked.status == ImageryStatus.FAILED and not locked.retryable:
            raise DomainError(
                "not_retryable",
                "This job cannot be retried: upload the file again",
                "งานนี้ลองใหม่ไม่ได้ กรุณาอัปโหลดไฟล์ใหม่",
            )
        if locked.status == ImageryStatus.READY:
            return
        locked.status = ImageryStatus.UPLOADED
        locked.claimed_by = ""
        locked.progress = 0
        locked.save(update_fields=["status", "claimed_by", "progress", "updated_at"])
        queue_processing(locked.pk)


def requeue_stale(*, include_failed: bool = False, now: dt.datetime | None = None) -> list[int]:
    """Requeue jobs whose worker died (stale heartbeat), jobs never started, and optionally failed ones."""
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=conf.stale_after_seconds())
    candidates = list(
        Orthomosaic.objects.filter(status=ImageryStatus.PROCESSING, heartbeat_at__lt=limit)
        | Orthomosaic.objects.filter(status=ImageryStatus.UPLOADED, updated_at__lt=limit)
    )
    if include_failed:
        candidates += list(Orthomosaic.objects.filter(status=ImageryStatus.FAILED, retryable=True))
    done = []
    for ortho in candidates:
        requeue(ortho)
        done.append(ortho.pk)
    return done


# --- resumable upload -------------------------------------------------------------------------


def _part_path(session: UploadSession) -> Path:
    return conf.uploads_dir() / f"{session.pk}.part"


def upload_start(
    *,
    user: Any,
    organisation: Organisation,
    filename: str,
    size: int,
    captured_on: dt.date,
    kind: str = ImageryKind.ORTHO,
    title: str = "",
    sha256: str = "",
    survey_info: dict[str, Any] | None = None,
) -> UploadSession:
    """Open an upload session; the client then sends the bytes in order with :func:`upload_write`."""
    require_role(user, organisation, *UPLOAD_ROLES)
    _check_kind(kind)
    _check_suffix(filename)
    if size <= 0 or size > conf.upload_max_bytes():
        raise DomainError(
            "file_size",
            f"The file size must be between 1 byte and {conf.upload_max_bytes():,} bytes",
            f"ขนาดไฟล์ต้องอยู่ระหว่าง 1 ถึง {conf.upload_max_bytes():,} ไบต์",
        )
    if sha256 and (len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256.lower())):
        raise DomainError(
            "sha256", "The checksum must be 64 hexadecimal digits", "ค่า checksum ต้องเป็นเลขฐาน 16 จำนวน 64 หลัก"
        )
    session = UploadSession(
        organisation=organisation,
        user=user,
        filename=filename[:255],
        size=size,
        sha256=sha256.lower(),
        kind=kind,
        captured_on=captured_on,
        title=title[:200],
        survey_info=survey_info or {},
    )
    session.full_clean(exclude=["user", "orthomosaic"])
    conf.uploads_dir().mkdir(parents=True, exist_ok=True)
    session.save()
    _part_path(session).touch()
    return session


def upload_for_user(user: Any, session_id: Any, *, lock: bool = False) -> UploadSession:
    qs = UploadSession.objects.select_related("organisation")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        session = qs.filter(pk=session_id).first()
    except Exception:  # noqa: BLE001 - a malformed UUID is simply not found
        session = None
    if session is None or (session.user_id != getattr(user, "pk", None) and not user.is_superuser):
        raise NotFoundError("upload_not_found", "No such upload", "ไม่พบการอัปโหลดนี้")
    return session


def upload_write(
    *, user: Any, session_id: Any, offset: int, stream: BinaryIO, length: int, chunk_sha256: str = ""
) -> UploadSession:
    """Append ``length`` bytes at ``offset`` (which must equal the bytes already received).

    A short or corrupted chunk (dropped connection, checksum mismatch) is cut off again, so the
    stored offset always ends on a complete chunk and the client resumes from there.
    """
    with transaction.atomic():
        session = upload_for_user(user, session_id, lock=True)
        if session.status != UploadStatus.OPEN:
            raise ConflictError(
                "upload_closed",
                "This upload is already complete",
                "การอัปโหลดนี้เสร็จแล้ว",
                offset=session.received,
            )
        if offset != session.received:
            raise ConflictError(
                "offset_mismatch",
                f"Expected bytes from offset {session.received}, got {offset}",
                f"ต้องการข้อมูลเริ่มที่ตำแหน่ง {session.received} แต่ได้รับที่ {offset}",
                offset=session.received,
            )
        if length <= 0 or offset + length > session.size:
            raise DomainError(
                "chunk_range",
                "The chunk runs past the declared file size",
                "ข้อมูลที่ส่งเกินขนาดไฟล์ที่แจ้งไว้",
                offset=session.received,
            )
        part = _part_path(session)
        digest = hashlib.sha256()
        written = 0
        try:
            with part.open("r+b") as out:
                out.seek(offset)
                out.truncate()
                while written < length:
                    try:
                        piece = stream.read(min(1024 * 1024, length - written))
                    except OSError:
                        break  # the client went away: handled below like a short chunk
                    if not piece:
                        break
                    out.write(piece)
                    digest.update(piece)
                    written += len(piece)
                complete = written == length and not (
                    chunk_sha256 and digest.hexdigest() != chunk_sha256.lower()
                )
                if complete:
                    out.flush()
                    os.fsync(out.fileno())
        except OSError as exc:
            # Writing failed (disk full, I/O error): cut the part back to the last whole chunk.
            _cut_part(part, offset)
            if is_disk_full(exc):
                raise disk_full_error("the uploaded chunk", "ข้อมูลส่วนที่อัปโหลด", offset=offset) from None
            raise
        if not complete:
            _cut_part(part, offset)
            raise DomainError(
                "chunk_incomplete",
                f"The chunk arrived incomplete or damaged ({written} of {length} bytes); send it again",
                f"ข้อมูลส่วนนี้มาไม่ครบหรือเสียหาย ({written} จาก {length} ไบต์) กรุณาส่งใหม่",
                offset=offset,
            )
        session.received = offset + length
        session.save(update_fields=["received", "updated_at"])
    return session


def _cut_part(part: Path, offset: int) -> None:
    """Truncate an upload part back to ``offset`` (frees space; needs none)."""
    with part.open("r+b", buffering=0) as out:
        out.truncate(offset)
        os.fsync(out.fileno())


def upload_abort(*, user: Any, session_id: Any) -> None:
    with transaction.atomic():
        session = upload_for_user(user, session_id, lock=True)
        if session.status == UploadStatus.OPEN:
            _unlink(_part_path(session))
            session.delete()


def upload_finalize(*, user: Any, session_id: Any, queue: bool = True) -> Orthomosaic:
    """Check size and SHA-256, check the raster, then create the record and queue processing.

    A refused file is deleted with its session: nothing of it remains.
    """
    try:
        return _finalize(user, session_id, queue)
    except raster.ImageryInputError:
        UploadSession.objects.filter(pk=session_id, status=UploadStatus.OPEN).delete()
        raise


def _finalize(user: Any, session_id: Any, queue: bool) -> Orthomosaic:
    with transaction.atomic():
        session = upload_for_user(user, session_id, lock=True)
        if session.status == UploadStatus.COMPLETE and session.orthomosaic_id:
            return session.orthomosaic
        require_role(user, session.organisation, *UPLOAD_ROLES)
        part = _part_path(session)
        if session.received != session.size or part.stat().st_size != session.size:
            raise DomainError(
                "upload_incomplete",
                f"Only {session.received} of {session.size} bytes have arrived",
                f"ได้รับข้อมูลเพียง {session.received} จาก {session.size} ไบต์",
                offset=session.received,
            )
        digest = sha256_of(part)
        try:
            if session.sha256 and digest != session.sha256:
                raise raster.ImageryInputError(
                    "checksum_mismatch",
                    "The file received differs from the one sent (checksum mismatch); upload it again",
                    "ไฟล์ที่ได้รับไม่ตรงกับไฟล์ที่ส่ง (checksum ไม่ตรง) กรุณาอัปโหลดใหม่",
                )
            info = raster.inspect_raster(part, session.kind)
            placement.check_placement(session.organisation, info, session.kind)
        except raster.ImageryInputError:
            _unlink(part)
            raise
        target_dir = conf.originals_dir() / str(session.organisation_id)
        target_dir.mkdir(parents=True, exist_ok=True)
        stored = target_dir / f"{session.pk.hex}.tif"
        os.replace(part, stored)
        try:
            files.publish(stored)
            survey = None
            if any(session.survey_info.get(k) for k in ("surveyor", "drone", "camera", "notes", "flown_on")):
                survey = Survey.objects.create(
                    organisation=session.organisation,
                    flown_on=session.survey_info.get("flown_on") or session.captured_on,
                    surveyor=str(session.survey_info.get("surveyor", ""))[:200],
                    drone=str(session.survey_info.get("drone", ""))[:200],
                    camera=str(session.survey_info.get("camera", ""))[:200],
                    notes=str(session.survey_info.get("notes", "")),
                    created_by=user,
                )
            ortho = _create_record(
                organisation=session.organisation,
                stored=stored,
                source_name=session.filename,
                size=session.size,
                sha256=digest,
                info=info,
                kind=session.kind,
                captured_on=session.captured_on,
                title=session.title or Path(session.filename).stem,
                survey=survey,
                user=user,
            )
            session.status = UploadStatus.COMPLETE
            session.orthomosaic = ortho
            session.save(update_fields=["status", "orthomosaic", "updated_at"])
            if queue:
                queue_processing(ortho.pk)
        except BaseException:
            files.unpublish(stored)
            os.replace(stored, part)
            raise
    files.drop_local(stored)
    return ortho


def purge_stale_uploads(*, now: dt.datetime | None = None) -> int:
    """Delete open upload sessions (and their parts) untouched for IMAGERY_UPLOAD_SESSION_MAX_AGE_DAYS."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=conf.upload_session_max_age_days())
    count = 0
    for session in UploadSession.objects.filter(status=UploadStatus.OPEN, updated_at__lt=limit):
        _unlink(_part_path(session))
        session.delete()
        count += 1
    return count


def delete_orthomosaic(ortho: Orthomosaic) -> None:
    """Remove a record and its files (admin action)."""
    stored = [p for p in (ortho.source_path, ortho.cog_path) if p]
    with transaction.atomic():
        ortho.delete()
        transaction.on_commit(lambda: files.remove(*stored))
