"""settings.yml's api.allowed_hosts and api.dicomweb.jwt_validate (both off by default)."""

from __future__ import annotations

import jwt

from mockservers.sphere.errors import error


def check_host(config: dict, remote_addr: str | None) -> None:
    allowed = (config.get("api") or {}).get("allowed_hosts") or ["*"]
    if "*" in allowed or remote_addr in allowed:
        return
    raise error("PermissionDenied", f"Host {remote_addr} is not in allowed_hosts.")


def check_jwt(config: dict, authorization: str | None, now: float) -> None:
    """Signature checked by PyJWT; expiry against the mock's clock, not the machine's."""
    dicomweb = (config.get("api") or {}).get("dicomweb") or {}
    if not dicomweb.get("jwt_validate"):
        return
    if not authorization:
        raise error("NotAuthenticated")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise error("AuthenticationFailed", "Authorization header must be 'Bearer <token>'.")
    try:
        claims = jwt.decode(
            token.strip(),
            dicomweb.get("jwt_secret", ""),
            algorithms=dicomweb.get("jwt_algorithms") or ["HS256"],
            options={"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
    except jwt.PyJWTError as exc:
        raise error("AuthenticationFailed", f"Given token not valid: {exc}.") from None
    exp = claims.get("exp")
    if exp is not None and (not isinstance(exp, (int, float)) or exp <= now):
        raise error("AuthenticationFailed", "Given token not valid: Signature has expired.")
