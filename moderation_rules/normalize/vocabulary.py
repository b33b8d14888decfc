"""The words repairs choose between: known words, how common they are, and listed words.

A repair with several possible readings ("c*me", "neeeed", "nowhere" split into words) takes a
known word, preferring everyday and frequent ones, and never guesses its way to or away from
a word the packs list (a slur must not appear from, or vanish into, an ordinary word).
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["COMMON_WORDS", "allowed_words", "group_words", "known_words", "listed_words",
           "near_group_words", "sensitive_words", "word_rank"]

# Everyday words: when a repair has several known readings ("c*me", "neeeed"), these win.
COMMON_WORDS = frozenset(
    """a about after again all also always am an and any are as at away back bad be because
    been before being best better big both but by came can come could day did do does done
    dont down each even ever every for from get go going good got great had has have he her
    here him his how i if in into is it its just keep kind know last left let like little
    live lives look lot love lovely made make man many me men more most much must my need
    needs never new next no not now of off old on once one only or other our out over own
    people please put really right said same say see she should so some still such take tell
    than thank thanks that the their them then there these they thing think this those time
    to too two up us very want was way we well went were what when where which while who why
    will with would year yes yet you your kids kid child school class teacher mum dad son
    home house fair fun week today night girl boy lad run ran sat set sit top try use way
    why act add age ago air arm ask bed bit box bus buy car cut eat end eye far few fit fix
    god gun hat hit hot job leg lie low map mix mum nor odd oil pay pen pet put raw red row
    sad saw sea sir six sky sun ten tie toy van war wet win yet zoo tea""".split()
)


def _lexicon_words(name: str) -> list[str]:
    """The words of a shipped lexicon file, in order ("#" starts a comment line)."""
    from importlib import resources

    try:
        path = resources.files("moderation_rules") / "lexicons" / name
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, FileNotFoundError):  # pragma: no cover - a stripped install
        return []
    return [w for line in lines if not line.startswith("#") for w in line.split()]


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Known words (lexicons/vocab.txt, built by model/train.py) for choosing repairs."""
    return frozenset(_lexicon_words("vocab.txt"))


@lru_cache(maxsize=1)
def word_rank() -> dict[str, int]:
    """Position of each known word in vocab.txt, which lists the most frequent words first."""
    return {w: i for i, w in enumerate(_lexicon_words("vocab.txt"))}


@lru_cache(maxsize=1)
def near_group_words() -> frozenset[str]:
    """Real words one slip from a protected group's name (lexicons/near_group_words.txt):
    a repair never rewrites them ("muslin", "blocks")."""
    return frozenset(_lexicon_words("near_group_words.txt"))


@lru_cache(maxsize=1)
def _shipped_packs() -> tuple[dict, ...]:
    """The shipped rule packs, parsed once for the word sets below."""
    from importlib import resources

    import yaml

    packs: list[dict] = []
    try:
        root = resources.files("moderation_rules") / "packs"
        for path in root.iterdir():
            if path.name.endswith((".yaml", ".yml")):
                packs.append(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except (OSError, yaml.YAMLError):  # pragma: no cover - a stripped install
        pass
    return tuple(packs)


@lru_cache(maxsize=1)
def listed_words() -> frozenset[str]:
    """Single words the shipped packs' word lists name (slurs, swearing, sexual terms)."""
    words: set[str] = set()
    for data in _shipped_packs():
        for entry in data.get("terms") or ():
            for w in entry.get("words") or ():
                w = str(w).strip().lower().rstrip("*")
                if w and " " not in w:
                    words.add(w)
    return frozenset(words)


@lru_cache(maxsize=1)
def group_words() -> tuple[frozenset[str], frozenset[str]]:
    """Single words of ``lexicons/targets.yaml`` naming a protected group: (plural and
    collective nouns, singulars and adjectives)."""
    from importlib import resources

    import yaml

    nouns: set[str] = set()
    others: set[str] = set()
    try:
        lex = yaml.safe_load((resources.files("moderation_rules") / "lexicons" /
                              "targets.yaml").read_text(encoding="utf-8")) or {}
        for items in (lex.get("groups") or {}).values():
            nouns.update(str(w).strip().lower() for w in items or () if " " not in str(w))
        for items in (lex.get("group_singulars"), lex.get("group_adjectives")):
            others.update(str(w).strip().lower() for w in items or () if " " not in str(w))
    except (OSError, yaml.YAMLError):  # pragma: no cover - a stripped install
        pass
    return frozenset(nouns - {""}), frozenset(others - {""})


@lru_cache(maxsize=1)
def sensitive_words() -> frozenset[str]:
    """Single words the shipped packs list (slurs, swearing, sexual terms) and the words naming
    protected groups: a repair never guesses its way to or away from one of these ("wom*n"
    must not be guessed into "women", or away from it)."""
    nouns, others = group_words()
    return listed_words() | nouns | others


@lru_cache(maxsize=1)
def allowed_words() -> frozenset[str]:
    """Whole words the packs allow although a listed word hides inside them ("scunthorpe",
    "therapist", "cocktail"): a repair never cuts one of these apart."""
    return frozenset(str(w).strip().lower() for data in _shipped_packs()
                     for w in (data.get("allow") or {}).get("words") or ())
