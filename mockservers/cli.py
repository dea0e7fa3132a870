"""The `mockservers` command: serve the vendor APIs, list their routes, print a vendor's OpenAPI document, seed
demo data."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from typing import Any

from mockservers import viewer
from mockservers.pact import cli as pact_cli
from mockservers.settings import ENV_PREFIX, Settings, load_settings

EXAMPLES = """\
examples:
  mockservers serve                         every vendor on http://127.0.0.1:8080, state in ./var/
  mockservers serve --port 0 --state memory --clock virtual
                                            a throwaway server on a free port, its clock moved by /__admin
  mockservers serve --vendor sigma          sigma alone, also at / for a client whose paths are fixed
  mockservers serve --tls                   HTTPS; trust the CA it prints (./var/tls/ca.pem)
  MOCKSERVERS_CLOCK=virtual mockservers serve
                                            every option also reads MOCKSERVERS_<NAME>
  mockservers routes --vendor msdicom       every URL msdicom answers
  mockservers openapi sigma > sigma.json    sigma's OpenAPI 3.1 document
  mockservers seed --scenario demo --studies 20
"""
_DEFAULTS = Settings()


def _version() -> str:
    """The installed distribution's version; in a checkout that is not installed, the package's own."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mockservers")
    except PackageNotFoundError:
        from mockservers import __version__

        return f"{__version__} (not installed)"


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _setting(p: argparse.ArgumentParser, flag: str, text: str, *, dest: str = "", worded: str = "", **kw) -> None:
    """An option for a setting: its help ends with the setting's default and its MOCKSERVERS_* variable, both taken
    from Settings (`worded` words a default that is not a plain value). Absent, it leaves the setting to the
    variable and the config file."""
    dest = dest or flag[2:].replace("-", "_")
    shown = worded or _shown(getattr(_DEFAULTS, dest))
    kw.setdefault("default", None)
    p.add_argument(flag, dest=dest, help=f"{text} (default: {shown}; {ENV_PREFIX}{dest.upper()})", **kw)


def _vendor_option(p: argparse.ArgumentParser, text: str) -> None:
    _setting(p, "--vendor", text, dest="vendors", worded="every vendor", action="append", metavar="KEY")


def _add_server_options(p: argparse.ArgumentParser) -> None:
    _setting(p, "--host", "the address to listen on")
    _setting(p, "--port", "the port to listen on; 0 picks a free one", type=int)
    _vendor_option(p, "serve only this vendor (repeatable); one alone is also served at /")
    _setting(p, "--state", "sqlite:///FILE (survives restarts), memory, or a postgresql:// URL", metavar="URL")
    _setting(p, "--seed", "the seed of every fake value", type=int, metavar="N")
    _setting(p, "--clock", "virtual: time moves only by POST /__admin/clock/advance", choices=["real", "virtual"])
    _setting(p, "--config", "a YAML settings file (any setting, and vendor_config: per vendor)", metavar="FILE")
    _setting(
        p,
        "--blobs",
        "the folder of stored files; on a postgresql:// state the files are kept in the database, where every "
        "host reaches them, and this folder caches them",
        dest="data_dir",
        worded="beside a SQLite file, else ./var",
        metavar="DIR",
    )
    _setting(p, "--workers", "worker processes sharing the state; 1: one threaded process", type=int, metavar="N")
    _setting(p, "--server", "what runs --workers above 1 (gunicorn: gthread)", choices=["gunicorn", "granian"])
    _setting(p, "--threads", "request threads in each process", type=int, metavar="N")
    _setting(p, "--request-timeout", "seconds a client may stall mid-request (then 408)", type=float, metavar="S")
    _setting(p, "--max-namespaces", "namespaces held, the default one included", type=int, metavar="N")
    _setting(p, "--journal-size", "requests the journal keeps per namespace", type=int, metavar="N")
    _setting(p, "--max-body-mb", "the largest request body, in MB (then 413)", type=int, metavar="MB")
    _setting(
        p,
        "--admin-token",
        "/__admin and the dashboard then need 'Authorization: Bearer TOKEN'; without one, they are open to whoever "
        "reaches the port",
        metavar="TOKEN",
    )
    _setting(
        p,
        "--tls",
        "HTTPS, with a local certificate authority (its file is printed on start)",
        action="store_true",
    )
    _setting(
        p,
        "--tls-dir",
        "where the CA (ca.pem) and the server certificate are kept",
        worded="<state folder>/tls",
        metavar="DIR",
    )
    _setting(
        p,
        "--cors",
        "a web page's origin (scheme://host[:port], or *) that may call the DICOMweb routes (repeatable)",
        dest="cors_origins",
        worded="none",
        action="append",
        metavar="ORIGIN",
    )


def _settings(args: argparse.Namespace):
    cli = {k: v for k, v in vars(args).items() if k not in ("command", "func")}
    return load_settings(cli)


