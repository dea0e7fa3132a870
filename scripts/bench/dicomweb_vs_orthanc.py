"""DICOMweb: msdicom beside Orthanc (Debian's orthanc + orthanc-dicomweb), in one run, on one machine.

Orthanc cannot choose its bind address, so the whole comparison runs inside a network namespace of its own that
has only loopback (`ip netns`, root). Rows: STOW (1 and 50 instances a request), QIDO (by PatientID, by StudyDate
range, by SOPInstanceUID), WADO (instance, frame, study metadata) at 1,000 and 10,000 stored instances; server
memory (RSS) at the end. Figures are requests/second, so only their ratios mean anything.
"""

from __future__ import annotations

import copy
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)
BOUNDARY = "benchboundary"
STOW_TYPE = f'multipart/related; type="application/dicom"; boundary={BOUNDARY}'
ORTHANC_PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"


def available() -> str | None:
    """Why the comparison cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root for a network namespace"
    if not shutil.which("ip") or not shutil.which("Orthanc") or not os.path.exists(ORTHANC_PLUGIN):
        return "needs iproute2, orthanc and orthanc-dicomweb (make bench-deps)"
    return None


def in_namespace(argv: list[str]) -> int:
    """Re-run `argv` inside a fresh network namespace that has only loopback."""
    name = f"mockservers-bench-{os.getpid()}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        subprocess.run(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"], check=True)
        return subprocess.run(["ip", "netns", "exec", name, *argv]).returncode
    finally:
        subprocess.run(["ip", "netns", "del", name])


# ---- data ---------------------------------------------------------------------------------------------------------


def template():
    from mockservers.dicom.synthetic import dx_dataset

    return dx_dataset(seed=7, index=0, rows=64, columns=64, Modality="CT", SOPClassUID="1.2.840.10008.5.1.4.1.1.2")


def instances(base, start: int, count: int, per_study: int = 10):
    """`count` instances numbered from `start`: 10 per study, a patient per 5 studies, dates over 2024."""
    from mockservers.dicom.synthetic import to_part10

    out = []
    for n in range(start, start + count):
        ds = copy.deepcopy(base)
        study, patient = n // per_study, n // (per_study * 5)
        ds.StudyInstanceUID = f"1.2.826.0.1.3680043.8.498.9.{study}"
        ds.SeriesInstanceUID = f"1.2.826.0.1.3680043.8.498.9.{study}.1"
        ds.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.9.{study}.1.{n}"
        ds.PatientID = f"BENCH{patient:05d}"
        ds.StudyDate = f"2024{1 + study % 12:02d}{1 + study % 28:02d}"
        ds.InstanceNumber = n % per_study + 1
        out.append((ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID, ds.PatientID, to_part10(ds)))
    return out


def multipart(files: list[bytes]) -> bytes:
    body = io.BytesIO()
    for data in files:
        body.write(f"--{BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n".encode())
        body.write(data)
        body.write(b"\r\n")
    body.write(f"--{BOUNDARY}--\r\n".encode())
    return body.getvalue()


# ---- servers ------------------------------------------------------------------------------------------------------


def start_orthanc(folder: str):
    config = {
        "Name": "bench",
        "StorageDirectory": os.path.join(folder, "orthanc"),
        "IndexDirectory": os.path.join(folder, "orthanc"),
        "HttpPort": 8042,
        "DicomServerEnabled": False,
        "RemoteAccessAllowed": True,
        "AuthenticationEnabled": False,
        "Plugins": [ORTHANC_PLUGIN],
        "DicomWeb": {"Enable": True, "Root": "/dicom-web/"},
        "HttpThreadsCount": 16,
    }
    path = os.path.join(folder, "orthanc.json")
    json.dump(config, open(path, "w"))
    proc = subprocess.Popen(["Orthanc", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, "http://127.0.0.1:8042/dicom-web"


def start_msdicom(folder: str, server: str, port: int):
    state = os.path.join(folder, server)
    os.makedirs(state)
    proc = subprocess.Popen(
        [
            os.path.join(BIN, "mockservers"),
            "serve",
            "--workers",
            "2",
            "--server",
            server,
            "--port",
            str(port),
            "--state",
            f"sqlite:///{state}/state.db",
            "--vendor",
            "msdicom",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return proc, f"http://127.0.0.1:{port}/msdicom/v2"


def wait_up(http, url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            http.get(url, timeout=2)
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            pass
    return round(total / 1024, 1)


# ---- measuring ----------------------------------------------------------------------------------------------------


def rate(fn, n: int) -> float:
    fn()  # warm-up
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return round(n / (time.perf_counter() - start), 1)


def measure(http, base: str, sample, fresh) -> dict:
    study, series, sop, patient, _ = sample

    def ok(response):
        if response.status_code >= 300:
            raise RuntimeError(f"{response.request.method} {response.url}: {response.status_code}")
        return response

    stow_one = iter(fresh[:200])
    stow_fifty = iter([fresh[i : i + 50] for i in range(200, len(fresh) - 49, 50)])
    frames_accept = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'
    return {
        "STOW 1": rate(
            lambda: ok(
                http.post(base + "/studies", data=multipart([next(stow_one)[4]]), headers={"Content-Type": STOW_TYPE})
            ),
            40,
        ),
        "STOW 50": round(
            rate(
                lambda: ok(
                    http.post(
                        base + "/studies",
                        data=multipart([f[4] for f in next(stow_fifty)]),
                        headers={"Content-Type": STOW_TYPE},
                    )
                ),
                4,
            )
            * 50,
            1,
        ),
        "QIDO PatientID": rate(lambda: ok(http.get(base + "/studies", params={"PatientID": patient})), 100),
        "QIDO StudyDate range": rate(
            lambda: ok(http.get(base + "/studies", params={"StudyDate": "20240301-20240315"})), 100
        ),
        "QIDO SOPInstanceUID": rate(lambda: ok(http.get(base + "/instances", params={"SOPInstanceUID": sop})), 100),
        "WADO instance": rate(
            lambda: ok(
                http.get(
                    f"{base}/studies/{study}/series/{series}/instances/{sop}",
                    headers={"Accept": 'multipart/related; type="application/dicom"; transfer-syntax=*'},
                )
            ),
            100,
        ),
        "WADO frame": rate(
            lambda: ok(
                http.get(
                    f"{base}/studies/{study}/series/{series}/instances/{sop}/frames/1",
                    headers={"Accept": frames_accept},
                )
            ),
            100,
        ),
        "WADO study metadata": rate(
            lambda: ok(http.get(f"{base}/studies/{study}/metadata", headers={"Accept": "application/dicom+json"})), 100
        ),
    }


def load(http, base: str, items, batch: int = 50) -> None:
    for i in range(0, len(items), batch):
        r = http.post(
            base + "/studies",
            data=multipart([it[4] for it in items[i : i + batch]]),
            headers={"Content-Type": STOW_TYPE},
        )
        if r.status_code >= 300:
            raise RuntimeError(f"loading {base}: {r.status_code} {r.text[:200]}")


def run_inside(sizes=(1000, 10000)) -> dict:
    import requests

    folder = tempfile.mkdtemp(prefix="mockservers-dicombench-")
    procs = {}
    try:
        servers = {}
        for name, server, port in (("msdicom", "gunicorn", 8043), ("msdicom granian", "granian", 8044)):
            procs[name], servers[name] = start_msdicom(folder, server, port)
        procs["Orthanc"], servers["Orthanc"] = start_orthanc(folder)
        http = requests.Session()
        for base in servers.values():
            wait_up(http, base + "/studies")
        base_ds = template()
        rows, loaded = [], 0
        for size in sizes:
            batch = instances(base_ds, loaded, size - loaded)
            fresh = instances(base_ds, 10_000_000 + size * 10, 460)  # timed STOWs, not counted in the size
            for base in servers.values():
                load(http, base, batch)
            loaded = size
            results = {name: measure(http, base, batch[len(batch) // 2], fresh) for name, base in servers.items()}
            for row in results["msdicom"]:
                orth = results["Orthanc"][row]
                line = {"instances": size, "request": row, **{name: results[name][row] for name in servers}}
                for name, label in (("msdicom", "vs Orthanc"), ("msdicom granian", "granian vs Orthanc")):
                    line[label] = round(results[name][row] / orth, 2) if orth else None
                rows.append(line)
                print(f"  {size} {row}: " + ", ".join(f"{n} {results[n][row]}/s" for n in servers), file=sys.stderr)
        memory = {name: rss_mb(proc.pid) for name, proc in procs.items()}
        return {"dicomweb": rows, "rss_mb_at_10000": memory, "targets": {"vs Orthanc": 1.0, "msdicom RSS MB": 300}}
    finally:
        for proc in procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(folder, ignore_errors=True)


def run() -> dict:
    """From the host: the comparison inside its own network namespace; its results come back as JSON."""
    reason = available()
    if reason:
        return {"dicomweb": [], "skipped": reason}
    out = os.path.join(tempfile.mkdtemp(prefix="mockservers-dicombench-out-"), "result.json")
    code = in_namespace([sys.executable, os.path.abspath(__file__), "--inside", out])
    if code != 0 or not os.path.exists(out):
        return {"dicomweb": [], "skipped": f"the run inside the namespace failed (exit {code})"}
    return json.load(open(out))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inside":
        sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
        sizes = tuple(int(n) for n in os.environ.get("BENCH_DICOM_SIZES", "1000,10000").split(","))
        json.dump(run_inside(sizes), open(sys.argv[2], "w"))
    else:
        print(json.dumps(run(), indent=2))
