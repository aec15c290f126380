"""Where the imagery files live: originals and COGs on the local disk, or in the object store.

Files are recorded by their path under ``IMAGERY_ROOT`` (``originals/<org>/<name>.tif``,
``cogs/<org>/<id>.tif``). With an object store configured (gis_portal/storage.py) they live there,
under :func:`drone_ingest.conf.store_name` of that path, so that workers and web servers on other
machines share them; the local directory then keeps only uploads in progress and work files (a
worker fetches the original into a work file, converts it locally and uploads the COG).
"""

from __future__ import annotations

from pathlib import Path

from gis_portal import storage

from . import conf


def relative(path: Path) -> str:
    return str(path.relative_to(conf.imagery_root()))


def absolute(relative_path: str) -> Path:
    return conf.imagery_root() / relative_path


def remote() -> bool:
    return storage.configured()


def publish(path: Path, *, as_path: Path | None = None) -> None:
    """With an object store: copy a finished local file (original, COG) there under its name
    (or under the name of ``as_path``, its place under the imagery root)."""
    if storage.configured():
        storage.upload(path, conf.store_name(relative(as_path or path)))


def unpublish(path: Path) -> None:
    """Undo :func:`publish` (the local file stays)."""
    if storage.configured():
        storage.delete(conf.store_name(relative(path)))


def drop_local(path: Path) -> None:
    """With an object store: the local copy of a published file is no longer needed."""
    if storage.configured():
        path.unlink(missing_ok=True)


def is_stored(relative_path: str) -> bool:
    if storage.configured():
        return storage.exists(conf.store_name(relative_path))
    return absolute(relative_path).is_file()


def fetch(relative_path: str, local: Path) -> Path:
    """A stored file copied to ``local`` (object store only)."""
    return storage.download(conf.store_name(relative_path), local)


def remove(*relative_paths: str) -> None:
    """Delete stored originals/COGs by their recorded paths (missing ones are fine)."""
    names = [r for r in relative_paths if r]
    if storage.configured():
        storage.delete(*[conf.store_name(r) for r in names])
    else:
        for name in names:
            absolute(name).unlink(missing_ok=True)
