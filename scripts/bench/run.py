"""`make bench`: every benchmark in this folder, one table, JSON beside it (results.json)."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import json_endpoints  # noqa: E402


def table(rows: list[dict]) -> str:
    columns = list(dict.fromkeys(k for row in rows for k in row))
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    line = " | ".join(c.ljust(widths[c]) for c in columns)
    out = [line, "-+-".join("-" * widths[c] for c in columns)]
    out += [" | ".join(str(r.get(c, "")).ljust(widths[c]) for c in columns) for r in rows]
    return "\n".join(out)


def main() -> int:
    results = json_endpoints.run(seconds=int(os.environ.get("BENCH_SECONDS", "5")))
    print("\nJSON endpoints, requests/second (targets: >= 0.8 of bare Flask, >= 0.5 of WireMock)")
    print(table(results["json_endpoints"]))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results.json")
    with open(path, "w") as fh:
        json.dump(results, fh, indent=2)
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
