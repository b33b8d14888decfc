"""Load rule packs: YAML files a school can read and extend, each entry citing a policy clause.

A pack holds ``terms`` (word lists), ``patterns`` (regular expressions over the folded text, or
over the raw text with ``view: raw``), ``combos`` (all parts must match within ``near``
characters), ``suppress`` (caps a label when a mitigating phrase is present, e.g. a parent quoting
a slur to complain about it) and ``allow`` (words and phrases that never count, e.g. Scunthorpe or
"faggots and peas").  ``defs`` are named regex fragments shared by all packs, used as
``{{name}}``.  A pattern or a suppression may list ``requires``: words one of which must occur
before it is tried, a speed hint for regexes that start with no literal text.  Everything is
validated at load time so a typo fails loudly with its file and entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

import yaml

from moderation_rules.prefilter import BOUND_LEFT
from moderation_rules.types import LABELS

__all__ = [
    "TermRule",
    "PatternRule",
    "ComboRule",
    "Suppression",
    "RuleSet",
    "PackError",
    "default_pack_paths",
    "load_rules",
]

_CLAUSES = frozenset(
    {
        "P-RESPOND", "P-MONITOR", "P-TWO-MONITORS", "P-ABUSE", "P-ESCALATE", "P-SAFEGUARD",
        "P-PROTECTED", "P-PERSONAL", "P-OTHER-CHILDREN", "P-DEFAME", "P-SOLICIT", "P-PRESS",
        "P-EVIDENCE", "P-RETENTION", "P-HANDOVER",
    }
)
_DEF_REF = re.compile(r"\{\{(\w+)\}\}")
# Word boundaries that only apply where the match itself starts or ends with a word character.
_BOUND_L = BOUND_LEFT
_BOUND_R = r"(?:(?![^\W_])|(?<=[\W_]))"


class PackError(ValueError):
    """A rule pack is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class RuleMeta:
    """What every rule carries: its id, label, policy clause, score and routing tags."""

    id: str
    label: str
    clause: str
    score: float
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TermRule:
    """A word or phrase list; ``prefix`` words end in '*' in the pack (``shit*``)."""

    meta: RuleMeta
    words: tuple[tuple[str, ...], ...]
    prefixes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PatternRule:
    """A regular expression over the folded text (``view='norm'``) or the raw text."""

    meta: RuleMeta
    regexes: tuple[re.Pattern[str], ...]  # one per listed alternative
    view: str = "norm"
    accumulate: bool = False  # each distinct match is separate evidence (cue lists)
    requires: tuple[str, ...] = ()  # cheap hint: run only if one of these occurs (lower case)


@dataclass(frozen=True, slots=True)
class ComboRule:
    """Fires when every part matches, all within ``near`` characters of the first part."""

    meta: RuleMeta
    parts: tuple[re.Pattern[str], ...]
    near: int = 200


@dataclass(frozen=True, slots=True)
class Suppression:
    """Caps ``labels`` at ``cap`` when the regex matches (quoted slurs, self-deprecation)."""

    id: str
    regex: re.Pattern[str]
    labels: tuple[str, ...]
    cap: float
    requires: tuple[str, ...] = ()  # cheap hint: try only if one of these occurs (lower case)


