"""The files the package carries for its users: sample DICOM files, the vendors' contracts, scenarios.

They live in the repository's fixtures/ folder (contracts/, dicom/, scenarios/). A built wheel carries the same files
as mockservers/_fixtures/ (setup.py maps the one onto the other), and these functions find them either way:

    from mockservers import samples

    client.upload_dicom(samples.path("p3-dx.dcm"))  # a radiograph; samples.names() lists every file
"""

from __future__ import annotations

import os
from pathlib import Path

from mockservers.settings import Settings

_PACKAGE = Path(__file__).resolve().parent


def fixtures_dir() -> Path:
    """The fixtures folder: mockservers/_fixtures in an installed wheel, the repository's fixtures/ in a checkout."""
    packaged = _PACKAGE / "_fixtures"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "fixtures"


def names() -> list[str]:
    """The sample DICOM files' names (each unique), e.g. "p3-dx.dcm"."""
    return sorted(p.name for p in _dicom_files())


def path(name: str) -> str:
    """The path of a sample DICOM file, by its name: `path("p3-dx.dcm")`."""
    found = [p for p in _dicom_files() if p.name == name]
    if not found:
        raise FileNotFoundError(f"no sample DICOM file {name!r}; the samples are: {', '.join(names())}")
    return str(found[0])


def scenarios_dir(configured: str) -> str:
    """Where POST /__admin/scenarios/KEY looks: the configured folder; when that is the default one and the working
    directory has none (an installed server run anywhere), the scenarios the package carries."""
    if configured == Settings.scenarios_dir and not os.path.isdir(configured):
        return str(fixtures_dir() / "scenarios")
    return configured


def _dicom_files() -> list[Path]:
    # fixtures/dicom/<group>/<name>.dcm: grouped by where they come from (a vendor's document, made-up patients)
    return sorted((fixtures_dir() / "dicom").glob("*/*.dcm"))
