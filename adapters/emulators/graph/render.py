"""Graph's JSON shapes: objects, ``fields=`` selection and cursor paging.

Unknown fields are refused with Graph's code 100 so that an adapter asking for a field Graph does
not have fails here rather than in production.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from yarl import URL

from .state import Comment, GraphError, GraphState, Page, Post, graph_time

FieldSpec = dict[str, "FieldSpec | None"]
T = TypeVar("T")

PAGE_FIELDS = {"id", "name", "link", "category", "fan_count", "access_token"}
PAGE_DEFAULT = "id,name"
POST_FIELDS = {
    "id",
    "message",
    "created_time",
    "updated_time",
    "from",
    "permalink_url",
    "is_published",
    "status_type",
}
POST_DEFAULT = "created_time,message,id"
COMMENT_FIELDS = {
    "id",
    "message",
    "from",
    "created_time",
    "parent",
    "is_hidden",
    "can_hide",
    "can_remove",
    "can_comment",
    "permalink_url",
    "comment_count",
    "like_count",
    "attachment",
    "object",
}
COMMENT_DEFAULT = "created_time,from,message,id"
BLOCKED_DEFAULT = "id,name"


def parse_fields(text: str) -> FieldSpec:
    """Parse ``a,b{c,d{e}},f`` into a nested dict (None where no sub-fields were asked)."""
    spec, rest = _parse_list(text.replace(" ", ""), 0)
    if rest != len(text.replace(" ", "")):
        raise GraphError(100, f"(#100) Syntax error in fields: {text!r}")
    return spec


def _parse_list(text: str, pos: int) -> tuple[FieldSpec, int]:
    spec: FieldSpec = {}
    while pos < len(text) and text[pos] != "}":
        end = pos
        while end < len(text) and text[end] not in ",{}":
            end += 1
        name = text[pos:end]
        sub: FieldSpec | None = None
        if end < len(text) and text[end] == "{":
            sub, end = _parse_list(text, end + 1)
            if end >= len(text) or text[end] != "}":
                raise GraphError(100, f"(#100) Syntax error in fields: {text!r}")
            end += 1
        if name:
            spec[name.split(".", 1)[0]] = sub
        pos = end + 1 if end < len(text) and text[end] == "," else end
    return spec, pos


def select(obj: dict[str, Any], spec: FieldSpec, known: set[str], node: str) -> dict[str, Any]:
    """Keep the asked fields of a fully rendered object; Graph omits fields without a value."""
    out: dict[str, Any] = {}
    for name, sub in spec.items():
        if name not in known:
            raise GraphError(
                100, f"(#100) Tried accessing nonexisting field ({name}) on node type ({node})"
            )
        value = obj.get(name)
        if value is None:
            continue
        if sub is not None and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k in sub or k == "id"}
        out[name] = value
    return out


def render_page(page: Page, spec: FieldSpec) -> dict[str, Any]:
    """A Page node."""
    full = {
        "id": page.id,
        "name": page.name,
        "link": f"https://www.facebook.com/{page.id}",
        "category": "School",
        "fan_count": 1200,
    }
    return select(full, spec, PAGE_FIELDS, "Page")


def render_post(state: GraphState, post: Post, spec: FieldSpec) -> dict[str, Any]:
    """A Post node."""
    page = state.pages[post.page_id]
    full = {
        "id": post.id,
        "message": post.message,
        "created_time": graph_time(post.created_time),
        "updated_time": graph_time(post.created_time),
        "from": {"id": page.id, "name": page.name},
        "permalink_url": f"https://www.facebook.com/{post.id}",
        "is_published": True,
        "status_type": "mobile_status_update",
    }
    return select(full, spec, POST_FIELDS, "Post")


def _comment_core(comment: Comment) -> dict[str, Any]:
    return {
        "created_time": graph_time(comment.created_time),
        "from": {"id": comment.from_id, "name": comment.from_name},
        "message": comment.message,
        "id": comment.id,
    }


def render_comment(state: GraphState, comment: Comment, spec: FieldSpec) -> dict[str, Any]:
    """A Comment node; ``parent`` is itself a (small) Comment node as in Graph."""
    parent = state.comments.get(comment.parent_id) if comment.parent_id else None
    local_post = comment.post_id.split("_", 1)[1]
    local_comment = comment.id.split("_", 1)[1]
    full = {
        **_comment_core(comment),
        "parent": _comment_core(parent) if parent else None,
        "is_hidden": comment.is_hidden,
        "can_hide": not comment.by_page,
        "can_remove": True,
        "can_comment": comment.parent_id is None,
        "permalink_url": (
            f"https://www.facebook.com/{comment.page_id}/posts/{local_post}"
            f"?comment_id={local_comment}"
        ),
        "comment_count": state.reply_count(comment),
        "like_count": 0,
        "attachment": comment.attachment,
        "object": {"id": comment.post_id},
    }
    return select(full, spec, COMMENT_FIELDS, "Comment")


def encode_cursor(key: tuple[int, int]) -> str:
    """An opaque cursor for a (created_time, seq) position, stable under inserts."""
    return base64.urlsafe_b64encode(f"{key[0]}:{key[1]}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    """Read a cursor back, or Graph's invalid-parameter error."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, seq = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        return int(created), int(seq)
    except (ValueError, UnicodeDecodeError):
        raise GraphError(100, "(#100) Invalid cursor", type_="OAuthException") from None


def paginate(
    rows: Sequence[T],
    key: Callable[[T], tuple[int, int]],
    render: Callable[[T], dict[str, Any]],
    *,
    url: URL,
    query: dict[str, str],
    limit: int,
    descending: bool,
) -> dict[str, Any]:
    """One page of an edge with ``paging.cursors`` and full ``next`` / ``previous`` URLs.

    ``rows`` are already in the order the client asked for; ``after`` / ``before`` cursors name a
    position (not an index), so comments arriving between requests never shift a page.
    """

    def after(row: T, mark: tuple[int, int]) -> bool:
        return key(row) < mark if descending else key(row) > mark

    def before(row: T, mark: tuple[int, int]) -> bool:
        return key(row) > mark if descending else key(row) < mark

    if query.get("after"):
        mark = decode_cursor(query["after"])
        chunk = [r for r in rows if after(r, mark)][:limit]
    elif query.get("before"):
        mark = decode_cursor(query["before"])
        chunk = [r for r in rows if before(r, mark)][-limit:]
    else:
        chunk = list(rows[:limit])
    body: dict[str, Any] = {"data": [render(r) for r in chunk]}
    if not chunk:
        return body
    first, last = key(chunk[0]), key(chunk[-1])
    paging: dict[str, Any] = {
        "cursors": {"before": encode_cursor(first), "after": encode_cursor(last)}
    }
    base = {k: v for k, v in query.items() if k not in ("after", "before")}
    base["limit"] = str(limit)
    if any(after(r, last) for r in rows):
        paging["next"] = str(url.with_query({**base, "after": encode_cursor(last)}))
    if any(before(r, first) for r in rows):
        paging["previous"] = str(url.with_query({**base, "before": encode_cursor(first)}))
    body["paging"] = paging
    return body
