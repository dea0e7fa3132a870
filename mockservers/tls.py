"""`serve --tls`: a local certificate authority minted with trustme, and a server certificate it signs for the
loopback names and each vendor's real hostname.

The CA is kept in the TLS folder (default: <state folder>/tls) and reused while the folder lasts, so a trust store
that holds `ca.pem` stays valid across restarts; the server certificate is issued anew on each start, for the
vendors served."""

from __future__ import annotations

import contextlib
import datetime
import os
import ssl
import tempfile
from dataclasses import dataclass

import trustme

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
# A server certificate lives well under the 398 days browsers and macOS accept; a new one is issued on each start
LEAF_DAYS = 397


@dataclass(frozen=True)
class Certificates:
    ca: str  # the CA certificate (PEM): what clients trust
    server: str  # the server's private key and certificate chain (PEM, one file)

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.server)
        return context


def prepare(folder: str, hostnames: list[str]) -> Certificates:
    """The folder's CA (minted on first use) and a fresh server certificate for the loopback names and
    `hostnames`."""
    os.makedirs(folder, exist_ok=True)
    ca = _authority(folder)
    # the real clock on purpose: a client checks a certificate's dates against its own clock, never the mock's
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    leaf = ca.issue_cert(
        *LOOPBACK_NAMES,
        *hostnames,
        organization_name="mockservers",
        not_before=now - datetime.timedelta(days=1),
        not_after=now + datetime.timedelta(days=LEAF_DAYS),
    )
    server = os.path.join(folder, "server.pem")
    _write(server, leaf.private_key_and_cert_chain_pem.bytes(), private=True)
    return Certificates(ca=os.path.join(folder, "ca.pem"), server=server)


def _authority(folder: str) -> trustme.CA:
    """The CA of `folder`: its key and certificate in ca-key.pem, created once (the first of two servers starting
    at the same moment wins), the certificate alone in ca.pem."""
    private = os.path.join(folder, "ca-key.pem")
    if not os.path.exists(private):
        ca = trustme.CA(organization_name="mockservers local CA")
        fd, scratch = tempfile.mkstemp(dir=folder, prefix=".ca-")  # created readable by its owner only
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(ca.private_key_pem.bytes() + ca.cert_pem.bytes())
            with contextlib.suppress(FileExistsError):
                os.link(scratch, private)  # never replaces a CA another server made meanwhile
        finally:
            os.unlink(scratch)
    both = _read(private)
    ca = trustme.CA.from_pem(both, both)
    public = os.path.join(folder, "ca.pem")
    if not os.path.exists(public) or _read(public) != ca.cert_pem.bytes():
        _write(public, ca.cert_pem.bytes(), private=False)
    return ca


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def _write(path: str, data: bytes, private: bool) -> None:
    """Replace `path` with `data` at once (a reader sees the old file or the new one, whole)."""
    fd, scratch = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tls-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if not private:
            os.chmod(scratch, 0o644)
        os.replace(scratch, path)
    except BaseException:
        os.unlink(scratch)
        raise
