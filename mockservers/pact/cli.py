"""`mockservers verify-pact` and `mockservers export-pact` (pact-python is imported only when they run)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

VERIFY = """\
Verify consumer pacts against the mock with pact's verifier: every interaction, each provider state set up by
POST /__admin/pact/state in a namespace of this run's own. Prints pact's report; exits 0 when every interaction
verified, 1 when one failed, 2 when the pacts could not be read. Needs pact-python (pip install 'mockservers[pact]').

examples:
  mockservers verify-pact pacts/                        each pact's provider named as a vendor key (sigma, aliyun...)
  mockservers verify-pact my-client-SigmaCloud.json --vendor sigma
  mockservers verify-pact pacts/ --url http://127.0.0.1:8080   a running server (serve --clock virtual)
"""


def add_commands(sub: Any) -> None:
    verify = sub.add_parser(
        "verify-pact",
        help="verify pact files against the mock (pact's verifier)",
        description=VERIFY,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("pacts", nargs="+", metavar="PACT_FILE_OR_DIR", help="pact files, or folders of *.json")
    verify.add_argument("--vendor", metavar="KEY", help="the vendor every pact is for (default: its provider name)")
    verify.add_argument(
        "--state",
        metavar="URL",
        help="the provider-state URL (default: the mock's POST /__admin/pact/state?vendor=KEY)",
    )
    verify.add_argument(
        "--url", metavar="URL", help="a running mockservers server (default: one started in this process)"
    )
    verify.add_argument("--admin-token", metavar="TOKEN", help="the --url server's admin token")
    verify.set_defaults(func=cmd_verify_pact)
    export = sub.add_parser(
        "export-pact",
        help="a REST vendor's contract fixtures as a pact file (V4)",
        description="Write fixtures/contracts/KEY/ as a pact file (specification V4): what the vendor's document "
        "shows, with provider states where a case needs setup. Cases a pact cannot carry are listed on stderr.",
    )
    export.add_argument("key", help="a REST vendor: sigma, aliyun or cad4tb")
    export.add_argument("-o", "--output", metavar="FILE", help="where to write it (default: stdout)")
    export.set_defaults(func=cmd_export_pact)


def cmd_verify_pact(args: argparse.Namespace) -> int:
    from mockservers.pact.verify import PactProblem, verify

    server = None
    if args.url:
        import requests

        try:
            vendors = requests.get(args.url.rstrip("/") + "/__admin/health", timeout=30).json()["vendors"]
        except (requests.RequestException, ValueError, KeyError):
            print(f"verify-pact: no mockservers server answers at {args.url}", file=sys.stderr)
            return 2
        if _clock_mode(args.url, args.admin_token) == "real":
            print(REAL_CLOCK, file=sys.stderr)
        url = args.url
    else:
        import logging

        from mockservers.pact.server import InProcessServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request would bury pact's report
        server = InProcessServer()
        url, vendors = server.url, server.vendors
    try:
        outcome = verify(args.pacts, url, vendors, args.vendor, args.state, args.admin_token)
    except PactProblem as exc:
        print(f"verify-pact: {exc}", file=sys.stderr)
        return 2
    finally:
        if server is not None:
            server.stop()
    for problem in outcome.unknown_states:
        print(f"verify-pact: {problem}", file=sys.stderr)
    print(f"verify-pact: {'every interaction verified' if outcome.ok else 'FAILED'}", file=sys.stderr)
    return 0 if outcome.ok else 1


REAL_CLOCK = (
    "verify-pact: note: the server's clock is real, so the provider states that finish a job or an analysis (they "
    "move the clock) fail; serve it with --clock virtual"
)


def _clock_mode(url: str, token: str | None) -> str | None:
    import requests

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return requests.get(url.rstrip("/") + "/__admin/clock", headers=headers, timeout=30).json().get("mode")
    except (requests.RequestException, ValueError, AttributeError):
        return None


def cmd_export_pact(args: argparse.Namespace) -> int:
    import json

    from mockservers.pact.export import REST_VENDORS, export

    if args.key not in REST_VENDORS:
        print(f"export-pact: {args.key!r} is not a REST vendor; one of {', '.join(REST_VENDORS)}", file=sys.stderr)
        return 2
    pact, skipped = export(args.key)
    text = json.dumps(pact, ensure_ascii=False, indent=2)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    else:
        print(text)
    for name, why in skipped:
        print(f"export-pact: left out {name!r}: {why}", file=sys.stderr)
    return 0
