"""The vendors' real hosts (e.g. https://api.12sigma.ai) and the prefix each one's requests get here (/sigma): one
mapping for the server's routing by Host header and for the pytest plugin's routed sessions."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from mockservers.core.vendor import VendorSpec

ROUTED_PREFIX = "mockservers.routed_prefix"  # environ: the prefix a request got because of its Host header


def real_bases(vendors: Iterable[VendorSpec]) -> dict[str, str]:
    """{a vendor's real base URL, e.g. "https://api.12sigma.ai": its prefix here, "/sigma"}."""
    return {url.rstrip("/"): f"/{vendor.key}" for vendor in vendors for url in vendor.real_hosts}


def routed_hostnames(vendors: Iterable[VendorSpec]) -> dict[str, str]:
    """{hostname: prefix} for the real hosts a hosts-file entry can point here: names, not IP addresses (an
    on-premise vendor's default 127.0.0.1:8000 is this server's own address) nor localhost."""
    names = {}
    for url, prefix in real_bases(vendors).items():
        name = hostname(url.split("://", 1)[-1].split("/", 1)[0])
        if name and name != "localhost" and not _is_address(name):
            names[name] = prefix
    return names


def hostname(host: str) -> str:
    """A Host header's name: lower case, without its port or a trailing dot."""
    if host.startswith("["):  # an IPv6 address
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0].rstrip(".").lower() if host.count(":") <= 1 else host.lower()


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def client_path(environ: dict, path: str) -> str:
    """A path on this server as the client that came by a real hostname knows it (without the vendor's prefix)."""
    prefix = environ.get(ROUTED_PREFIX)
    if prefix and (path == prefix or path.startswith(prefix + "/")):
        return path[len(prefix) :]
    return path


class HostRouting:
    """WSGI middleware: a request whose Host is a vendor's real hostname (through a hosts-file entry) is served as
    if its path had the vendor's prefix, so `https://api.12sigma.ai/login` reaches `/sigma/login`."""

    def __init__(self, app, hostnames: dict[str, str]):
        self.app = app
        self.hostnames = hostnames

    def __call__(self, environ, start_response):
        prefix = self.hostnames.get(hostname(environ.get("HTTP_HOST", "")))
        if prefix:
            environ["PATH_INFO"] = prefix + environ.get("PATH_INFO", "")
            environ[ROUTED_PREFIX] = prefix
        return self.app(environ, start_response)
