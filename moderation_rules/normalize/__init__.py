"""Fold evasive spellings into one matching view that still points back at the original text.

People dodge filters with look-alike letters (Cyrillic ``і``, full-width ``ｆｕｃｋ``), invisible
characters, leetspeak (``sh1t``, ``tw@t``), stretched letters (``fuuuuck``) and spaced letters
(``f u c k``, ``k.y.s``).  :func:`normalize` undoes all of that and keeps, for every character of
the folded text, the span of the original it came from, so evidence always quotes what the author
actually wrote.  Personal-data detectors must NOT use this view: folding digits and ``@`` would
wreck phone numbers, e-mail addresses and postcodes, so they read the raw text.

Modules: ``characters`` (look-alikes, invisible characters, case), ``leetspeak`` (digits and
symbols for letters, ``*`` wildcards), ``joining`` (spaced and dotted letters), ``stretching``
(stretched letters), ``group_spelling`` (slips in a group's name), ``vocabulary`` (the words
repairs choose between) and ``matching_view`` (:class:`Normalized`, :func:`normalize`).
"""

from __future__ import annotations

from moderation_rules.normalize.characters import fold_char
from moderation_rules.normalize.leetspeak import WILDCARD
from moderation_rules.normalize.matching_view import Normalized, normalize
from moderation_rules.normalize.stretching import collapse_all
from moderation_rules.normalize.vocabulary import COMMON_WORDS
from moderation_rules.normalize.vocabulary import known_words as _vocab  # noqa: F401

__all__ = ["COMMON_WORDS", "WILDCARD", "Normalized", "collapse_all", "fold_char", "normalize"]
