"""End to end, out of fold: each training file read by the engine built on models fitted
without it.

The school model's levels (``detectors/school_model.py``) are chosen on this reading
(RESULTS.md, "Round 16" and "Round 17"): the training files are dealt into five folds by file
(``train_school_embeddings.file_folds``); per fold, an n-gram school model and a token head
are fitted with the shipped settings on the other folds' files, and the whole engine (rules,
both models, every gate) built on them reads the fold's rows.

    python scripts/end_to_end_folds.py models --dir DIR [--fold K]
    python scripts/end_to_end_folds.py engine --dir DIR NAME [KEY=VALUE ...]

``models`` writes ``DIR/school-K.json`` and ``DIR/head-K.json`` (about 150 s and 100 s a
fold on one core).  ``engine`` prints one JSON line: per kind of file (school settings,
files of hate kinds) the harmful comments hidden and flagged, the must-keep comments hidden,
the safeguarding comments labelled so, the false safeguarding concerns and the share of
labels right; it saves every row's label and action to ``DIR/e2e-NAME.json``.  Keys change
one level for the run, the rest stay as shipped: ``w`` (blend weight), ``sgr``
(safeguarding review from), ``margin`` (``none`` for no gate), ``harm``, ``plain``, ``hate``,
``hatt``, ``sg``, ``sgask`` (the ``CONFIDENT_*`` levels), ``mhatt`` (1 or 0: whether the
public-data hate model's hide needs an attack in words, ``HATE_HIDE_NEEDS_ATTACK``),
``joke`` (comma-separated labels the model may hide in a text that laughs, ``JOKING_MAY_HIDE``).

A research script, not part of the product: it swaps the engine's model loaders and levels
for the fold's in this process only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import moderation_rules.detectors.model as model_module  # noqa: E402
import moderation_rules.detectors.school_model as school_model  # noqa: E402
import moderation_rules.engine as engine_module  # noqa: E402
import moderation_rules.token_vectors as token_vectors  # noqa: E402
from moderation_rules.evaluate import read_labelled_csv  # noqa: E402
from moderation_rules.model.train import save, train  # noqa: E402
from moderation_rules.model.train_school import (  # noqa: E402
    BUCKETS,
    SEED,
    augment,
    load_rows,
    training_files,
)
from moderation_rules.model.train_school_embeddings import FOLDS, file_folds  # noqa: E402
from moderation_rules.thresholds import action_for  # noqa: E402
from moderation_rules.types import HIDE_LABELS, LABELS  # noqa: E402

LEVELS = {"harm": "CONFIDENT_HARM", "plain": "CONFIDENT_HARM_PLAIN", "hate": "CONFIDENT_HATE",
          "hatt": "CONFIDENT_HATE_ATTACKED", "sg": "CONFIDENT_SAFEGUARDING",
          "sgask": "CONFIDENT_SAFEGUARDING_ASKING"}


def _folds(dev: Path) -> tuple[list[Path], dict[str, int]]:
    files = training_files(dev if dev.exists() else None)
    return files, dict(zip((f.name for f in files), file_folds([f.name for f in files])))


def fit_fold(k: int, out: Path, dev: Path) -> None:
    """Fold ``k``'s n-gram school model and token head, fitted without its files."""
    import numpy as np

    from moderation_rules.model.token_head_fit import fit_token_head
    from moderation_rules.model.train_school_tokens import DROPOUT, EPOCHS, L2, load

    files, fold_of = _folds(dev)
    started = time.time()
    rows = load_rows([f for f in files if fold_of[f.name] != k])
    weights, bias = train(rows + augment(rows), epochs=20, classes=LABELS, buckets=BUCKETS,
                          seed=SEED)
    save(weights, bias, out / f"school-{k}.json", {"fold": k}, classes=LABELS)
    vectors = token_vectors.load_token_vectors()
    pieces, y, sources = load(files, vectors)
    train_rows = np.where(file_folds(sources) != k)[0]
    doc = fit_token_head([pieces[i] for i in train_rows], y[train_rows], vectors.vectors,
                         list(LABELS), epochs=EPOCHS, l2=L2, dropout=DROPOUT, seed=SEED)
    (out / f"head-{k}.json").write_text(json.dumps(doc), encoding="utf-8")
    print(f"fold {k}: {len(rows)} rows, {time.time() - started:.0f}s", file=sys.stderr)


