"""Train the shipped statistical detector: hashed n-gram multinomial logistic regression.

Reproducible and offline: pure Python (no numpy), fixed seed, data read from the public sets
shipped beside the project (``../shared/eval/public`` by default, or ``--data DIR``).

    python -m moderation_rules.model.train --data ../shared/eval/public \\
        --school ../shared/eval/school-dev.csv --out moderation_rules/model/detector.json

Classes: ``ok``, ``offensive`` (insults, abuse and offensive language aimed at someone),
``hate`` (attacks on a protected characteristic) and ``sexual`` (sexual harassment).

Training data (each used under its licence, cited in moderation_rules/RESULTS.md):

* Davidson et al. 2017, "Automated Hate Speech Detection and the Problem of Offensive
  Language" (ICWSM), ``davidson/labeled_data.csv``, MIT licence: hate_speech -> hate,
  offensive_language -> offensive (subsampled, it is 77% of the set), neither -> ok.
* Kirk et al. 2022, HatemojiBuild (NAACL), ``hatemoji/HatemojiBuild/train.csv``, CC BY 4.0:
  hateful -> hate, not hateful -> ok (its adversarial non-hateful cases teach precision).
* Cercas Curry et al. 2021, ConvAbuse (EMNLP), ``convabuse/ConvAbuseEMNLPtrain.csv``,
  CC BY 4.0: majority abusive -> offensive (sexual harassment -> sexual, a racist / sexist /
  homophobic / transphobic / ableist type -> hate), otherwise ok.
* optionally the project's ``school-dev.csv`` (written for this project): hate -> hate,
  abuse -> offensive, sexual -> sexual, everything else -> ok; weighted x3.

Never trained on HateCheck, HatemojiCheck or Multilingual HateCheck: they are test suites.
Validation (for the report only) uses the sets' own dev splits (ConvAbuse valid, HatemojiBuild
validation) and a fixed 10% of Davidson.
"""

from __future__ import annotations

import argparse
import array
import base64
import csv
import json
import math
import random
import sys
import time
import zlib
from pathlib import Path

from moderation_rules.model.features import BUCKETS, features

CLASSES = ("ok", "offensive", "hate", "sexual")
SEED = 20240611


