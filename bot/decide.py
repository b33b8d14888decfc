"""Turn an assessment into a decision: the default table of DESIGN §3 plus the account's mode.

Pure functions: no I/O, no clock.  ``outcome`` is what enforce mode would do (hide, review or
keep), whatever the mode, so ``modbot check`` and the calibration report can show it; ``effects``
are the platform actions the mode actually allows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from adapters.base import Capabilities
from bot.domain import HIDE_LABELS, ActionKind, Label
from bot.settings import ModerationSettings
from moderation_rules.types import Assessment

# Who is told, per label (roles resolved against the academy's people by escalation).
_ALERTS: dict[Label, tuple[str, ...]] = {
    Label.SAFEGUARDING: ("dsl",),
    Label.PERSONAL_DATA: ("monitors",),
    Label.HATE: ("monitors",),
    Label.SEXUAL: ("monitors",),
    Label.ABUSE: ("monitors",),
    Label.PRESS: ("press_lead",),  # falls back to the headteacher when none is named
}
_RESPONSE_LABELS = frozenset({Label.PRESS, Label.COMPLAINT, Label.QUERY})
# Harm goes first when a platform rations actions (lower number runs earlier).
PRIORITY: dict[Label, int] = {
    Label.SAFEGUARDING: 0,
    Label.PERSONAL_DATA: 5,
    Label.HATE: 10,
    Label.SEXUAL: 10,
    Label.ABUSE: 15,
    Label.SPAM: 30,
    Label.PROFANITY: 40,
}


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do about one item."""

    label: str
    outcome: str  # "hide" | "review" | "keep" as enforce mode would decide
    effects: tuple[ActionKind, ...]  # what this account's mode will actually do
    alerts: tuple[str, ...]  # roles to alert: dsl, headteacher, chair_of_governors, monitors
    needs_response: bool
    reasons: tuple[str, ...]
    explain: bool  # post an explanation in the thread (enforce mode only)


def _other_hiding_labels(assessment: Assessment, moderation: ModerationSettings) -> list[Label]:
    """The harmful labels other than safeguarding that reach the hide threshold (profanity
    only where the academy hides it)."""
    return [other for other in HIDE_LABELS
            if other is not Label.SAFEGUARDING
            and not (other is Label.PROFANITY and moderation.profanity == "keep")
            and assessment.scores.get(other.value, 0.0) >= moderation.hide_threshold]


