"""The `mockservers` command."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from mockservers import viewer
from mockservers.settings import load_settings


def _add_server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument(
        "--vendor",
        dest="vendors",
        action="append",
        metavar="KEY",
        help="serve only this vendor (repeatable); default: all",
    )
    p.add_argument("--state", help="sqlite:///var/state.db (default), memory, or any SQLAlchemy URL")
    p.add_argument("--seed", type=int)
    p.add_argument("--clock", choices=["real", "virtual"])
    p.add_argument("--config", help="a YAML settings file")
    p.add_argument("--workers", type=int, help="worker processes sharing the state (default 1: one threaded process)")
    p.add_argument(
        "--server",
        choices=["gunicorn", "granian"],
        help="with --workers above 1: the server that runs them (default gunicorn, gthread)",
    )
    p.add_argument(
        "--admin-token",
        help="/__admin and the dashboard then need 'Authorization: Bearer TOKEN' "
        "(default: none, open to whoever reaches the port)",
    )
    p.add_argument(
        "--cors",
        dest="cors_origins",
        action="append",
        metavar="ORIGIN",
        help="a web page's origin (scheme://host[:port], or *) that may call the DICOMweb routes (repeatable)",
    )


def _settings(args: argparse.Namespace):
    cli = {k: v for k, v in vars(args).items() if k not in ("command", "func")}
    return load_settings(cli)


def _banner(settings, port: int, vendors) -> None:
    print(
        f"mockservers: serving {', '.join(vendors)} on http://{settings.host}:{port}/ "
        f"(state {settings.state}, clock {settings.clock}, seed {settings.seed}, workers {settings.workers}"
        f"{f' under {settings.server}' if settings.workers > 1 else ''})",
        flush=True,
    )
    for key in vendors:
        print(f"  {key:8} http://{settings.host}:{port}/{key}", flush=True)
    print(viewer.banner_line(settings, f"http://{settings.host}:{port}"), flush=True)


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
    if settings.workers > 1:
        return _serve_workers(settings)
    from mockservers.app import create_app
    from mockservers.serving import PooledWSGIServer

    app = create_app(settings)
    server = PooledWSGIServer(
        settings.host, settings.port, app, threads=settings.threads, timeout=settings.request_timeout
    )
    runtime = app.extensions["mockservers"]
    namespaces = app.extensions["mockservers.namespaces"]
    _banner(settings, server.port, runtime.vendors)
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

    Namespaces(settings, load_vendors(settings.vendors)).close()  # create the tables once, before the fork
    vendors = [v.key for v in load_vendors(settings.vendors)]
    server = GranianServer if settings.server == "granian" else GunicornServer
    server(settings, on_ready=lambda: _banner(settings, settings.port, vendors)).run()
    return 0


def cmd_routes(args: argparse.Namespace) -> int:
    from mockservers.app import create_app

    settings = _settings(args)
    settings.state = "memory"
    app = create_app(settings, start_background=False)
    rows = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        owner = rule.endpoint.split(".", 1)[0]
        methods = ",".join(sorted(m for m in rule.methods if m not in ("HEAD", "OPTIONS")))
        rows.append((owner, rule.rule, methods))
    for owner, path, methods in sorted(rows):
        print(f"{owner:16} {methods:18} {path}")
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

    from mockservers.core import openapi
    from mockservers.vendors import REGISTRY, load_vendor

    if args.key not in REGISTRY:
        print(f"unknown vendor {args.key!r}; known: {', '.join(REGISTRY)}", file=sys.stderr)
        return 2
    vendor = load_vendor(args.key)
    if not vendor.operations():
        print(f"{args.key} declares no OpenAPI document (see docs/{args.key}.md)", file=sys.stderr)
        return 2
    print(json.dumps(openapi.build(vendor), ensure_ascii=False, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="mockservers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the vendor APIs")
    _add_server_options(serve)
    serve.set_defaults(func=cmd_serve)
    routes = sub.add_parser("routes", help="every URL served, by vendor")
    routes.add_argument("--vendor", dest="vendors", action="append", metavar="KEY")
    routes.add_argument("--config")
    routes.set_defaults(func=cmd_routes)
    seed = sub.add_parser("seed", help="fill every vendor with plausible demo data")
    seed.add_argument("--scenario", required=True, choices=["demo"])
    seed.add_argument("--studies", type=int, default=12, help="studies per vendor (default 12)")
    seed.add_argument("--state")
    seed.add_argument("--seed", type=int)
    seed.add_argument("--clock", choices=["real", "virtual"], help="the clock the server will run with")
    seed.add_argument("--config")
    seed.add_argument("--vendor", dest="vendors", action="append", metavar="KEY")
    seed.add_argument("--namespace", default="default")
    seed.set_defaults(func=cmd_seed)
    openapi_cmd = sub.add_parser("openapi", help="print a vendor's OpenAPI 3.1 document")
    openapi_cmd.add_argument("key", help="the vendor key, e.g. sigma")
    openapi_cmd.set_defaults(func=cmd_openapi)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
