"""create_app(settings): the core, the admin blueprint and the enabled vendors in one Flask app."""

from __future__ import annotations

from flask import Flask

from mockservers import apidocs, favicon, url_rules
from mockservers.admin import access
from mockservers.admin.routes import blueprint as admin_blueprint
from mockservers.core import hosts, http, jsonbody
from mockservers.core.namespaces import Namespaces
from mockservers.dashboard.routes import blueprint as dashboard_blueprint
from mockservers.settings import Settings, load_settings
from mockservers.vendors import load_vendors
from mockservers.viewer import cors
from mockservers.viewer import routes as viewer_routes


def create_app(settings: Settings | None = None, *, start_background: bool = True) -> Flask:
    settings = settings or load_settings()
    vendors = load_vendors(settings.vendors)
    namespaces = Namespaces(settings, vendors)
    app = Flask("mockservers")
    app.url_rule_class = url_rules.LazyBuildRule  # a URL builder is compiled when first used, not per app made
    app.json = jsonbody.JSONProvider(app)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_mb * 1024 * 1024
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    root_vendor = vendors[0].key if len(settings.vendors) == 1 else None
    cors.install(app, settings.cors_origins, vendors)  # before all: a browser's preflight meets no guard
    access.install(app, settings.admin_token)  # first: a refused call must not reach the core's hook
    http.install(app, namespaces, root_vendor=root_vendor)
    app.register_blueprint(admin_blueprint)
    app.register_blueprint(apidocs.blueprint(vendors))
    app.register_blueprint(dashboard_blueprint)
    app.register_blueprint(favicon.blueprint)
    app.register_blueprint(viewer_routes.blueprint(settings, vendors))
    for vendor in vendors:
        app.register_blueprint(vendor.blueprint(), url_prefix=f"/{vendor.key}")
        root_bp = vendor.root_blueprint()
        if root_bp is not None:
            app.register_blueprint(root_bp)
    if root_vendor:  # a single vendor is also served at '/', for clients whose paths are fixed
        app.register_blueprint(vendors[0].blueprint(), url_prefix="", name=f"{root_vendor}_at_root")
    app.wsgi_app = hosts.HostRouting(app.wsgi_app, hosts.routed_hostnames(vendors))  # type: ignore[method-assign]
    if start_background:
        namespaces.start_background()
    return app
