"""Read the target lexicons: ``lexicons/targets.yaml`` and the people-group files.

``targets.yaml`` lists protected groups, people and the predicates said about them;
``people_groups.yaml`` (which a school may extend with its own files) lists groups of people
that are not protected.  :class:`TargetWords` holds both, lower-cased, in the shape the rule
builders use, so each builder reads named lists instead of raw YAML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["TargetWords", "as_list", "load_people_groups", "load_target_lexicon", "words_in"]


def as_list(value: Any) -> list[str]:
    """A YAML list as stripped, lower-cased, non-empty strings ([] for a missing key)."""
    if value is None:
        return []
    return [str(v).strip().lower() for v in value if str(v).strip()]


def words_in(phrases: Iterable[str]) -> set[str]:
    """Every word of every phrase."""
    return {w for p in phrases for w in p.split()}


@lru_cache(maxsize=1)
def load_target_lexicon() -> dict[str, Any]:
    """The shipped target/predicate lexicon (read with importlib.resources)."""
    path = resources.files("moderation_rules") / "lexicons" / "targets.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _read_people_groups(text: str, source: str) -> list[dict[str, Any]]:
    """Validate one people-group file: every entry needs words and a clause."""
    data = yaml.safe_load(text) or {}
    out: list[dict[str, Any]] = []
    for i, entry in enumerate(data.get("groups") or ()):
        if not isinstance(entry, dict) or not entry.get("words"):
            raise ValueError(f"{source}: groups[{i}] needs a list of words")
        clause = str(entry.get("clause", "")).strip()
        if not re.fullmatch(r"P-[A-Z-]+", clause):
            raise ValueError(f"{source}: groups[{i}] ({entry.get('id', '?')}) needs a clause "
                             f"such as P-DEFAME or P-ABUSE")
        out.append({"id": str(entry.get("id", f"{source}[{i}]")), "clause": clause,
                    "school": bool(entry.get("school", False)),
                    "words": as_list(entry.get("words"))})
    return out


@lru_cache(maxsize=1)
def _shipped_people_groups() -> tuple[dict[str, Any], ...]:
    """The shipped people_groups.yaml, parsed once per process."""
    path = resources.files("moderation_rules") / "lexicons" / "people_groups.yaml"
    return tuple(_read_people_groups(path.read_text(encoding="utf-8"), "people_groups.yaml"))


def load_people_groups(extra: Iterable[str | Any] = ()) -> list[dict[str, Any]]:
    """Non-protected groups of people: the shipped list plus a school's own YAML files.

    Each entry is ``{"id", "clause", "school", "words"}`` (see ``lexicons/people_groups.yaml``)."""
    groups = [dict(g) for g in _shipped_people_groups()]
    for path in extra:
        with open(path, encoding="utf-8") as fh:
            groups.extend(_read_people_groups(fh.read(), str(path)))
    return groups


@dataclass(frozen=True, slots=True)
class TargetWords:
    """The lexicon lists the rules are built from (targets.yaml plus the people groups)."""

    clause_hate: str
    clause_abuse: str
    clause_threat: str
    groups: list[str]          # protected-group phrases ("muslims", "disabled people")
    adjs: list[str]            # protected adjectives used before a person noun ("gay")
    nouns: list[str]           # person nouns after such an adjective ("people", "kids")
    singulars: list[str]       # one member of a protected group ("muslim", "woman")
    people: list[str]          # pronouns and single people ("you", "he", "the head")
    hate_verbs: list[str]
    hatred: list[str]          # hate verbs that are not mere dislike ("despise", not "dislike")
    strong: list[str]          # dehumanising or strong insults ("scum", "vermin")
    strong_people: list[str]   # the strong ones that insult a person, not literal words
    harsh: list[str]
    exclusion: list[str]
    threats: list[str]
    openers: list[str]         # what starts a threat ("i will", "i'm going to")
    passive: list[str]         # harm done to someone ("be shot", "be deported")
    positive: list[str]
    reporting: list[str]       # reporting frames ("saying that", "people who call")
    contempt: list[str]
    harm_people: list[str]
    violent: list[str]
    negative_attributes: list[str]
    fuzzy_exclude: list[str]
    people_groups: list[dict[str, Any]]   # entries of load_people_groups()
    pg_phrases: list[str]      # every phrase of every people-group entry, in entry order
    pg_literal: list[str]      # the phrases without {n}/{name} slots, sorted
    pg_templates: list[str]    # the phrases with slots, sorted

    @classmethod
    def from_lexicon(cls, lex: dict[str, Any],
                     people_groups: list[dict[str, Any]]) -> TargetWords:
        """Name the lists of a parsed targets.yaml and a list of people-group entries."""
        groups: list[str] = []
        for words in (lex.get("groups") or {}).values():
            groups.extend(as_list(words))
        hate_verbs = as_list(lex.get("hate_verbs"))
        dislike = set(as_list(lex.get("dislike_verbs")))
        strong = as_list(lex.get("negative_strong"))
        literal = set(as_list(lex.get("literal_for_people")))
        pg_phrases: list[str] = []
        for g in people_groups:
            pg_phrases.extend(g["words"])
        return cls(
            clause_hate=str(lex.get("clause_hate", "P-PROTECTED")),
            clause_abuse=str(lex.get("clause_abuse", "P-DEFAME")),
            clause_threat=str(lex.get("clause_threat", "P-ABUSE")),
            groups=groups,
            adjs=as_list(lex.get("group_adjectives")),
            nouns=as_list(lex.get("person_nouns")),
            singulars=as_list(lex.get("group_singulars")),
            people=as_list(lex.get("people")),
            hate_verbs=hate_verbs,
            hatred=[v for v in hate_verbs if v not in dislike],
            strong=strong,
            strong_people=[w for w in strong if w not in literal],
            harsh=as_list(lex.get("negative_harsh")),
            exclusion=as_list(lex.get("exclusion")),
            threats=as_list(lex.get("threat_verbs")),
            openers=as_list(lex.get("threat_openers")),
            passive=as_list(lex.get("harm_passive")),
            positive=as_list(lex.get("positive")),
            reporting=as_list(lex.get("reporting")),
            contempt=as_list(lex.get("contempt")),
            harm_people=as_list(lex.get("harm_people")),
            violent=as_list(lex.get("violent_verbs")),
            negative_attributes=as_list(lex.get("negative_attributes")),
            fuzzy_exclude=as_list(lex.get("fuzzy_exclude")),
            people_groups=people_groups,
            pg_phrases=pg_phrases,
            pg_literal=sorted({p for p in pg_phrases if "{" not in p}),
            pg_templates=sorted({p for p in pg_phrases if "{" in p}),
        )

    @property
    def protected_words(self) -> set[str]:
        """Every word of the protected-group phrases, adjectives and singulars."""
        return words_in(self.groups) | set(self.adjs) | set(self.singulars)
