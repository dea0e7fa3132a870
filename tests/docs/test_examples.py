"""Every code example in README.md and docs/*.md runs (as pytest-httpserver runs its how-to files).

Each fenced or indented block is one test, run by what it is:
- shell (`curl ...`, `mockservers ...`, `python scripts/...`): by bash, against a live server this module starts
  (real clock, memory state) or, when the block starts one (`mockservers serve ...`), against that one on a free
  port; `127.0.0.1:8080`, `localhost:8080` and `HOST:8080` (and the `8090` of the parallel example) become the
  server's address, and `MOCKSERVERS_URL` names it to the demo scripts. Every line must exit 0; curl runs with
  --fail-with-body, so an answer of 400 or more fails the example. The lines in NOT_RUN_LINES are not run, each for
  the reason given there; a synopsis line (`[--option]`) is not a command.
- python: a block that defines test_ functions is run by pytest in a folder of its own with the mockservers plugin
  (and the files in FILES); any other block runs as a script against the live server.
- yaml: a `--config` file: a server starts with it and answers.
- a JSON fault rule (`{... "action": ...}`): POSTed to /__admin/faults, which must take it (201).
A block none of these takes fails, unless NOT_RUN lists it with the reason: a new example is run or explained."""

from __future__ import annotations

import json
import os
import pathlib
import re
import shlex
import shutil
import socket
import subprocess
import sys
import textwrap
from dataclasses import dataclass

import pytest
import requests
from markdown_it import MarkdownIt

from mockservers.pytest_plugin import LiveServer
from mockservers.settings import load_settings
from tests.machinery import test_settings

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BIN = os.path.dirname(sys.executable)
pytestmark = pytest.mark.no_postgres_pass  # servers of their own, on memory state

# Blocks that are not examples to run, by (page, first line), with why.
NOT_RUN = {
    ("docs/ARCHITECTURE.md", "mockservers/"): "the source tree, not code",
    (
        "docs/cad4tb.md",
        '{"status": "Error", "error": "<error type>", "suberror": "<suberror type or null>", "message": "<text>"}',
    ): "the shape of cad4tb's error envelope, with placeholders; tests/cad4tb asserts it",
    ("docs/sphere.md", "--m3ta"): "a sketch of a multipart body with placeholders; tests/sphere sends real ones",
    (
        "README.md",
        "mockservers: serving sigma, msdicom, sphere, aliyun, cad4tb on http://127.0.0.1:8080/ (clock real, seed 0, "
        "workers 1)",
    ): "what serve prints, not a command; tests/tooling/test_cli.py asserts these lines",
    ("README.md", "127.0.0.1 api.12sigma.ai medical.aliyun.com dicom-server.azurewebsites.net"): "a hosts-file "
    "line, which needs root to add; tests/e2e/test_tls.py resolves the names in-process instead",
    ("README.md", "curl --cacert var/tls/ca.pem --resolve api.12sigma.ai:8443:127.0.0.1 \\"): "needs serve --tls on "
    "port 8443 and its CA in var/tls; tests/e2e/test_tls.py sends this request by the real hostname to a TLS server",
}
# Lines of shell examples that are not run, by how they start, with why.
NOT_RUN_LINES = {
    "make run": "installs, then serves on port 8080 until stopped: the block's other lines run against a server "
    "this test starts instead",
    "make test": "the whole suite, this test included",
    "pip install": "installs into the environment: tests/tooling/ installs the package into a fresh venv",
    ". .venv/bin/activate": "puts the venv first on the reader's PATH: here PATH starts with it already",
    "pipx install": "installs for the user: tests/tooling/ installs the package into a fresh venv",
    "pytest tests/msdicom/conformance": "the suite's own tests, which every pass of `make test` runs",
    "pytest -n 4 tests/e2e/integrator_suite": "the suite's own tests: tests/e2e/test_parallel_suite.py runs them so, "
    "under -n 4 against one live server",
}
# Placeholders a command line may hold, and what stands in for them.
PLACEHOLDERS = {"KEY": "sigma"}
# Files an example opens, from the repository.
FILES = {
    "0001.dcm": "fixtures/dicom/patients/p1-ct-1.dcm",
    "chest.dcm": "fixtures/dicom/patients/p1-ct-1.dcm",
}
HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# The pytest plugins the test examples use (loaded by name: loading every installed one costs seconds).
PYTEST_PLUGINS = ["mockservers.pytest_plugin", "pytest_httpserver.pytest_plugin"]
SHELL_PROGRAMS = {"curl", "mockservers", "python", "pytest", "make", "pip", "pipx", "openssl", "."}
VENV_BIN = ".venv/bin/"  # where `make run` installs the commands: this interpreter's own folder here
ADDRESS = re.compile(r"(?:https?://)?(?:127\.0\.0\.1|localhost|HOST):(?:8080|8090)")
# The vendors' timings as short as they go, so that the demos' real-clock waits are short.
FAST = {
    "sigma": {"queue_seconds": 0, "run_seconds": 1},
    "aliyun": {"analysis_seconds": 1, "oa_seconds": 1},
    "cad4tb": {"processing_seconds": 1},
}


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    lang: str
    text: str

    @property
    def key(self) -> tuple[str, str]:
        return self.page, next(line.strip() for line in self.text.splitlines() if line.strip())

    def __str__(self) -> str:
        return f"{self.page}:{self.line}"


