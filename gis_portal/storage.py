"""Where files live: the local disk, or an S3-compatible object store when one is configured.

With ``OBJECT_STORE_BUCKET`` empty (the default) every file stays on the local disk, under
``MEDIA_ROOT`` (and the imagery pipeline's ``IMAGERY_ROOT``), as before. With a bucket, workers on
other machines share the files through the store (MinIO in docker-compose, or any S3-compatible
service); the keys, under ``OBJECT_STORE_PREFIX``, are:

- ``media/<name>``: what ``MEDIA_ROOT/<name>`` holds on local disk — orthomosaic originals and COGs
  (``media/imagery/originals/…``, ``media/imagery/cogs/…``), residents' photos
  (``media/eservices/…``, through Django's default storage, :class:`MediaStorage`) and any other
  file the app keeps;
- ``backups/<name>/``: backups (gis_portal/backup_store.py).

GDAL reads COGs from the store with ``/vsis3/`` (:func:`gdal_path`, :func:`gdal_env`): HTTP range
requests for the blocks a tile needs, never the whole file.

Settings (Django settings, else the environment): ``OBJECT_STORE_BUCKET``,
``OBJECT_STORE_ENDPOINT`` (``http://minio:9000``; empty for AWS itself), ``OBJECT_STORE_PREFIX``,
``OBJECT_STORE_REGION`` (``us-east-1``), ``OBJECT_STORE_ADDRESSING`` (``path``, the default with an
endpoint, or ``virtual``), ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``.

Foundation-level: imports Django, boto3 and django-storages only (rasterio's session class only when
GDAL is asked for the store).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

import boto3
from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from storages.backends.s3 import S3Storage

MEDIA = "media"
BACKUPS = "backups"
CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class StoreConfig:
    bucket: str
    endpoint: str
    prefix: str
    region: str
    addressing: str
    access_key: str
    secret_key: str

    @property
    def https(self) -> bool:
        return not self.endpoint or urlparse(self.endpoint).scheme == "https"


def _get(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    return str(value if value is not None else os.environ.get(name, default))


def config() -> StoreConfig | None:
    """The object store's settings, or None when files stay on the local disk."""
    bucket = _get("OBJECT_STORE_BUCKET").strip()
    if not bucket:
        return None
    endpoint = _get("OBJECT_STORE_ENDPOINT").strip().rstrip("/")
    prefix = _get("OBJECT_STORE_PREFIX").strip().strip("/")
    return StoreConfig(
        bucket=bucket,
        endpoint=endpoint,
        prefix=f"{prefix}/" if prefix else "",
        region=_get("OBJECT_STORE_REGION", "us-east-1").strip() or "us-east-1",
        addressing=_get("OBJECT_STORE_ADDRESSING", "path" if endpoint else "virtual").strip().lower(),
        access_key=_get("AWS_ACCESS_KEY_ID"),
        secret_key=_get("AWS_SECRET_ACCESS_KEY"),
    )


def configured() -> bool:
    return config() is not None


def _require() -> StoreConfig:
    cfg = config()
    if cfg is None:
        raise RuntimeError("No object store is configured (OBJECT_STORE_BUCKET is empty)")
    return cfg


@functools.lru_cache(maxsize=8)
def _client_for(cfg: StoreConfig) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=cfg.endpoint or None,
        region_name=cfg.region,
        aws_access_key_id=cfg.access_key or None,
        aws_secret_access_key=cfg.secret_key or None,
        config=Config(
            s3={"addressing_style": cfg.addressing},
            # Checksums only where S3 requires them: several S3-compatible servers refuse the
            # newer default trailing checksums.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 5, "mode": "standard"},
            connect_timeout=5,
            read_timeout=60,
        ),
    )


def client() -> Any:
    """A boto3 S3 client for the configured store (one per configuration, thread-safe)."""
    return _client_for(_require())


def key(name: str, namespace: str = MEDIA) -> str:
    """The object key of ``name`` (a relative path, ``/``-separated) in ``namespace``."""
    clean = name.replace(os.sep, "/").lstrip("/")
    if not clean or any(part in ("", ".", "..") for part in clean.split("/")):
        raise ValueError(f"not a relative file name: {name!r}")
    return f"{_require().prefix}{namespace}/{clean}"


# --- files --------------------------------------------------------------------------------------


