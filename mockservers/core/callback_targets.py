"""Where a callback may go: the hosts and networks of `callback_allow`, and never the control plane.

Callback URLs come from API callers (sigma's notify_url, aliyun's callback URLs), so without these checks a caller
could make the mock POST to any address it can reach, its own /__admin included."""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import unquote, urlsplit

CONTROL_PLANE = "__admin"
HINT = "(set MOCKSERVERS_CALLBACK_ALLOW to allow it)"

# For the fidelity ledger of each vendor that calls back.
TARGET_SOURCE = (
    "inferred: the document only says the URL is called. The call that names it is accepted as the "
    "vendor would; the mock sends only to hosts and networks in callback_allow (default loopback and "
    "private networks), never to /__admin, never following a redirect (a 3xx is that attempt's "
    "answer); a refused callback is recorded with why, never sent"
)

_HOST_NAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9_][A-Za-z0-9_-]{0,62}(\.[A-Za-z0-9_-]{1,63})*\.?$")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class TargetError(Exception):
    """Why a callback is not sent. `final`: never to this URL (refused); otherwise only not this time."""

    def __init__(self, reason: str, final: bool = True):
        super().__init__(reason)
        self.final = final


def _network(entry) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if not isinstance(entry, str):
        return None
    try:
        return ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return None


def _address(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:a.b.c.d is reached as a.b.c.d
    return mapped or address


def is_control_plane(path: str) -> bool:
    """Whether any segment of the path, however it is percent-encoded, is the control plane's. Any segment, not
    only the first: a proxy in front of a mock may mount it under a prefix."""
    previous = None
    while path != previous:
        previous, path = path, unquote(path)
    segments = re.split(r"[/\\]", path)
    return any(segment.split(";", 1)[0].lower() == CONTROL_PLANE for segment in segments)


class TargetPolicy:
    def __init__(self, allow: list):
        self.names: set[str] = set()
        self.networks = []
        for entry in allow:
            network = _network(entry)
            if network is not None:
                self.networks.append(network)
            elif isinstance(entry, str) and _HOST_NAME.match(entry):
                self.names.add(entry.lower().rstrip("."))
            else:
                raise ValueError(f"callback_allow: {entry!r} is neither a host name nor an IP network")

    def _allowed(self, address: Address) -> bool:
        return any(address in network for network in self.networks if network.version == address.version)

    def check(self, url: str) -> None:
        """Raise TargetError unless a callback may be sent to `url`. A host name that is not listed is resolved
        (with what the machine has) and every address it gives must be in an allowed network."""
        try:
            parts = urlsplit(url)
            host, port = parts.hostname, parts.port
        except ValueError:
            raise TargetError(f"refused: {url!r} is not a valid URL") from None
        if parts.scheme not in ("http", "https"):
            raise TargetError("refused: only http and https callbacks are sent")
        if not host:
            raise TargetError(f"refused: {url!r} names no host")
        if is_control_plane(parts.path):
            raise TargetError(f"refused: /{CONTROL_PLANE} is the mock's control plane, never a callback target")
        if host.rstrip(".") in self.names:
            return
        literal = _address(host)
        if literal is not None:
            if not self._allowed(literal):
                raise TargetError(f"refused: {host} is not in callback_allow {HINT}")
            return
        try:
            found = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise TargetError(f"cannot resolve {host}: {getattr(exc, 'strerror', None) or exc}", final=False) from None
        for info in found:
            address = _address(str(info[4][0]).split("%", 1)[0])
            if address is None or not self._allowed(address):
                raise TargetError(f"refused: {host} resolves to {info[4][0]}, which is not in callback_allow {HINT}")