def collect() -> list[Block]:
    blocks = []
    parser = MarkdownIt("commonmark")
    for page in PAGES:
        for token in parser.parse(page.read_text(encoding="utf-8")):
            if token.type in ("fence", "code_block") and token.map:
                lang = token.info.split()[0].lower() if token.info.strip() else ""
                blocks.append(Block(str(page.relative_to(ROOT)), token.map[0] + 1, lang, token.content))
    return blocks


BLOCKS = collect()


def commands(text: str) -> list[str]:
    """The logical lines of a shell block: continuations joined (a backslash, or a quote still open), blank and
    comment lines left out, `.venv/bin/mockservers` as `mockservers` (PATH starts with this interpreter's folder)."""
    logical: list[str] = []
    pending = ""
    for line in re.sub(r"\\\n\s*", " ", text).splitlines():
        line = re.sub(rf"(?<![\w/.]){re.escape(VENV_BIN)}(?=mockservers|python|pytest|pip)", "", line)
        pending = f"{pending}\n{line}" if pending else line.strip()
        try:
            shlex.split(pending, comments=True)
        except ValueError:  # a quote opened on this line closes on a later one
            continue
        if pending and not pending.startswith("#"):
            logical.append(pending)
        pending = ""
    return logical


def bare(line: str) -> str:
    """A command without its comment."""
    return shlex.join(shlex.split(line, comments=True))


def is_synopsis(line: str) -> bool:
    return line.startswith("[") or "[--" in line


def kind(block: Block) -> str | None:
    if block.lang == "python":
        return "pytest" if re.search(r"^def test_", block.text, re.MULTILINE) else "python"
    if block.lang in ("yaml", "yml"):
        return "config"
    if block.lang in ("", "sh", "bash", "shell", "console"):
        lines = [line for line in commands(block.text) if not is_synopsis(line)]
        if lines and all(line.split()[0] in SHELL_PROGRAMS or re.match(r"^[A-Z_]+=", line) for line in lines):
            return "shell"
        try:
            rule = json.loads(block.text)
        except ValueError:
            return None
        return "fault" if isinstance(rule, dict) and "action" in rule else None
    return None