def _configure(keys: dict[str, str]) -> None:
    """Set the levels ``keys`` name for this process; the others stay as shipped."""
    shipped = school_model.TOKEN_BLEND
    margin = keys.get("margin", str(shipped.safeguarding_words_margin))
    engine_module.TOKEN_BLEND = school_model.BlendLevels(
        weight=float(keys.get("w", shipped.weight)),
        safeguarding_review=float(keys.get("sgr", shipped.safeguarding_review)),
        safeguarding_words_margin=None if margin.lower() == "none" else float(margin))
    for key, name in LEVELS.items():
        if key in keys:
            setattr(school_model, name, float(keys[key]))
    if "joke" in keys:
        school_model.JOKING_MAY_HIDE = frozenset(keys["joke"].split(","))
    if "mhatt" in keys:
        model_module.HATE_HIDE_NEEDS_ATTACK = keys["mhatt"] == "1"


def summary(rows: list[list[Any]]) -> dict[str, Any]:
    """Counts over rows of (file, id, label, acceptable labels, predicted label, action)."""
    c = dict(n=len(rows), must_hide=0, hidden=0, flagged=0, must_keep=0, wrongful=0, sg=0,
             sg_found=0, false_concern=0, right=0)
    for _, _, label, acceptable, pred, action in rows:
        c["right"] += pred in acceptable
        if all(a in HIDE_LABELS for a in acceptable):
            c["must_hide"] += 1
            c["hidden"] += action == "hide"
            c["flagged"] += action in ("hide", "review")
        elif not any(a in HIDE_LABELS for a in acceptable):
            c["must_keep"] += 1
            c["wrongful"] += action == "hide"
        if label == "safeguarding":
            c["sg"] += 1
            c["sg_found"] += pred == "safeguarding"
        elif pred == "safeguarding" and "safeguarding" not in acceptable:
            c["false_concern"] += 1
    c["right"] = round(c["right"] / max(1, c["n"]), 4)
    return c


def read_out_of_fold(models: Path, dev: Path) -> list[list[Any]]:
    """Every training row's label and action from the engine built on its fold's models."""
    files, fold_of = _folds(dev)
    out: list[list[Any]] = []
    for k in range(FOLDS):
        doc = json.loads((models / f"school-{k}.json").read_text(encoding="utf-8"))
        engine_module.load_school_model = lambda doc=doc: model_module.HashedModel(doc)
        token_vectors.load_token_head = \
            lambda k=k: token_vectors.read_token_head(models / f"head-{k}.json")
        engine = engine_module.RuleEngine()
        for f in (f for f in files if fold_of[f.name] == k):
            for r in read_labelled_csv(f):
                a = engine.assess(r.text, r.platform or None)
                out.append([f.name, r.id, r.label, sorted(r.acceptable), a.label,
                            action_for(a.label, a.scores)])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("step", choices=("models", "engine"))
    ap.add_argument("name", nargs="?", default="shipped", help="engine: the run's name")
    ap.add_argument("keys", nargs="*", help="engine: KEY=VALUE levels for the run")
    ap.add_argument("--dir", type=Path, required=True)
    ap.add_argument("--fold", type=int, choices=range(FOLDS), help="models: this fold only")
    ap.add_argument("--dev", type=Path, default=ROOT.parent / "shared/eval/school-dev.csv")
    args = ap.parse_intermixed_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.step == "models":
        for k in [args.fold] if args.fold is not None else range(FOLDS):
            fit_fold(k, args.dir, args.dev)
        return 0
    if any("=" not in kv for kv in args.keys):
        ap.error("levels are given as KEY=VALUE")
    keys = dict(kv.split("=", 1) for kv in args.keys)
    unknown = set(keys) - {"w", "sgr", "margin", "mhatt", "joke", *LEVELS}
    if unknown:
        ap.error(f"unknown keys: {', '.join(sorted(unknown))}")
    if keys.get("mhatt", "0") not in ("0", "1"):
        ap.error("mhatt is 0 or 1")
    _configure(keys)
    rows = read_out_of_fold(args.dir, args.dev)
    (args.dir / f"e2e-{args.name}.json").write_text(json.dumps(rows), encoding="utf-8")
    school = [r for r in rows if not r[0].startswith("hate-kinds")]
    kinds = [r for r in rows if r[0].startswith("hate-kinds")]
    print(json.dumps({"name": args.name, "keys": keys, "school": summary(school),
                      "hate_kinds": summary(kinds)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
