"""How well the concept lexicon carries meaning across languages, on the parallel corpus.

For every message of ``faq/parallel.yml`` (one support message written in en, fa, ar, he, hy
and ru) the lexicon's concepts are found in the English sentence and in each translation.
*Agreement* is the share of the English sentence's concepts the translation also has (a missing
word, inflection or colloquial form shows up here); *extra* counts concepts only the
translation has (often a more explicit translation, sometimes a term that is too broad).
``--gaps DIR`` writes, per language, the concepts most often missed and most often extra, with
examples: the worklist for whoever extends the lexicon.

    .venv/bin/python benchmarks/lexicon_agreement.py [--lexicon faq/concepts.yml] [--gaps DIR]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from faq.alignment import load_corpus  # noqa: E402
from faq.concepts import ConceptLexicon, parse  # noqa: E402
from faq.language import LANGUAGES  # noqa: E402

_EXAMPLES = 6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lexicon", type=Path, default=ROOT / "faq" / "concepts.yml")
    parser.add_argument("--corpus", type=Path, default=ROOT / "faq" / "parallel.yml")
    parser.add_argument("--gaps", type=Path, help="write gaps-LANG.txt worklists into this folder")
    args = parser.parse_args(argv)
    lexicon = ConceptLexicon(parse(args.lexicon.read_text(encoding="utf-8"), str(args.lexicon)))
    messages = load_corpus(args.corpus.read_text(encoding="utf-8"))
    print("| language | agreement | extra concepts |\n|---|---|---|")
    for lang in (language for language in LANGUAGES if language != "en"):
        shared = total = extra = 0
        missed: dict[str, list[tuple[str, str]]] = defaultdict(list)
        added: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for message in messages:
            english, translated = lexicon.find(message["en"]), lexicon.find(message[lang])
            shared, total, extra = shared + len(english & translated), total + len(english), extra + len(translated - english)
            for concept in english - translated:
                missed[concept].append((message["en"], message[lang]))
            for concept in translated - english:
                added[concept].append((message["en"], message[lang]))
        print(f"| {lang} | {shared / total:.1%} ({shared}/{total}) | {extra} |")
        if args.gaps:
            _write_gaps(args.gaps / f"gaps-{lang}.txt", lang, missed, added)
    return 0


def _write_gaps(path: Path, lang: str, missed: dict, added: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for kind, by_concept in (("MISSING", missed), ("EXTRA", added)):
        for concept, pairs in sorted(by_concept.items(), key=lambda item: -len(item[1])):
            lines.append(f"{kind} {concept} ({len(pairs)}x)")
            lines.extend(f"   en: {en}\n   {lang}: {text}" for en, text in pairs[:_EXAMPLES])
            lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
