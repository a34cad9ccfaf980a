"""Standard-library loaders for the public evaluation sets in ``shared/data``.

Shared by the benchmarks in this folder (encoder benchmark, matcher accuracy benchmark).
Nothing here imports numpy or the bot: only ``csv``, ``json`` and ``pathlib``.

Where the data lives, in order of precedence:

1. an explicit path: ``data_dir("/some/where")``, or ``set_data_dir(args.data)`` once from a
   script's ``--data PATH`` option (see :func:`add_data_argument`);
2. the environment variable ``HELPLINE_DATA``;
3. ``../shared/data`` relative to the repository root (``benchmarks/..``).

A missing folder or file raises :class:`DataMissing` (a ``FileNotFoundError``) that says what
was looked for and how to point at the data.

Loaders return plain lists of tuples (the common case) and ``*_records`` variants return the
full rows as dicts when a benchmark needs the extra columns (dialect, tags, parallel English)::

    from benchmarks import _data as D          # or ``import _data as D`` from inside benchmarks/
    bank = D.banking77("train")                 # [(text, intent), ...]
    cases = D.arbanking77("test_pal")           # [(arabic text, intent), ...] same intent names
    fa = D.massive("fa-IR", "test")             # [(persian text, intent), ...]
    pairs = D.tatoeba("hy")                     # [(armenian text, english text), ...]
    arpa = D.arpa("test")                       # [(sentence1, sentence2, 1 | 0 | -1), ...]

Licences and citations: see each folder's ``SOURCE.md`` (two sets are share-alike).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from pathlib import Path
from typing import Any

__all__ = [
    "DataMissing",
    "DEFAULT_DATA_DIR",
    "ENV_VAR",
    "SPLITS",
    "add_data_argument",
    "set_data_dir",
    "data_dir",
    "data_path",
    "read_csv",
    "read_jsonl",
    "clinc150",
    "clinc150_domains",
    "banking77",
    "banking77_categories",
    "arbanking77",
    "arbanking77_records",
    "arbanking77_intents",
    "bitext",
    "bitext_records",
    "bitext_intents",
    "massive",
    "massive_records",
    "tatoeba",
    "tatoeba_records",
    "arpa",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
ENV_VAR = "HELPLINE_DATA"

#: The splits each loader accepts (aliases: ``val``/``validation``/``dev`` where the set has one).
SPLITS: dict[str, tuple[str, ...]] = {
    "clinc150": ("train", "val", "test"),
    "banking77": ("train", "test"),
    "arbanking77": ("train", "val", "test_msa", "test_pal", "test_saudi", "test_moroccan", "test_tunisian"),
    "bitext": ("train", "val", "test", "all"),
    "massive:en-US": ("train", "validation", "test"),
    "massive:fa-IR": ("train", "validation", "test", "all"),  # a 500-row slice of fa-IR only
    "tatoeba": ("fa", "ar", "he", "hy"),
    "arpa": ("train", "test"),
}

_VAL_ALIASES = {"val", "validation", "dev"}


class DataMissing(FileNotFoundError):
    """The evaluation data (or one of its files) is not where we looked."""


# --------------------------------------------------------------------------- location

_override: Path | None = None


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    """Add the standard ``--data PATH`` option to a benchmark's argument parser."""
    parser.add_argument(
        "--data",
        metavar="PATH",
        default=None,
        help=f"folder with the evaluation sets (default: ${ENV_VAR}, else {DEFAULT_DATA_DIR})",
    )


def set_data_dir(path: str | os.PathLike[str] | None) -> Path:
    """Make ``path`` the default for every loader in this process (``None`` keeps env/default).

    Validates at once, so a bad ``--data`` fails before any model is loaded.
    """
    global _override
    _override = None if path is None else Path(path).expanduser()
    return data_dir()