def _banner(settings: Settings, port: int, vendors, data_dir: str, ca: str | None) -> None:
    """The server's address and each vendor's base URLs, the dashboard's, where the state lives, the hostnames
    routed by Host header and the CA to trust."""
    from mockservers.core.hosts import routed_hostnames

    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    base = f"{'https' if ca else 'http'}://{host}:{port}"
    workers = f"workers {settings.workers}" + (f" under {settings.server}" if settings.workers > 1 else "")
    keys = ", ".join(v.key for v in vendors)
    lines = [f"mockservers: serving {keys} on {base}/ (clock {settings.clock}, seed {settings.seed}, {workers})"]
    for vendor in vendors:
        urls = [base + path for path in vendor.base_paths or (f"/{vendor.key}",)]
        if len(settings.vendors) == 1:
            urls.append(f"{base}/")
        lines.append(f"  {vendor.key:10} {'  '.join(urls)}")
        if vendor.root_title:
            lines.append(f"  {vendor.root_title:10} {base}/")
    lines.append(f"  {'dashboard':10} {base}/")
    lines.append(f"  {'viewer':10} {viewer.where(settings, base)}")
    lines.append(f"  {'state':10} {_where_state_lives(settings, data_dir)}")
    routed = routed_hostnames(vendors)
    if routed:
        lines.append(f"  {'by Host':10} " + ", ".join(f"{name} -> {prefix}" for name, prefix in routed.items()))
    if ca:
        lines.append(f"  {'TLS CA':10} {ca}")
    print("\n".join(lines), flush=True)


def _where_state_lives(settings: Settings, data_dir: str) -> str:
    from sqlalchemy.engine import make_url

    from mockservers.core.store import MEMORY_URLS

    if settings.state in MEMORY_URLS:
        return f"memory, files in {data_dir} (all gone when the server stops)"
    if settings.state.startswith("sqlite:///"):
        database = os.path.abspath(settings.state[len("sqlite:///") :])
        folder = os.path.join(os.path.dirname(database), "namespaces")
        return f"{database}, files in {data_dir}, other namespaces in {folder}"
    database = make_url(settings.state).render_as_string(hide_password=True)
    if database.startswith("postgresql"):
        return f"{database}, files there too (cached in {data_dir})"
    return f"{database}, files in {data_dir}"


def _certificates(settings: Settings, data_dir: str, vendors):
    """With --tls: the CA and a server certificate for the loopback names, the address served if it is another
    one (not a wildcard), and the vendors' real hostnames."""
    if not settings.tls:
        return None
    from mockservers import tls
    from mockservers.core.hosts import routed_hostnames

    folder = os.path.abspath(settings.tls_dir) if settings.tls_dir else os.path.join(data_dir, "tls")
    names = sorted(routed_hostnames(vendors))
    if settings.host not in ("", "0.0.0.0", "::", *tls.LOOPBACK_NAMES):
        names.insert(0, settings.host)
    return tls.prepare(folder, names)


def _check_exposure(settings) -> bool:
    """Refuse a token no header can carry; warn when the control plane is open beyond loopback."""
    from mockservers.admin.access import exposure_warning, token_problem

    problem = token_problem(settings.admin_token)
    if problem:
        print(problem, file=sys.stderr)
        return False
    warning = exposure_warning(settings.host, settings.admin_token)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    return True


