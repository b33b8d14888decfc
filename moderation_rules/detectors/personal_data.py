"""Personal data in the RAW text: phone numbers, e-mails, postcodes, addresses, dates of birth,
children named with their class, health details of a named child, personal social handles,
bank details to send money to (and the kinds of :mod:`personal_records`).

These read the raw text because the matching view folds digits and '@' into letters.  A contact
the academy itself publishes (``allow_contacts``) never counts, nor do role mailboxes
(office@, newsdesk@) or a journalist's or advertiser's own work contact, which other rules
label press or spam.
"""

from __future__ import annotations

import re
from typing import Iterable

from moderation_rules.detectors.base import Context
from moderation_rules.detectors.personal_records import mixed_phone, ni_number, record_hits
from moderation_rules.detectors.personal_views import cased_view

__all__ = ["PersonalDataDetector", "canonical_contact"]

_LABEL = "personal_data"
_ANY_DIGIT = re.compile(r"\d")
_ANY_UPPER = re.compile(r"[A-Z]")
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)44\s?\(?0?\)?\s?|0)(?:7\d{3}[\s-]?\d{3}[\s-]?\d{3}"
    r"|[1-3]\d{1,4}[\s-]?\d{3,4}[\s-]?\d{3,4}|1\d{3,4}[\s-]?\d{5,6})(?!\d)"
)
# a number with another country's code ("+852 9123 4567", "+380 67 123 4567")
_ABROAD_PHONE = re.compile(
    r"(?<![\d+])\+(?!44)\d{1,3}[\s-]?\(?\d{1,4}\)?(?:[\s-]?\d{2,4}){2,4}(?!\d)")
# The same digits split up to dodge a filter ("01443 4 3 5 8 9 1", "029.2018.0447"): 01, 02,
# 03 or 07 and eight or nine more digits in three or more groups apart by spaces, dots or dashes;
# not a row of decimals ("0.5 0.6 0.7") or of scores ("0-1 2-3 1-0").
_PHONE_SPLIT = re.compile(
    r"(?<![\d+.])0[ .\-]{0,3}[1237](?:[ .\-]{0,3}\d){8,9}(?![ .\-]{0,3}\d)")
_SPLIT_GROUPS = re.compile(r"\d+")
_DECIMAL = re.compile(r"(?<![\d.\-])\d+[.\-]\d+(?![\d.\-])")
# A number the sentence calls the school's or an office's line ("the attendance line",
# "ring reception on"), unless it is also called someone's own ("her mobile is").
_BUSINESS_LINE = re.compile(r"studio|office|switchboard|reception|school|helpline|(?<!land)line is|website")
_SCHOOL_LINE = re.compile(
    r"\b(?:attendance|absence|office|reception|switchboard|main|school|academy|admissions|"
    r"enquiries|finance|helpline|help) (?:line|number|phone|desk)\b|\bthe right number\b"
    r"|\b(?:school|academy|college)'?s (?:own )?(?:\w+ ){0,2}(?:email|e-mail|number|phone|contacts?)\b")
_PERSONAL_LINE = re.compile(
    r"\b(?:his|her|their|my|mum'?s|dad'?s|home|mobile|personal|private) (?:number|mobile|"
    r"phone|digits|landline)\b|\b(?:contact|ring|call|text|message|whatsapp) me (?:directly|direct|"
    r"personally|instead|on)\b")
_SELF_NAMED = re.compile(r"\b(?:i'?m|i am|my name is|my name's|this is|it's)\s+$", re.IGNORECASE)
# a sentence whose speaker is the subject: "I'm a TA living in Mill Hill"
_SELF_SENTENCE = re.compile(r"\b(?:i'?m|i am|im|i live|i've lived|we live|we've lived)\b",
                            re.IGNORECASE)
_SELF_SUBJECT = re.compile(r"\b(?:i|we|i'?ve|we'?ve)\s+(?:\w+\s+)?$", re.IGNORECASE)
# A phone number spelled out in words ("zero seven seven zero ..."): ten or more digit words.
_DIGIT_WORD = r"(?:zero|oh|nought|one|two|three|four|five|six|seven|eight|nine|double|triple|treble)"
_SPOKEN_NUMBER = re.compile(
    rf"\b(?:zero|oh|nought)[\s,.-]+(?:seven|one|two|three)(?:[\s,.-]+{_DIGIT_WORD}){{8,}}\b")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_POSTCODE = re.compile(r"\b[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s?\d[ABD-HJLNP-UW-Z]{2}\b")
