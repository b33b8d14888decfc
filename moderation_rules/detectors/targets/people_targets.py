"""Who an abuse rule may name: "you", single people, and groups that are not protected.

Groups of people that are not protected (roles, professions, the school community, year
groups, supporters, residents) come from ``people_groups.yaml`` and a school's own files.
Their phrases may hold slots: ``{n}`` for a year number ("year {n}s") and ``{name}`` for a
team or a place ("fans of {name}"), which never takes a protected-group word.  A role that
holds a protected word ("dinner ladies", "year 9 girls") is the role, not the protected group:
:class:`RoleMask` blanks such words before the hate rules read the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from moderation_rules.detectors.targets.grammar import (
    PRONOUNS,
    QUANTIFIER_WORDS,
    QUANTIFIERS,
    YOU_WORDS,
)
from moderation_rules.detectors.targets.lexicon import TargetWords, words_in
from moderation_rules.detectors.targets.phrase_regex import alt, lead_words

__all__ = ["PeopleRule", "PeopleTargets", "RoleMask"]

# A year number in a template ("year {n}s", "y{n} boys").
_YEAR_N = (r"(?:1[0-3]|[1-9]|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
           r"thirteen)")
# Words a {name} slot never takes: function words, verbs of being, and the negative words that
# follow a group ("fans of united are scum": the name stops before "are").
_NAME_STOP = frozenset(
    """a an the all and or but of in on at to from for with by as is are was were be been being
    am 'm 're 's r this that these those my your our their his her its who which what when
    where why how i we you he she they it them us me him not no never just so very really too
    like should must will would can could may might shall deserve deserves need needs ought
    make makes made do does did dont don't have has had get gets got go goes
    ceiling desk electric extractor pedestal tower box big huge massive""".split())
_TITLES = frozenset({"mr", "mrs", "miss", "ms", "dr", "sir"})
_SLOT_OR_SPACE = re.compile(r"\{\w+\}|\s+")


def _first_words(phrases: list[str]) -> set[str]:
    """First words of phrases that do not start with a slot ("year" of "year {n}s")."""
    return {re.split(r"[\s{]", p)[0] for p in phrases if p and p[0] != "{"}


class PeopleRule(NamedTuple):
    """One shape of an attack on people, with the gates that decide where it is tried."""

    rule_id: str
    score: float                 # evidence strength (0.8 hides, 0.5 goes to review)
    pattern: re.Pattern[str]     # named groups: ``who`` (the target), ``verb`` for threats
    lead: frozenset[str]         # words a match may start at
    needs: frozenset[str]        # the predicate needs one of these words in the text


def _template(phrase: str, name_rx: str) -> str:
    """Regex source of one people-group phrase (literal words, {n} and {name} slots)."""
    out: list[str] = []
    for part in re.split(r"(\{n\}|\{name\})", phrase):
        if part == "{n}":
            out.append(_YEAR_N)
        elif part == "{name}":
            out.append(name_rx)
        elif part:
            out.append(r"\s+".join(re.escape(w) for w in part.split(" ")))
    return "".join(out)


def _phrases_rx(phrases: list[str], name_rx: str) -> re.Pattern[str]:
    """One regex for a list of people-group phrases (literal ones as a trie, then templates)."""
    literal = [p for p in phrases if "{" not in p]
    parts = ([alt(literal)] if literal else []) + [_template(p, name_rx) for p in phrases
                                                   if "{" in p]
    return re.compile(rf"\b(?:{'|'.join(parts) or '(?!)'})\b")


class RoleMask:
    """Blanks protected words inside role phrases ("dinner ______") for the hate rules."""

    def __init__(self, w: TargetWords, name_rx: str) -> None:
        single_protected = {p for p in w.groups if " " not in p} | set(w.adjs) \
            | set(w.singulars)
        roles = [p for p in w.pg_phrases if single_protected & set(_SLOT_OR_SPACE.split(p))]
        self.rx: re.Pattern[str] | None = re.compile(
            rf"\b(?:{'|'.join(_template(p, name_rx) for p in sorted(set(roles)))})\b"
        ) if roles else None
        # the protected words that occur in some role: without one, there is nothing to mask
        self.words = frozenset(x for p in roles for x in _SLOT_OR_SPACE.split(p)
                               if x in single_protected)
        self.protected = re.compile(rf"\b{alt(sorted(single_protected))}\b")

    def mask(self, text: str) -> str:
        """``text`` with protected words inside role phrases blanked (``text`` if none)."""
        chars: list[str] | None = None
        for m in self.rx.finditer(text):
            for pm in self.protected.finditer(text, m.start(), m.end()):
                if chars is None:
                    chars = list(text)
                chars[pm.start() : pm.end()] = "_" * (pm.end() - pm.start())
        return text if chars is None else "".join(chars)


@dataclass(frozen=True, slots=True)
class PeopleTargets:
    """Regex pieces naming the target of an abuse rule, and what a named group is."""

    you: str          # the reader: "you", "you lot", "all of you"
    det: str          # "our", "the", "all those" in front of a target
    title: str        # "Mr Smith", "Dr. Jones"
    third: str        # he, she, the head, and non-protected groups
    named: str        # the same without bare pronouns, plus titled names
    entries: tuple[tuple[str, bool, re.Pattern[str]], ...]  # (clause, school?, phrases)
    words: frozenset[str]          # a text needs one of these for any people rule
    lead_groups: frozenset[str]    # words a third-person target may start at
    lead_you: frozenset[str]       # words a "you" target may start at
    roles: RoleMask

    @classmethod
    def build(cls, w: TargetWords) -> PeopleTargets:
        """Compile the target pieces from the lexicon lists and the people groups."""
        you_list = [p for p in w.people if p in YOU_WORDS]
        third = [p for p in w.people if p not in YOU_WORDS]
        nonpronoun = [p for p in third if p not in PRONOUNS]
        name_stop = _NAME_STOP | w.protected_words | {"wheelchairs", "eal", "sen"}
        nm = rf"(?!{alt(name_stop)}\b)[a-z][a-z'&]*"
        name_rx = rf"(?:{nm}(?:\s+{nm}){{0,2}})"
        template_rx = "|".join(_template(p, name_rx) for p in w.pg_templates)
        pgroup = alt(w.pg_literal) + (f"|{template_rx}" if template_rx else "")
        # "year 10 at Oakfield", "the parents from St Mary's": a group with its place
        pgroup = rf"(?:{pgroup})(?:\s+(?:at|from|in)\s+{name_rx})?"
        title = r"(?:mr|mrs|miss|ms|dr|sir)\.?\s+[a-z]+"
        # each group phrase -> its entry (clause; school community or not), first listed wins
        entries = tuple((g["clause"], g["school"], _phrases_rx(g["words"], name_rx))
                        for g in w.people_groups)
        words = frozenset(
            words_in(w.people) | words_in(w.pg_literal)
            | {x for p in w.pg_templates for x in _SLOT_OR_SPACE.split(p) if x} | _TITLES)
        lead_groups = frozenset(_first_words(third) | _first_words(w.pg_phrases)
                                | QUANTIFIER_WORDS | {"our", "your", "their", "my"}
                                | _TITLES) - {""}
        return cls(
            you=r"(?:you|u|ya|yous|you\s+lot|you\s+people|all\s+of\s+you)",
            det=rf"(?:(?:our|your|their|my)\s+)?{QUANTIFIERS}",
            title=title,
            third=rf"(?:{alt(third)}|{pgroup})",
            named=rf"(?:{alt(nonpronoun)}|{pgroup}|{title})",
            entries=entries,
            words=words,
            lead_groups=lead_groups,
            lead_you=frozenset(lead_words(you_list, ["you", "u", "ya", "yous", "all"])),
            roles=RoleMask(w, name_rx),
        )

    def entry(self, who: str) -> tuple[str, bool] | None:
        """(clause, school community?) of the people-group entry naming ``who``, if any."""
        for clause, school, rx in self.entries:
            if rx.search(who):
                return clause, school
        return None
