"""Graph's JSON shapes: objects, ``fields=`` selection (with modifiers), nested edges and paging.

Unknown fields are refused with Graph's code 100 so that an adapter asking for a field Graph does
not have fails here rather than in production.  A Post's ``comments`` field expands the edge
as Graph does, e.g. ``comments.filter(stream).summary(true).limit(0)`` for a count without the
comments themselves.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
POST_EDGE_FIELDS = {"comments"}  # edges a Post expands in ``fields=`` (with modifiers)
COMMENTS_MODIFIERS = {"filter", "order", "limit", "summary"}
SUMMARY_FIELDS = ("order", "total_count", "can_comment")
NESTED_LIMIT = 25  # Graph's default page size for an expanded edge
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


class ParsedFields(FieldSpec):
    """A FieldSpec as parsed from ``fields=``, with each name's modifiers in ``modifiers``
    (``comments.filter(stream).limit(0)`` -> ``{"filter": "stream", "limit": "0"}``).
    A plain FieldSpec dict is one without modifiers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.modifiers: dict[str, dict[str, str]] = {}


MODIFIER = re.compile(r"\.(\w+)\(([^()]*)\)")
FIELD_NAME = re.compile(r"[A-Za-z_]\w*")


def modifiers_of(spec: Mapping[str, Any], name: str) -> dict[str, str]:
    """The modifiers asked on one field (none for a plain dict)."""
    found: dict[str, dict[str, str]] = getattr(spec, "modifiers", {})
    return found.get(name, {})


def parse_fields(text: str) -> ParsedFields:
    """Parse ``a,b{c,d{e}},f.limit(0)`` into a nested FieldSpec (None where no sub-fields)."""
    compact = text.replace(" ", "")
    spec, rest = _parse_list(compact, 0)
    if rest != len(compact):
        raise GraphError(100, f"(#100) Syntax error in fields: {text!r}")
    return spec


def _name_end(text: str, pos: int) -> int:
    """Where a field name (with its ``.modifier(...)`` calls) ends; commas in ``()`` are kept."""
    depth = 0
    while pos < len(text) and (depth or text[pos] not in ",{}"):
        depth += {"(": 1, ")": -1}.get(text[pos], 0)
        pos += 1
    return pos


def _split_name(token: str, text: str) -> tuple[str, dict[str, str]]:
    """``comments.summary(true).limit(0)`` -> ``comments`` and its ``{"summary": "true", ...}``."""
    name = FIELD_NAME.match(token)
    tail = token[name.end():] if name else token
    calls = MODIFIER.findall(tail)
    if name is None or "".join(f".{k}({v})" for k, v in calls) != tail:
        raise GraphError(100, f"(#100) Syntax error in fields: {text!r}")
    return name.group(), dict(calls)


def _parse_list(text: str, pos: int) -> tuple[ParsedFields, int]:
    spec = ParsedFields()
    while pos < len(text) and text[pos] != "}":
        end = _name_end(text, pos)
        token = text[pos:end]
        sub: ParsedFields | None = None
        if end < len(text) and text[end] == "{":
            sub, end = _parse_list(text, end + 1)
            if end >= len(text) or text[end] != "}":
                raise GraphError(100, f"(#100) Syntax error in fields: {text!r}")
            end += 1
        if token:
            name, modifiers = _split_name(token, text)
            spec[name] = sub
            if modifiers:
                spec.modifiers[name] = modifiers
        pos = end + 1 if end < len(text) and text[end] == "," else end
    return spec, pos


def spec_text(spec: Mapping[str, Any]) -> str:
    """A parsed field spec back to Graph's ``a.m(x),b{c,d}`` syntax (for nested ``next`` URLs)."""
    parts = []
    for name, sub in spec.items():
        calls = "".join(f".{k}({v})" for k, v in modifiers_of(spec, name).items())
        parts.append(f"{name}{calls}{{{spec_text(sub)}}}" if sub else f"{name}{calls}")
    return ",".join(parts)


def select(
    obj: dict[str, Any], spec: Mapping[str, Any], known: set[str], node: str
) -> dict[str, Any]:
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


@dataclass(frozen=True, slots=True)
class EdgeLinks:
    """What a nested edge's ``next`` URL needs: this server's ``/{version}/`` root and the token."""

    root: URL
    token: str


def render_post(state: GraphState, post: Post, spec: FieldSpec, links: EdgeLinks) -> dict[str, Any]:
    """A Post node; a ``comments`` field is the expanded edge (see :func:`render_post_comments`)."""
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
    plain = {k: v for k, v in spec.items() if k not in POST_EDGE_FIELDS}
    body = select(full, plain, POST_FIELDS, "Post")
    if "comments" in spec:
        modifiers = modifiers_of(spec, "comments")
        body["comments"] = render_post_comments(state, post, spec["comments"], modifiers, links)
    return body


def _choice(modifiers: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> str:
    value = modifiers.get(name, allowed[0])
    if value not in allowed:
        raise GraphError(100, f"(#100) Invalid {name} ({value!r}): expected one of {allowed}")
    return value


def _summary_fields(value: str | None) -> tuple[str, ...]:
    """``summary(true)`` -> every summary field; ``summary(total_count)`` -> just those."""
    if value is None or value in ("false", "0"):
        return ()
    if value in ("true", "1"):
        return SUMMARY_FIELDS
    names = tuple(n for n in value.split(",") if n)
    if not names or any(n not in SUMMARY_FIELDS for n in names):
        raise GraphError(
            100, f"(#100) Invalid summary ({value!r}): true, false or {SUMMARY_FIELDS}"
        )
    return names


def render_post_comments(
    state: GraphState,
    post: Post,
    sub: FieldSpec | None,
    modifiers: Mapping[str, str],
    links: EdgeLinks,
) -> dict[str, Any]:
    """A post's comments expanded inside the post, as Graph does for ``fields=comments...``.

    ``filter(stream)`` counts and lists replies too (``toplevel``, the default, does not);
    ``limit(0)`` gives ``{"data": [], "summary": {...}}``; the ``next`` URL of a longer listing
    points at ``/{post}/comments`` with the same filter, order and sub-fields.
    """
    unknown = set(modifiers) - COMMENTS_MODIFIERS
    if unknown:
        raise GraphError(100, f"(#100) Unsupported modifier(s) on comments: {sorted(unknown)}")
    filter_ = _choice(modifiers, "filter", ("toplevel", "stream"))
    order = _choice(modifiers, "order", ("chronological", "reverse_chronological"))
    try:
        limit = min(int(modifiers.get("limit", NESTED_LIMIT)), 100)
    except ValueError:
        raise GraphError(100, "(#100) Param limit must be an integer") from None
    summary = _summary_fields(modifiers.get("summary"))
    comments = state.thread_comments(post.id, stream=filter_ == "stream")
    descending = order == "reverse_chronological"
    if descending:
        comments.reverse()
    if limit <= 0:
        body: dict[str, Any] = {"data": []}
    else:
        fields = sub or parse_fields(COMMENT_DEFAULT)
        body = paginate(
            comments,
            key=lambda c: (c.created_time, c.seq),
            render=lambda c: render_comment(state, c, fields),
            url=links.root / post.id / "comments",
            query={"access_token": links.token, "fields": spec_text(fields),
                   "filter": filter_, "order": order},
            limit=limit,
            descending=descending,
        )
    if summary:
        full = {"order": order, "total_count": len(comments), "can_comment": True}
        body["summary"] = {name: full[name] for name in summary}
    return body


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
