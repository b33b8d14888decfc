"""The default decision table of DESIGN §3, the thresholds and the account's mode."""

from __future__ import annotations

import pytest

from bot.decide import decide
from bot.domain import ActionKind
from bot.settings import ModerationSettings
from moderation_rules.types import Assessment

DEFAULT = ModerationSettings()


def a(label: str, score: float = 0.95, **kw: object) -> Assessment:
    """An assessment with one label at ``score``."""
    return Assessment(label=label, scores={label: score}, **kw)  # type: ignore[arg-type]


class TestOutcomes:
    @pytest.mark.parametrize("label", ["hate", "sexual", "abuse", "spam", "profanity",
                                       "safeguarding"])
    def test_harm_is_hidden_and_explained(self, label: str) -> None:
        """A clear harmful label is hidden, with an explanation, in enforce mode."""
        d = decide(a(label), DEFAULT, "enforce")
        assert d.outcome == "hide" and d.effects == (ActionKind.HIDE,) and d.explain

    def test_personal_data_is_deleted_by_default(self) -> None:
        """Personal data is deleted (a hidden Facebook comment stays visible to friends)."""
        assert decide(a("personal_data"), DEFAULT).effects == (ActionKind.DELETE,)

    def test_personal_data_can_be_hidden_instead(self) -> None:
        """A school may choose hide instead of delete for personal data."""
        mod = ModerationSettings(personal_data="hide")
        assert decide(a("personal_data"), mod).effects == (ActionKind.HIDE,)

    @pytest.mark.parametrize(("other", "profanity", "outcome"), [
        ("abuse", "hide", "hide"), ("complaint", "hide", "review"),
        ("profanity", "hide", "hide"), ("profanity", "keep", "review")])
    def test_possible_safeguarding_on_a_comment_hidden_anyway(
            self, other: str, profanity: str, outcome: str) -> None:
        """A borderline safeguarding concern stays the label (the DSL is alerted) and the
        comment is hidden where another harmful label reaches the hide threshold."""
        assessment = Assessment(label="safeguarding", scores={"safeguarding": 0.6, other: 0.9})
        d = decide(assessment, ModerationSettings(profanity=profanity), "enforce")
        assert (d.label, d.outcome) == ("safeguarding", outcome)
        assert d.alerts[0] == "dsl"
        assert ("monitors" in d.alerts) == (outcome == "hide")  # hidden for another label

    def test_kept_swearing_does_not_hide_a_review_level_harm(self) -> None:
        """Where the academy keeps profanity, a review-level label it outranked decides."""
        assessment = Assessment(label="profanity", scores={"hate": 0.6, "profanity": 0.9})
        d = decide(assessment, ModerationSettings(profanity="keep"), "enforce")
        assert (d.label, d.outcome) == ("hate", "review") and "monitors" in d.alerts
        assert decide(assessment, DEFAULT, "enforce").outcome == "hide"

    def test_personal_data_hidden_with_a_safeguarding_concern_is_still_deleted(self) -> None:
        assessment = Assessment(label="safeguarding",
                                scores={"safeguarding": 0.6, "personal_data": 0.9})
        assert decide(assessment, DEFAULT, "enforce").effects == (ActionKind.DELETE,)

    def test_borderline_score_goes_to_review(self) -> None:
        """A score between the thresholds keeps the item visible and alerts the monitors."""
        d = decide(a("abuse", 0.6), DEFAULT)
        assert d.outcome == "review" and d.effects == () and "monitors" in d.alerts

    @pytest.mark.parametrize("label", ["complaint", "query", "press"])
    def test_keep_labels_get_a_ticket(self, label: str) -> None:
        """Complaints, queries and press enquiries are kept and need a response."""
        d = decide(a(label, 0.9), DEFAULT)
        assert d.outcome == "keep" and d.needs_response and d.effects == ()

    def test_press_alerts_the_headteacher(self) -> None:
        """A press enquiry goes to the press lead (the headteacher when none is named)."""
        assert "press_lead" in decide(a("press", 0.9), DEFAULT).alerts

    def test_other_needs_no_ticket_unless_configured(self) -> None:
        """Praise gets no ticket unless the academy counts all comments."""
        assert not decide(a("other", 0.9), DEFAULT).needs_response
        assert decide(a("other", 0.9), ModerationSettings(ticket_all_comments=True)).needs_response

    def test_profanity_can_be_kept(self) -> None:
        """An academy may keep swearing that is aimed at no one."""
        d = decide(a("profanity"), ModerationSettings(profanity="keep"))
        assert d.outcome == "keep" and d.effects == ()

    def test_attachment_sends_to_review(self) -> None:
        """A comment with an image is never fetched; a person must look at it."""
        d = decide(a("other", 0.9), DEFAULT, has_attachments=True)
        assert d.outcome == "review" and "monitors" in d.alerts

    def test_unknown_language_is_review_with_ticket(self) -> None:
        """Text the rules cannot read is reviewed and gets a ticket, never silently 'other'."""
        d = decide(a("other", 0.0, review_reasons=("unknown_language",)), DEFAULT)
        assert d.outcome == "review" and d.needs_response


class TestSafeguarding:
    def test_dsl_is_alerted(self) -> None:
        """A safeguarding concern goes to the DSL."""
        assert decide(a("safeguarding"), DEFAULT).alerts[0] == "dsl"

    def test_borderline_safeguarding_still_reaches_dsl(self) -> None:
        """Recall first: even a borderline safeguarding score alerts the DSL."""
        d = decide(a("safeguarding", 0.55), DEFAULT)
        assert d.outcome == "review" and "dsl" in d.alerts

    def test_staff_allegation_goes_to_head(self) -> None:
        """An allegation that staff harmed a child also goes to the headteacher."""
        d = decide(a("safeguarding", tags=("staff_allegation",)), DEFAULT)
        assert "headteacher" in d.alerts

    def test_allegation_about_head_goes_to_chair(self) -> None:
        """When the allegation is about the headteacher, the chair of governors is told."""
        d = decide(a("safeguarding", tags=("staff_allegation", "about_head")), DEFAULT)
        assert "chair_of_governors" in d.alerts and "headteacher" not in d.alerts


class TestModes:
    @pytest.mark.parametrize("mode", ["shadow", "assist"])
    def test_only_enforce_acts(self, mode: str) -> None:
        """Shadow and assist record the enforce outcome but schedule no platform action."""
        d = decide(a("abuse"), DEFAULT, mode)
        assert d.outcome == "hide" and d.effects == () and not d.explain
