"""``helpline tune --write``: tuned settings written into config.yml, every other line kept."""

from __future__ import annotations

import yaml

from bot.config_edit import update_matcher

TUNED = {"answer": 0.7, "margin": 0.03, "calibration": {"a": 9.5, "f": 0.5, "small_bank_penalty": 0.7}}

CONFIG = """\
bank: data/bank
# Decision thresholds (a comment above the section)
matcher:   # tuned by helpline tune
  answer: 0.675     # confidence needed to answer
  margin: 0.05
  head: off         # a setting tune does not write
  answer_weight: 1.2
# a comment at column 0 inside the section
  calibration:
    a: 10.9          # score
    b: 6.9
    small_bank_penalty: 1.5    # kept as configured
  head_training: {steps: 300}

routing:
  default_department: support
  margin: 12   # the same name in another section
"""


def test_tuned_values_are_written_in_place_and_every_other_line_is_kept():
    out = update_matcher(CONFIG, TUNED)
    lines, before = out.splitlines(), CONFIG.splitlines()
    assert len(lines) == len(before) + 1  # only f, which the file did not have, is a new line
    assert "  answer: 0.7       # confidence needed to answer" in lines  # its comment where it was
    assert "    a: 9.5           # score" in lines
    assert "    small_bank_penalty: 0.7    # kept as configured" in lines
    assert lines[lines.index("    small_bank_penalty: 0.7    # kept as configured") + 1] == "    f: 0.5"
    for kept in ("matcher:   # tuned by helpline tune", "  head: off         # a setting tune does not write",
                 "# a comment at column 0 inside the section", "  head_training: {steps: 300}", "  margin: 12   # the same name in another section"):
        assert kept in lines
    loaded = yaml.safe_load(out)
    assert loaded["matcher"]["calibration"] == {"a": 9.5, "b": 6.9, "small_bank_penalty": 0.7, "f": 0.5}
    assert (loaded["matcher"]["head"], loaded["matcher"]["answer_weight"]) == (False, 1.2)  # YAML's bare off
    assert loaded["routing"]["margin"] == 12


def test_settings_and_a_calibration_the_file_lacks_are_added_to_its_section():
    out = update_matcher("bank: b\nmatcher:\n  answer: 0.6\nrouting:\n  default_department: support\n", TUNED)
    loaded = yaml.safe_load(out)
    assert loaded["matcher"] == {"answer": 0.7, "margin": 0.03, "calibration": {"a": 9.5, "f": 0.5, "small_bank_penalty": 0.7}}
    assert loaded["routing"] == {"default_department": "support"}


def test_a_config_without_a_matcher_section_gets_one_at_its_end():
    out = update_matcher("bank: b  # the bank\n", TUNED)
    assert out.startswith("bank: b  # the bank\n")
    assert yaml.safe_load(out)["matcher"] == TUNED


def test_writing_the_same_values_again_changes_nothing():
    once = update_matcher(CONFIG, TUNED)
    assert update_matcher(once, TUNED) == once