def cmd_serve(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not _check_exposure(settings):
        return 2
    if settings.workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return 2
    if settings.data_dir and "://" in settings.data_dir:
        print(
            f"--blobs takes a folder, not {settings.data_dir!r} (on a postgresql:// state the stored files are kept "
            "in the database, and the folder caches them)",
            file=sys.stderr,
        )
        return 2
    if settings.workers > 1:
        return _serve_workers(settings)
    from mockservers.app import create_app
    from mockservers.serving import PooledWSGIServer

    app = create_app(settings)
    runtime = app.extensions["mockservers"]
    namespaces = app.extensions["mockservers.namespaces"]
    vendors = list(runtime.vendors.values())
    certificates = _certificates(settings, runtime.data_dir, vendors)
    server = PooledWSGIServer(
        settings.host,
        settings.port,
        app,
        threads=settings.threads,
        timeout=settings.request_timeout,
        tls=certificates.context() if certificates else None,
    )
    _banner(settings, server.port, vendors, runtime.data_dir, certificates.ca if certificates else None)
    # shutdown() waits for serve_forever() to return, so it must not run on serve_forever's own thread
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        namespaces.close()
    return 0


def _serve_workers(settings) -> int:
    from mockservers.core.store import MEMORY_URLS
    from mockservers.production import GranianServer, GunicornServer
    from mockservers.vendors import load_vendors

    if settings.server not in ("gunicorn", "granian"):
        print(f"--server must be gunicorn or granian, not {settings.server!r}", file=sys.stderr)
        return 2
    if settings.state in MEMORY_URLS:
        print("--workers needs shared state: a sqlite:/// file or a postgresql:// URL, not memory", file=sys.stderr)
        return 2
    if settings.port == 0:
        print("--workers needs a fixed --port", file=sys.stderr)
        return 2
    from mockservers.core.namespaces import Namespaces

    vendors = load_vendors(settings.vendors)
    namespaces = Namespaces(settings, vendors)  # creates the tables once, before the fork
    data_dir = namespaces.default.data_dir
    namespaces.close()
    certificates = _certificates(settings, data_dir, vendors)
    ca = certificates.ca if certificates else None
    server = GranianServer if settings.server == "granian" else GunicornServer
    server(
        settings, on_ready=lambda: _banner(settings, settings.port, vendors, data_dir, ca), certificates=certificates
    ).run()
    return 0


def cmd_routes(args: argparse.Namespace) -> int:
    from mockservers.admin.catalog import route_rows
    from mockservers.app import create_app

    settings = _settings(args)
    settings.state = "memory"
    app = create_app(settings, start_background=False)
    for owner, path, methods in route_rows(app):
        print(f"{owner:16} {','.join(methods):18} {path}")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from mockservers.core.demo import seed_demo
    from mockservers.core.namespaces import InvalidNamespace, Namespaces
    from mockservers.core.vendor import VendorSpec
    from mockservers.vendors import load_vendors

    settings = _settings(args)
    if args.studies < 1:
        print("--studies must be at least 1", file=sys.stderr)
        return 2
    namespaces = Namespaces(settings, load_vendors(settings.vendors))
    try:
        try:
            runtime = namespaces.get(args.namespace)
        except InvalidNamespace as exc:  # a bad name, or one namespace too many
            print(f"--namespace: {exc}", file=sys.stderr)
            return 2
        seeding = [v for v in runtime.vendors.values() if type(v).demo is not VendorSpec.demo]
        with tqdm(total=args.studies * len(seeding), unit="study", desc="demo data") as bar:
            report = seed_demo(runtime, args.studies, progress=bar.update)
    finally:
        namespaces.close()
    if report is None:
        print(f"demo data is already in {settings.state} (namespace {args.namespace}); nothing to do")
    else:
        for key, count in report.items():
            print(f"  {key:8} {count} demo studies")
    return 0


def cmd_openapi(args: argparse.Namespace) -> int:
    import json

    from mockservers.admin import openapi as admin_openapi
    from mockservers.core import openapi
    from mockservers.vendors import REGISTRY, load_vendor

    if args.key == "admin":  # the control plane's own document
        print(json.dumps(admin_openapi.build(), ensure_ascii=False, indent=2))
        return 0
    if args.key not in REGISTRY:
        print(f"unknown vendor {args.key!r}; known: {', '.join(REGISTRY)}", file=sys.stderr)
        return 2
    vendor = load_vendor(args.key)
    if not vendor.operations():
        print(f"{args.key} declares no OpenAPI document (see docs/{args.key}.md)", file=sys.stderr)
        return 2
    print(json.dumps(openapi.build(vendor), ensure_ascii=False, indent=2))
    return 0


def build_parser() -> argparse.ArgumentParser:
    formatting: dict[str, Any] = {"formatter_class": argparse.RawDescriptionHelpFormatter, "epilog": EXAMPLES}
    parser = argparse.ArgumentParser(prog="mockservers", description=__doc__, **formatting)
    parser.add_argument("--version", action="version", version=f"mockservers {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the vendor APIs", description="Serve the vendor APIs.", **formatting)
    _add_server_options(serve)
    serve.set_defaults(func=cmd_serve)
    routes = sub.add_parser("routes", help="every URL served, by vendor", description="Every URL served, by vendor.")
    _vendor_option(routes, "list only this vendor's routes (repeatable)")
    _setting(routes, "--config", "a YAML settings file", metavar="FILE")
    routes.set_defaults(func=cmd_routes)
    seed = sub.add_parser(
        "seed",
        help="fill every vendor with plausible demo data",
        description="Fill every vendor with plausible demo data (once: nothing is added to a state that has it).",
    )
    seed.add_argument("--scenario", required=True, choices=["demo"], help="the data to add (required)")
    seed.add_argument("--studies", type=int, default=12, metavar="N", help="studies per vendor (default: 12)")
    _setting(seed, "--state", "the state to fill: the server's", metavar="URL")
    _setting(seed, "--seed", "the seed of every fake value", type=int, metavar="N")
    _setting(seed, "--clock", "the clock the server will run with", choices=["real", "virtual"])
    _setting(seed, "--config", "a YAML settings file", metavar="FILE")
    _vendor_option(seed, "fill only this vendor (repeatable)")
    seed.add_argument("--namespace", default="default", help="the namespace to fill (default: default)")
    seed.set_defaults(func=cmd_seed)
    openapi_cmd = sub.add_parser(
        "openapi", help="print a vendor's OpenAPI 3.1 document", description="Print a vendor's OpenAPI 3.1 document."
    )
    openapi_cmd.add_argument("key", help="the vendor key, e.g. sigma")
    openapi_cmd.set_defaults(func=cmd_openapi)
    pact_cli.add_commands(sub)  # verify-pact, export-pact
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