def _davidson(root: Path, rng: random.Random) -> tuple[list, list]:
    train, valid = [], []
    with open(root / "davidson" / "labeled_data.csv", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            cls = {"0": "hate", "1": "offensive", "2": "ok"}[rec["class"]]
            text = rec["tweet"]
            if cls == "offensive" and rng.random() > 0.3:
                continue  # keep ~5,800 of 19,190 so offensive tweets do not swamp the rest
            (valid if rng.random() < 0.1 else train).append((text, cls, 1.0))
    return train, valid


def _hatemoji(root: Path, split: str) -> list:
    out = []
    with open(root / "hatemoji" / "HatemojiBuild" / f"{split}.csv", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            out.append((rec["text"], "hate" if rec["label_gold"] == "1" else "ok", 1.0))
    return out


def _convabuse(root: Path, split: str) -> list:
    out = []
    path = root / "convabuse" / f"ConvAbuseEMNLP{split}.csv"
    with open(path, encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            votes_abuse = votes_ok = 0
            kinds: dict[str, int] = {}
            for a in range(1, 9):
                p = f"Annotator{a}_"
                if rec.get(p + "is_abuse.1", "") == "":
                    continue
                if rec.get(p + "is_abuse.1") == "1" or rec.get(p + "is_abuse.0") == "1":
                    votes_ok += 1
                elif any(rec.get(p + f"is_abuse.-{k}") == "1" for k in (1, 2, 3)):
                    votes_abuse += 1
                    for kind in ("sex_harassment", "racist", "sexist", "homophobic",
                                 "transphobic", "ableist"):
                        if rec.get(p + kind) == "1":
                            kinds[kind] = kinds.get(kind, 0) + 1
            if votes_abuse + votes_ok == 0:
                continue
            if votes_abuse > votes_ok:
                top = max(kinds, key=kinds.get) if kinds else ""
                cls = "sexual" if top == "sex_harassment" else "hate" if top else "offensive"
            else:
                cls = "ok"
            out.append((rec["user"], cls, 1.0))
    return out


def _school(path: Path) -> list:
    mapping = {"hate": "hate", "abuse": "offensive", "sexual": "sexual"}
    with open(path, encoding="utf-8-sig") as fh:
        return [(r["text"], mapping.get(r["label"], "ok"), 3.0) for r in csv.DictReader(fh)]


def train(examples: list, epochs: int = 6, lr: float = 0.2, l2: float = 1e-6,
          seed: int = SEED, classes: tuple[str, ...] = CLASSES,
          buckets: int = BUCKETS) -> tuple[list[array.array], list[float]]:
    """Softmax regression by SGD with class-balanced weights; returns weights and biases."""
    rng = random.Random(seed)
    k = len(classes)
    feats = [(features(t, buckets), classes.index(c), w) for t, c, w in examples]
    counts = [sum(w for _, y, w in feats if y == j) for j in range(k)]
    total = sum(counts)
    balance = [math.sqrt(total / (k * c)) if c else 0.0 for c in counts]
    weights = [array.array("f", bytes(4 * buckets)) for _ in range(k)]
    bias = [0.0] * k
    order = list(range(len(feats)))
    step = 0
    for epoch in range(epochs):
        rng.shuffle(order)
        loss = 0.0
        for i in order:
            x, y, w = feats[i]
            norm = 1.0 / math.sqrt(sum(v * v for v in x.values()) or 1.0)
            z = [bias[j] + norm * sum(weights[j][h] * v for h, v in x.items()) for j in range(k)]
            top = max(z)
            e = [math.exp(v - top) for v in z]
            s = sum(e)
            p = [v / s for v in e]
            loss -= math.log(max(p[y], 1e-12)) * w
            eta = lr / (1.0 + 0.00002 * step) * w * balance[y]
            step += 1
            for j in range(k):
                g = p[j] - (1.0 if j == y else 0.0)
                if abs(g) < 1e-4:
                    continue
                wj = weights[j]
                gs = eta * g * norm
                for h, v in x.items():
                    wj[h] -= gs * v + eta * l2 * wj[h]
                bias[j] -= eta * g * 0.1
        print(f"epoch {epoch + 1}: loss {loss / len(order):.4f}", file=sys.stderr)
    return weights, bias


def predict(weights: list[array.array], bias: list[float], text: str) -> list[float]:
    x = features(text, len(weights[0]))
    norm = 1.0 / math.sqrt(sum(v * v for v in x.values()) or 1.0)
    z = [bias[j] + norm * sum(weights[j][h] * v for h, v in x.items()) for j in range(len(bias))]
    top = max(z)
    e = [math.exp(v - top) for v in z]
    s = sum(e)
    return [v / s for v in e]


def report(weights: list[array.array], bias: list[float], name: str, rows: list) -> dict:
    """Per-class precision/recall on a validation set (printed to stderr)."""
    k = len(CLASSES)
    tp, fp, fn = [0] * k, [0] * k, [0] * k
    for text, cls, _ in rows:
        p = predict(weights, bias, text)
        pred = max(range(k), key=p.__getitem__)
        y = CLASSES.index(cls)
        if pred == y:
            tp[y] += 1
        else:
            fp[pred] += 1
            fn[y] += 1
    out = {}
    for j, c in enumerate(CLASSES):
        pr = tp[j] / (tp[j] + fp[j]) if tp[j] + fp[j] else 0.0
        rc = tp[j] / (tp[j] + fn[j]) if tp[j] + fn[j] else 0.0
        out[c] = {"precision": round(pr, 3), "recall": round(rc, 3), "n": tp[j] + fn[j]}
    print(f"{name}: {json.dumps(out)}", file=sys.stderr)
    return out


def save(weights: list[array.array], bias: list[float], out: Path, meta: dict,
         classes: tuple[str, ...] = CLASSES) -> None:
    """int8-quantised weights, zlib-compressed and base64-encoded in one JSON file."""
    scales = []
    blobs = []
    for wj in weights:
        peak = max(abs(v) for v in wj) or 1.0
        scale = peak / 127.0
        q = array.array("b", (max(-127, min(127, round(v / scale))) for v in wj))
        scales.append(scale)
        blobs.append(q.tobytes())
    payload = base64.b64encode(zlib.compress(b"".join(blobs), 9)).decode("ascii")
    doc = {"format": "hashed-ngram-softmax-v1", "classes": list(classes), "buckets": len(weights[0]),
           "bias": bias, "scales": scales, "weights": payload, **meta}
    out.write_text(json.dumps(doc), encoding="utf-8")


def build_vocab(texts: list[str], out: Path, min_count: int = 3) -> int:
    """Words seen at least ``min_count`` times in the training texts (lower case, a-z only).

    The normaliser uses it to undo stretched letters ("stttaff" -> "staff", not "staf") and
    ``*`` vowels ("Wedn*sday"), choosing the spelling that is a real word.
    """
    import re
    from collections import Counter

    counts: Counter[str] = Counter()
    for t in texts:
        counts.update(re.findall(r"[a-z]{2,}", t.lower()))
    # most frequent first (ties alphabetical): the normaliser breaks ties between repairs by
    # this order ("c*me" -> "come"); as a set the file is unchanged
    words = sorted((w for w, c in counts.items() if c >= min_count
                    and not re.search(r"(.)\1\1", w)), key=lambda w: (-counts[w], w))
    out.write_text("\n".join(words) + "\n", encoding="utf-8")
    return len(words)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/eval/public"))
    ap.add_argument("--school", type=Path, default=None,
                    help="optional school-dev.csv to add (weighted x3)")
    ap.add_argument("--out", type=Path,
                    default=Path(__file__).with_name("detector.json"))
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--vocab-only", action="store_true",
                    help="rebuild lexicons/vocab.txt and stop (no training)")
    args = ap.parse_args(argv)
    rng = random.Random(SEED)
    started = time.time()
    dav_train, dav_valid = _davidson(args.data, rng)
    train_rows = dav_train + _hatemoji(args.data, "train") + _convabuse(args.data, "train")
    if args.school:
        train_rows += _school(args.school)
    vocab_out = Path(__file__).resolve().parent.parent / "lexicons" / "vocab.txt"
    n = build_vocab([t for t, _, _ in train_rows], vocab_out)
    print(f"wrote {vocab_out} ({n} words)", file=sys.stderr)
    if args.vocab_only:
        return 0
    counts = {c: sum(1 for _, y, _ in train_rows if y == c) for c in CLASSES}
    print(f"training on {len(train_rows)} examples {counts}", file=sys.stderr)
    weights, bias = train(train_rows, epochs=args.epochs)
    valid = {
        "davidson_10pct": report(weights, bias, "davidson 10%", dav_valid),
        "hatemoji_validation": report(weights, bias, "HatemojiBuild validation",
                                      _hatemoji(args.data, "validation")),
        "convabuse_valid": report(weights, bias, "ConvAbuse valid",
                                  _convabuse(args.data, "valid")),
    }
    meta = {"seed": SEED, "epochs": args.epochs, "train_counts": counts,
            "sources": ["davidson (MIT)", "HatemojiBuild train (CC BY 4.0)",
                        "ConvAbuse train (CC BY 4.0)"]
            + (["school-dev.csv (project)"] if args.school else []),
            "validation": valid}
    save(weights, bias, args.out, meta)
    print(f"wrote {args.out} in {time.time() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
