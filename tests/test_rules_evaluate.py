"""Evaluation: metrics computed exactly as eval/README.md defines them."""

from __future__ import annotations

from pathlib import Path

import pytest

from moderation_rules.evaluate import LabelledRow, evaluate, read_labelled_csv, rules_assess_action


def _rows() -> list[LabelledRow]:
    return [
        LabelledRow("1", "facebook", "", "a", "abuse"),
        LabelledRow("2", "facebook", "", "b", "abuse", ("complaint",)),
        LabelledRow("3", "facebook", "", "c", "complaint"),
        LabelledRow("4", "twitter", "", "d", "safeguarding"),
        LabelledRow("5", "twitter", "", "e", "query"),
    ]


_PRED = {
    "a": ("abuse", "hide"),
    "b": ("complaint", "keep"),
    "c": ("abuse", "hide"),
    "d": ("safeguarding", "review"),
    "e": ("query", "keep"),
}


def _fake(text: str, platform: str | None) -> tuple[str, str]:
    return _PRED[text]


def test_metrics_follow_the_readme_definitions() -> None:
    """Accuracy uses acceptable labels; must-hide/keep rows drive the action metrics."""
    m = evaluate(_rows(), _fake)
    assert m["n"] == 5
    assert m["accuracy"] == pytest.approx(4 / 5)
    # must-hide: rows 1 and 4 (row 2 mixes hide and keep labels); only row 1 hidden
    assert m["harmful_recall"] == pytest.approx(1 / 2)
    assert m["flagged_recall"] == pytest.approx(2 / 2)
    # must-keep: rows 3 and 5; row 3 wrongly hidden
    assert m["wrongful_hide_rate"] == pytest.approx(1 / 2)
    assert m["action_accuracy"] == pytest.approx((1 + 1) / 4)
    assert m["safeguarding_recall"] == pytest.approx(1.0)
    assert m["items_per_second"] > 0


def test_per_label_counts_correct_prediction_for_predicted_label() -> None:
    """A correct 'also' prediction is a true positive of the predicted label."""
    m = evaluate(_rows(), _fake)
    pl = m["per_label"]
    # complaint: TP from row 2 (acceptable via also), FN from row 3 -> precision 1, recall 0.5
    assert pl["complaint"]["precision"] == pytest.approx(1.0)
    assert pl["complaint"]["recall"] == pytest.approx(0.5)
    # abuse: TP row 1, FP row 3 -> precision 0.5, recall 1
    assert pl["abuse"]["precision"] == pytest.approx(0.5)
    assert pl["abuse"]["recall"] == pytest.approx(1.0)
    assert pl["abuse"]["support"] == 2
    f1s = [v["f1"] for v in pl.values()]
    assert m["macro_f1"] == pytest.approx(sum(f1s) / len(f1s), abs=1e-3)


def test_only_text_and_platform_reach_the_detector() -> None:
    """The detector is called with the text and platform alone."""
    seen: list[tuple[str, str | None]] = []

    def spy(text: str, platform: str | None) -> tuple[str, str]:
        seen.append((text, platform))
        return "other", "keep"

    evaluate(_rows(), spy)
    assert seen[0] == ("a", "facebook")


def test_read_labelled_csv_parses_also(tmp_path: Path) -> None:
    """The CSV reader splits 'also' on semicolons and keeps text with commas and newlines."""
    f = tmp_path / "x.csv"
    f.write_text('id,platform,context,text,label,also,notes\n'
                 'r1,facebook,post,"hello, world\nline two",complaint,abuse;profanity,n\n',
                 encoding="utf-8")
    rows = read_labelled_csv(f)
    assert rows[0].text == "hello, world\nline two"
    assert rows[0].also == ("abuse", "profanity")
    assert rows[0].acceptable == frozenset({"complaint", "abuse", "profanity"})


def test_rules_on_dev_set_meet_first_targets() -> None:
    """The shipped rules reach the first-version targets on the dev set (a regression guard)."""
    path = Path("/work/shared/eval/school-dev.csv")
    if not path.exists():
        pytest.skip("dev set not available")
    m = evaluate(read_labelled_csv(path), rules_assess_action())
    assert m["macro_f1"] >= 0.85
    assert m["harmful_recall"] >= 0.95
    assert m["wrongful_hide_rate"] <= 0.02
    assert m["safeguarding_recall"] >= 0.96


def test_text_in_another_language_counts_as_review_as_in_the_service() -> None:
    """The engine labels it "other" with a reason to look; the service reviews it, and so
    must the evaluation's flagged count."""
    from moderation_rules.engine import default_engine

    text = "Mano sūnus sako, kad vyresni berniukai autobuse jį muša kiekvieną dieną."
    a = default_engine().assess(text)
    assert a.label == "other" and "unknown_language" in a.review_reasons
    assert rules_assess_action()(text, None) == ("other", "review")
    assert rules_assess_action()("Lovely photos, thank you!", None)[1] == "keep"