def decide(
    assessment: Assessment,
    moderation: ModerationSettings,
    mode: str = "enforce",
    has_attachments: bool = False,
) -> Decision:
    """Apply the academy's thresholds and the account's mode to an assessment."""
    label = Label(assessment.label)
    if label is Label.PROFANITY and moderation.profanity == "keep":
        # swearing this academy keeps: a review-level harm it outranked is the label again
        label = next((other for other in Label
                      if other in HIDE_LABELS and other is not Label.PROFANITY
                      and assessment.scores.get(other.value, 0.0) >= moderation.review_threshold),
                     label)
    score = assessment.scores.get(label.value, 0.0)
    reasons = list(assessment.review_reasons)
    outcome = "keep"
    if label in HIDE_LABELS:
        if label is Label.PROFANITY and moderation.profanity == "keep":
            outcome = "keep"
        elif score >= moderation.hide_threshold or (
                label is Label.SAFEGUARDING and bool(_other_hiding_labels(assessment, moderation))):
            outcome = "hide"  # a possible safeguarding concern on a comment hidden anyway
        elif score >= moderation.review_threshold:
            outcome = "review"
            reasons.append(f"borderline {label.value} score {score:.2f}")
    if has_attachments and outcome != "hide":
        outcome = "review"
        reasons.append("attachment: images and video are never fetched; a person must look")
    if reasons and outcome == "keep":
        outcome = "review"

    alerts: list[str] = []
    if outcome != "keep" or label in (Label.PRESS,):
        alerts.extend(_ALERTS.get(label, ()))
    if label is Label.SAFEGUARDING and "staff_allegation" in assessment.tags:
        alerts.append("chair_of_governors" if "about_head" in assessment.tags else "headteacher")
    if outcome == "review" and "monitors" not in alerts and "dsl" not in alerts:
        alerts.append("monitors")
    hidden_for = _other_hiding_labels(assessment, moderation) if label is Label.SAFEGUARDING \
        and outcome == "hide" and score < moderation.hide_threshold else []
    if hidden_for:
        alerts.append("monitors")  # hidden for another label: the monitors see it as well
    if label is Label.SAFEGUARDING and "dsl" not in alerts:
        alerts.insert(0, "dsl")  # recall first: even a borderline safeguarding score goes to the DSL

    needs_response = outcome != "hide" and (
        label in _RESPONSE_LABELS
        or "unknown_language" in assessment.review_reasons
        or (label is Label.OTHER and moderation.ticket_all_comments)
    )

    effects: tuple[ActionKind, ...] = ()
    explain = False
    if mode == "enforce" and outcome == "hide":
        if moderation.personal_data == "delete" and (
                label is Label.PERSONAL_DATA or Label.PERSONAL_DATA in hidden_for):
            effects = (ActionKind.DELETE,)
        else:
            effects = (ActionKind.HIDE,)
        explain = True
    return Decision(
        label=label.value,
        outcome=outcome,
        effects=effects,
        alerts=tuple(dict.fromkeys(alerts)),
        needs_response=needs_response,
        reasons=tuple(reasons),
        explain=explain,
    )


# Labels whose authors may also be muted (X) or timed out (Discord) when the account opts in.
_SANCTION_LABELS = frozenset({Label.HATE, Label.SEXUAL, Label.ABUSE, Label.SPAM})


def fit_to_platform(
    decision: Decision,
    caps: Capabilities,
    item_kind: str = "comment",
    *,
    mute: bool = False,
    timeout: bool = False,
) -> Decision:
    """Fit a decision's effects to what the platform can do (see :mod:`adapters.capabilities`).

    A platform without hiding (Discord) deletes instead; one without deleting (X) hides
    instead and tells the monitors, since only the platform can remove it; an item the platform
    will not let the account hide (an X mention outside the account's own conversations) stays
    up and goes to the monitors with the reason, so a person reports it on the platform.
    """
    if not decision.effects:
        return decision
    effects: list[ActionKind] = []
    reasons = list(decision.reasons)
    alerts = list(decision.alerts)
    for effect in decision.effects:
        if effect is ActionKind.DELETE and not caps.delete:
            effect = ActionKind.HIDE
            reasons.append("the platform cannot delete other people's posts: hidden instead; "
                           "report it to the platform")
        if effect is ActionKind.HIDE and not caps.hide:
            effect = ActionKind.DELETE if caps.delete else effect
        if effect is ActionKind.HIDE and (not caps.hide or item_kind in caps.unhideable_kinds):
            reasons.append(f"the platform does not let the account hide a {item_kind} here: "
                           "a person must report it on the platform")
            continue
        effects.append(effect)
    if not effects:
        if "monitors" not in alerts and "dsl" not in alerts:
            alerts.append("monitors")
        return replace(decision, effects=(), reasons=tuple(reasons), alerts=tuple(alerts),
                       explain=False)
    label = Label(decision.label)
    if label in _SANCTION_LABELS:
        if mute and caps.mute:
            effects.append(ActionKind.MUTE)
        if timeout and caps.timeout:
            effects.append(ActionKind.TIMEOUT)
    if len(reasons) > len(decision.reasons) and "monitors" not in alerts and "dsl" not in alerts:
        alerts.append("monitors")
    return replace(decision, effects=tuple(dict.fromkeys(effects)), reasons=tuple(reasons),
                   alerts=tuple(alerts))