class StoreError(OSError):
    """The object store failed (unreachable, refused, ...): an ``OSError``, as a failing disk gives."""


def _converted(exc: Exception, what: str) -> OSError:
    if isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in _MISSING:
        return FileNotFoundError(f"no {what} in the object store")
    return StoreError(f"the object store failed on {what}: {exc}")


_MISSING = ("404", "NoSuchKey", "NotFound")
_BOTO_ERRORS = (Boto3Error, BotoCoreError, ClientError)


def _what(func: Any, args: tuple[Any, ...]) -> str:
    """The name an error message speaks of: the first text argument (an object name), else the call."""
    return next((a for a in args if isinstance(a, str)), func.__name__)


def _store_errors(func: Any) -> Any:
    """Store failures (boto3/botocore exceptions) become :class:`StoreError` / ``FileNotFoundError``."""

    if inspect.isgeneratorfunction(func):

        @functools.wraps(func)
        def generator(*args: Any, **kwargs: Any) -> Any:
            try:
                yield from func(*args, **kwargs)
            except _BOTO_ERRORS as exc:
                raise _converted(exc, _what(func, args)) from exc

        return generator

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except _BOTO_ERRORS as exc:
            raise _converted(exc, _what(func, args)) from exc

    return wrapper


@_store_errors
def upload(local: Path, name: str, namespace: str = MEDIA) -> int:
    """Copy a local file into the store (multipart for large files); returns its size."""
    cfg = _require()
    client().upload_file(str(local), cfg.bucket, key(name, namespace))
    return Path(local).stat().st_size


@_store_errors
def download(name: str, local: Path, namespace: str = MEDIA) -> Path:
    """Copy an object to a local file (written beside it first, then renamed into place)."""
    cfg = _require()
    local = Path(local)
    local.parent.mkdir(parents=True, exist_ok=True)
    partial = local.with_name(local.name + ".download")
    try:
        client().download_file(cfg.bucket, key(name, namespace), str(partial))
        os.replace(partial, local)
    finally:
        partial.unlink(missing_ok=True)
    return local


def exists(name: str, namespace: str = MEDIA) -> bool:
    return size(name, namespace) is not None


@_store_errors
def size(name: str, namespace: str = MEDIA) -> int | None:
    """The object's size in bytes, None when there is no such object."""
    cfg = _require()
    try:
        head = client().head_object(Bucket=cfg.bucket, Key=key(name, namespace))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _MISSING:
            return None
        raise
    return int(head["ContentLength"])


@_store_errors
def delete(*names: str, namespace: str = MEDIA) -> None:
    """Remove objects (missing ones are fine), 1,000 per request."""
    cfg = _require()
    keys = [key(n, namespace) for n in names if n]
    for start in range(0, len(keys), 1000):
        batch = [{"Key": k} for k in keys[start : start + 1000]]
        client().delete_objects(Bucket=cfg.bucket, Delete={"Objects": batch, "Quiet": True})


class StoredObject(NamedTuple):
    name: str
    size: int
    etag: str  # changes whenever the object is written again
    modified: dt.datetime


@_store_errors
def objects(prefix: str = "", namespace: str = MEDIA) -> Iterator[StoredObject]:
    """Every object of ``namespace`` whose name starts with ``prefix``, by name."""
    cfg = _require()
    base = f"{cfg.prefix}{namespace}/"
    paginator = client().get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=cfg.bucket, Prefix=base + prefix.lstrip("/")):
        for item in page.get("Contents", []):
            yield StoredObject(
                item["Key"][len(base) :],
                int(item["Size"]),
                item.get("ETag", "").strip('"'),
                item["LastModified"],
            )


def listing(prefix: str = "", namespace: str = MEDIA) -> Iterator[tuple[str, int]]:
    """(name, size) of every object of ``namespace`` whose name starts with ``prefix``, by name."""
    for item in objects(prefix, namespace):
        yield item.name, item.size


@_store_errors
def copy(name: str, to_name: str, *, namespace: str = MEDIA, to_namespace: str = MEDIA) -> None:
    """Copy an object inside the store (server-side: the bytes do not pass through this machine)."""
    cfg = _require()
    client().copy({"Bucket": cfg.bucket, "Key": key(name, namespace)}, cfg.bucket, key(to_name, to_namespace))


