"""Numbers for RESULTS.md: every evaluation set, the worst HateCheck functionalities, baselines.

    python -m moderation_rules.report --public ../shared/eval/public \\
        --dev ../shared/eval/school-dev.csv [--baseline-python /tmp/benchvenv/bin/python]

HatemojiCheck and the Polish Multilingual HateCheck cases are converted to the eval format on
the fly (hateful -> ``hate`` with ``abuse;profanity`` also acceptable, as hatecheck-policy.csv
does; non-hateful -> ``other``).  They and HateCheck are tests: only aggregate numbers are
printed, never rows.  Baselines (alt-profanity-check, better-profanity) run in a child process
of a throwaway venv and are scored the way eval/README.md scores them: a flagged text is
``profanity``/hide, anything else ``other``/keep.
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from moderation_rules.evaluate import LabelledRow, evaluate, read_labelled_csv, rules_assess_action
from moderation_rules.evasion import evasion_report
from moderation_rules.types import HIDE_LABELS

HERE = Path(__file__).resolve().parent


def hatemoji_check(public: Path) -> list[LabelledRow]:
    rows = []
    with open(public / "hatemoji" / "HatemojiCheck" / "test.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            hateful = r["label_gold"] == "1"
            rows.append(LabelledRow(f"hm-{r['case_id']}", "", r["functionality"], r["text"],
                                    "hate" if hateful else "other",
                                    ("abuse", "profanity") if hateful else (), r["functionality"]))
    return rows


def mhc_polish(public: Path) -> list[LabelledRow]:
    rows = []
    path = public / "mhc-polish" / "hatecheck_cases_final_polish.csv"
    with open(path, encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            hateful = r["label_gold"] == "hateful"
            rows.append(LabelledRow(r["mhc_case_id"], "", r["functionality"], r["test_case"],
                                    "hate" if hateful else "other",
                                    ("abuse", "profanity") if hateful else (), r["functionality"]))
    return rows


def _files(folder: Path, names: list[str]) -> list[LabelledRow]:
    return [r for name in names for r in read_labelled_csv(folder / name)]


def by_functionality(rows: list[LabelledRow], assess_action) -> list[dict[str, Any]]:
    """Action accuracy per functionality (``notes``), worst first."""
    g: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        _, act = assess_action(r.text, r.platform or None)
        hide = all(x in HIDE_LABELS for x in r.acceptable)
        keep = not any(x in HIDE_LABELS for x in r.acceptable)
        if not (hide or keep):
            continue
        g[r.notes][0] += (act == "hide") if hide else (act != "hide")
        g[r.notes][1] += 1
    out = [{"functionality": f, "correct": c, "n": n, "accuracy": round(c / n, 3)}
           for f, (c, n) in g.items()]
    return sorted(out, key=lambda d: (d["accuracy"], d["functionality"]))


_BASELINE_CHILD = r"""
import json, sys
name = sys.argv[1]
texts = json.load(sys.stdin)
if name == "alt":
    from profanity_check import predict_prob
    flags = [bool(p >= 0.5) for p in predict_prob(texts)]
else:
    from better_profanity import profanity
    profanity.load_censor_words()
    flags = [profanity.contains_profanity(t) for t in texts]
print(json.dumps(flags))
"""


def baseline_assess(python: str, name: str, rows: list[LabelledRow]):
    """An assess_action function replaying a baseline's flags computed in a child process."""
    texts = [r.text for r in rows]
    proc = subprocess.run([python, "-c", _BASELINE_CHILD, name], input=json.dumps(texts),
                          capture_output=True, text=True, check=True)
    flags = dict(zip(texts, json.loads(proc.stdout)))
    return lambda text, platform: ("profanity", "hide") if flags[text] else ("other", "keep")


_KEYS = ("n", "accuracy", "macro_f1", "harmful_recall", "flagged_recall", "wrongful_hide_rate",
         "action_accuracy", "safeguarding_recall", "items_per_second", "counts")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--public", type=Path, default=Path("../shared/eval/public"))
    ap.add_argument("--dev", type=Path, default=Path("../shared/eval/school-dev.csv"))
    ap.add_argument("--baseline-python", default=None)
    args = ap.parse_args(argv)
    ours = rules_assess_action()
    ours("warm up", None)
    fresh = HERE / "eval_data" / "fresh"
    sets = {
        "school-dev": read_labelled_csv(args.dev),
        "school-holdout": read_labelled_csv(HERE / "eval_data" / "school-holdout.csv"),
        "school-unseen-b": read_labelled_csv(HERE / "eval_data" / "school-unseen-b.csv"),
        "school-unseen-c": read_labelled_csv(HERE / "eval_data" / "school-unseen-c.csv"),
        "school-unseen-d": read_labelled_csv(HERE / "eval_data" / "school-unseen-d.csv"),
        "school-unseen-e": read_labelled_csv(HERE / "eval_data" / "school-unseen-e.csv"),
        # kept out of training and never read: four school settings and a file of hate kinds
        "school-fresh-111-114": _files(fresh, [f"school-fresh-{n}.csv" for n in range(111, 115)]),
        "hate-kinds-fresh-18": read_labelled_csv(fresh / "hate-kinds-fresh-18.csv"),
        "hate-functional-dev": read_labelled_csv(HERE / "eval_data" / "hate-functional-dev.csv"),
        "hatecheck-policy": read_labelled_csv(args.public / "hatecheck" / "hatecheck-policy.csv"),
        "hatemojicheck": hatemoji_check(args.public),
        "mhc-polish": mhc_polish(args.public),
    }
    out: dict[str, Any] = {}
    for name, rows in sets.items():
        m = evaluate(rows, ours)
        entry: dict[str, Any] = {"ours": {k: m[k] for k in _KEYS} | {"per_label": m["per_label"]}}
        if name in ("hatecheck-policy", "hatemojicheck", "mhc-polish"):
            entry["worst_functionalities"] = by_functionality(rows, ours)[:5]
        if name.startswith("school-"):
            entry["evasion"] = evasion_report(rows, ours)
        if args.baseline_python:
            for b in ("alt", "better"):
                bm = evaluate(rows, baseline_assess(args.baseline_python, b, rows))
                entry[b] = {k: bm[k] for k in _KEYS if k != "items_per_second"}
        out[name] = entry
        print(f"{name}: done", file=sys.stderr)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
