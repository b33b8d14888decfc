"""The plumbing of every emulator's control API under ``/_emulator/``: plain JSON in and out.

The control API is the emulators' own (no platform shapes, no tokens), so its answers, its
body parsing and its error mapping are the same everywhere: ``{"error": ...}`` with 400 for
bad input, 404 for unknown ids and 409 when the platform itself refuses.  Only which exception
means "the platform refused" (and how its status is chosen) differs per platform.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Protocol, TypeVar

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.Response]]
Route = tuple[str, str, Handler]
PREFIX = "/_emulator"

E = TypeVar("E", bound=Exception)


def ok(body: Any, status: int = 200) -> web.Response:
    """A JSON answer (``application/json``, default separators)."""
    return web.Response(
        body=json.dumps(body).encode("utf-8"), status=status, content_type="application/json"
    )


def problem(message: str, status: int = 400) -> web.Response:
    """``{"error": message}`` with an error status."""
    return ok({"error": message}, status)


async def json_object(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body (``{}`` when there is none).

    Raises ValueError for a body that is not JSON and TypeError for JSON that is not an object,
    which :func:`guard_for` turns into 400s.
    """
    if not request.body_exists:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise ValueError("body must be JSON") from None
    if not isinstance(body, dict):
        raise TypeError("body must be a JSON object")
    return body


def guard_for(
    refusal: type[E],
    refused: Callable[[E], web.Response],
    *,
    key_error_is_404: bool = False,
) -> Callable[[Handler], Handler]:
    """A decorator that turns a handler's errors into answers.

    A ``refusal`` (the platform's own error: GraphError, XProblem, DiscordError) is answered by
    ``refused``; KeyError, ValueError and TypeError (bad or missing input) by 400 with the
    exception's type and text, except that with ``key_error_is_404`` a KeyError (an unknown id)
    is 404 ``not found: ...``.
    """

    def guard(handler: Handler) -> Handler:
        async def wrapped(request: web.Request) -> web.Response:
            try:
                return await handler(request)
            except refusal as error:
                return refused(error)
            except KeyError as error:
                if key_error_is_404:
                    return problem(f"not found: {error}", 404)
                return problem(f"{type(error).__name__}: {error}")
            except (ValueError, TypeError) as error:
                return problem(f"{type(error).__name__}: {error}")

        return wrapped

    return guard


def add_routes(
    app: web.Application,
    prefix: str,
    routes: Iterable[Route],
    guard: Callable[[Handler], Handler],
) -> None:
    """Register ``(method, path, handler)`` under ``prefix``, each handler wrapped by ``guard``."""
    for method, path, handler in routes:
        app.router.add_route(method, prefix + path, guard(handler))


class Inspectable(Protocol):
    """What the shared handlers need of an emulator."""

    @property
    def request_log(self) -> Iterable[dict[str, Any]]: ...

    def info(self) -> dict[str, Any]: ...

    def state(self) -> dict[str, Any]: ...


class ControlBase:
    """The handlers every control API has, bound to one emulator: ``/info``, ``/state`` and
    ``/requests``.  A platform's ``ControlRoutes`` narrows ``emu`` to its emulator, adds its own
    handlers and lists the routes it serves.
    """

    emu: Inspectable

    def __init__(self, emu: Inspectable) -> None:
        self.emu = emu

    async def info(self, request: web.Request) -> web.Response:
        """What a client needs to connect (the runner's first line)."""
        return ok(self.emu.info())

    async def state(self, request: web.Request) -> web.Response:
        """The emulator's full state dump."""
        return ok(self.emu.state())

    async def requests(self, request: web.Request) -> web.Response:
        """The last API calls (method, path, query without secrets, status, fault)."""
        return ok({"requests": list(self.emu.request_log)})
