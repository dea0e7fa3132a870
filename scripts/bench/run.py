"""`make bench`: every benchmark in this folder, one table, JSON beside it (results.json)."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dicomweb_vs_orthanc
import json_endpoints
import moto_peer
import qido_scale


def table(rows: list[dict]) -> str:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    line = " | ".join(c.ljust(widths[c]) for c in columns)
    out = [line, "-+-".join("-" * widths[c] for c in columns)]
    out += [" | ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(out)


def main() -> int:
    results = json_endpoints.run(seconds=int(os.environ.get("BENCH_SECONDS", "5")))
    results.update(dicomweb_vs_orthanc.run())
    results.update(qido_scale.scale_row())
    results.update(moto_peer.run(seconds=int(os.environ.get("BENCH_SECONDS", "5"))))
    print(
        "\nJSON endpoints, requests/second, mockservers and bare Flask under each server (targets: >= 0.8 of bare "
        "Flask under the same server, >= 0.5 of WireMock; vs WireMock takes the faster server)"
    )
    print(table(results["json_endpoints"]))
    print(
        "\nDICOMweb, requests/second, msdicom under gunicorn and under granian (STOW 50: instances/second; "
        "target: >= Orthanc on every row)"
    )
    if results["dicomweb"]:
        print(table(results["dicomweb"]))
        print(
            "server RSS at 10,000 instances (MB; the target, < 400, is at 100,000: the scale row): "
            f"{results['rss_mb_at_10000']}"
        )
    else:
        print(f"  not run: {results.get('skipped')}")
    qido_scale.print_scale(results)
    moto_peer.print_tables(results, table)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json")
    with open(path, "w") as fh:
        json.dump(results, fh, indent=2)
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
