"""``modbot eval``: score a labelled CSV exactly as ``modbot check`` decides (eval/README.md)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bot.checking import Checker
from moderation_rules.evaluate import evaluate, read_labelled_csv


def run_eval(file: Path, *, as_json: bool, config: Path | None, academy: str | None) -> None:
    """Print the metrics; only each row's text and platform reach the detector."""
    rows = read_labelled_csv(file)
    if not rows:
        raise ValueError(f"{file}: no rows")
    checker = Checker.from_config(config, academy)
    seen: list[tuple[str, str]] = []

    def assess_action(text: str, platform: str | None) -> tuple[str, str]:
        out = checker.label_and_action(text, platform)
        seen.append(out)
        return out

    checker.label_and_action("warm-up", None)  # load packs before the clock starts
    metrics = evaluate(rows, assess_action)
    confusions = Counter(
        (r.label, pred) for r, (pred, _) in zip(rows, seen) if pred not in r.acceptable
    )
    metrics["confusions"] = [
        {"label": lab, "predicted": pred, "count": n} for (lab, pred), n in confusions.most_common()
    ]
    if as_json:
        sys.stdout.write(json.dumps(metrics, allow_nan=False) + "\n")
        return
    _print_table(metrics, file)


def _print_table(m: dict[str, Any], file: Path) -> None:
    c = m["counts"]
    print(f"{file}: {m['n']} rows, accuracy {m['accuracy']:.3f}, macro F1 {m['macro_f1']:.3f}")
    print(f"\n{'label':<14}{'precision':>10}{'recall':>9}{'f1':>8}{'support':>9}")
    for label, v in m["per_label"].items():
        print(f"{label:<14}{v['precision']:>10.3f}{v['recall']:>9.3f}{v['f1']:>8.3f}"
              f"{v['support']:>9}")
    print("\nactions")
    print(f"  harmful_recall      {m['harmful_recall']:.3f}  "
          f"({c['must_hide_hidden']}/{c['must_hide']} must-hide rows hidden)")
    print(f"  flagged_recall      {m['flagged_recall']:.3f}  "
          f"({c['must_hide_flagged']}/{c['must_hide']} hidden or sent to review)")
    print(f"  wrongful_hide_rate  {m['wrongful_hide_rate']:.3f}  "
          f"({c['must_keep_hidden']}/{c['must_keep']} must-keep rows hidden)")
    print(f"  action_accuracy     {m['action_accuracy']:.3f}")
    print(f"  safeguarding_recall {m['safeguarding_recall']:.3f}  "
          f"({c['safeguarding_found']}/{c['safeguarding']})")
    print(f"  items_per_second    {m['items_per_second']:.0f}")
    if m["confusions"]:
        print("\nworst confusions (true -> predicted)")
        for row in m["confusions"][:10]:
            print(f"  {row['label']:<14}-> {row['predicted']:<14}{row['count']:>4}")
