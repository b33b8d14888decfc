"""The X API v2 calls: tweepy's AsyncClient, pointed at the configured base URL, retried,
rate-gated per endpoint, and with every failure translated into an adapter error.

tweepy hard-codes ``https://api.twitter.com`` in ``AsyncBaseClient.request``; it uses
``client.session`` when one is set, so each client gets its own session object whose
``request()`` rewrites that prefix to ``base_url`` (a ``yarl.URL(..., encoded=True)``) and
records the answer's rate-limit headers.  No module or class global is touched, so several
emulators can run side by side in one process.  ``wait_on_rate_limit`` stays off: a 429 or a
used-up window raises :class:`RateLimited` with the time to wait.  Nothing from tweepy or
aiohttp leaves this module.

Credentials: an OAuth 2.0 user-context access token goes as ``Authorization: Bearer``; OAuth
1.0a keys (:class:`~.auth.OAuth1Keys`) make every call ``user_auth=True``, which tweepy signs
with oauthlib (HMAC-SHA1) for the URL it builds, ``https://api.twitter.com/...``, before the
session sees it.  The rewrite keeps path and query byte for byte and changes only the origin,
so the signature still covers exactly what X checks: X verifies a signature against its own
public URL, whatever carried the request, and so does the emulator (it plays X, at
``https://api.twitter.com``; see :mod:`adapters.emulators.x.oauth1`).  Signing the emulator's
address instead would mean replacing tweepy's ``request`` here, so the code under test would
no longer be the code that talks to X; with a school's HTTPS proxy as ``base_url`` it would
also sign for the proxy, which X would refuse.  A fresh nonce and timestamp are signed on
every attempt, retries included.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import tweepy
import yarl
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential
from tweepy.asynchronous import AsyncClient

from adapters.base import AdapterError, RateLimited, TransientError

from .auth import OAuth1Keys
from .errors import decode_body, map_x_error
from .ratelimits import RateBook, endpoint_key

X_API = "https://api.twitter.com"
MAX_PAGES = 200  # a paging loop guard: 200 pages of 100 is far beyond one poll

Reconcile = Callable[[], Awaitable[dict[str, Any] | None]]


class _AccountClient(AsyncClient):
    """tweepy's AsyncClient for one account whose user id we already know.

    tweepy looks the id up with ``GET /2/users/me`` before ``mute`` / ``unmute`` and caches the
    answer in a process-wide ``alru_cache`` keyed on the client instance (an extra call, and a
    reference kept forever); the adapter verifies the id at start, so it is simply returned.
    """

    def __init__(self, access_token: str, user_id: str, oauth1: OAuth1Keys | None) -> None:
        if oauth1 is None:
            super().__init__(bearer_token=access_token, return_type=dict,
                             wait_on_rate_limit=False)
        else:
            super().__init__(
                consumer_key=oauth1.consumer_key, consumer_secret=oauth1.consumer_secret,
                access_token=access_token, access_token_secret=oauth1.access_token_secret,
                return_type=dict, wait_on_rate_limit=False,
            )
        self._user_id = user_id

    def __repr__(self) -> str:
        return f"<{type(self).__name__} user {self._user_id}>"  # never the credentials

    async def _get_authenticating_user_id(self, *, oauth_1: bool = False) -> str:
        return self._user_id


class _RecordedRequest:
    """``session.request(...)`` as tweepy uses it (``async with``), noting the rate headers."""

    def __init__(self, pending: Any, book: RateBook, key: str) -> None:
        self._pending = pending
        self._book = book
        self._key = key

    async def __aenter__(self) -> aiohttp.ClientResponse:
        response: aiohttp.ClientResponse = await self._pending.__aenter__()
        self._book.record(self._key, response.headers)
        return response

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._pending.__aexit__(exc_type, exc, tb)


class RewritingSession:
    """The object given to ``AsyncClient.session``: sends X API calls to ``base_url``."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, book: RateBook) -> None:
        self.session = session
        self.base_url = base_url.rstrip("/")
        self.book = book

    def request(self, method: str, url: str | yarl.URL, **kwargs: Any) -> _RecordedRequest:
        """Rewrite ``https://api.twitter.com/...`` and delegate to the real session."""
        text = str(url)
        key = endpoint_key(method, urlsplit(text).path)
        if text.startswith(X_API + "/") and self.base_url != X_API:
            url = yarl.URL(self.base_url + text[len(X_API):], encoded=True)
        return _RecordedRequest(self.session.request(method, url, **kwargs), self.book, key)


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, TransientError) and not isinstance(exc, RateLimited)