@_store_errors
def sha256(name: str, namespace: str = MEDIA) -> tuple[str, int]:
    """SHA-256 and size of an object, read as a stream (never held whole in memory or on disk)."""
    cfg = _require()
    body = client().get_object(Bucket=cfg.bucket, Key=key(name, namespace))["Body"]
    digest = hashlib.sha256()
    total = 0
    try:
        for block in body.iter_chunks(CHUNK):
            digest.update(block)
            total += len(block)
    finally:
        body.close()
    return digest.hexdigest(), total


@_store_errors
def put_bytes(name: str, data: bytes, namespace: str = MEDIA) -> None:
    cfg = _require()
    client().put_object(Bucket=cfg.bucket, Key=key(name, namespace), Body=data)


@_store_errors
def get_bytes(name: str, namespace: str = MEDIA) -> bytes:
    cfg = _require()
    body = client().get_object(Bucket=cfg.bucket, Key=key(name, namespace))["Body"]
    try:
        return body.read()
    finally:
        body.close()


@_store_errors
def ensure_bucket() -> bool:
    """Create the configured bucket if it does not exist; True when it was created."""
    cfg = _require()
    try:
        client().head_bucket(Bucket=cfg.bucket)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in (*_MISSING, "NoSuchBucket"):
            raise
    options = (
        {} if cfg.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": cfg.region}}
    )
    client().create_bucket(Bucket=cfg.bucket, **options)
    return True


def check() -> None:
    """Readiness: write, read back and delete a small object (raises when the store fails)."""
    name = f".readyz-{os.getpid()}-{os.urandom(4).hex()}"
    put_bytes(name, b"ok")
    try:
        if get_bytes(name) != b"ok":
            raise OSError("the object store returned other bytes than were written")
    finally:
        delete(name)


# --- GDAL ---------------------------------------------------------------------------------------


def gdal_path(name: str, namespace: str = MEDIA) -> str:
    """GDAL's ``/vsis3/`` path of an object: read by range requests, block by block."""
    return f"/vsis3/{_require().bucket}/{key(name, namespace)}"


def gdal_env() -> dict[str, Any]:
    """Keyword arguments for ``rasterio.Env`` to reach the store (empty without one).

    rasterio refuses AWS credentials as plain GDAL options: they go in an ``AWSSession`` (one per
    configuration: making a boto3 session costs milliseconds, too much for every tile); the
    endpoint, scheme and addressing style are GDAL options.
    """
    cfg = config()
    if cfg is None:
        return {}
    return {
        "session": _gdal_session(cfg),
        "AWS_HTTPS": "YES" if cfg.https else "NO",
        "AWS_VIRTUAL_HOSTING": "TRUE" if cfg.addressing == "virtual" else "FALSE",
    }


@functools.lru_cache(maxsize=8)
def _gdal_session(cfg: StoreConfig) -> Any:
    from rasterio.session import AWSSession

    return AWSSession(
        aws_access_key_id=cfg.access_key or None,
        aws_secret_access_key=cfg.secret_key or None,
        region_name=cfg.region,
        endpoint_url=urlparse(cfg.endpoint).netloc if cfg.endpoint else None,
        aws_unsigned=False,  # without keys, boto3 finds credentials itself (environment, instance role)
    )


# --- Django's default storage ---------------------------------------------------------------------


class MediaStorage(S3Storage):
    """Django's default storage on the object store, under ``media/`` (STORAGES["default"]).

    Names are made unique as on the local disk (no silent overwrite); files are private (no ACL,
    the bucket's policy applies) and the app serves them itself after its own access checks. A
    store that fails while saving raises ``OSError``, as a failing disk does, so callers' clean-up
    of half-written work applies to both.
    """

    def __init__(self, **options: Any) -> None:
        cfg = _require()
        defaults = {
            "bucket_name": cfg.bucket,
            "location": f"{cfg.prefix}{MEDIA}",
            "endpoint_url": cfg.endpoint or None,
            "region_name": cfg.region,
            "access_key": cfg.access_key or None,
            "secret_key": cfg.secret_key or None,
            "addressing_style": cfg.addressing,
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
        }
        super().__init__(**{**defaults, **options})

    save = _store_errors(S3Storage.save)
    delete = _store_errors(S3Storage.delete)
    _open = _store_errors(S3Storage._open)
