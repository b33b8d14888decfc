"""Score a detector on a labelled CSV exactly as eval/README.md defines the metrics.

Only ``text`` and ``platform`` ever reach the detector; ``label``, ``also`` and ``notes`` are
used for scoring alone.  Run ``python -m moderation_rules.evaluate FILE.csv`` for the shipped
rules with the default thresholds.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from moderation_rules.types import HIDE_LABELS, LABELS

__all__ = ["LabelledRow", "read_labelled_csv", "evaluate", "rules_assess_action", "main"]

AssessAction = Callable[[str, str | None], tuple[str, str]]


@dataclass(frozen=True, slots=True)
class LabelledRow:
    """One row of a labelled CSV (eval/README.md format)."""

    id: str
    platform: str
    context: str
    text: str
    label: str
    also: tuple[str, ...] = ()
    notes: str = ""

    @property
    def acceptable(self) -> frozenset[str]:
        """The primary label plus the equally acceptable ones."""
        return frozenset((self.label, *self.also))


def read_labelled_csv(path: str | Path) -> list[LabelledRow]:
    """Read a labelled CSV (RFC 4180, UTF-8, header row)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = []
        for rec in csv.DictReader(fh):
            also = tuple(a.strip() for a in (rec.get("also") or "").split(";") if a.strip())
            rows.append(
                LabelledRow(
                    id=rec.get("id", ""),
                    platform=rec.get("platform", "") or "",
                    context=rec.get("context", "") or "",
                    text=rec.get("text", "") or "",
                    label=(rec.get("label") or "").strip(),
                    also=also,
                    notes=rec.get("notes", "") or "",
                )
            )
    return rows


def _row(row: LabelledRow | Mapping[str, Any]) -> LabelledRow:
    if isinstance(row, LabelledRow):
        return row
    also = row.get("also") or ()
    if isinstance(also, str):
        also = tuple(a.strip() for a in also.split(";") if a.strip())
    return LabelledRow(str(row.get("id", "")), str(row.get("platform") or ""),
                       str(row.get("context") or ""), str(row.get("text") or ""),
                       str(row.get("label") or ""), tuple(also), str(row.get("notes") or ""))


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def evaluate(rows: Iterable[LabelledRow | Mapping[str, Any]],
             assess_action: AssessAction) -> dict[str, Any]:
    """Compute n, accuracy, macro_f1, per_label and the action metrics of eval/README.md."""
    data = [_row(r) for r in rows]
    predictions: list[tuple[str, str]] = []
    started = time.perf_counter()
    for r in data:
        predictions.append(assess_action(r.text, r.platform or None))
    elapsed = time.perf_counter() - started

    tp: dict[str, int] = {}
    fp: dict[str, int] = {}
    fn: dict[str, int] = {}
    support: dict[str, int] = {}
    correct = 0
    must_hide = hidden = flagged = must_keep = wrongly_hidden = kept_right = 0
    sg_total = sg_hit = 0
    for r, (pred, action) in zip(data, predictions):
        support[r.label] = support.get(r.label, 0) + 1
        ok = pred in r.acceptable
        if ok:
            correct += 1
            tp[pred] = tp.get(pred, 0) + 1
        else:
            fn[r.label] = fn.get(r.label, 0) + 1
            fp[pred] = fp.get(pred, 0) + 1
        if all(lab in HIDE_LABELS for lab in r.acceptable):
            must_hide += 1
            hidden += action == "hide"
            flagged += action in ("hide", "review")
        elif not any(lab in HIDE_LABELS for lab in r.acceptable):
            must_keep += 1
            wrongly_hidden += action == "hide"
            kept_right += action != "hide"
        if r.label == "safeguarding":
            sg_total += 1
            sg_hit += pred == "safeguarding"

    present = [lab for lab in LABELS if lab in support or lab in fp or lab in tp]
    present += sorted(lab for lab in set(support) | set(fp) if lab not in present)
    per_label: dict[str, dict[str, float | int]] = {}
    for lab in present:
        t, p, n = tp.get(lab, 0), fp.get(lab, 0), fn.get(lab, 0)
        precision = t / (t + p) if t + p else 0.0
        recall = t / (t + n) if t + n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[lab] = {"precision": round(precision, 4), "recall": round(recall, 4),
                          "f1": round(f1, 4), "support": support.get(lab, 0)}
    macro = sum(v["f1"] for v in per_label.values()) / len(per_label) if per_label else 0.0
    return {
        "n": len(data),
        "accuracy": _ratio(correct, len(data)),
        "macro_f1": round(macro, 4),
        "per_label": per_label,
        "harmful_recall": _ratio(hidden, must_hide),
        "flagged_recall": _ratio(flagged, must_hide),
        "wrongful_hide_rate": _ratio(wrongly_hidden, must_keep),
        "action_accuracy": _ratio(hidden + kept_right, must_hide + must_keep),
        "safeguarding_recall": _ratio(sg_hit, sg_total),
        "items_per_second": round(len(data) / elapsed, 1) if elapsed > 0 else 0.0,
        "counts": {"must_hide": must_hide, "must_hide_hidden": hidden,
                   "must_hide_flagged": flagged, "must_keep": must_keep,
                   "must_keep_hidden": wrongly_hidden, "safeguarding": sg_total,
                   "safeguarding_found": sg_hit, "correct": correct},
    }


def rules_assess_action(allow_contacts: Iterable[str] = ()) -> AssessAction:
    """The shipped rule engine as an assess_action function with the default thresholds."""
    from moderation_rules.engine import RuleEngine, default_engine
    from moderation_rules.thresholds import action_for

    allow = tuple(allow_contacts)
    engine = RuleEngine(allow_contacts=allow) if allow else default_engine()

    def assess_action(text: str, platform: str | None) -> tuple[str, str]:
        a = engine.assess(text, platform)
        action = action_for(a.label, a.scores)
        # a reason to look whatever the label (another language): review, as the service does
        return a.label, "review" if action == "keep" and a.review_reasons else action

    return assess_action


def main(argv: list[str] | None = None) -> int:
    """Print the metrics of the shipped rules on a labelled CSV as JSON."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m moderation_rules.evaluate FILE.csv", file=sys.stderr)
        return 2
    assess_action = rules_assess_action()
    assess_action("warm up", None)
    print(json.dumps(evaluate(read_labelled_csv(args[0]), assess_action), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