class XClient:
    """Async X API v2 calls for one account: its OAuth 2.0 user-context access token, or its
    access token with the ``oauth1`` keys (OAuth 1.0a user context)."""

    def __init__(
        self,
        access_token: str,
        user_id: str,
        *,
        oauth1: OAuth1Keys | None = None,
        base_url: str = X_API,
        timeout: float = 10.0,
        retry_attempts: int = 3,
        retry_wait: float = 0.5,
        retry_max_wait: float = 8.0,
        rate_limit_wait: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retry_attempts = max(1, retry_attempts)
        self.retry_wait = retry_wait
        self.retry_max_wait = retry_max_wait
        self.rate_limit_wait = rate_limit_wait
        self.book = RateBook(clock)
        self.oauth1 = oauth1 is not None
        self._api = _AccountClient(access_token, user_id, oauth1)
        self._http: aiohttp.ClientSession | None = None
        self.calls = 0
        self.retries = 0

    def _session(self) -> aiohttp.ClientSession:
        """The HTTP session, opened on first use (it must be made inside the running loop)."""
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout),
                # X itself may sit behind the school's proxy; an emulator on 127.0.0.1 must not
                trust_env=self.base_url == X_API,
            )
            self._api.session = RewritingSession(self._http, self.base_url, self.book)
        return self._http

    async def close(self) -> None:
        """Close the HTTP session."""
        if self._http is not None:
            await self._http.close()
            self._http = None

    # ---- one call ----------------------------------------------------------------------------

    async def _once(self, key: str, method: str, args: tuple[Any, ...], kwargs: dict) -> Any:
        """One tweepy call; raises only adapter errors (no tweepy or aiohttp objects)."""
        self.book.check(key)  # raises RateLimited while the window is known to be used up
        self._session()
        self.calls += 1
        failure: AdapterError
        try:
            result = await getattr(self._api, method)(*args, user_auth=self.oauth1, **kwargs)
        except tweepy.errors.TooManyRequests as exc:
            failure = RateLimited(
                f"X answered HTTP 429 for {key}",
                retry_after=self.book.wait_for(exc.reset_time, self.rate_limit_wait),
            )
        except tweepy.errors.HTTPException as exc:
            status = getattr(exc.response, "status", None)
            body = decode_body(await _read(exc.response))
            failure = map_x_error(status, body, retry_after=self.rate_limit_wait)
        except aiohttp.ContentTypeError as exc:  # an error page that is not JSON (a proxy's 502)
            reset = _number(exc.headers.get("x-rate-limit-reset") if exc.headers else None)
            failure = map_x_error(
                exc.status, None, retry_after=self.book.wait_for(reset, self.rate_limit_wait)
            )
        except TimeoutError:
            failure = TransientError(f"X did not answer {key} in time")
        except aiohttp.ClientError as exc:
            failure = TransientError(f"X connection failed for {key}: {type(exc).__name__}")
        except ValueError:  # json.JSONDecodeError: a cut-off or garbled body
            failure = TransientError(f"X answered {key} with a malformed JSON body")
        except AttributeError:  # tweepy reading an error body that is JSON but not an object
            failure = TransientError(f"X answered {key} with an unreadable error body")
        else:
            if not isinstance(result, dict):
                raise TransientError(f"X answered {key} with a body that is not a JSON object")
            return result
        raise failure  # raised outside the handler, so no tweepy exception rides along

    async def call(
        self, key: str, method: str, *args: Any, reconcile: Reconcile | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Call tweepy's ``method`` for endpoint ``key``, retrying transient failures.

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
        result: dict[str, Any] = {}
        async for attempt in retrying:
            with attempt:
                if reconcile is not None and attempt.retry_state.attempt_number > 1:
                    found = await reconcile()
                    if found is not None:
                        return found
                result = await self._once(key, method, args, kwargs)
        return result

    def __repr__(self) -> str:
        auth = "OAuth 1.0a" if self.oauth1 else "OAuth 2.0"
        return f"<XClient {self.base_url} {auth}>"  # never the credentials

    def _count_retry(self, retry_state: Any) -> None:
        self.retries += 1

    # ---- paging ------------------------------------------------------------------------------

    async def pages(
        self, key: str, method: str, *args: Any, token_param: str, **params: Any
    ) -> AsyncIterator[dict[str, Any]]:
        """Yield every page, following ``meta.next_token`` (each page retried on its own).

        Search takes the token as ``next_token``, timelines as ``pagination_token``.  A page
        with no Tweets but a ``next_token`` does not end the listing: X drops deleted,
        protected and withheld Tweets after taking a page, so later pages still hold some.
        """
        current: Mapping[str, Any] = params
        for _ in range(MAX_PAGES):
            page = await self.call(key, method, *args, **current)
            data = page.get("data", [])
            if not isinstance(data, list):
                raise TransientError(f"X listed {key} without a data list")
            yield page
            meta = page.get("meta")
            token = meta.get("next_token") if isinstance(meta, dict) else None
            if not isinstance(token, str) or not token:
                return
            if current.get(token_param) == token:
                return
            current = {**params, token_param: token}


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


async def _read(response: Any) -> bytes | None:
    """The body of a failed answer, kept by aiohttp since tweepy read it inside its request
    (``read()`` refuses once the response is released; ``text()`` uses the kept bytes)."""
    try:
        return str(await response.text(errors="replace")).encode("utf-8")
    except (aiohttp.ClientError, RuntimeError, AttributeError, LookupError):
        return None


__all__ = ["X_API", "RewritingSession", "XClient"]
