"""Personal data kinds: spelled-out phone numbers, a school's own line, the author's own street."""

from __future__ import annotations

import pytest

from moderation_rules.engine import default_engine


@pytest.mark.parametrize("text", [
    "his number is zero seven seven zero zero nine zero zero seven eight one, go on text him",
    "She lives on Penistone Road, go and tell her what you think",
    "Her mobile is 07700 900123, school should ring her",
])
def test_personal_data_is_hidden(rule_outcome, text: str) -> None:
    assert rule_outcome(text) == ("personal_data", "hide")


@pytest.mark.parametrize("text", [
    "Is 01632 960418 still the right number for the attendance line? It just rings out.",
    "Ring reception on 01632 960000 to book",
    "I live on Penistone Road and I'm sick of parents blocking my drive every morning.",
    "I scored one two three four five six seven eight nine ten in the quiz",
])
def test_not_personal_data(rule_outcome, text: str) -> None:
    assert rule_outcome(text)[0] != "personal_data"


def test_spelled_number_evidence_quotes_the_words() -> None:
    text = "ring oh seven seven double one two three four five six seven now"
    a = default_engine().assess(text)
    ev = [e for e in a.evidence if e.rule == "pd.phone_words"]
    assert ev and ev[0].excerpt.startswith("oh seven seven")
