"""The Graph API calls: facebook-sdk in a thread pool, retried, rate-gated, errors translated.

facebook-sdk is synchronous and hard-codes ``https://graph.facebook.com/``; each client gets its
own ``requests.Session`` whose transport rewrites that prefix to the configured base URL (several
emulators can run side by side in one process), and a response hook that reads the usage headers
the SDK would otherwise discard.  Nothing from the SDK or ``requests`` leaves this module.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl, urlparse

import facebook
import requests
from requests.adapters import HTTPAdapter
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from adapters.base import AdapterError, RateLimited, TransientError

from .errors import map_graph_error
from .usage import UsageGate, parse_usage

GRAPH_URL = "https://graph.facebook.com/"
MAX_PAGES = 1000  # a paging loop guard: 1000 pages of 100 comments is far beyond one post

Reconcile = Callable[[], Awaitable[Any | None]]


class _RewritingAdapter(HTTPAdapter):
    """Sends ``https://graph.facebook.com/...`` requests to another base URL instead."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        if request.url and request.url.startswith(GRAPH_URL):
            request.url = self.base_url + request.url[len(GRAPH_URL) :]
        return super().send(request, *args, **kwargs)


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, TransientError) and not isinstance(exc, RateLimited)


class GraphClient:
    """Async Graph calls for one page token."""

    def __init__(
        self,
        access_token: str,
        *,
        base_url: str = GRAPH_URL,
        version: str = "v21.0",
        timeout: float = 10.0,
        retry_attempts: int = 4,
        retry_wait: float = 0.5,
        retry_max_wait: float = 8.0,
        rate_limit_wait: float = 60.0,
        slowdown_delay: float = 1.0,
        max_workers: int = 4,
    ) -> None:
        session = requests.Session()
        if base_url.rstrip("/") != GRAPH_URL.rstrip("/"):
            session.trust_env = False  # an emulator on 127.0.0.1 must not go through a proxy
            session.mount(GRAPH_URL, _RewritingAdapter(base_url))
        session.hooks["response"].append(self._on_response)
        self._session = session
        self._graph = facebook.GraphAPI(access_token=access_token, timeout=timeout, session=session)
        self._graph.version = version  # set after construction: the SDK's check stops at 3.1
        self._local = threading.local()
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="graph")
        self._calls = itertools.count(1)
        self.retry_attempts = max(1, retry_attempts)
        self.retry_wait = retry_wait
        self.retry_max_wait = retry_max_wait
        self.gate = UsageGate(hold_seconds=rate_limit_wait, slowdown_delay=slowdown_delay)
        self.calls = 0
        self.retries = 0

    @property
    def version(self) -> str:
        """The Graph version every path is built from."""
        return str(self._graph.version)

    async def close(self) -> None:
        """Stop the worker threads and the HTTP session."""
        self._executor.shutdown(wait=False, cancel_futures=True)
        await asyncio.to_thread(self._session.close)

    # ---- one call ----------------------------------------------------------------------------

    def _on_response(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Keep status and usage for this thread's call, and feed the usage gate."""
        self._local.status = response.status_code
        usage = parse_usage(response.headers)
        self._local.usage = usage
        if usage is not None:
            self.gate.record(usage)

    def _call_sync(
        self, path: str, args: dict[str, str], post_args: dict[str, str] | None, method: str | None
    ) -> Any:
        """One SDK request in a worker thread; raises only adapter errors (no SDK objects)."""
        self._local.status = None
        self._local.usage = None
        self.calls = next(self._calls)
        failure: AdapterError
        try:
            return self._graph.request(path, args=args, post_args=post_args, method=method)
        except facebook.GraphAPIError as exc:
            retry_after = self.gate.retry_after(getattr(self._local, "usage", None))
            failure = map_graph_error(
                exc.result, status=self._local.status, retry_after=retry_after
            )
        except requests.Timeout:
            failure = TransientError("Graph did not answer in time")
        except requests.JSONDecodeError:
            failure = TransientError(
                f"Graph answered a malformed JSON body (HTTP {self._local.status})"
            )
        except requests.RequestException as exc:
            failure = TransientError(f"Graph connection failed: {type(exc).__name__}")
        except (ValueError, KeyError) as exc:  # e.g. no Content-Type header at all
            failure = TransientError(f"Graph answered an unreadable response: {type(exc).__name__}")
        raise failure  # raised outside the handler, so no SDK exception rides along as context

    async def _once(
        self,
        path: str,
        args: Mapping[str, str],
        post_args: Mapping[str, str] | None,
        method: str | None,
    ) -> Any:
        pause = self.gate.before_call()  # raises RateLimited at the stop line
        if pause > 0:
            await asyncio.sleep(pause)
        call = functools.partial(
            self._call_sync,
            f"{self.version}/{path}",
            dict(args),
            dict(post_args) if post_args is not None else None,  # the SDK adds the token in place
            method,
        )
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    async def request(
        self,
        path: str,
        *,
        args: Mapping[str, str] | None = None,
        post_args: Mapping[str, str] | None = None,
        method: str | None = None,
        reconcile: Reconcile | None = None,
    ) -> Any:
        """Call ``/{version}/{path}``, retrying transient failures with exponential backoff.

        For calls that are not idempotent, ``reconcile`` runs before each retry and, when it
        finds the effect already there, its answer is returned instead of calling again.
        """
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retry_attempts),
            wait=wait_exponential(multiplier=self.retry_wait, max=self.retry_max_wait),
            retry=retry_if_exception(_retryable),
            before_sleep=self._count_retry,
            reraise=True,
        )
        result: Any = None
        async for attempt in retrying:
            with attempt:
                if reconcile is not None and attempt.retry_state.attempt_number > 1:
                    found = await reconcile()
                    if found is not None:
                        return found
                result = await self._once(path, args or {}, post_args, method)
        return result

    def _count_retry(self, retry_state: Any) -> None:
        self.retries += 1

    # ---- paging ------------------------------------------------------------------------------

    async def iter_edge(
        self, object_id: str, edge: str, args: Mapping[str, str]
    ) -> AsyncIterator[list[Any]]:
        """Yield each page's ``data`` of an edge, following ``paging.next`` to the end.

        Each page is its own retried call, so a fault on page 4 does not restart from page 1.
        A page with no entries but a ``paging.next`` does not end the listing: Graph filters
        entries out (privacy, deleted authors) after taking a page, so later pages may hold more.
        """
        current = dict(args)
        for _ in range(MAX_PAGES):
            page = await self.request(f"{object_id}/{edge}", args=current)
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise TransientError(f"Graph listed /{object_id}/{edge} without a data list")
            yield data
            paging = page.get("paging")
            next_url = paging.get("next") if isinstance(paging, dict) else None
            if not isinstance(next_url, str) or not next_url:
                return
            following = {
                k: v for k, v in parse_qsl(urlparse(next_url).query) if k != "access_token"
            }
            if following == current:
                return
            current = following