_STREET = (
    r"(?:Road|Rd|Street|St|Lane|Ln|Drive|Dr|Close|Avenue|Ave|Way|Row|View|Crescent|Cres|Court|"
    r"Ct|Grove|Place|Pl|Gardens|Gdns|Terrace|Walk|Rise|Mews|Square|Green|Vale|Fold|Croft|"
    r"Meadows?|Chase|Parade|Hill|Park|Estate)"
)
_PLACE = r"(?:[A-Z][a-z'’]+\s+){1,3}" + _STREET + r"\b"
_HOUSE = re.compile(r"\b\d{1,4}[A-Za-z]?,?\s+" + _PLACE)
# the same typed in lower case ("18 penrose terrace"), with the street words no phrase ends in
_HOUSE_LOWER = re.compile(
    r"(?<!the )(?<!a )(?<!no )(?<!of )(?<!year )(?<!yr )\b\d{1,3}[a-z]?,?\s+(?!(?:\S+\s+)?(?:the|bus|cycle|fast|"
    r"slow|inside|outside|middle|left|right|way|more|new|old|minutes?|hours?|mins?|days?|weeks?|"
    r"years?|miles?|families|kids|children|pupils|people|cars)\b)(?:[a-z'’]{3,}\s+){1,2}"
    r"(?:road|street|lane|close|avenue|crescent|terrace|gardens|grove|mews)\b")
# bank details to send money to: a sort code with an account number
_BANK = re.compile(r"\bsort ?code\b[\s:,-]{0,3}\d{2}[\s-]?\d{2}[\s-]?\d{2}\b[^.\n]{0,30}?"
                   r"\b\d{8}\b", re.IGNORECASE)