@dataclass(slots=True)
class RuleSet:
    """Every rule from every pack, compiled and ready to run."""

    terms: list[TermRule] = field(default_factory=list)
    patterns: list[PatternRule] = field(default_factory=list)
    combos: list[ComboRule] = field(default_factory=list)
    suppressions: list[Suppression] = field(default_factory=list)
    allow_words: set[str] = field(default_factory=set)
    allow_phrases: list[re.Pattern[str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def default_pack_paths() -> list[Any]:
    """The packs shipped inside the package (read with importlib.resources, so wheels work)."""
    root = resources.files("moderation_rules") / "packs"
    return sorted(
        (p for p in root.iterdir() if p.name.endswith((".yaml", ".yml"))), key=lambda p: p.name
    )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _expand(src: str, defs: dict[str, str], where: str) -> str:
    for _ in range(5):
        if "{{" not in src:
            return src
        try:
            src = _DEF_REF.sub(lambda m: "(?:" + defs[m.group(1)] + ")", src)
        except KeyError as exc:
            raise PackError(f"{where}: unknown def {exc}") from None
    return src


def _compile(sources: Iterable[str], defs: dict[str, str], where: str, ignore_case: bool = False,
             bounded: bool = True) -> re.Pattern[str]:
    body = "|".join(f"(?:{_expand(str(s), defs, where)})" for s in sources)
    if not body:
        raise PackError(f"{where}: no regex given")
    if bounded:
        body = f"{_BOUND_L}(?:{body}){_BOUND_R}"
    try:
        return re.compile(body, re.IGNORECASE if ignore_case else 0)
    except re.error as exc:
        raise PackError(f"{where}: bad regex: {exc}") from None


def _meta(entry: dict[str, Any], where: str) -> RuleMeta:
    try:
        rid = str(entry["id"])
        label = str(entry["label"])
        clause = str(entry["clause"])
        score = float(entry.get("score", 0.9))
    except KeyError as exc:
        raise PackError(f"{where}: missing key {exc}") from None
    if label not in LABELS:
        raise PackError(f"{where} ({rid}): unknown label {label!r}")
    if clause not in _CLAUSES:
        raise PackError(f"{where} ({rid}): unknown policy clause {clause!r}")
    if not 0.0 <= score <= 1.0:
        raise PackError(f"{where} ({rid}): score must be in [0, 1]")
    return RuleMeta(rid, label, clause, score, tuple(str(t) for t in _as_list(entry.get("tags"))))


def _read(path: Any) -> tuple[str, dict[str, Any]]:
    name = getattr(path, "name", str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PackError(f"{name}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise PackError(f"{name}: a pack must be a mapping")
    return name, data


def load_rules(paths: Iterable[Path | Any] | None = None) -> RuleSet:
    """Read and compile packs (default: the shipped ones); later packs may use earlier defs."""
    packs = [_read(p) for p in (default_pack_paths() if paths is None else paths)]
    defs: dict[str, str] = {}
    for name, data in packs:
        for key, value in (data.get("defs") or {}).items():
            defs[str(key)] = str(value)
    rules = RuleSet()
    seen: set[str] = set()
    for name, data in packs:
        rules.sources.append(name)
        for i, entry in enumerate(_as_list(data.get("terms"))):
            where = f"{name} terms[{i}]"
            meta = _meta(entry, where)
            _unique(meta.id, seen, where)
            words: list[tuple[str, ...]] = []
            prefixes: list[str] = []
            for w in _as_list(entry.get("words")):
                w = str(w).strip().lower()
                if w.endswith("*") and " " not in w:
                    prefixes.append(w[:-1])
                elif w:
                    words.append(tuple(w.split()))
            rules.terms.append(TermRule(meta, tuple(words), tuple(prefixes)))
        for i, entry in enumerate(_as_list(data.get("patterns"))):
            where = f"{name} patterns[{i}]"
            meta = _meta(entry, where)
            _unique(meta.id, seen, where)
            view = str(entry.get("view", "norm"))
            if view not in ("norm", "raw"):
                raise PackError(f"{where}: view must be norm or raw")
            sources = _as_list(entry.get("regex"))
            if not sources:
                raise PackError(f"{where}: no regex given")
            regexes = tuple(
                _compile([src], defs, where,
                         ignore_case=view == "raw" and bool(entry.get("ignore_case", True)),
                         bounded=bool(entry.get("bounded", True)))
                for src in sources
            )
            rules.patterns.append(
                PatternRule(meta, regexes, view, bool(entry.get("accumulate", False)),
                            tuple(str(r).lower() for r in _as_list(entry.get("requires"))))
            )
        for i, entry in enumerate(_as_list(data.get("combos"))):
            where = f"{name} combos[{i}]"
            meta = _meta(entry, where)
            _unique(meta.id, seen, where)
            parts = tuple(_compile(_as_list(p), defs, where) for p in _as_list(entry.get("all")))
            if len(parts) < 2:
                raise PackError(f"{where}: a combo needs at least two parts")
            rules.combos.append(ComboRule(meta, parts, int(entry.get("near", 200))))
        for i, entry in enumerate(_as_list(data.get("suppress"))):
            where = f"{name} suppress[{i}]"
            labels = tuple(str(x) for x in _as_list(entry.get("labels")))
            if not labels or any(x not in LABELS for x in labels):
                raise PackError(f"{where}: labels must be known labels")
            rules.suppressions.append(
                Suppression(str(entry.get("id", where)),
                            _compile(_as_list(entry.get("regex")), defs, where),
                            labels, float(entry.get("cap", 0.4)),
                            tuple(str(r).lower() for r in _as_list(entry.get("requires"))))
            )
        allow = data.get("allow") or {}
        rules.allow_words.update(str(w).lower() for w in _as_list(allow.get("words")))
        phrases = [re.escape(str(p).lower()).replace(r"\ ", r"[\s\-]+")
                   for p in _as_list(allow.get("phrases"))]
        if phrases:
            rules.allow_phrases.append(_compile(phrases, defs, f"{name} allow"))
    return rules


def _unique(rid: str, seen: set[str], where: str) -> None:
    if rid in seen:
        raise PackError(f"{where}: duplicate rule id {rid!r}")
    seen.add(rid)
