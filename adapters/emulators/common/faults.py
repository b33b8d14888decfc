"""Faults on demand, the part every emulator shares: rules matched on method and path, counted
down as requests take them, and the faulty answers that look alike on every platform.

Each platform subclasses :class:`BaseFaultSpec` with its own kinds and parameters (Graph's
throttle codes, X's reset window, Discord's ``retry_after``) and renders the faults in its own
error shapes; what is here is only what was written the same way three times.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, Generic, Self, TypeVar

from aiohttp import web

JSON = "application/json"
BAD_GATEWAY_HTML = "<html><body><h1>502 Bad Gateway</h1></body></html>"


@dataclass
class BaseFaultSpec:
    """One fault rule: ``kind`` (one of the subclass's :attr:`KINDS`), for ``count`` matching
    requests (None: until cleared); ``path`` is a regex searched in the request path, ``method``
    an HTTP method (either may be None: any).

    Subclasses are dataclasses too: they narrow ``kind``, add their parameters after these four
    fields (so positional construction and the JSON key order stay as they were), set ``KINDS``
    and check their parameters in :meth:`validate`.
    """

    KINDS: ClassVar[tuple[str, ...]] = ()

    kind: str
    count: int | None = 1
    path: str | None = None
    method: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {self.KINDS}")
        self.validate()
        if self.path is not None:
            re.compile(self.path)

    def validate(self) -> None:
        """The platform's checks of its own parameters (raise ValueError)."""

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Self:
        """Build from control-API / scenario JSON, refusing unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"unknown fault keys: {sorted(unknown)}")
        return cls(**raw)

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule applies to a request."""
        if self.method and self.method.upper() != method.upper():
            return False
        return self.path is None or re.search(self.path, path) is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)


S = TypeVar("S", bound=BaseFaultSpec)


class BaseFaultPlan(Generic[S]):
    """The armed faults, consumed in order: the first matching rule takes each request.

    A platform's plan names its spec class in ``spec_type``, so that JSON rules (from the
    control API, a scenario or a test) become that platform's specs.
    """

    spec_type: type[S]

    def __init__(self, faults: Iterable[S | Mapping[str, Any]] | None = None) -> None:
        self._faults: list[S] = [self.coerce(f) for f in faults or ()]
        self.fired: dict[str, int] = {}

    @classmethod
    def coerce(cls, fault: S | Mapping[str, Any]) -> S:
        """A spec from either form (a spec is kept as it is, not copied)."""
        if isinstance(fault, cls.spec_type):
            return fault
        return cls.spec_type.from_dict(dict(fault))  # type: ignore[arg-type]

    def add(self, fault: S) -> None:
        """Arm one more fault."""
        self._faults.append(fault)

    def arm(self, fault: S | Mapping[str, Any]) -> S:
        """Arm a fault given as a spec or as JSON; returns the spec."""
        spec = self.coerce(fault)
        self.add(spec)
        return spec

    def clear(self) -> None:
        """Disarm every fault."""
        self._faults.clear()

    def reset(self) -> None:
        """Disarm every fault and forget the fired counts."""
        self.clear()
        self.fired.clear()

    def take(self, method: str, path: str) -> S | None:
        """The fault for this request, if any, counting it down."""
        for fault in self._faults:
            if fault.count is not None and fault.count <= 0:
                continue
            if fault.matches(method, path):
                if fault.count is not None:
                    fault.count -= 1
                self.fired[fault.kind] = self.fired.get(fault.kind, 0) + 1
                self._faults = [f for f in self._faults if f.count is None or f.count > 0]
                return fault
        return None

    def pending(self) -> list[dict[str, Any]]:
        """The faults still armed, as JSON."""
        return [f.as_dict() for f in self._faults]

    def summary(self) -> dict[str, Any]:
        """``{"pending": [...], "fired": {kind: n}}``, as the state dumps show it."""
        return {"pending": self.pending(), "fired": dict(self.fired)}


# ---- answers that are the same on every platform ----------------------------------------------


def bad_gateway_page() -> web.Response:
    """A proxy's HTML 502 page (``malformed`` with ``body="html"``): not JSON at all."""
    return web.Response(text=BAD_GATEWAY_HTML, status=502, content_type="text/html")


async def answer_late(request: web.Request, delay: float) -> None:
    """Receive the request in full, then wait: a late answer, not a lost request (``slow``)."""
    if request.can_read_body:
        await request.read()
    await asyncio.sleep(delay)


def truncated_json(response: web.StreamResponse) -> web.Response:
    """The answer with its JSON body cut in half (``malformed`` with ``body="truncated"``): a
    broken proxy or a dropped connection.  A body that is not bytes counts as ``{}``."""
    body = response.body if isinstance(response, web.Response) else b"{}"
    raw = bytes(body) if isinstance(body, (bytes, bytearray)) else b"{}"
    return web.Response(
        body=raw[: max(1, len(raw) // 2)], status=response.status, content_type=JSON
    )
