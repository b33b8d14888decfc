"""Out-of-fold comparison of head shapes over the token vectors, in torch.

The shipped token head (``moderation_rules/token_head.py``) reads the plain mean of a
comment's word-piece vectors beside a max-pooled convolution over two neighbouring pieces,
and is trained in numpy (``moderation_rules/model/token_head_fit.py``).  This script trains
other shapes quickly to compare them, on the school model's training rows with every file
held out whole (``train_school_embeddings.out_of_fold``): the mean
alone, or the mean with a convolution over ``width`` neighbouring pieces (RESULTS.md,
"Round 15").

A research script, not part of the product: it needs torch (``pip install torch``), which is
not a dependency of any extra.  It prints the argmax accuracy and macro-F1 of the out-of-fold
readings and saves them (``--out``) for blending with the n-gram model's.

    python scripts/token_head_folds.py --variant conv2 --epochs 10 --out P.npy
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moderation_rules.model.train_school import SEED, training_files  # noqa: E402
from moderation_rules.model.train_school_embeddings import (  # noqa: E402
    argmax_figures,
    class_balance,
    out_of_fold,
)
from moderation_rules.model.train_school_tokens import load  # noqa: E402
from moderation_rules.token_vectors import load_token_vectors  # noqa: E402
from moderation_rules.types import LABELS  # noqa: E402

# variant: (convolution units, width); 0 units is the shipped mean-only head
VARIANTS = {"mean": (0, 1), "conv1": (256, 1), "conv2": (256, 2), "conv3": (256, 3)}
MAX_PIECES = 128
HIDDEN, DROPOUT, L2, LR, BATCH = 512, 0.3, 1e-4, 1e-3, 256


def main(argv: list[str] | None = None) -> int:
    try:
        import torch
        from torch import nn
    except ImportError:
        raise SystemExit("scripts/token_head_folds.py needs torch: pip install torch") from None

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", choices=sorted(VARIANTS), default="conv2")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dev", type=Path, default=ROOT.parent / "shared/eval/school-dev.csv")
    ap.add_argument("--out", type=Path, help="save the out-of-fold probabilities (.npy)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    ids, y, src = load(training_files(args.dev if args.dev.exists() else None),
                       load_token_vectors())
    V = torch.tensor(load_token_vectors().vectors)
    dim, classes = V.shape[1], len(LABELS)
    units, width = VARIANTS[args.variant]

    class Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.first = nn.Linear(dim, HIDDEN)
            self.conv = nn.ModuleList([nn.Linear(dim, units, bias=k == 0)
                                       for k in range(width)]) if units else None
            self.out = nn.Linear(HIDDEN + units, classes)
            self.drop = nn.Dropout(DROPOUT)
            nn.init.normal_(self.first.weight, 0, (2 / dim) ** 0.5)
            nn.init.zeros_(self.first.bias)
            nn.init.normal_(self.out.weight, 0, (1 / (HIDDEN + units)) ** 0.5)
            nn.init.zeros_(self.out.bias)

        def forward(self, tok: torch.Tensor, mask: torch.Tensor,
                    lens: torch.Tensor) -> torch.Tensor:
            E = V[tok] * mask[..., None]
            parts = [torch.relu(self.first(E.sum(1) / lens[:, None]))]
            if self.conv is not None:
                c = self.conv[0](E)
                for k in range(1, width):  # piece t+k, zeros past the end
                    c = c + self.conv[k](torch.cat([E[:, k:], torch.zeros_like(E[:, :k])], 1))
                c = c.masked_fill(~mask.bool()[..., None], -1e9).amax(1)
                parts.append(torch.relu(c))
            return self.out(self.drop(torch.cat(parts, 1)))

    def batch(idx: np.ndarray) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        cut = [ids[i][:MAX_PIECES] for i in idx]
        T = max(1, max(len(a) for a in cut))
        tok = torch.zeros(len(idx), T, dtype=torch.long)
        mask = torch.zeros(len(idx), T)
        for r, a in enumerate(cut):
            if len(a):
                tok[r, : len(a)] = torch.from_numpy(a)
                mask[r, : len(a)] = 1
        lens = torch.tensor([max(1, len(a)) for a in cut], dtype=torch.float32)
        return tok, mask, lens

    def fit(train: np.ndarray) -> Head:
        torch.manual_seed(SEED)
        rng = np.random.default_rng(SEED)
        head = Head()
        balance = torch.tensor(class_balance(y[train], np.ones(len(train)), classes),
                               dtype=torch.float32)
        opt = torch.optim.Adam(head.parameters(), lr=LR, weight_decay=L2)
        for _ in range(args.epochs):
            head.train()
            order = rng.permutation(train)
            for s in range(0, len(order), BATCH):
                idx = order[s : s + BATCH]
                yb = torch.from_numpy(y[idx])
                w = balance[yb]
                loss = nn.functional.cross_entropy(head(*batch(idx)), yb, reduction="none")
                opt.zero_grad()
                ((loss * w).sum() / w.sum()).backward()
                opt.step()
        return head

    started = time.time()

    def read(train: np.ndarray, test: np.ndarray) -> np.ndarray:
        head = fit(train)
        head.eval()
        out = np.zeros((len(test), classes))
        with torch.no_grad():
            for s in range(0, len(test), 512):
                out[s : s + 512] = torch.softmax(head(*batch(test[s : s + 512])), 1).numpy()
        print(f"a fold done at {time.time() - started:.0f}s", file=sys.stderr, flush=True)
        return out

    P = out_of_fold(src, read)
    if args.out:
        np.save(args.out, P)
    figures = argmax_figures(P, y)
    print(f"{args.variant}, {args.epochs} passes, {len(y)} rows: label right "
          f"{figures['accuracy']:.4f}, macro-F1 {figures['macro_f1']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
