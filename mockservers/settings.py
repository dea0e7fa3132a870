"""Settings: defaults, then a YAML file, then MOCKSERVERS_* env vars, then the command line."""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

ENV_PREFIX = "MOCKSERVERS_"
CALLBACK_ALLOW = ("127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "localhost")
LISTS = ("vendors", "callback_allow", "cors_origins")  # a string (env var, command line) is split at commas and spaces


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    vendors: list[str] = field(default_factory=list)  # empty: every registered vendor
    state: str = "sqlite:///var/state.db"
    seed: int = 0
    clock: str = "real"  # real | virtual
    config: str | None = None
    # blobs; default: beside a SQLite file, else ./var. On PostgreSQL the files are in the database, cached here.
    data_dir: str | None = None
    workers: int = 1  # more than one: worker processes sharing the state, under `server`
    server: str = "gunicorn"  # gunicorn (gthread) | granian
    threads: int = 8  # request threads per worker
    request_timeout: float = 30.0  # seconds a connection may stall mid-request (then 408 or closed)
    max_namespaces: int = 100  # namespaces a server holds, the default one included
    journal_size: int = 1000
    max_body_mb: int = 256
    callback_timeout: float = 5.0
    # Where callbacks may go: host names and IP networks (loopback and private: where receivers run).
    callback_allow: list[str] = field(default_factory=lambda: list(CALLBACK_ALLOW))
    # The retry schedule (each vendor may override it under vendor_config.KEY.callback_retry): the delay doubles
    # from backoff_seconds up to backoff_max_seconds; no attempt later than give_up_seconds after the callback
    # was queued, nor beyond max_attempts (0: no limit).
    callback_backoff_seconds: float = 1.0
    callback_backoff_max_seconds: float = 1800.0
    callback_give_up_seconds: float = 86400.0
    callback_max_attempts: int = 0
    scheduler_tick_seconds: float = 0.2
    background: bool = True  # run the real-clock scheduler thread
    scenarios_dir: str = "fixtures/scenarios"  # POST /__admin/scenarios/KEY loads KEY.json or KEY.yaml from here
    admin_token: str | None = None  # set: /__admin and the dashboard need 'Authorization: Bearer TOKEN'
    tls: bool = False  # HTTPS, with a local certificate authority (mockservers.tls)
    tls_dir: str | None = None  # the CA and the server certificate; default: <state folder>/tls
    db_schema: str | None = None  # set per namespace on server databases (PostgreSQL)
    # sigma: a Sigma-Token expires this long after the Login that returned it (0: never), on the clock; a job that
    # fails is called back at its notify_url only with sigma_notify_on_failure (the document: after success).
    sigma_token_lifetime_seconds: float = 86400.0
    sigma_notify_on_failure: bool = False
    viewer_dir: str = "var/viewer"  # the OHIF Viewer served at /viewer/, as `make viewer` installs it
    # Origins (scheme://host[:port], or *) whose pages may call the DICOMweb routes: a viewer served elsewhere
    cors_origins: list[str] = field(default_factory=list)
    vendor_config: dict[str, dict[str, Any]] = field(default_factory=dict)

    def for_vendor(self, key: str) -> dict[str, Any]:
        return self.vendor_config.get(key, {})


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    default = _FIELDS[name].default
    if name in LISTS:
        items = [value] if isinstance(value, str) else value  # repeated options may each hold a comma list
        return [v for item in items for v in str(item).replace(",", " ").split() if v]
    if value is None:
        return None
    if name == "admin_token":
        return str(value)  # YAML reads a token of digits as a number
    if isinstance(default, bool):
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return bool(value)
    if isinstance(default, int) and not isinstance(default, bool):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def load_settings(cli: dict[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings; later sources override earlier ones."""
    cli = {k: v for k, v in (cli or {}).items() if v is not None and v != []}
    environ: Mapping[str, str] = os.environ if env is None else env
    values: dict[str, Any] = {}
    config_path = cli.get("config") or environ.get(ENV_PREFIX + "CONFIG")
    vendor_config: dict[str, dict[str, Any]] = {}
    if config_path:
        with open(config_path, encoding="utf-8") as fh:
            loaded = yaml.safe_load(fh) or {}
        vendor_config = loaded.pop("vendor_config", {}) or {}
        for name, value in loaded.items():
            if name in _FIELDS:
                values[name] = _coerce(name, value)
    for name in _FIELDS:
        if name == "vendor_config":
            continue
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = _coerce(name, raw)
    for name, value in cli.items():
        if name in _FIELDS:
            values[name] = _coerce(name, value)
    if "vendor_config" in cli:
        vendor_config = merge(vendor_config, cli["vendor_config"])
    values["vendor_config"] = vendor_config
    return Settings(**values)


def merge(base: dict, override: dict) -> dict:
    """Deep merge of two config dicts; override wins."""
    out = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
