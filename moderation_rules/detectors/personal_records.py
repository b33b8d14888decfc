"""More kinds of personal data in the RAW text: a car's registration, a passport number, a
National Insurance number, a phone number spelled in Welsh or in a mix of digits, words and
look-alike letters, and a member of staff's health or home.

Split from :mod:`personal_data` so each module stays readable; ``PersonalDataDetector`` calls
:func:`record_hits` once per comment and adds what it yields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["mixed_phone", "ni_number", "record_hits"]

# a current-style UK registration ("BV71 KRT"): how a car, and so a person, is traced
_REGISTRATION = re.compile(r"\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b")
# the number itself: eight or nine capitals and digits, at least one digit
_PASSPORT = re.compile(r"\b(?i:passport)\s+(?i:number|no\.?|num|#)\D{0,40}\b(?=[A-Z]*\d)[A-Z0-9]{8,9}\b")
# a National Insurance number ("QQ 12 34 56 C"), named as one just before: batch numbers, invoices
# and stock codes share the shape
_NI_NUMBER = re.compile(r"\b[A-Z]{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{2}[\s-]?[A-D]\b", re.IGNORECASE)
_NI_NAMED = re.compile(r"\b(?:national insurance|n\.?i\.?(?: number| no\.?|:)|nino)\b", re.IGNORECASE)
_CODE_BEFORE = re.compile(r"\b(?:code|ref|reference|voucher|promo|booking|order|ticket|receipt)"
                          r"(?:\s+(?:is|number|no\.?|num))?\W{0,3}$",
                          re.IGNORECASE)
# a number spelled out in Welsh: ten or more digit words starting with "dim" (nought)
_WELSH_DIGIT = r"(?:dim|un|dau|dwy|tri|tair|pedwar|pedair|pump|chwech|saith|wyth|naw)"
# (not counting from nought in a Welsh lesson: "dim, un, dau, tri...")
_WELSH_SPOKEN = re.compile(rf"\bdim(?![\s,.-]+un[\s,.-]+dau)(?:[\s,.-]+{_WELSH_DIGIT}){{9,}}\b",
                           re.IGNORECASE)
# a phone number written with digit words, "double"s, O for nought or I for one, run together or
# split by stars ("0seven700 nine00 4two6", "O77OO 9OO 33I", "07*700*900*613"): the tokens are
# read as digits and the whole must be a UK number of ten or eleven digits starting with 0
_DIGIT_WORDS = {"zero": "0", "oh": "0", "nought": "0", "one": "1", "two": "2", "three": "3",
                "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_TOKEN = r"(?:[0-9OoI][0-9OoIl]*|zero|oh|nought|one|two|three|four|five|six|seven|eight|nine|" \
         r"double|triple|treble)"
_MIXED_PHONE = re.compile(
    rf"(?<![\w.£$]){_TOKEN}(?:(?:[ \t,*.\-/]+|[ \t,]+then[ \t,]+)?{_TOKEN}){{2,}}(?!\w)",
    re.IGNORECASE)
_TOKENS = re.compile(_TOKEN, re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"[\d \t\-.()]+")
_ANY_DIGIT = re.compile(r"\d")
_STAFF = r"\b(?:Mr|Mrs|Miss|Ms|Dr|Sir)\.?\s+[A-Z][a-z]+\b"
# a member of staff's illness or treatment ("Mr Bowen has had cancer treatment this year")
_STAFF_HEALTH = re.compile(
    _STAFF + r"[^.!?\n]{0,60}?\b(?:(?:has|had|got|'s got|is|was|'s|been|off with|diagnosed with|"
    r"suffering (?:from|with)|battling|fighting|treated for|having|going through|yn) "
    r"(?:(?!talk|talking|lesson|assembly|session|workshop|about|on|for)\w+ ){0,3}?|on (?=ward))"
    r"(?:cancer|chemo\w*|miscarriage|(?:nervous )?breakdown|depression|rehab|sectioned|ivf|"
    r"dementia|terminal(?:ly ill)?|ward \d+|feichiog|pregnant)\b"
    r"(?! (?:research|awareness|charity|appeal|fund\w*|talk|walk|run|support group|day|week))")
_KIND_WORDS = re.compile(r"congrat\w*|lovely news|best wishes|wonderful news|so happy for",
                         re.IGNORECASE)
# where a member of staff lives, placed for anyone to find
_STAFF_HOME = re.compile(
    _STAFF + r"[^.!?\n]{0,50}?\b(?:lives?|living)\s+(?:next door to|opposite|across (?:the road )?"
    r"from|round the corner from|two doors (?:down|up) from|at number \d+|above the|behind the)\b")


def _mixed_phone_digits(run: str) -> str:
    """The digits a run of phone tokens spells ("seven double 0" -> "700")."""
    out: list[str] = []
    repeat = 1
    for tok in _TOKENS.findall(run):
        low = tok.lower()
        if low in ("double", "triple", "treble"):
            repeat = 2 if low == "double" else 3
            continue
        digits = _DIGIT_WORDS.get(low) or low.replace("o", "0").replace("i", "1").replace("l", "1")
        out.append(digits[0] * repeat + digits[1:])
        repeat = 1
    return "".join(out)


def mixed_phone(raw: str) -> tuple[int, int] | None:
    """The span of a phone number written in a mix of digits, words and look-alike letters.

    Read on the text as written: the matching view folds O to o and 7 to t."""
    if not _ANY_DIGIT.search(raw):
        return None
    for m in _MIXED_PHONE.finditer(raw):
        run = m.group()
        if _PLAIN_NUMBER.fullmatch(run) or run.count(",") > 2 or run.lower().count("then") > 1:
            continue  # plain digits (``personal_data`` reads those), or a list ("sizes 07, 08, 09")
        digits = _mixed_phone_digits(run)
        if len(digits) in (10, 11) and digits[0] == "0" and digits[1] in "1237":
            return m.span()
    return None


def ni_number(raw: str) -> tuple[int, int] | None:
    """The span of a National Insurance number named as one in the 60 characters before it.

    Read on the text as written: the matching view folds the digits of "QQ123456C"."""
    for m in _NI_NUMBER.finditer(raw):
        if _NI_NAMED.search(raw, max(0, m.start() - 60), m.start()):
            return m.span()
    return None


def record_hits(raw: str) -> Iterator[tuple[str, float, int, int]]:
    """(rule id, score, start, end) for each kind of this module found in ``raw``."""
    for m in _REGISTRATION.finditer(raw):
        if not _CODE_BEFORE.search(raw, max(0, m.start() - 16), m.start()):
            yield "pd.vehicle_registration", 0.85, m.start(), m.end()
            break
    for m in _PASSPORT.finditer(raw):
        yield "pd.passport", 0.9, m.start(), m.end()
        break
    for m in _WELSH_SPOKEN.finditer(raw):
        yield "pd.phone_words", 0.85, m.start(), m.end()
        break
    for m in _STAFF_HEALTH.finditer(raw):
        if m.group().lower().endswith(("pregnant", "feichiog")) and _KIND_WORDS.search(raw):
            continue  # good wishes on the staff's own news
        yield "pd.staff_health", 0.85, m.start(), m.end()
        break
    for m in _STAFF_HOME.finditer(raw):
        yield "pd.staff_home", 0.85, m.start(), m.end()
        break
