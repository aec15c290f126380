"""Tiny real GeoTIFFs made in the test, in UTM 47N around the Pang Mu office."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from tests.conftest import ORIGIN_E, ORIGIN_N


def write_tiff(
    path: Path,
    *,
    width: int = 400,
    height: int = 300,
    bands: int = 4,
    dtype: str = "uint8",
    crs: object = "EPSG:32647",
    transform: object = "default",
    valid: tuple[int, int, int, int] | None = (50, 40, 250, 200),
    colour: tuple[int, int, int] = (200, 60, 40),
    nodata: float | None = None,
    dx: float = 0.0,
    resolution: float = 0.5,
) -> Path:
    """RGBA with an alpha window ``valid`` = (col, row, w, h) (None: all transparent); or a DSM."""
    if transform == "default":
        transform = from_origin(ORIGIN_E + dx, ORIGIN_N, resolution, resolution)
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": bands,
        "dtype": dtype,
        "tiled": True,
        "blockxsize": 256,
        "blockysize": 256,
    }
    if crs is not None:
        profile["crs"] = crs
    if transform is not None:
        profile["transform"] = transform
    if nodata is not None:
        profile["nodata"] = nodata
    if bands == 4:
        profile["photometric"] = "RGB"
    with rasterio.open(path, "w", **profile) as dst:
        if bands in (3, 4) and dtype == "uint8":
            data = np.zeros((bands, height, width), dtype=np.uint8)
            for i, value in enumerate(colour):
                data[i] = value
            if bands == 4:
                dst.colorinterp = [rasterio.enums.ColorInterp[c] for c in ("red", "green", "blue", "alpha")]
                if valid is not None:
                    c, r, w, h = valid
                    data[3, r : r + h, c : c + w] = 255
        else:
            yy, xx = np.mgrid[0:height, 0:width]
            data = (400 + xx * 0.1 + yy * 0.05).astype(dtype)[None].repeat(bands, axis=0)
            if nodata is not None:
                data[:, :, : width // 4] = nodata
        dst.write(data)
    return path


@pytest.fixture
def imagery_root(settings, tmp_path: Path) -> Path:
    root = tmp_path / "imagery"
    settings.IMAGERY_ROOT = str(root)
    return root


@pytest.fixture
def make_tiff(tmp_path: Path):  # noqa: ANN201
    counter = {"n": 0}

    def make(name: str | None = None, **kwargs: object) -> Path:
        counter["n"] += 1
        return write_tiff(tmp_path / (name or f"input{counter['n']}.tif"), **kwargs)

    return make


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
