"""Train the school comment model: hashed n-gram softmax over the eleven labels of DESIGN §3.

The rules know the kinds of comment someone wrote a rule for; this model has read thousands of
comments in the voice of UK school accounts and catches the rest.  The detector that uses it
(``detectors/school_model.py``) mostly asks for review; it hides on its own only where it is
sure a comment breaks policy, at levels chosen on school settings it had not read.

Reproducible and offline (pure Python, fixed seed).  Training data, all written for this
project in the format of ``../shared/eval/README.md``:

* ``../shared/eval/school-dev.csv`` (the development set),
* ``eval_data/school-holdout.csv`` and ``eval_data/school-unseen-b.csv``,
* ``eval_data/train/school-train-*.csv`` (one school setting each, 102 in all: rural
  and coastal primaries, London, Bradford, Glasgow, Belfast and Liverpool secondaries, special
  schools, a pupil referral unit, a Welsh-medium comprehensive, an integrated college in
  Northern Ireland, sixth-form colleges and gaming clubs on Discord, boarding schools, a junior
  school beside an army garrison, a University Technical College, a selective grammar school,
  Muslim, Jewish, Catholic and Church of England schools, a Gaelic-medium unit in the
  Highlands, an SEMH special school in Hull, ...),
* ``eval_data/train/school-train-pairs-*.csv`` (three files of contrast pairs: the same
  people in many of the same words, one comment hidden and one kept, around a group, a named
  person and a child's safety),
* ``eval_data/train/hate-kinds-train-*.csv`` (fifteen files of hate, abuse and their
  look-alikes, written kind by kind: implicit derogation, negated praise, threats, slurs and
  reclaimed words, counter-speech, misspellings, abuse of groups that are not protected...),

plus one copy of every row rewritten with evasions (:func:`augment`).

Never ``eval_data/fresh/`` (school settings and a file of hate kinds kept out to measure the
model and the rules), never the sealed test sets ``eval_data/school-unseen-c.csv``,
``school-unseen-d.csv`` and ``school-unseen-e.csv``, and never HateCheck, HatemojiCheck or
Multilingual HateCheck.

    python -m moderation_rules.model.train_school --dev ../shared/eval/school-dev.csv

prints 5-fold cross-validated precision and recall per label at each threshold, then writes
``moderation_rules/model/school.json`` (48,602 rows, each with one evasion copy).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

from moderation_rules.evasion import evade
from moderation_rules.evaluate import read_labelled_csv
from moderation_rules.model.train import predict, save, train
from moderation_rules.types import LABELS

SEED = 20261129
BUCKETS = 1 << 16
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
_HERE = Path(__file__).resolve().parent
_EVAL = _HERE.parent / "eval_data"
SEALED = ("school-unseen-c.csv", "school-unseen-d.csv", "school-unseen-e.csv")


def training_files(dev: Path | None) -> list[Path]:
    """The CSVs the model learns from (never the sealed set)."""
    files = [_EVAL / "school-holdout.csv", _EVAL / "school-unseen-b.csv",
             *sorted((_EVAL / "train").glob("school-train-*.csv")),
             *sorted((_EVAL / "train").glob("hate-kinds-train-*.csv"))]
    if dev is not None:
        files.insert(0, dev)
    return [f for f in files if f.name not in SEALED]


def load_rows(files: list[Path]) -> list[tuple[str, str, float]]:
    """(text, primary label, weight) for every row of ``files``."""
    return [(r.text, r.label, 1.0) for f in files for r in read_labelled_csv(f)
            if r.label in LABELS and r.text.strip()]


def augment(rows: list[tuple[str, str, float]]) -> list[tuple[str, str, float]]:
    """One copy of every row rewritten with the evasions of ``moderation_rules.evasion``
    (look-alikes, leetspeak, spacing...), at half weight, so what the normaliser cannot undo
    is still familiar.  Every label gets copies, so "looks obfuscated" teaches nothing.  The
    random stream is the training seed's own, never the evasion report's."""
    return [(evade(text, random.Random(f"train:{SEED}:{i}")), label, weight * 0.5)
            for i, (text, label, weight) in enumerate(rows)]


def cross_validate(rows: list, folds: int = 5, epochs: int = 20) -> dict[str, dict]:
    """Per label and threshold: precision and recall of "p(label) >= t", out of fold."""
    order = list(range(len(rows)))
    random.Random(SEED).shuffle(order)
    scored: list[tuple[str, list[float]]] = []
    for f in range(folds):
        test_idx = set(order[f::folds])
        train_rows = [r for i, r in enumerate(rows) if i not in test_idx]
        train_rows += augment(train_rows)
        w, b = train(train_rows, epochs=epochs, classes=LABELS, buckets=BUCKETS, seed=SEED)
        scored += [(rows[i][1], predict(w, b, rows[i][0])) for i in sorted(test_idx)]
    table: dict[str, dict] = {}
    for j, label in enumerate(LABELS):
        table[label] = {}
        for t in THRESHOLDS:
            hit = [y for y, p in scored if p[j] >= t]
            tp = sum(1 for y in hit if y == label)
            support = sum(1 for y, _ in scored if y == label)
            table[label][str(t)] = {"precision": round(tp / len(hit), 3) if hit else None,
                                    "recall": round(tp / support, 3) if support else None,
                                    "flagged": len(hit)}
        top = [y for y, p in scored if max(range(len(p)), key=p.__getitem__) == j]
        tp = sum(1 for y in top if y == label)
        support = sum(1 for y, _ in scored if y == label)
        table[label]["top"] = {"precision": round(tp / len(top), 3) if top else None,
                               "recall": round(tp / support, 3) if support else None,
                               "flagged": len(top)}
    return table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=Path("../shared/eval/school-dev.csv"),
                    help="school-dev.csv (left out when missing)")
    ap.add_argument("--out", type=Path, default=_HERE / "school.json")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--no-cv", action="store_true", help="skip the cross-validation report")
    args = ap.parse_args(argv)
    files = training_files(args.dev if args.dev.exists() else None)
    rows = load_rows(files)
    counts = {c: sum(1 for _, y, _ in rows if y == c) for c in LABELS}
    print(f"{len(rows)} rows from {len(files)} files: {counts}", file=sys.stderr)
    cv = {} if args.no_cv else cross_validate(rows, epochs=args.epochs)
    for label, by_t in cv.items():
        cells = "  ".join(f"{t}:{v['precision']}/{v['recall']}" for t, v in by_t.items())
        print(f"{label:14s} {cells}", file=sys.stderr)
    weights, bias = train(rows + augment(rows), epochs=args.epochs, classes=LABELS,
                          buckets=BUCKETS, seed=SEED)
    meta = {"seed": SEED, "epochs": args.epochs, "train_counts": counts,
            "sources": [f.name for f in files], "cross_validation": cv}
    save(weights, bias, args.out, meta, classes=LABELS)
    print(f"wrote {args.out}", file=sys.stderr)
    print(json.dumps({"rows": len(rows), "files": [f.name for f in files]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
