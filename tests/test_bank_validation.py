"""The bank contract: one file or a directory, every mistake as FILE:LINE in one run."""

from pathlib import Path

import pytest

from bot.cli import main, summary
from faq.bank import Status
from faq.errors import BankInvalid
from faq.loader import load_bank
from faq.settings import Calibration

GOOD = """\
version: 1
language: en
departments:
  - id: logistics
    name: Logistics
entries:
  - id: shipping-time
    department: logistics
    status: approved
    approved_by: Omid (Logistics)
    approved_on: 2026-11-01
    questions:
      en: ["How long does delivery take?", "When will my order arrive?"]
      fa: ["سفارشم کی میرسه؟"]
    answer:
      en: Orders arrive within 2 to 4 working days.
      fa: سفارش‌ها ظرف ۲ تا ۴ روز کاری می‌رسند.
  - id: old-courier
    department: logistics
    status: retired
    questions: ["Do you ship with PonyExpress?"]
    answer: Not any more.
  - id: new-courier
    department: logistics
    status: draft
    questions: ["Do you ship with DHL?"]
    answer: Soon.
"""

# Line numbers matter: each mistake below is on a known line.
BROKEN = """\
version: 1
language: en
departments:
  - id: sales
    name: Sales
entries:
  - id: price-match
    department: sales
    status: approved
    questions: ["Do you match prices?"]
    answer: Yes, within 14 days.
  - id: price-match
    department: marketing
    status: approved
    approved_by: Ana
    questions: ["Any discounts?"]
    answer: ""
  - id: Bad_Id
    department: sales
    status: approved
    approved_by: Ana
    colour: red
    questions: [x]
    answer: y
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_bank_loads_with_languages_and_statuses(tmp_path):
    bank = load_bank(write(tmp_path, "bank.yml", GOOD))
    assert bank.language == "en"
    assert [e.id for e in bank.served()] == ["shipping-time"]
    assert bank.entry("old-courier").status is Status.RETIRED
    entry = bank.entry("shipping-time")
    assert entry.questions["fa"] == ("سفارشم کی میرسه؟",)
    assert entry.answer_in("ar", "en") == ("en", "Orders arrive within 2 to 4 working days.")
    assert entry.answer_in("fa", "en")[0] == "fa"
    assert entry.approved_by == "Omid (Logistics)"


def test_plain_list_questions_and_string_answer_take_the_default_language(tmp_path):
    bank = load_bank(write(tmp_path, "bank.yml", GOOD))
    retired = bank.entry("old-courier")
    assert retired.questions == {"en": ("Do you ship with PonyExpress?",)}
    assert retired.answer == {"en": "Not any more."}


def test_every_mistake_is_reported_with_its_line_in_one_run(tmp_path):
    path = write(tmp_path, "broken.yml", BROKEN)
    with pytest.raises(BankInvalid) as caught:
        load_bank(path)
    lines = {(p.line, p.message.split(" (")[0]) for p in caught.value.problems}
    assert (7, "entry 'price-match' is approved but has no 'approved_by'") in lines
    assert (12, "duplicate entry id 'price-match'") in lines
    assert (13, "entry 'price-match': department 'marketing' is not declared") in lines
    assert (17, "entry 'price-match' has an empty answer") in lines
    assert (18, "entry id 'Bad_Id' must match [a-z0-9-]+") in lines
    assert (22, "unknown key 'colour' in entry") in lines
    assert all(p.file == str(path) for p in caught.value.problems)


def test_directory_bank_merges_files_and_checks_ids_across_them(tmp_path):
    bank_dir = tmp_path / "bank"
    bank_dir.mkdir()
    write(bank_dir, "logistics.yml", GOOD)
    write(bank_dir, "sales.yml", """\
version: 1
language: en
departments:
  - id: sales
    name: Sales
entries:
  - id: price-match
    department: sales
    status: approved
    approved_by: Ana (Sales)
    questions: ["Do you match prices?"]
    answer: Yes.
  - id: gift
    department: logistics
    status: approved
    approved_by: Ana (Sales)
    questions: ["Gift wrap?"]
    answer: Yes.
""")
    bank = load_bank(bank_dir)
    assert {e.id for e in bank.served()} == {"shipping-time", "price-match", "gift"}
    assert bank.entry("gift").department == "logistics"  # declared in the other file

    write(bank_dir, "dupe.yaml", GOOD.replace("id: logistics\n    name: Logistics", "id: extra\n    name: Extra")
          .replace("department: logistics", "department: extra"))
    with pytest.raises(BankInvalid) as caught:
        load_bank(bank_dir)
    messages = [str(p) for p in caught.value.problems]
    # files are read in name order: dupe.yaml first, so logistics.yml holds the duplicate
    assert any(m.startswith(f"{bank_dir / 'logistics.yml'}:7: duplicate entry id 'shipping-time'") for m in messages)


def test_yaml_syntax_error_is_a_problem_not_a_traceback(tmp_path):
    path = write(tmp_path, "bank.yml", "version: 1\nentries:\n  - id: [unclosed\n")
    with pytest.raises(BankInvalid) as caught:
        load_bank(path)
    assert caught.value.problems[0].message.startswith("YAML syntax error")
    assert caught.value.problems[0].line >= 3


def test_check_command_lists_problems_and_exits_1(tmp_path, capsys):
    path = write(tmp_path, "broken.yml", BROKEN)
    assert main(["check", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 6
    assert all(line.startswith(f"{path}:") for line in err)
    assert "Traceback" not in "\n".join(err)


def test_check_command_summarises_a_valid_bank(tmp_path, capsys):
    assert main(["check", str(write(tmp_path, "bank.yml", GOOD))]) == 0
    out = capsys.readouterr().out
    assert "logistics (Logistics): 1 draft, 1 approved, 1 retired" in out
    assert "fa: questions in 1, answers in 1 of 1 served entries" in out


# An English-only entry with a single question, appended to GOOD (which has fa answers).
RETURNS = """\
  - id: returns
    department: logistics
    status: approved
    approved_by: Omid
    questions: ["Can I return it?"]
    answer: Within 30 days.
