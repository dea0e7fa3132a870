"""Install the built OHIF Viewer (npm's @ohif/app: its dist/ folder of static files) into a folder, rebased for
/viewer/. `make viewer` runs it; without make: `python -m mockservers.viewer.install [--version V] [FOLDER]`.

npm fetches the package's tarball alone (`npm pack`: none of its dependencies, which the build has inside it).
OHIF's build names its public path "/" in a few places (index.html, webpack's chunk loader, a stylesheet's font, the
web app manifest); the mock serves it at /viewer/, so those are rewritten once, here. Only the standard library:
this runs before the virtualenv exists."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from mockservers.viewer import DEFAULT_FOLDER, MARKER, PREFIX, version_in

OHIF_VERSION = "3.13.2"


class NotAnOhifBuild(Exception):
    """The tarball's dist/ is not laid out as the rebase expects (another OHIF release may differ)."""


# (files, what the build says, what it says at PREFIX); the first two must be found, or the build is not one this
# knows how to move.
REWRITES = (
    ("index.html", 'window.PUBLIC_URL="/"', f'window.PUBLIC_URL="{PREFIX}"'),
    ("app.bundle.*.js", '__webpack_require__.p = "/";', f'__webpack_require__.p = "{PREFIX}";'),
    ("*.js", '__webpack_require__.p = "/";', f'__webpack_require__.p = "{PREFIX}";'),  # the workers' bundles
    ("index.html", 'src="/', f'src="{PREFIX}'),
    ("index.html", 'href="/', f'href="{PREFIX}'),
    ("*.css", "url(/", f"url({PREFIX}"),
    ("app.bundle.*.js", "browserImportFunction('/", f"browserImportFunction('{PREFIX}"),
    ("manifest.json", '"src": "/', f'"src": "{PREFIX}'),
)
REQUIRED = 2


def rebase(dist: Path) -> None:
    """Rewrite the build's root-relative paths in `dist` so that it works served at PREFIX."""
    for n, (pattern, old, new) in enumerate(REWRITES):
        found = False
        for path in sorted(dist.glob(pattern)):
            text = path.read_text(encoding="utf-8")
            if old in text:
                path.write_text(text.replace(old, new), encoding="utf-8")
                found = True
        if not found and n < REQUIRED:
            raise NotAnOhifBuild(f"no {old!r} in {pattern}: not an OHIF build this installer can serve at {PREFIX}")


def install(folder: Path, version: str = OHIF_VERSION, npm: str = "npm") -> bool:
    """Fetch @ohif/app@`version` with npm and put its rebased dist/ at `folder`; False if it is there already.
    The folder is replaced whole, only once the new one is complete."""
    if version_in(folder) == version:
        return False
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".viewer-", dir=folder.parent) as work:
        tmp = Path(work)
        subprocess.run(
            [npm, "pack", f"@ohif/app@{version}", "--pack-destination", str(tmp), "--silent"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (tarball,) = tmp.glob("*.tgz")
        with tarfile.open(tarball) as tar:
            members = [
                m
                for m in tar.getmembers()
                if m.name.startswith("package/dist/") and ".." not in m.name.split("/") and (m.isfile() or m.isdir())
            ]
            if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later check each member again
                tar.extractall(tmp, members=members, filter="data")
            else:
                tar.extractall(tmp, members=members)
        dist = tmp / "package" / "dist"
        if not (dist / "index.html").is_file():
            raise NotAnOhifBuild(f"@ohif/app@{version} has no dist/index.html")
        rebase(dist)
        (dist / MARKER).write_text(version + "\n", encoding="utf-8")
        old = tmp / "old"
        if folder.exists():
            folder.rename(old)
        dist.rename(folder)
    return True


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mockservers.viewer.install", description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default=DEFAULT_FOLDER, help=f"where (default {DEFAULT_FOLDER})")
    parser.add_argument("--version", default=OHIF_VERSION, help=f"@ohif/app version (default {OHIF_VERSION})")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    if shutil.which("npm") is None:
        print(
            "npm is not installed (Debian: apt-get install npm); the viewer needs it once, to install", file=sys.stderr
        )
        return 2
    try:
        fresh = install(folder, args.version)
    except (subprocess.CalledProcessError, NotAnOhifBuild) as exc:
        print(f"the viewer could not be installed: {exc}", file=sys.stderr)
        return 1
    state = "installed" if fresh else "already installed"
    print(f"OHIF Viewer {args.version} {state} in {folder} ({size_of(folder) / 1e6:.0f} MB), served at {PREFIX}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