def data_dir(path: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``path`` > :func:`set_data_dir` > ``$HELPLINE_DATA`` > ``../shared/data``."""
    if path is not None:
        chosen, how = Path(path).expanduser(), "given path"
    elif _override is not None:
        chosen, how = _override, "--data"
    elif os.environ.get(ENV_VAR):
        chosen, how = Path(os.environ[ENV_VAR]).expanduser(), f"${ENV_VAR}"
    else:
        chosen, how = DEFAULT_DATA_DIR, "default (../shared/data next to the repository)"
    if not chosen.is_dir():
        raise DataMissing(
            f"evaluation data folder not found: {chosen} ({how}). "
            f"Point at the folder that holds clinc150/, banking77/, tatoeba/, ... with --data PATH "
            f"or the {ENV_VAR} environment variable."
        )
    return chosen.resolve()


def data_path(*parts: str, data: str | os.PathLike[str] | None = None) -> Path:
    """Path of one file inside the data folder; :class:`DataMissing` if it is absent."""
    root = data_dir(data)
    p = root.joinpath(*parts)
    if not p.is_file():
        raise DataMissing(f"missing data file {p} (data folder {root}; see its README.md)")
    return p


# --------------------------------------------------------------------------- readers

def read_csv(path: str | os.PathLike[str], delimiter: str = ",") -> list[dict[str, str]]:
    """All rows of a UTF-8 CSV/TSV with a header row (proper quoting, embedded newlines)."""
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def read_jsonl(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """All objects of a UTF-8 JSON-lines file (blank lines skipped)."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _split(name: str, split: str, allowed: tuple[str, ...], val_name: str | None = None) -> str:
    s = split.strip().lower()
    if val_name is not None and s in _VAL_ALIASES:
        s = val_name
    if s not in allowed:
        raise ValueError(f"{name}: unknown split {split!r} (one of {', '.join(allowed)})")
    return s


# --------------------------------------------------------------------------- CLINC150

def clinc150(split: str, data=None) -> list[tuple[str, str]]:
    """CLINC150 "full": ``[(text, label)]``; label ``"oos"`` = out of scope (handoff)."""
    s = _split("clinc150", split, SPLITS["clinc150"], val_name="val")
    return [(r["text"], r["label"]) for r in read_csv(data_path("clinc150", f"{s}.csv", data=data))]


def clinc150_domains(data=None) -> dict[str, list[str]]:
    """``{domain: [intent, ...]}`` for the 150 in-scope intents (``oos`` is in none)."""
    with open(data_path("clinc150", "domains.json", data=data), encoding="utf-8") as f:
        return json.load(f)


# --------------------------------------------------------------------------- BANKING77

def banking77(split: str, data=None) -> list[tuple[str, str]]:
    """BANKING77 (English): ``[(text, intent)]``; no validation split (hold out from train)."""
    s = _split("banking77", split, SPLITS["banking77"])
    return [(r["text"], r["category"]) for r in read_csv(data_path("banking77", f"{s}.csv", data=data))]


def banking77_categories(data=None) -> list[str]:
    """The 77 intent names, in the source's order."""
    with open(data_path("banking77", "categories.json", data=data), encoding="utf-8") as f:
        return json.load(f)


# --------------------------------------------------------------------------- ArBanking77

def arbanking77_records(split: str, data=None) -> list[dict[str, str]]:
    """ArBanking77 rows: ``text``, ``label`` (BANKING77 spelling), ``label_ar``, ``variety``."""
    s = _split("arbanking77", split, SPLITS["arbanking77"], val_name="val")
    return read_csv(data_path("arbanking77", f"{s}.csv", data=data))


def arbanking77(split: str, data=None) -> list[tuple[str, str]]:
    """ArBanking77 (Arabic): ``[(text, intent)]`` with the BANKING77 intent names.

    ``split``: ``train``/``val`` (MSA + Palestinian mixed) or one test dialect:
    ``test_msa``, ``test_pal``, ``test_saudi``, ``test_moroccan``, ``test_tunisian`` (27 intents).
    """
    return [(r["text"], r["label"]) for r in arbanking77_records(split, data=data)]


def arbanking77_intents(data=None) -> list[dict[str, str]]:
    """``[{label, label_en_original, label_ar}]`` for the 77 intents."""
    return read_csv(data_path("arbanking77", "intents.csv", data=data))


# --------------------------------------------------------------------------- Bitext

def bitext_records(split: str = "all", data=None) -> list[dict[str, str]]:
    """Bitext rows: ``text``, ``label``, ``category``, ``tags`` (letters, e.g. ``BILQZ``), ``split``.

    The train/val/test split is derived (not official): see ``bitext_customer_support/SOURCE.md``.
    """
    s = _split("bitext", split, SPLITS["bitext"], val_name="val")
    rows = read_csv(data_path("bitext_customer_support", "bitext_customer_support.csv", data=data))
    return rows if s == "all" else [r for r in rows if r["split"] == s]


def bitext(split: str, data=None) -> list[tuple[str, str]]:
    """Bitext customer support (English, 27 intents): ``[(text, intent)]``."""
    return [(r["text"], r["label"]) for r in bitext_records(split, data=data)]


def bitext_intents(data=None) -> dict[str, dict[str, str]]:
    """``{intent: {"category", "example_response"}}`` (responses keep ``{{placeholders}}``)."""
    rows = read_csv(data_path("bitext_customer_support", "intents.csv", data=data))
    return {r["label"]: {"category": r["category"], "example_response": r["example_response"]} for r in rows}


# --------------------------------------------------------------------------- MASSIVE

_MASSIVE_LOCALES = {"en": "en-US", "en-us": "en-US", "fa": "fa-IR", "fa-ir": "fa-IR"}


def massive_records(locale: str, split: str, data=None) -> list[dict[str, Any]]:
    """MASSIVE rows (``id``, ``text``, ``label``, ``scenario``, ``lang``; fa-IR adds ``partition``
    and the parallel en-US utterance ``en``).

    ``locale``: ``en-US`` (complete) or ``fa-IR`` (only the first 500 records: 332 train,
    62 dev, 106 test — a smoke test). ``split``: ``train``, ``validation`` (alias ``val``/``dev``),
    ``test``; ``all`` for fa-IR returns the whole slice.
    """
    loc = _MASSIVE_LOCALES.get(locale.strip().lower())
    if loc is None:
        raise ValueError(
            f"massive: locale {locale!r} is not in the data folder (have en-US and a 500-row fa-IR "
            f"slice; ar-SA, he-IL and hy-AM were not obtainable — see massive/SOURCE.md)"
        )
    s = _split(f"massive:{loc}", split, SPLITS[f"massive:{loc}"], val_name="validation")
    if loc == "en-US":
        return read_jsonl(data_path("massive", f"en-US.{s}.jsonl", data=data))
    rows = read_jsonl(data_path("massive", "fa-IR.subset.jsonl", data=data))
    if s == "all":
        return rows
    partition = "dev" if s == "validation" else s
    return [r for r in rows if r["partition"] == partition]


def massive(locale: str, split: str, data=None) -> list[tuple[str, str]]:
    """MASSIVE intents: ``[(text, intent)]`` (intent = ``{scenario}_{intent}``, same in both locales)."""
    return [(r["text"], r["label"]) for r in massive_records(locale, split, data=data)]


# --------------------------------------------------------------------------- Tatoeba

def tatoeba_records(lang: str, data=None) -> list[dict[str, Any]]:
    """Tatoeba rows: ``id``, ``lang``, ``text`` (in ``lang``), ``en`` (its English translation)."""
    lg = _split("tatoeba", lang, SPLITS["tatoeba"])
    return read_jsonl(data_path("tatoeba", f"{lg}-en.jsonl", data=data))


def tatoeba(lang: str, data=None) -> list[tuple[str, str]]:
    """Tatoeba ``lang``-English pairs: ``[(foreign text, english text)]`` (fa/ar/he: 1000, hy: 742)."""
    return [(r["text"], r["en"]) for r in tatoeba_records(lang, data=data)]


# --------------------------------------------------------------------------- ARPA

def arpa(split: str, data=None) -> list[tuple[str, str, int]]:
    """ARPA Armenian paraphrase pairs: ``[(sentence1, sentence2, label)]``.

    ``label``: 1 paraphrase, 0 near paraphrase, -1 non-paraphrase (the published baselines merge
    0 and -1 into "not a paraphrase").
    """
    s = _split("arpa", split, SPLITS["arpa"])
    rows = read_csv(data_path("arpa", f"{s}.tsv", data=data), delimiter="\t")
    return [(r["Sentence1"], r["Sentence2"], int(r["Paraphrase"])) for r in rows]


if __name__ == "__main__":  # quick inventory: python benchmarks/_data.py [--data PATH]
    ap = argparse.ArgumentParser(description="Row counts of every evaluation set.")
    add_data_argument(ap)
    try:
        root = set_data_dir(ap.parse_args().data)
    except DataMissing as exc:
        raise SystemExit(f"error: {exc}")
    print(f"data: {root}")
    for sp in SPLITS["clinc150"]:
        print(f"clinc150 {sp}: {len(clinc150(sp))}")
    for sp in SPLITS["banking77"]:
        print(f"banking77 {sp}: {len(banking77(sp))}")
    for sp in SPLITS["arbanking77"]:
        print(f"arbanking77 {sp}: {len(arbanking77(sp))}")
    for sp in SPLITS["bitext"]:
        print(f"bitext {sp}: {len(bitext(sp))}")
    for loc in ("en-US", "fa-IR"):
        for sp in SPLITS[f"massive:{loc}"]:
            print(f"massive {loc} {sp}: {len(massive(loc, sp))}")
    for lg in SPLITS["tatoeba"]:
        print(f"tatoeba {lg}: {len(tatoeba(lg))}")
    for sp in SPLITS["arpa"]:
        print(f"arpa {sp}: {len(arpa(sp))}")
