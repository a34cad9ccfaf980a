"""Language detection (faq/language.py) on public sentences, and on Persian typed on an Arabic keyboard;
Russian, Hebrew, Persian and Arabic typed with the keyboard on its English layout (faq/layouts.py).

The reply language is the detected one, so a Persian customer read as Arabic is answered in
Arabic, and the encoder reads the message in the wrong letters. Persian typed on an Arabic
keyboard — Arabic's own yeh and kaf (ي ك) for Persian ی and ک, common on desktop layouts — is
made from each Persian sentence by that swap.

A second table: Russian, Hebrew, Persian and Arabic sentences typed key for key on the English
layout ("ult vjq pfrfp&" for "где мой заказ?", "sthval ;[hsj?" for "سفارشم کجاست؟"), and how many
are written back exactly, in the right language first (digits aside: Persian's number row types
Persian digits); and English messages, none of which should be taken for such a slip. The check
runs as it does without a bank: a matcher also counts the words customers write in each language
(the parallel corpus among them) as the language's.

Sets: Tatoeba fa/ar/he/hy (with their English sides as English), MASSIVE's Persian test slice,
ArBanking77's five test dialects, and the parallel corpus of customer messages that ships with
helpline (faq/parallel.yml: in the repository, and read while the detection's word lists were
written, so not a blind figure).

    .venv/bin/python benchmarks/language.py [--data PATH] [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import _data as D  # noqa: E402  (benchmarks/ is the script's folder)
from accuracy import write_section  # noqa: E402

from faq.alignment import corpus_text  # noqa: E402
from faq.language import detect_language  # noqa: E402
from faq.keyboards import LAYOUTS  # noqa: E402
from faq.layouts import keyboard_slips, on_english_layout  # noqa: E402

ARABIC_KEYBOARD = str.maketrans({"ی": "ي", "ک": "ك"})
ARBANKING_TESTS = ("test_msa", "test_pal", "test_saudi", "test_moroccan", "test_tunisian")


def corpus(language: str) -> list[str]:
    line = re.compile(rf'^[ \t]*-?[ \t]*{language}:[ \t]*"?(.*?)"?[ \t]*$', re.MULTILINE)
    return line.findall(corpus_text())


def sets() -> list[tuple[str, str, list[str]]]:
    """(name, expected language, texts)."""
    tatoeba = {lang: D.tatoeba(lang) for lang in ("fa", "ar", "he", "hy")}
    persian_massive = [text for text, _ in D.massive("fa-IR", "test")]
    rows = [(f"Tatoeba {lang}", lang, [text for text, _ in pairs]) for lang, pairs in tatoeba.items()]
    rows.append(("Tatoeba, the English sides", "en", [en for pairs in tatoeba.values() for _, en in pairs]))
    rows.append(("Tatoeba fa, Arabic keyboard", "fa", [text.translate(ARABIC_KEYBOARD) for text, _ in tatoeba["fa"]]))
    rows.append(("MASSIVE fa-IR test", "fa", persian_massive))
    rows.append(("MASSIVE fa-IR test, Arabic keyboard", "fa", [text.translate(ARABIC_KEYBOARD) for text in persian_massive]))
    rows.append(("ArBanking77 test (5 dialects)", "ar", [text for split in ARBANKING_TESTS for text, _ in D.arbanking77(split)]))
    for language in ("fa", "ar", "he", "hy", "ru", "en"):
        rows.append((f"parallel corpus {language} (read)", language, corpus(language)))
    rows.append(("parallel corpus fa, Arabic keyboard (read)", "fa", [t.translate(ARABIC_KEYBOARD) for t in corpus("fa")]))
    return rows


def render(rows: list[tuple[str, str, list[str]]]) -> str:
    lines = ["| set | texts | detected right | taken for (most often) | µs per text |", "|---|---|---|---|---|"]
    for name, expected, texts in rows:
        started = time.perf_counter()
        found = [detect_language(text) for text in texts]
        elapsed = (time.perf_counter() - started) / max(len(texts), 1) * 1e6
        right = sum(language == expected for language in found)
        wrong: dict[str, int] = {}
        for language in found:
            if language != expected:
                wrong[str(language)] = wrong.get(str(language), 0) + 1
        taken = ", ".join(f"{lang} {n}" for lang, n in sorted(wrong.items(), key=lambda kv: -kv[1])[:3]) or "–"
        lines.append(f"| {name} | {len(texts)} | {right / len(texts):.1%} | {taken} | {elapsed:.0f} |")
    return "\n".join(lines)



def slip_sets() -> list[tuple[str, str | None, list[str]]]:
    """(name, the language typed on the English layout or None for messages that are no slip, texts)."""
    rows: list[tuple[str, str | None, list[str]]] = [
        (f"parallel corpus {language} (read)", language, corpus(language)) for language in ("ru", "he", "fa", "ar")]
    rows += [(f"Tatoeba {language}", language, [text for text, _ in D.tatoeba(language)]) for language in ("he", "fa", "ar")]
    rows.append(("MASSIVE fa-IR test", "fa", [text for text, _ in D.massive("fa-IR", "test")]))
    english = [text for text, _ in D.clinc150("test")] + [text for text, _ in D.banking77("test")]
    english += [text for text, _ in D.massive("en-US", "test")]
    english += [en for lang in ("fa", "ar", "he", "hy") for _, en in D.tatoeba(lang)]
    rows.append(("CLINC150, BANKING77, MASSIVE en tests, Tatoeba's English sides", None, english))
    rows.append(("parallel corpus en (read)", None, corpus("en")))
    return rows


def _as_typed(text: str, language: str) -> str:
    """``text`` with the digits its layout's number row types (Persian's own, where the sentences
    write some in ASCII)."""
    return text.translate({ord(d): LAYOUTS[language].get(ord(d), d) for d in "0123456789"})


def render_slips(rows: list[tuple[str, str | None, list[str]]]) -> str:
    lines = ["| set | texts | written back as meant | taken for a slip of layout |", "|---|---|---|---|"]
    for name, language, texts in rows:
        if language is None:
            taken = sum(bool(keyboard_slips(text)) for text in texts)
            lines.append(f"| {name} | {len(texts)} | – | {taken} |")
            continue
        found = [keyboard_slips(on_english_layout(text, language)) for text in texts]
        right = sum(bool(slips) and slips[0] == (language, _as_typed(text, language)) for slips, text in zip(found, texts))
        elsewhere = Counter(slips[0][0] for slips in found if slips and slips[0][0] != language)
        otherwise = sum(bool(slips) and slips[0][0] == language for slips in found) - right
        other = ", ".join(f"{count} as {lang}" for lang, count in elsewhere.most_common())
        lines.append(f"| {name}, typed on the English layout | {len(texts)} | {right / len(texts):.1%} | "
                     f"{otherwise} otherwise (a Latin word or a slash in the sentence){'; ' + other if other else ''} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    D.add_data_argument(parser)
    parser.add_argument("--out", type=Path, help="write the table into this Markdown file (between its markers)")
    args = parser.parse_args(argv)
    D.set_data_dir(args.data)
    table = render(sets()) + "\n\n" + render_slips(slip_sets())
    print(table)
    if args.out:
        write_section(args.out, table, marker="language")
    return 0


if __name__ == "__main__":
    sys.exit(main())
