"""The web app's guards: the Host allow-list, security headers, signed sessions, CSRF, throttling.

* :class:`Guard` (ASGI middleware) refuses a request whose ``Host`` is not
  localhost, 127.0.0.1, ::1 or an ``--allowed-host`` (DNS rebinding), and puts
  a CSP without inline script, ``X-Frame-Options: DENY``, ``nosniff``, no
  referrer and ``Cache-Control: no-store`` on every response but static files.
* :class:`Sessions` keeps the session in one cookie signed with itsdangerous
  (HttpOnly, SameSite=Strict, Secure behind TLS): the user's name, the CSRF
  token and when it was issued. Nothing of a case is ever in it.
* :class:`Throttle` slows and then refuses failed logins, per name and per
  address.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CSP",
    "LOCAL_HOSTS",
    "SESSION_COOKIE",
    "Guard",
    "Session",
    "Sessions",
    "Throttle",
    "host_name",
    "same_token",
]

LOCAL_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1"})
SESSION_COOKIE: Final = "neuroseq_session"
CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
_MAX_KEYS: Final = 10_000
_HEADERS: Final = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


def host_name(value: str) -> str:
    """The host of a ``Host`` header without its port (``[::1]:8000`` -> ``::1``), lower case."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 0 else ""
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    """Refuses foreign Host headers; adds the security headers to every response."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.allowed = LOCAL_HOSTS | {host_name(h) for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = host_name(Headers(scope=scope).get("host", ""))
        if host not in self.allowed:
            refusal = PlainTextResponse(
                "This host name is not allowed. Start neuroseq serve with --allowed-host NAME "
                "to serve it under another name.",
                status_code=421,
            )
            await _with_headers(refusal, scope, receive, send, static=False)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() not in {b"cache-control", b"server"}
                ]
                headers.extend(_HEADERS)
                headers.append((b"cache-control", b"max-age=3600" if static else b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_guarded)


async def _with_headers(
    response: PlainTextResponse, scope: Scope, receive: Receive, send: Send, *, static: bool
) -> None:
    for name, value in _HEADERS:
        response.headers[name.decode()] = value.decode()
    response.headers["cache-control"] = "no-store"
    await response(scope, receive, send)


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a CSRF token."""
    return bool(given) and hmac.compare_digest(str(given), expected)


@dataclass
class Session:
    """What the session cookie holds: the user (or None before login) and the CSRF token."""

    csrf: str
    user: str | None = None
    issued: float = field(default_factory=time.time)
    fresh: bool = False
    """Made for this request (the cookie must be set)."""

    def to_json(self) -> dict[str, Any]:
        return {"c": self.csrf, "u": self.user, "i": self.issued}


class Sessions:
    """Signs and reads the session cookie; a session lasts ``max_age`` seconds."""

    def __init__(self, secret: str, *, max_age: int = 8 * 3600, secure: bool = False) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="neuroseq.session")
        self.max_age = max_age
        self.secure = secure

    def read(self, cookie: str | None) -> Session:
        if cookie:
            try:
                data = self.serializer.loads(cookie, max_age=self.max_age)
                if isinstance(data, dict) and isinstance(data.get("c"), str):
                    user = data.get("u")
                    return Session(
                        data["c"],
                        user if isinstance(user, str) else None,
                        float(data.get("i", 0)),
                    )
            except (BadSignature, ValueError, TypeError):
                pass
        return Session(secrets.token_urlsafe(32), fresh=True)

    def new(self, user: str | None) -> Session:
        """A new session (new CSRF token) at login and logout: no fixation."""
        return Session(secrets.token_urlsafe(32), user, fresh=True)

    def cookie(self, session: Session) -> dict[str, Any]:
        """Arguments of ``Response.set_cookie`` for ``session``."""
        return {
            "key": SESSION_COOKIE,
            "value": self.serializer.dumps(session.to_json()),
            "max_age": self.max_age,
            "httponly": True,
            "samesite": "strict",
            "secure": self.secure,
            "path": "/",
        }


class Throttle:
    """Failed logins: each one waits longer (up to ``max_delay``), and too many lock.

    Counted per user name (``limit`` failures in ``window`` lock that name) and per
    client address (``address_limit`` lock that address). Guessing one account's
    password is stopped by the first, spraying many names from one address by the
    second; the address limit is much higher because on a clinic's own machine (or
    behind its proxy) every user comes from the same address, and one person's
    typos must not lock everyone out.
    """

    def __init__(
        self,
        *,
        limit: int = 5,
        address_limit: int | None = None,
        window: float = 900.0,
        base_delay: float = 0.25,
        max_delay: float = 2.0,
    ) -> None:
        self.limit = limit
        self.address_limit = address_limit if address_limit is not None else 10 * limit
        self.window = window
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(key, []) if now - t < self.window]
        if kept:
            self._failures[key] = kept
        else:
            self._failures.pop(key, None)
        return kept

    def locked(self, name: str, address: str) -> bool:
        """Whether the name has had ``limit`` failures, or the address ``address_limit``."""
        now = time.monotonic()
        with self._lock:
            return (
                len(self._recent(f"user:{name.lower()}", now)) >= self.limit
                or len(self._recent(f"address:{address}", now)) >= self.address_limit
            )

    def failed(self, name: str, address: str) -> float:
        """Count a failure; the delay (seconds) to wait before answering."""
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > _MAX_KEYS:  # many names tried: forget the expired ones
                for key in list(self._failures):
                    self._recent(key, now)
            count = 0
            for key in (f"user:{name.lower()}", f"address:{address}"):
                recent = self._recent(key, now)
                recent.append(now)
                self._failures[key] = recent
                if key.startswith("user:"):
                    count = len(recent)
        return float(min(self.max_delay, self.base_delay * 2 ** (count - 1)))

    def succeeded(self, name: str) -> None:
        """A login worked: the name's failures are forgotten (the address's are not)."""
        with self._lock:
            self._failures.pop(f"user:{name.lower()}", None)
