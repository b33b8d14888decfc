"""The subset of X's search query language that recent search needs here.

Terms next to each other are ANDed, ``OR`` joins alternatives (AND binds first, as on X), a
leading ``-`` negates, parentheses group.  Operators: ``conversation_id:``, ``from:``, ``to:``,
``in_reply_to_tweet_id:``, ``is:reply``, ``is:quote``, ``is:retweet``, ``has:media``,
``"exact phrase"``, ``@handle``, and bare keywords (case-insensitive).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .state import Tweet, XState

Predicate = Callable[[Tweet], bool]
_TOKEN = re.compile(r'\s*(\(|\)|-?"[^"]*"|-?[^\s()"]+)')


class QueryError(ValueError):
    """A query X would refuse (400 invalid-request)."""


@dataclass
class _Parser:
    tokens: list[str]
    state: XState
    pos: int = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse_or(self) -> Predicate:
        alternatives = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            alternatives.append(self.parse_and())
        if len(alternatives) == 1:
            return alternatives[0]
        return lambda t: any(p(t) for p in alternatives)

    def parse_and(self) -> Predicate:
        terms: list[Predicate] = []
        while (token := self.peek()) is not None and token not in ("OR", ")"):
            terms.append(self.parse_unary())
        if not terms:
            raise QueryError("There were errors processing your request: empty clause")
        return lambda t: all(p(t) for p in terms)

    def parse_unary(self) -> Predicate:
        token = self.take()
        if token == "(":
            inner = self.parse_or()
            if self.peek() != ")":
                raise QueryError("There were errors processing your request: missing ')'")
            self.take()
            return inner
        if token.startswith("-") and len(token) > 1:
            positive = term(token[1:], self.state)
            return lambda t: not positive(t)
        return term(token, self.state)


def _user_matches(state: XState, ref: str, user_id: str | None) -> bool:
    user = state.user(ref.lstrip("@"))
    return user is not None and user.id == user_id


def term(token: str, state: XState) -> Predicate:
    """One operator or keyword as a predicate on a Tweet."""
    if token.startswith('"') and token.endswith('"') and len(token) >= 2:
        phrase = token[1:-1].lower()
        return lambda t: phrase in t.text.lower()
    name, colon, value = token.partition(":")
    if colon and value:
        if name == "conversation_id":
            return lambda t: t.conversation_id == value
        if name == "in_reply_to_tweet_id":
            return lambda t: t.in_reply_to_tweet_id == value
        if name == "from":
            return lambda t: _user_matches(state, value, t.author_id)
        if name == "to":
            return lambda t: _user_matches(state, value, t.in_reply_to_user_id)
        if name == "is" and value in ("reply", "quote", "retweet"):
            return {
                "reply": lambda t: t.in_reply_to_tweet_id is not None,
                "quote": lambda t: t.quoted_tweet_id is not None,
                "retweet": lambda t: False,
            }[value]
        if name == "has" and value == "media":
            return lambda t: bool(t.media)
        if name.isalpha():
            raise QueryError(
                f"There were errors processing your request: Reference to invalid operator "
                f"'{name}'. Operator is not available in current product or product packaging."
            )
    if token.startswith("@") and len(token) > 1:
        handle = token[1:].lower()
        return lambda t: handle in t.mentions()
    word = token.lower()
    return lambda t: word in t.text.lower()


def compile_query(query: str, state: XState, max_length: int = 512) -> Predicate:
    """The predicate for a query, or :class:`QueryError` as X would refuse it."""
    if not query.strip():
        raise QueryError("The `query` parameter can not be empty")
    if len(query) > max_length:
        raise QueryError(
            f"There were errors processing your request: Query is too long "
            f"({len(query)} characters, at most {max_length})"
        )
    tokens = _TOKEN.findall(query)
    if "".join(tokens).replace(" ", "") != query.replace(" ", "").replace("\t", ""):
        raise QueryError("There were errors processing your request: unbalanced quotes")
    parser = _Parser(tokens, state)
    predicate = parser.parse_or()
    if parser.peek() is not None:
        raise QueryError("There were errors processing your request: unexpected ')'")
    return predicate