def not_run_reason(line: str) -> str | None:
    return next((why for start, why in NOT_RUN_LINES.items() if line.startswith(start)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live():
    server = LiveServer(test_settings(state="memory", clock="real", background=True, vendor_config=FAST))
    yield server
    server.stop()


@pytest.fixture
def workdir(tmp_path):
    for name, source in FILES.items():
        shutil.copyfile(ROOT / source, tmp_path / name)
    return tmp_path


def environment(url: str | None) -> dict[str, str]:
    """This interpreter's scripts first on PATH (`mockservers`, `python`); MOCKSERVERS_URL: the server, if any."""
    env = {key: value for key, value in os.environ.items() if key != "MOCKSERVERS_URL"}
    return {**env, "PATH": BIN + os.pathsep + os.environ["PATH"], **({"MOCKSERVERS_URL": url} if url else {})}


# A server a block starts is up once it prints its banner (it listens before): read its output until then (at most
# 120 s), then keep draining it. No polling: the banner is the event.
WAIT_FOR_BANNER = """exec {server}<&"${served[0]}"
up=
while read -r -t 120 line <&$server; do echo "$line"; [[ $line == "mockservers: serving"* ]] && { up=1; break; }; done
[ -n "$up" ] || { echo "the server did not print its banner"; exit 1; }
cat <&$server >&2 &"""


PASSED: dict[str, str] = {}  # a command a block runs whole (no server of its own), once it passed: where


def shell_script(block: Block, live_url: str) -> tuple[str | None, list[str]]:
    """The block as a bash script against the live server, or against the server it starts (None: nothing in it to
    run); and the lines left out, with why."""
    skipped: list[str] = []
    body: list[str] = []
    url = live_url
    for line in commands(block.text):
        if is_synopsis(line):
            skipped.append(f"{line}: a synopsis, not a command")
            continue
        reason = not_run_reason(line)
        if reason:
            skipped.append(f"{line}: {reason}")
            continue
        for placeholder, value in PLACEHOLDERS.items():
            line = re.sub(rf"(?<!\S){placeholder}(?!\S)", value, line)
        words = line.split()
        if words[:2] == ["mockservers", "serve"]:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            args = re.sub(r"\s*&?\s*(\s#.*)?$", "", line)  # no comment: --port goes after the command
            args = re.sub(r"--host \S+", "--host 127.0.0.1", args)
            args = re.sub(r"--port \S+", "", args) + f" --port {port}"
            body += [f"coproc served {{ exec {args} 2>&1; }}", WAIT_FOR_BANNER]  # exec: the job is the server
            continue
        if bare(line) in PASSED:
            skipped.append(f"{line}: passed already in {PASSED[bare(line)]}")
            continue
        if words[0] == "python" and len(words) > 1 and words[1].startswith("scripts/"):
            line = line.replace("scripts/", f"{ROOT}/scripts/", 1)
        body.append(ADDRESS.sub(url, line))
    unknown = [
        word
        for line in body
        for word in shlex.split(line, comments=True)
        if re.fullmatch(r"[A-Z][A-Z0-9_]*", word) and word not in HTTP_METHODS
    ]
    assert not unknown, f"{block}: placeholders without a value in PLACEHOLDERS: {unknown}"
    prelude = [
        "set -eo pipefail",
        "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT",
        'curl() { command curl --fail-with-body --silent --show-error "$@"; echo; }',
    ]
    return ("\n".join(prelude + body) + "\n" if body else None), skipped


def needs(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed (make system-deps installs it)")


def run_shell(block: Block, live: LiveServer, workdir: pathlib.Path) -> None:
    script, skipped = shell_script(block, live.base_url)
    if script is None:
        assert skipped, block
        return  # every line is one NOT_RUN_LINES explains
    needs("bash", *{w for w in ("curl", "openssl") if re.search(rf"\b{w}\b", script)})
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=workdir,
        env=environment(live.base_url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, (
        f"{block} exited {done.returncode}\n{script}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
    )
    if "mockservers serve" not in script:
        PASSED.update((bare(line), str(block)) for line in commands(block.text) if bare(line) not in PASSED)


def run_python(block: Block, live: LiveServer, workdir: pathlib.Path) -> None:
    (workdir / "example.py").write_text(ADDRESS.sub(live.base_url, block.text), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "example.py"], cwd=workdir, env=environment(live.base_url), capture_output=True, text=True
    )
    assert done.returncode == 0, f"{block}\n{done.stdout[-3000:]}{done.stderr[-3000:]}"


def run_pytest(block: Block, workdir: pathlib.Path) -> None:
    """In a folder of its own, as an integrator's suite: the plugin comes from the installed package."""
    (workdir / "test_example.py").write_text(block.text, encoding="utf-8")
    plugins = [arg for name in PYTEST_PLUGINS for arg in ("-p", name)]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugins, "test_example.py"],
        cwd=workdir,
        env={**environment(None), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and " passed" in done.stdout, f"{block}\n{done.stdout[-3000:]}{done.stderr[-2000:]}"


def run_config(block: Block, workdir: pathlib.Path) -> None:
    from mockservers.app import create_app

    config = workdir / "config.yaml"
    config.write_text(block.text, encoding="utf-8")
    settings = load_settings({"config": str(config), "state": "memory", "clock": "virtual"}, env={})
    app = create_app(settings, start_background=False)
    try:
        answer = app.test_client().get("/__admin/health")
        assert answer.status_code == 200, answer.get_data(as_text=True)
    finally:
        app.extensions["mockservers.namespaces"].close()


def run_fault(block: Block, live: LiveServer) -> None:
    namespace = f"example-{block.line}"
    headers = {"X-Mock-Namespace": namespace}
    try:
        answer = requests.post(live.base_url + "/__admin/faults", data=block.text, headers=headers, timeout=30)
        assert answer.status_code == 201, answer.text
    finally:
        requests.delete(live.base_url + f"/__admin/namespaces/{namespace}", timeout=30)


@pytest.mark.parametrize("block", BLOCKS, ids=str)
def test_example_runs(block, request, workdir):
    if block.key in NOT_RUN:
        return
    how = kind(block)
    assert how, (
        f"{block}: no runner takes this block: make it a shell, python, yaml or fault-rule example, or list it in "
        f"NOT_RUN with the reason\n{textwrap.indent(block.text, '    ')}"
    )
    if how == "pytest":
        run_pytest(block, workdir)
    elif how == "config":
        run_config(block, workdir)
    else:
        live = request.getfixturevalue("live")
        {"shell": run_shell, "python": run_python, "fault": lambda b, s, _: run_fault(b, s)}[how](block, live, workdir)


def test_every_listed_block_is_still_there():
    """NOT_RUN names only blocks the pages hold: an example that changes is looked at again."""
    assert not set(NOT_RUN) - {block.key for block in BLOCKS}


def test_the_collector_finds_fenced_and_indented_blocks():
    kinds = {(block.lang or "indented") for block in BLOCKS}
    assert {"python", "yaml", "indented"} <= kinds
    assert any("/sigma/login" in block.text for block in BLOCKS if block.page == "README.md")


def test_an_example_that_fails_fails(live, workdir):
    """A curl answered 4xx, a command that exits non-zero, a fault rule refused: each fails its example."""
    for text in ("curl -s 'http://127.0.0.1:8080/sigma/no-such-call'", "mockservers openapi nothing"):
        with pytest.raises(AssertionError, match="exited"):
            run_shell(Block("example.md", 1, "", text), live, workdir)
    with pytest.raises(AssertionError, match="must be"):
        run_fault(Block("example.md", 1, "", '{"action": {"status": 1000}}'), live)
