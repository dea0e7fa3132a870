"""make viewer's installer: npm's tarball of @ohif/app, its dist/ rebased from '/' to /viewer/, put in place whole."""

import io
import sys
import tarfile
import textwrap

import pytest

from mockservers.viewer import MARKER, version_in
from mockservers.viewer.install import NotAnOhifBuild, install, rebase

# What OHIF's build says of its public path (3.13.2: index.html, webpack's runtime in every entry bundle, the
# stylesheet's font, the microscopy viewer's loader, the web app manifest)
BUILD = {
    "index.html": '<script>window.PUBLIC_URL="/"</script><link rel="manifest" href="/manifest.json">'
    '<script src="/app-config.js"></script><script>window.PUBLIC_URL="/"</script>'
    '<script defer src="/app.bundle.abc.js"></script><link href="/app.bundle.css" rel="stylesheet">',
    "app.bundle.abc.js": '(() => {\n__webpack_require__.p = "/";\n})();\n'
    "await window.browserImportFunction('/dicom-microscopy-viewer/dicomMicroscopyViewer.min.js');",
    "compute.bundle.def.js": '(() => {\n__webpack_require__.p = "/";\n})();',
    "app.bundle.css": "@font-face{src:url(/a34f.woff2)}",
    "manifest.json": '{"icons": [{"src": "/assets/android-chrome-36x36.png"}]}',
    "assets/logo.svg": "<svg/>",
}
REBASED = {
    "index.html": '<script>window.PUBLIC_URL="/viewer/"</script><link rel="manifest" href="/viewer/manifest.json">'
    '<script src="/viewer/app-config.js"></script><script>window.PUBLIC_URL="/viewer/"</script>'
    '<script defer src="/viewer/app.bundle.abc.js"></script><link href="/viewer/app.bundle.css" rel="stylesheet">',
    "app.bundle.abc.js": '(() => {\n__webpack_require__.p = "/viewer/";\n})();\n'
    "await window.browserImportFunction('/viewer/dicom-microscopy-viewer/dicomMicroscopyViewer.min.js');",
    "compute.bundle.def.js": '(() => {\n__webpack_require__.p = "/viewer/";\n})();',
    "app.bundle.css": "@font-face{src:url(/viewer/a34f.woff2)}",
    "manifest.json": '{"icons": [{"src": "/viewer/assets/android-chrome-36x36.png"}]}',
    "assets/logo.svg": "<svg/>",
}


def write(folder, files):
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)


def read(folder):
    return {p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()}


def test_rebase_moves_every_root_path_under_viewer(tmp_path):
    write(tmp_path, BUILD)
    rebase(tmp_path)
    assert read(tmp_path) == REBASED


@pytest.mark.parametrize("missing", ["index.html", "app.bundle.abc.js"])
def test_a_build_laid_out_otherwise_is_refused(tmp_path, missing):
    write(tmp_path, {**BUILD, missing: "something else"})
    with pytest.raises(NotAnOhifBuild):
        rebase(tmp_path)


@pytest.fixture
def npm(tmp_path):
    """A stand-in for npm: `npm pack @ohif/app@V --pack-destination DIR` writes a tarball laid out like npm's (and
    logs its arguments)."""
    package = io.BytesIO()
    with tarfile.open(fileobj=package, mode="w:gz") as tar:
        members = {f"package/dist/{name}": text for name, text in BUILD.items()}
        members["package/package.json"] = '{"name": "@ohif/app"}'
        members["package/dist/../../../../../escaped.txt"] = "outside"
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    (tmp_path / "package.tgz").write_bytes(package.getvalue())
    script = tmp_path / "npm"
    script.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent(
            f"""
            import shutil, sys
            open({str(tmp_path / "calls")!r}, "a").write(" ".join(sys.argv[1:]) + "\\n")
            destination = sys.argv[sys.argv.index("--pack-destination") + 1]
            shutil.copy({str(tmp_path / "package.tgz")!r}, destination + "/ohif-app.tgz")
            """
        )
    )
    script.chmod(0o755)
    return script


def test_install_puts_the_rebased_build_in_place_once(tmp_path, npm):
    folder = tmp_path / "var" / "viewer"
    assert install(folder, "3.13.2", npm=str(npm)) is True
    assert version_in(folder) == "3.13.2"
    assert {k: v for k, v in read(folder).items() if k != MARKER} == REBASED
    assert install(folder, "3.13.2", npm=str(npm)) is False, "already there: npm is not asked again"
    [call] = (tmp_path / "calls").read_text().splitlines()
    assert call.startswith("pack @ohif/app@3.13.2 --pack-destination ") and call.endswith(" --silent")
    assert sorted(p.name for p in folder.parent.iterdir()) == ["viewer"], "nothing left behind"
    assert not any(p.name == "escaped.txt" for p in tmp_path.parent.iterdir()), "no member lands outside"


def test_another_version_replaces_the_folder_whole(tmp_path, npm):
    folder = tmp_path / "viewer"
    write(folder, {"stale.js": "from an older build", MARKER: "3.12.0\n"})
    assert install(folder, "3.13.2", npm=str(npm)) is True
    assert "stale.js" not in read(folder) and version_in(folder) == "3.13.2"


def test_a_failed_fetch_leaves_the_installed_build_alone(tmp_path):
    folder = tmp_path / "viewer"
    write(folder, {"index.html": "kept", MARKER: "3.12.0\n"})
    failing = tmp_path / "npm"
    failing.write_text("#!/bin/sh\nexit 1\n")
    failing.chmod(0o755)
    with pytest.raises(Exception, match="returned non-zero exit status 1"):
        install(folder, "3.13.2", npm=str(failing))
    assert read(folder) == {"index.html": "kept", MARKER: "3.12.0\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["npm", "viewer"]