_RESIDENCE = re.compile(
    r"\b(?:lives?|living|stays?|staying|mum'?s|mam'?s|dad'?s|house'?s?|home)\b[^.!?\n]{0,40}?\b"
    r"(?:at|on|in|off)\s+" + _PLACE
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
_DOB = re.compile(
    r"\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?|birthday(?: is)?)\b[\s:,-]{0,3}(?:is\s+)?"
    r"(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?(?:[\s/.-]+(?:of\s+)?(?:\d{1,2}|" + _MONTH + r"))"
    r"(?:[\s/.,-]+\d{2,4})?",
    re.IGNORECASE,
)
_NAME_WORD = r"(?:O'|Mc|Mac)?[A-Z][a-z]+(?:[-'’][A-Z][a-z]+)?"
# a lookahead, so "Our Gethin Davies" yields "Gethin Davies" as well as "Our Gethin"
_FULL_NAME = re.compile(rf"\b(?=({_NAME_WORD})[ \t]+({_NAME_WORD})\b)")
_LOWER_NAME_CLASS = re.compile(r"\b([a-z]{3,})\s+([a-z]{3,})\s+(?:in\s+|from\s+|\()?\d{1,2}[A-Z]\b")
_FULL_NAME_IS = re.compile(r"\b(?:full|real|proper) name(?:'s| is)\s+[A-Za-z]+\s+[A-Za-z]+", re.I)
_CLASS_CODE = re.compile(r"\b(?:[1-9]|1[0-3])[A-Z]{1,2}\b")
# Scottish and Northern Irish years ("S4", "P6"), read only right next to the name
_YEAR_AFTER = re.compile(r"[\s,]{0,2}(?:in\s+|\(|,\s*)?[SP][1-7]\b")
_YEAR_BEFORE = re.compile(r"\b[SP][1-7]\s+(?:(?:boy|girl|pupil|lad|lass|kid|wean)s?\s+)?$")
_CLASS = re.compile(
    r"\b(?:in\s+)?(?:year|yr|y)\s?\d{1,2}\b|\breception class\b|\bin reception\b"
    r"|\baged?\s+\d{1,2}\b|\b\d{1,2}\s?(?:yo|yrs? old|years? old|oed)\b|\b[bm]lwyddyn\s?\d{1,2}\b"
    r"|[a-z],\s*(?:[4-9]|1[0-8])\s*(?:,|\)|$)"
    r"|\b(?:Mr|Mrs|Miss|Ms)\.?\s+[A-Z][a-z]+'s class\b|\b(?:my|our|her|his)\s+\w+'?s? class\b",
    re.IGNORECASE,
)
_HEALTH = re.compile(
    r"\b(?:allerg\w*|epipen|asthma|inhaler|diabet\w*|epilep\w*|seizures?|adhd|autis\w*|asd|"
    r"ehcp|sen|send|dyslexi\w*|anorexi\w*|bulimi\w*|eating disorder|cancer|leukaemia|"
    r"conjunctivitis|nits|head lice|depress\w*|anxiety|self[- ]harm\w*|medication|"
    r"diagnos\w*|down'?s syndrome|cerebral palsy|wheelchair|hearing aid|therapy|treatment|"
    r"non[- ]?verbal|(?:global )?developmental delay|semh|toilet trained|awtistiaeth|awtistig|"
    r"dyslecsia|sbectrwm)\b",
    re.IGNORECASE,
)
_HANDLE = re.compile(
    r"\b(?:his|her|their|hers|(?!(?:school|academy|college|club|pta|trust|page|council|team|"
    r"department|dept|library|federation)'s)[a-z]+'s|(?!(?:this|is|was|has|does|yes|us|as|its|plus|always|"
    r"across|unless|less|miss|pass|class|cross)\b)[a-z]+s)\s+(?:(?:personal|private|own|real|secret|new|other|main|spam)\s+)?"
    r"(?:insta(?:gram)?|ig|snap(?:chat)?|sc|tik\s?tok|"
    r"fb|facebook|twitter|x)\b(?:\s+(?:handle|account|name|username|is|page))*\s*(?:is|:|=|-)?\s*"
    r"@?[A-Za-z0-9_.]{3,}",
    re.IGNORECASE,
)
# every _HANDLE match names a platform: a cheap first look before the costly search
_PLATFORM_NAMED = re.compile(
    r"\b(?:insta(?:gram)?|ig|snap(?:chat)?|sc|tik\s?tok|fb|facebook|twitter|x)\b", re.IGNORECASE)
# a member of staff's own account named with its handle ("Miss Morgan's on TikTok as @rhi_m")
_STAFF_HANDLE = re.compile(
    r"\b(?:Mr|Mrs|Miss|Ms|Dr|Sir)\.?\s+[A-Z][a-z]+(?:'s|\s+is)\s+on\s+(?:insta(?:gram)?|tik\s?tok|"
    r"snap(?:chat)?|facebook|twitter|x|onlyfans|threads)\s+(?:as\s+)?@[A-Za-z0-9_.]{3,}",
    re.IGNORECASE)
_FIND_THEM = re.compile(
    r"\b(?:go|everyone|pls|please)?\s*(?:find|look up|add|message|dm|spam)\s+(?:him|her|them)\s+"
    r"(?:on|at)\s+(?:fb|facebook|insta(?:gram)?|snap(?:chat)?|tiktok|whatsapp)\b",
    re.IGNORECASE,
)
_STAFF_FAMILY = re.compile(
    r"\b(?:Mr|Mrs|Miss|Ms|Dr)\.?\s+[A-Z][a-z]+(?:'s|s')\s+(?:wife|husband|partner|son|daughter|"
    r"kids?|children|girlfriend|boyfriend|mum|dad|mother|father)\b(?:\s+is)?,?\s+" + _NAME_WORD
)
_TITLES = frozenset({"Mr", "Mrs", "Miss", "Ms", "Dr", "Sir", "Madam", "Mx", "Prof"})
_NOT_FIRST = frozenset(
    "The A An My Our Your His Her Their This That These Those Year Class Form Mr Mrs Miss Ms Dr "
    "Sir Dear Hi Hello Hey Thanks Thank Well Good Happy Merry Lovely Great Big Little Old New "
    "North South East West Black White British English Eid Pride Christmas Easter Monday Tuesday "
    "Wednesday Thursday Friday Saturday Sunday January February March April May June July "
    "August September October November December Head Reception Nursery Science Maths Sports "
    "Sport Parents School Academy Primary Trust Team Club Bank Mock Mocks Free Vote Follow Love "
    "Congratulations Congrats Found Can Could Would Please Is Are Do Does Did Has Have Why What "
    "When Where Who How And But So If Just Not No Yes Lol Omg Absolute Absolutely Very Best "
    "Anti Radio Channel Spotted Dick Holy Jesus Bloody Kind Huge Massive Shout Same Another "
    "Cheap Real Sign Share Need Want Get Got Let Lets Let's Went Gorgeous Nice Fair Local "
    "Higher Advanced National Wales Scotland England Ireland Police Ty Ysgol Heol Maes Cwm "
    "Llan".split()
)
_NOT_LAST = frozenset(
    "Term Fair Holiday Holidays Show Concert Club Day Days Week Month Trip Evening Party Team "
    "Fete Camp School Academy Trust Road Street Lane Avenue Drive Close Way Row View Council "
    "History Gazette Echo Chronicle Courier Daily News Radio Times Post Mail Advertiser Herald "
    "Star Express Press Office Centre Hall Museum Park Station Line Board Service Services "
    "Committee Group Unit Dept Department Channel Panto Fund Appeal Awards Award Cup League "
    "Wednesday Thursday Friday Saturday Sunday Monday Tuesday Morning Night Break Lunch "
    # places: "the trip to Clitheroe Castle", "the crossing on Audley Range"
    "Castle Range St Rd Brow Land Abbey Bay Gate Bridge Cross Market Square Crescent Place "
    "Gardens Terrace Mount Moor Wood Woods Forest Beach Pier Tower Palace Cathedral Church "
    "Chapel Mosque Synagogue Temple Library Stadium Arena Theatre Cinema Zoo World Farm Valley "
    "Dale Field Fields Common Heath End Lake Lakes River Canal Quay Wharf Dock Harbour Airport "
    "Hospital Surgery Clinic Pool Court Grove Rise Mews Walk Vale Estate Parade Chase Croft "
    "Green Hill Park Town City Village Police Today Live Online Gaelic Welsh Irish French "
    "Spanish German Learners Higher Highers Advanced Nat National Nationals Education House "
    "Support Provision Society Association Foundation Festival".split()
)
# two-word places that read like a first name and a surname ("moving from Hong Kong to Year 5")
_PLACES = frozenset(tuple(pair.split()) for pair in (
    "Hong Kong", "Milton Keynes", "Sri Lanka", "Costa Rica", "Puerto Rico", "Sierra Leone",
    "Saudi Arabia", "Abu Dhabi", "Tel Aviv", "Kuala Lumpur", "Buenos Aires", "Los Angeles",
    "Las Vegas", "San Francisco", "San Diego", "Cape Verde", "Burkina Faso", "El Salvador",
    "Addis Ababa", "Santa Cruz", "Saint Lucia"))
_STOP = frozenset(
    "the and for with from this that have has had was were are you your our his her their she "
    "him them they who what when where which why how its it's not but all any can could would "
    "should will just been being into onto over under some more most very also then than there "
    "here about after before year form class mrs miss sir lad boy girl kid kids son daughter "
    "called name named guy man woman teacher mate mates friend".split()
)


def canonical_contact(value: str) -> str:
    """A comparable key for a phone number, e-mail address or postcode."""
    v = value.strip().lower()
    if "@" in v:
        return v
    digits = re.sub(r"\D", "", v)
    if len(digits) >= 9 and not re.search(r"[a-z]", v):
        if digits.startswith("44"):
            digits = "0" + digits[2:]
        if digits.startswith("00"):
            digits = digits[1:]
        return digits
    return re.sub(r"\s+", "", v)


_ROLE_MAILBOX = re.compile(
    r"^(?:office|admin|enquir\w*|info|contact|newsdesk|news|press|media|hello|reception|head|"
    r"headteacher|support|sales|bookings?|absences?|attendance|finance|team|studio|"
    r"safeguarding|governors?|clerk|pta|hr|jobs|careers)(?:[._-]\w+)?$"
)
_PUBLIC_DOMAINS = (".sch.uk", ".gov.uk", ".ac.uk", ".nhs.uk", ".police.uk", ".org.uk")


def _work_contact(ctx: Context) -> bool:
    """A journalist's or an advertiser's own contact is not a private person's."""
    return ctx.score("press") >= 0.5 or ctx.score("spam") >= 0.5


class PersonalDataDetector:
    """Raw-text detectors of personal data; run after the packs so context is known."""

    def __init__(self, allow_contacts: Iterable[str] = ()) -> None:
        self._allowed = frozenset(canonical_contact(c) for c in allow_contacts if c.strip())
        self._allowed_text = tuple(c.strip().lower() for c in allow_contacts if c.strip())

    def _is_own(self, value: str) -> bool:
        key = canonical_contact(value)
        return key in self._allowed or any(a and a in value.lower() for a in self._allowed_text
                                          if len(a) >= 8)

    def __call__(self, ctx: Context) -> None:
        self._detect_all(ctx)
        mixed = mixed_phone(ctx.text)  # as written: folding would turn "O77OO" into "ottoo"
        if mixed is not None and not self._is_own(ctx.text[mixed[0] : mixed[1]]):
            ctx.add("pd.phone_mixed", _LABEL, "P-PERSONAL", 0.3 if _work_contact(ctx) else 0.85,
                    *mixed)
        insurance = ni_number(ctx.text)
        if insurance is not None:
            ctx.add("pd.ni_number", _LABEL, "P-PERSONAL", 0.9, *insurance)
        if self._allowed and ctx.only_models_say(_LABEL) and self._mentions_own(ctx.text):
            # the academy's own published contacts are what a model took for personal data
            ctx.caps["personal_data"] = min(ctx.caps.get("personal_data", 1.0), 0.45)

    def _mentions_own(self, raw: str) -> bool:
        return any(self._is_own(m.group())
                   for rx in (_PHONE, _EMAIL, _POSTCODE) for m in rx.finditer(raw))

    def _detect_all(self, ctx: Context) -> None:
        norm = ctx.norm
        if norm.text == ctx.text.lower():  # nothing was folded: read the raw text
            self._detect(ctx)
            return
        view, starts, ends = cased_view(ctx.text, norm)
        # run on the cased view, then map the new hits back to the original text
        sub = Context(text=view, platform=ctx.platform, norm=ctx.norm, hits=list(ctx.hits),
                      caps=ctx.caps)
        self._detect(sub)
        n = len(view)
        for h in sub.hits[len(ctx.hits):]:
            start = starts[h.start] if h.start < n else len(ctx.text)
            end = ends[h.end - 1] if 0 < h.end <= n else start
            ctx.add(h.rule, h.label, h.clause, h.score, start, end, h.tags, h.key)

    def _detect(self, ctx: Context) -> None:
        raw = ctx.text
        work_contact = _work_contact(ctx)
        contact_score = 0.3 if work_contact else 0.9
        has_digit = _ANY_DIGIT.search(raw) is not None
        if has_digit:
            self._numbers(ctx, contact_score)
        if "@" in raw:
            self._emails(ctx, contact_score)
        for m in _STAFF_HANDLE.finditer(raw):
            ctx.add("pd.social_handle", _LABEL, "P-PERSONAL", 0.9, m.start(), m.end())
            break
        for m in _HANDLE.finditer(raw) if _PLATFORM_NAMED.search(raw) else ():
            ctx.add("pd.social_handle", _LABEL, "P-PERSONAL", 0.9, m.start(), m.end())
            break
        if _ANY_UPPER.search(raw):
            for m in _STAFF_FAMILY.finditer(raw):
                ctx.add("pd.staff_family", _LABEL, "P-PERSONAL", 0.8, m.start(), m.end())
            for m in _RESIDENCE.finditer(raw):
                # "I live on Penistone Road": the author's own street, no house number
                if _SELF_SUBJECT.search(raw, max(0, m.start() - 8), m.start()):
                    continue
                sentence = max(raw.rfind(c, 0, m.start()) for c in ".!?\n") + 1
                if _SELF_SENTENCE.search(raw, sentence, m.start()):
                    continue
                if not self._is_own(m.group()):
                    ctx.add("pd.residence", _LABEL, "P-PERSONAL", 0.85, m.start(), m.end())
                    break
        for m in () if work_contact else _FIND_THEM.finditer(raw):
            ctx.add("pd.find_them", _LABEL, "P-PERSONAL", 0.5, m.start(), m.end())
        for m in _SPOKEN_NUMBER.finditer(ctx.norm.text):
            a, b = ctx.norm.span(m.start(), m.end())
            ctx.add("pd.phone_words", _LABEL, "P-PERSONAL", 0.85, a, b)
            break
        for m in _FULL_NAME_IS.finditer(raw):
            ctx.add("pd.full_name", _LABEL, "P-OTHER-CHILDREN", 0.9, m.start(), m.end())
        for rule, score, start, end in record_hits(raw):
            if not self._is_own(raw[start:end]):
                ctx.add(rule, _LABEL, "P-PERSONAL", score, start, end)
        self._named_child(ctx, has_digit)

    def _numbers(self, ctx: Context, contact_score: float) -> None:
        """Phone numbers, postcodes, house-number addresses and dates of birth."""
        raw = ctx.text
        phones = list(_PHONE.finditer(raw))
        phones += [m for m in _ABROAD_PHONE.finditer(raw)
                   if sum(c.isdigit() for c in m.group()) >= 9]
        if not phones:
            phones = [m for m in _PHONE_SPLIT.finditer(raw)
                      if len(_SPLIT_GROUPS.findall(m.group())) >= 3
                      and len(_DECIMAL.findall(m.group())) < 2]
        for m in phones:
            if self._is_own(m.group()):
                continue
            before = raw[max(0, m.start() - 30) : m.start()].lower()
            around = raw[max(0, m.start() - 120) : m.end() + 60].lower()
            business = (_BUSINESS_LINE.search(before) or _SCHOOL_LINE.search(around)) \
                and not _PERSONAL_LINE.search(around)
            ctx.add("pd.phone", _LABEL, "P-PERSONAL", 0.3 if business else contact_score,
                    m.start(), m.end())
        for m in _POSTCODE.finditer(raw):
            if not self._is_own(m.group()):
                ctx.add("pd.postcode", _LABEL, "P-PERSONAL", 0.85, m.start(), m.end())
        for m in _HOUSE.finditer(raw):
            if not self._is_own(m.group()):
                ctx.add("pd.address", _LABEL, "P-PERSONAL", 0.92, m.start(), m.end())
                break
        for m in _HOUSE_LOWER.finditer(raw):
            if not self._is_own(m.group()):
                ctx.add("pd.address", _LABEL, "P-PERSONAL", 0.9, m.start(), m.end())
                break
        for m in _BANK.finditer(raw):
            ctx.add("pd.bank_details", _LABEL, "P-PERSONAL", contact_score, m.start(), m.end())
        for m in _DOB.finditer(raw):
            ctx.add("pd.date_of_birth", _LABEL, "P-PERSONAL", 0.9, m.start(), m.end())

    def _emails(self, ctx: Context, contact_score: float) -> None:
        """Personal e-mail addresses (not role mailboxes, public bodies or our own)."""
        raw = ctx.text
        for m in _EMAIL.finditer(raw):
            addr = m.group().lower().rstrip(".")
            local, _, domain = addr.partition("@")
            if self._is_own(addr) or domain.endswith(_PUBLIC_DOMAINS) or _ROLE_MAILBOX.match(local):
                continue
            around = raw[max(0, m.start() - 120) : m.end() + 60].lower()
            school = _SCHOOL_LINE.search(around) and not _PERSONAL_LINE.search(around)
            ctx.add("pd.email", _LABEL, "P-PERSONAL", 0.3 if school else contact_score,
                    m.start(), m.end())

    def _named_child(self, ctx: Context, has_digit: bool) -> None:
        """A full name near a class, year or age, or next to a health/SEN detail."""
        raw = ctx.text
        if has_digit:
            for m in _LOWER_NAME_CLASS.finditer(raw):
                if m.group(1) not in _STOP and m.group(2) not in _STOP:
                    ctx.add("pd.child_name_class", _LABEL, "P-OTHER-CHILDREN", 0.9,
                            m.start(), m.end())
        names = []
        for m in _FULL_NAME.finditer(raw):
            first, last = m.group(1), m.group(2)
            if names and m.start(1) < names[-1].end(2):
                continue  # inside the name before it ("Mia Grace Gallagher")
            if first in _NOT_FIRST or last in _NOT_LAST or last in _NOT_FIRST:
                continue
            before = raw[max(0, m.start(1) - 6) : m.start(1)].strip().rstrip(".")
            if before.split()[-1:] and before.split()[-1] in _TITLES:
                continue
            if (first, last) in _PLACES:
                continue
            after = raw[m.end(2) : m.end(2) + 45]
            if before.split()[-1:] == ["at"] and not (_CLASS.search(after)
                                                      or _CLASS_CODE.search(after)):
                continue  # "swimming for Year 8 at John Orwell": a school or a place
            if _SELF_NAMED.search(raw, max(0, m.start(1) - 14), m.start(1)):
                continue  # "Hi, I'm Laura Jessop": the writer's own name
            names.append(m)
        for m in names:
            window = raw[max(0, m.start(1) - 40) : m.end(2) + 45]
            cls = (_CLASS_CODE.search(window) or _CLASS.search(window)
                   or _YEAR_AFTER.match(raw, m.end(2))
                   or _YEAR_BEFORE.search(raw[max(0, m.start(1) - 12) : m.start(1)]))
            if cls:
                ctx.add("pd.child_name_class", _LABEL, "P-OTHER-CHILDREN", 0.9, m.start(1), m.end(2))
                break
        for m in names:
            if _HEALTH.search(raw):
                ctx.add("pd.named_health", _LABEL, "P-OTHER-CHILDREN", 0.85, m.start(1), m.end(2))
                break
