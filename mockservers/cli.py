"""The `mockservers` command."""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from mockservers.settings import load_settings


def _add_server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--vendor", dest="vendors", action="append", metavar="KEY",
                   help="serve only this vendor (repeatable); default: all")
    p.add_argument("--state", help="sqlite:///var/state.db (default), memory, or any SQLAlchemy URL")
    p.add_argument("--seed", type=int)
    p.add_argument("--clock", choices=["real", "virtual"])
    p.add_argument("--config", help="a YAML settings file")


def _settings(args: argparse.Namespace):
    cli = {k: v for k, v in vars(args).items() if k not in ("command", "func")}
    return load_settings(cli)


def cmd_serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from mockservers.app import create_app

    settings = _settings(args)
    app = create_app(settings)
    server = make_server(settings.host, settings.port, app, threaded=True)
    runtime = app.extensions["mockservers"]
    namespaces = app.extensions["mockservers.namespaces"]
    print(f"mockservers: serving {', '.join(runtime.vendors)} on http://{settings.host}:{server.port}/ "
          f"(state {settings.state}, clock {settings.clock}, seed {settings.seed})", flush=True)
    for key in runtime.vendors:
        print(f"  {key:8} http://{settings.host}:{server.port}/{key}", flush=True)
    # shutdown() waits for serve_forever() to return, so it must not run on serve_forever's own thread
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        namespaces.close()
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


def cmd_openapi(args: argparse.Namespace) -> int:
    import json

    from mockservers.core import openapi
    from mockservers.vendors import REGISTRY, load_vendor

    if args.key not in REGISTRY:
        print(f"unknown vendor {args.key!r}; known: {', '.join(REGISTRY)}", file=sys.stderr)
        return 2
    vendor = load_vendor(args.key)
    if not vendor.operations():
        print(f"{args.key} has no OpenAPI document (it is a DICOMweb server: see docs/{args.key}.md)",
              file=sys.stderr)
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
    openapi_cmd = sub.add_parser("openapi", help="print a vendor's OpenAPI 3.1 document")
    openapi_cmd.add_argument("key", help="the vendor key, e.g. sigma")
    openapi_cmd.set_defaults(func=cmd_openapi)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
