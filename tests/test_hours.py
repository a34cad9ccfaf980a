"""Opening hours and the out-of-hours handoff notice (a fake clock: the message's time)."""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_config
from bot.hours import HoursError, OpeningHours
from bot.messages import Message
from bot.policy import ConversationState
from faq.matcher import Reading, Reason, Verdict

YEREVAN = ZoneInfo("Asia/Yerevan")
WEEKDAYS = OpeningHours.parse({"mon-fri": "09:00-18:00", "sat": "10:00-14:00"}, "Asia/Yerevan")


def at(day, hour, minute=0):  # November 2026: the 23rd is a Monday
    return datetime(2026, 11, day, hour, minute, tzinfo=YEREVAN)


def test_open_and_closed_times():
    assert WEEKDAYS.is_open(at(23, 9)) and WEEKDAYS.is_open(at(23, 17, 59))
    assert not WEEKDAYS.is_open(at(23, 18)) and not WEEKDAYS.is_open(at(29, 11))  # Sunday
    assert WEEKDAYS.is_open(at(28, 11)) and not WEEKDAYS.is_open(at(28, 15))  # Saturday


def test_next_opening_skips_closed_days():
    assert WEEKDAYS.next_opening(at(23, 20)) == at(24, 9)  # Monday evening → Tuesday
    assert WEEKDAYS.next_opening(at(28, 15)) == at(30, 9)  # Saturday afternoon → Monday
    assert WEEKDAYS.next_opening(at(23, 10)) == at(23, 10)  # open now
    assert WEEKDAYS.next_opening(datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)) == at(23, 9)  # 07:00 local


@pytest.mark.parametrize("schedule", [{"mon-fry": "09:00-18:00"}, {"mon": "9-18"}, {"mon": "18:00-09:00"}])
def test_bad_schedules_are_refused_with_the_reason(schedule):
    with pytest.raises(HoursError):
        OpeningHours.parse(schedule)


def test_config_lists_hour_mistakes(tmp_path):
    path = tmp_path / "config.yml"
    path.write_text("routing:\n  timezone: Mars/Olympus\n  hours: {mon: '09:00-18:00'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Olympus'"):
        load_config(path)


def policy_with_hours(demo_responder, tmp_path):
    from dataclasses import replace

    from bot.policy import Policy

    path = tmp_path / "config.yml"
    path.write_text(
        "routing:\n  default_department: support\n  timezone: Asia/Yerevan\n"
        "  hours: {mon-fri: '09:00-18:00', sat: '10:00-14:00'}\n"
        "  departments:\n    logistics: {response_minutes: 120}\n", encoding="utf-8")
    routing = load_config(path).routing
    brain = demo_responder.brain
    return replace(brain.policy, routing=routing) if isinstance(brain.policy, Policy) else None


@pytest.mark.parametrize(("when", "expected"), [
    (at(28, 15), "back on Monday at 09:00"),
    (at(23, 20), "back tomorrow at 09:00"),
    (at(23, 7), "back today at 09:00"),
])
def test_handoff_outside_hours_says_when_the_team_is_back(demo_responder, tmp_path, when, expected):
    policy = policy_with_hours(demo_responder, tmp_path)
    message = Message("test", "c", "u", "I want a manager", display_name="Sara", received_at=when)
    reading = Reading(Verdict.HANDOFF, Reason.REQUESTED, "en", ())
    decision = policy.decide(ConversationState(), message, reading)
    text = decision.replies[0].text
    assert expected in text and "Sara" in text and "Customer Care" in text
    assert decision.handoff is not None  # still queued for the team


def test_handoff_in_hours_gives_the_response_time(demo_responder, tmp_path):
    policy = policy_with_hours(demo_responder, tmp_path)
    message = Message("test", "c", "u", "I want a manager", display_name="Sara", received_at=at(24, 11))
    decision = policy.decide(ConversationState(), message, Reading(Verdict.HANDOFF, Reason.REQUESTED, "en", ()))
    assert "usually within 1 hr" in decision.replies[0].text


def test_out_of_hours_notice_in_persian_names_the_weekday(demo_responder, tmp_path):
    policy = policy_with_hours(demo_responder, tmp_path)
    message = Message("test", "c", "u", "مدیر", received_at=at(28, 15))
    decision = policy.decide(ConversationState(), message, Reading(Verdict.HANDOFF, Reason.REQUESTED, "fa", ()))
    assert "دوشنبه ساعت 09:00" in decision.replies[0].text
