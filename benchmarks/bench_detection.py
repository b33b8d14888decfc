"""Detection benchmark: items/s on one core, p99 latency per item, peak memory.

Runs each engine in its own child process on the same stream of realistic comments (the
texts of school-dev.csv, the project's school-holdout.csv and hatecheck-policy.csv, cycled to
``--items``), one item at a time as the service does:

* ``ours``   - ``moderation_rules`` default assessment plus the enforce-mode action
  (rules + the shipped models, the school model reading the token vectors too);
* ``ours-ngram`` - the same without the token vectors (``RuleEngine(token_vectors=False)``,
  the default before round 13), to show what they cost;
* ``alt``    - alt-profanity-check ``predict_prob([text])`` (needs ``--baseline-python``);
* ``better`` - better-profanity ``profanity.contains_profanity(text)`` (same).

Pin to one core with maths libraries at one thread, e.g.::

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
      taskset -c 0 .venv/bin/python benchmarks/bench_detection.py \\
      --baseline-python /tmp/benchvenv/bin/python --json

(``/tmp/benchvenv``: a throwaway venv with ``pip install alt-profanity-check better-profanity``;
they are never project dependencies.)  Peak memory is the child's maximum resident set size
(``resource.getrusage``), and separately the Python heap peak during assessment
(``tracemalloc``, measured in a second, untimed pass).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = [
    ROOT.parent / "shared" / "eval" / "school-dev.csv",
    ROOT / "moderation_rules" / "eval_data" / "school-holdout.csv",
    ROOT.parent / "shared" / "eval" / "public" / "hatecheck" / "hatecheck-policy.csv",
]


def stream(files: list[Path], items: int) -> list[str]:
    """The benchmark stream: every text of the files, cycled to ``items`` items."""
    texts: list[str] = []
    for f in files:
        if f.exists():
            with open(f, encoding="utf-8-sig", newline="") as fh:
                texts.extend(r["text"] for r in csv.DictReader(fh))
    if not texts:
        raise SystemExit("no texts found for the benchmark stream")
    return [texts[i % len(texts)] for i in range(items)]


def _engine(name: str):
    if name in ("ours", "ours-ngram"):
        sys.path.insert(0, str(ROOT))
        from moderation_rules.engine import RuleEngine
        from moderation_rules.thresholds import action_for

        eng = RuleEngine(token_vectors=name == "ours")

        def run(text: str) -> object:
            a = eng.assess(text)
            return action_for(a.label, a.scores)

        return run
    if name == "alt":
        from profanity_check import predict_prob

        return lambda text: predict_prob([text])[0]
    if name == "better":
        from better_profanity import profanity

        profanity.load_censor_words()
        return profanity.contains_profanity
    raise SystemExit(f"unknown engine {name}")


def child(name: str, files: list[Path], items: int, warmup: int) -> dict:
    """Run one engine in this process and return its numbers."""
    texts = stream(files, items)
    started = time.perf_counter()
    run = _engine(name)
    load_s = time.perf_counter() - started
    for t in texts[:warmup]:
        run(t)
    lat: list[float] = []
    clock = time.perf_counter
    t0 = clock()
    for t in texts:
        a = clock()
        run(t)
        lat.append(clock() - a)
    wall = clock() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    tracemalloc.start()
    for t in texts[: min(len(texts), 2000)]:
        run(t)
    _, heap_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    lat.sort()

    def pct(p: float) -> float:
        return round(lat[min(len(lat) - 1, int(p * len(lat)))] * 1000, 3)

    return {"engine": name, "items": len(texts), "load_s": round(load_s, 3),
            "items_per_s": round(len(texts) / wall, 1), "mean_ms": round(wall / len(texts) * 1000, 3),
            "p50_ms": pct(0.50), "p99_ms": pct(0.99), "max_ms": round(lat[-1] * 1000, 3),
            "peak_rss_mb": round(rss_mb, 1), "tracemalloc_peak_mb": round(heap_peak / 2**20, 2)}


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    affinity = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    return {"cpu": cpu or platform.processor(), "python": platform.python_version(),
            "platform": platform.platform(), "cores_allowed": affinity,
            "threads_env": {k: os.environ.get(k) for k in
                            ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--engines", default="ours,alt,better")
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--baseline-python", default=None,
                    help="python of a throwaway venv holding the baseline libraries")
    ap.add_argument("--file", action="append", type=Path, help="CSV(s) with a text column")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    files = args.file or DEFAULT_FILES
    if args.child:
        print(json.dumps(child(args.child, files, args.items, args.warmup)))
        return 0
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(k, "1")
    results = []
    for name in [e.strip() for e in args.engines.split(",") if e.strip()]:
        py = sys.executable if name.startswith("ours") else (args.baseline_python or sys.executable)
        cmd = [py, str(Path(__file__).resolve()), "--child", name, "--items", str(args.items),
               "--warmup", str(args.warmup)] + [a for f in files for a in ("--file", str(f))]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            results.append({"engine": name, "error": proc.stderr.strip().splitlines()[-1:]})
            continue
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    out = {"machine": machine(), "results": results}
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    m = out["machine"]
    print(f"{m['cpu']} | Python {m['python']} | cores {m['cores_allowed']}")
    print(f"{'engine':<8}{'items/s':>10}{'mean ms':>9}{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}"
          f"{'RSS MB':>8}{'heap MB':>9}{'load s':>8}")
    for r in results:
        if "error" in r:
            print(f"{r['engine']:<8} error: {r['error']}")
            continue
        print(f"{r['engine']:<8}{r['items_per_s']:>10.0f}{r['mean_ms']:>9.3f}{r['p50_ms']:>8.3f}"
              f"{r['p99_ms']:>8.3f}{r['max_ms']:>8.2f}{r['peak_rss_mb']:>8.1f}"
              f"{r['tracemalloc_peak_mb']:>9.2f}{r['load_s']:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
