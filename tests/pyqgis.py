"""Run a PyQGIS script with Debian's QGIS 3.22 (``python3-qgis``, installed by ``make setup``).

PyQGIS runs in a child process of the system Python 3 (headless: ``QT_QPA_PLATFORM=offscreen``),
never inside the test process: Qt, QGIS's GDAL and the virtualenv's wheels stay apart. The script
prints one JSON document on its last line; that is the answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPTS = Path(__file__).parent / "pyqgis_scripts"


def run_pyqgis(script: str, *args: str, timeout: int = 300) -> Any:
    check = subprocess.run(
        [SYSTEM_PYTHON, "-c", "import qgis.core"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if check.returncode != 0:
        raise AssertionError(
            "PyQGIS is missing: `make setup` installs Debian's python3-qgis and qgis\n" + check.stderr[-500:]
        )
    home = tempfile.mkdtemp(prefix="pyqgis-home-")
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": home,
        "HOME": home,  # QGIS keeps its profile and auth database here: a fresh one per run
        "QGIS_AUTH_DB_DIR_PATH": home,
        "PYTHONPATH": "",
    }
    done = subprocess.run(
        [SYSTEM_PYTHON, str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        raise AssertionError(
            f"PyQGIS {script} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return json.loads(lines[-1])
