"""Secrets, password hashes, one-time form tokens, signed-in sessions, rate limits.

Everything random comes from :mod:`secrets`; everything stored is a salted scrypt hash.
The in-memory parts (form tokens, sessions, counters) live as long as the server: a
restart signs everyone out, which on a market day is what an organiser expects.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass

# Passwords are guessable: scrypt at the cost the Python docs suggest (16 MiB, ~50 ms).
PASSWORD_COST = (2**14, 8, 1)
# Card secrets are 256 random bits, beyond guessing at any cost: the hash only keeps a
# copied ledger file from handing out live links, so it can be cheap enough to check on
# every keeper's request (150 keepers a minute on a laptop).
SECRET_COST = (2**10, 8, 1)


def new_secret() -> str:
    """A card's secret: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def hash_secret(secret: str, cost: tuple[int, int, int] = PASSWORD_COST) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) of ``secret``."""
    n, r, p = cost
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return "$".join(
        ["scrypt", str(n), str(r), str(p), _b64(salt), _b64(digest)],
    )


def verify_secret(secret: str, stored: str) -> bool:
    """Whether ``secret`` matches a hash made by :func:`hash_secret` (constant time)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest)
        got = hashlib.scrypt(
            secret.encode("utf-8"),
            salt=base64.urlsafe_b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


class SecretCache:
    """Card secrets already checked against their stored hash, so a keeper's every page
    does not pay for scrypt. Keyed by the stored hash: a rotated card misses."""

    def __init__(self, size: int = 4096) -> None:
        self.seen: OrderedDict[tuple[str, str], bool] = OrderedDict()
        self.size = size
        self.lock = threading.Lock()

    def verify(self, secret: str, stored: str) -> bool:
        key = (stored, hashlib.sha256(secret.encode("utf-8")).hexdigest())
        with self.lock:
            if key in self.seen:
                return self.seen[key]
        ok = verify_secret(secret, stored)
        with self.lock:
            self.seen[key] = ok
            while len(self.seen) > self.size:
                self.seen.popitem(last=False)
        return ok


class FormTokens:
    """One-time tokens, one per form rendered, bound to who may send it back.

    A token is the form's CSRF proof (a stranger's page cannot know it) and its
    once-only mark (a replayed form finds it spent).
    """

    def __init__(self, lifetime: float = 2 * 3600, per_scope: int = 32) -> None:
        self.lifetime, self.per_scope = lifetime, per_scope
        self.tokens: dict[str, tuple[str, float]] = {}
        self.by_scope: dict[str, deque[str]] = {}
        self.lock = threading.Lock()

    def issue(self, scope: str) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = (scope, time.monotonic() + self.lifetime)
            queue = self.by_scope.setdefault(scope, deque())
            queue.append(token)
            while len(queue) > self.per_scope:  # a bounded number of open forms per scope
                self.tokens.pop(queue.popleft(), None)
        return token

    def spend(self, token: str, scope: str) -> bool:
        """True once for a live token issued to ``scope``; False ever after."""
        with self.lock:
            found = self.tokens.get(token)
            if found is None or found[0] != scope:
                return False
            del self.tokens[token]
            return found[1] >= time.monotonic()


@dataclass
class SignedIn:
    role: str
    expires: float
    csrf: str


class Sessions:
    """Signed-in organisers and bureau staff: a random cookie value, expiring when idle."""

    def __init__(self, idle: float = 30 * 60, longest: float = 12 * 3600) -> None:
        self.idle, self.longest = idle, longest
        self.live: dict[str, tuple[SignedIn, float]] = {}
        self.lock = threading.Lock()

    def start(self, role: str) -> str:
        sid = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self.lock:
            self.live[sid] = (SignedIn(role, now + self.idle, secrets.token_urlsafe(24)), now)
        return sid

    def get(self, sid: str | None, role: str) -> SignedIn | None:
        if not sid:
            return None
        now = time.monotonic()
        with self.lock:
            found = self.live.get(sid)
            if found is None:
                return None
            signed, started = found
            if signed.role != role or signed.expires < now or now - started > self.longest:
                if signed.role == role:
                    del self.live[sid]
                return None
            signed.expires = now + self.idle
            return signed

    def end(self, sid: str | None) -> None:
        with self.lock:
            self.live.pop(sid or "", None)


class RateLimit:
    """At most ``limit`` requests per ``window`` seconds for each key (a stall's link)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.hits: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def spent(self, key: str) -> bool:
        """Whether ``key`` has used up its requests, without counting this look."""
        now = time.monotonic()
        with self.lock:
            queue = self.hits.get(key)
            return bool(queue) and sum(1 for t in queue if t >= now - self.window) >= self.limit

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            queue = self.hits.setdefault(key, deque())
            while queue and queue[0] < now - self.window:
                queue.popleft()
            if len(queue) >= self.limit:
                return False
            queue.append(now)
            return True


class Lockout:
    """After ``failures`` wrong passwords for a role, that role's sign-in is shut for
    ``duration`` seconds, right password or not; guessing gets nowhere."""

    def __init__(self, failures: int = 10, duration: float = 15 * 60) -> None:
        self.failures, self.duration = failures, duration
        self.count: dict[str, int] = {}
        self.until: dict[str, float] = {}
        self.lock = threading.Lock()

    def locked(self, role: str) -> bool:
        with self.lock:
            return self.until.get(role, 0) > time.monotonic()

    def failed(self, role: str) -> None:
        with self.lock:
            self.count[role] = self.count.get(role, 0) + 1
            if self.count[role] >= self.failures:
                self.until[role] = time.monotonic() + self.duration
                self.count[role] = 0

    def succeeded(self, role: str) -> None:
        with self.lock:
            self.count.pop(role, None)