"""


def test_check_reports_entries_missing_a_translation(tmp_path, capsys):
    text = GOOD + RETURNS
    assert main(["check", str(write(tmp_path, "bank.yml", text))]) == 0
    assert "returns: no answer in fa" in capsys.readouterr().out


def test_check_points_at_entries_with_few_example_questions(tmp_path, capsys):
    text = GOOD + RETURNS
    assert main(["check", str(write(tmp_path, "bank.yml", text))]) == 0  # advice, not an error
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if l.startswith("entries with fewer than 3 example questions"))
    assert "returns (1)" in line


def test_check_says_a_small_bank_answers_only_when_surer(tmp_path, capsys):
    assert main(["check", str(write(tmp_path, "bank.yml", GOOD + RETURNS))]) == 0
    assert "served entries, fewer than 30: the bot answers only when it is surer" in capsys.readouterr().out
    assert main(["check", str(Path(__file__).resolve().parents[1] / "data" / "bank")]) == 0  # 33 entries
    assert "fewer than 30" not in capsys.readouterr().out
    small = load_bank(write(tmp_path, "bank.yml", GOOD + RETURNS))
    assert "only when it is surer" not in summary(small, calibration=Calibration(small_bank_penalty=0.0))  # as configured
    assert "only when it is surer" not in summary(small, calibration=Calibration(small_bank=2.0))


def test_demo_bank_is_valid():
    bank = load_bank(Path(__file__).resolve().parents[1] / "data" / "bank")
    assert len(bank.served()) >= 25
    assert len(bank.departments) >= 3
    assert {"en", "fa", "ar"} <= set(bank.languages)


def test_department_names_may_be_translated(tmp_path):
    text = GOOD.replace("    name: Logistics\n", "    name:\n      en: Logistics\n      fa: ارسال و تحویل\n")
    bank = load_bank(write(tmp_path, "bank.yml", text))
    department = bank.department("logistics")
    assert department.name == "Logistics"
    assert department.name_in("fa") == "ارسال و تحویل" and department.name_in("ar") == "Logistics"


ZARIN = """\
  - id: zarin-plus
    department: logistics
    status: approved
    approved_by: Omid
    questions: ["What is Zarin Plus?", "Tell me about Zarin Plus", "Zarin Plus, what is it?"]
    answer: Our loyalty club.
"""


def test_check_names_entries_no_lexicon_word_reaches_and_counts_the_deployments_glossary(tmp_path, capsys):
    bank = write(tmp_path, "bank.yml", GOOD + ZARIN)
    assert main(["check", str(bank)]) == 0
    line = next(l for l in capsys.readouterr().out.splitlines() if "no word of the cross-lingual lexicon" in l)
    assert "zarin-plus" in line and "shipping-time" not in line

    glossary = write(tmp_path, "glossary.yml", "zarin-plus:\n  en: [zarin plus]\n  fa: [زرین پلاس]\n")
    assert main(["check", str(bank), "--glossary", str(glossary)]) == 0
    assert "no word of the cross-lingual lexicon" not in capsys.readouterr().out

    config = write(tmp_path, "config.yml", "glossary: glossary.yml\n")  # relative to the config file
    assert main(["check", str(bank), "--config", str(config)]) == 0
    assert "no word of the cross-lingual lexicon" not in capsys.readouterr().out


def test_check_reports_a_broken_glossary_by_line(tmp_path, capsys):
    bank = write(tmp_path, "bank.yml", GOOD)
    glossary = write(tmp_path, "glossary.yml", "zarin-plus:\n  en: zarin plus\n")
    assert main(["check", str(bank), "--glossary", str(glossary)]) == 1
    err = capsys.readouterr().err
    assert f"{glossary}:2:" in err and "Traceback" not in err


def test_check_warns_when_the_configs_routing_names_departments_the_bank_lacks(tmp_path, capsys):
    bank = write(tmp_path, "bank.yml", GOOD)  # one department: logistics
    config = write(tmp_path, "config.yml", "routing:\n  default_department: support\n"
                                           "  departments:\n    logistics: {response_minutes: 30}\n    billing: {response_minutes: 90}\n")
    assert main(["check", str(bank), "--config", str(config)]) == 0  # advice about the deployment, not a bank error
    warnings = [l for l in capsys.readouterr().out.splitlines() if l.startswith("warning:")]
    assert len(warnings) == 2
    assert "routing.default_department 'support' is not a department of the bank (logistics)" in warnings[0]
    assert "routing.departments.billing" in warnings[1]

    config.write_text("routing:\n  default_department: logistics\n", encoding="utf-8")
    assert main(["check", str(bank), "--config", str(config)]) == 0
    assert "warning:" not in capsys.readouterr().out
