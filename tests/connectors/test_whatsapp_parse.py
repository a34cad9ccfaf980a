"""WhatsApp Cloud API: webhook bodies (recorded-shape fixtures) → messages, statuses; replies → Graph bodies.

Pure functions only; the end-to-end tests against a fake Graph API are in test_whatsapp_e2e.py.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.config import Secret
from bot.messages import Button, Reply, ReplyKind
from connectors.base import ConnectorError
from connectors.whatsapp import (
    GRAPH_API,
    Template,
    WhatsAppConnector,
    parse_statuses,
    signature_valid,
    split_text,
)

FIXTURES = Path(__file__).parent / "fixtures" / "whatsapp"
PHONE_NUMBER_ID = "106540352242922"
ENV = {"WHATSAPP_ACCESS_TOKEN": "EAAtest-access-token", "WHATSAPP_APP_SECRET": "app-secret-1f2e3d",
       "WHATSAPP_VERIFY_TOKEN": "verify-me"}


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def connector() -> WhatsAppConnector:
    return WhatsAppConnector(
        access_token=Secret("WHATSAPP_ACCESS_TOKEN", "t"), app_secret=Secret("WHATSAPP_APP_SECRET", "s"),
        verify_token=Secret("WHATSAPP_VERIFY_TOKEN", "v"), phone_number_id=PHONE_NUMBER_ID,
    )


# -- parse ------------------------------------------------------------------------------------
def test_text_message_carries_the_profile_name_wamid_and_number(connector):
    [message] = connector.parse(fixture("text_with_contact"))
    assert message.channel == "whatsapp"
    assert message.text == "How long does delivery take?"
    assert message.display_name == "Sara Karimi"
    assert message.conversation_id == message.user_id == "37491234567"
    assert message.message_id.startswith("wamid.")
    assert message.received_at == datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert message.raw["type"] == "text"


def test_interactive_button_reply_becomes_its_payload(connector):
    [message] = connector.parse(fixture("interactive_button_reply"))
    assert message.text == "/answer shipping-time"
    assert message.display_name == "Sara Karimi"


def test_interactive_list_reply_becomes_its_row_id(connector):
    [message] = connector.parse(fixture("interactive_list_reply"))
    assert message.text == "/answer refund-status"
    assert message.conversation_id == "989121234567"


def test_template_quick_reply_button_becomes_its_payload(connector):
    [message] = connector.parse(fixture("template_quick_reply"))
    assert message.text == "I want a human"


def test_status_only_webhook_gives_no_message_and_four_statuses(connector):
    body = fixture("statuses")
    assert connector.parse(body) == []
    statuses = parse_statuses(body)
    assert [s.status for s in statuses] == ["sent", "delivered", "read", "failed"]
    failed = statuses[-1]
    assert failed.error_code == 131047 and failed.error_title == "Re-engagement message"
    assert failed.recipient_id == "989121234567"
    assert all(s.error_code is None for s in statuses[:3])


def test_image_is_a_message_with_empty_text_and_the_raw_kept(connector):
    [message] = connector.parse(fixture("image"))
    assert message.text == ""
    assert message.raw["type"] == "image" and message.raw["image"]["id"] == "1003383421387256"
    assert message.display_name == "Sara Karimi"


def test_unknown_message_type_is_kept_as_unsupported_not_an_error(connector):
    [message] = connector.parse(fixture("unknown_type"))
    assert message.text == "" and message.raw["type"] == "hologram"


def test_unknown_fields_and_other_change_fields_are_ignored(connector):
    body = fixture("unknown_fields")
    [message] = connector.parse(body)
    assert message.text == "When will my order arrive?" and message.display_name == "Sara Karimi"
    assert parse_statuses(body) == []


def test_two_messages_in_one_webhook_each_get_their_own_sender_name(connector):
    first, second = connector.parse(fixture("two_messages"))
    assert (first.conversation_id, first.display_name, first.text) == ("37491234567", "Sara Karimi", "Hello")
    assert (second.conversation_id, second.display_name) == ("37477123456", "Ara")
    assert first.message_id != second.message_id


def test_reactions_are_not_questions(connector):
    assert connector.parse(fixture("reaction")) == []


def test_messages_to_another_number_of_the_business_account_are_skipped(connector):
    assert connector.parse(fixture("other_phone_number")) == []


@pytest.mark.parametrize("body", [[], "text", 5])
def test_a_body_that_is_not_an_object_is_malformed(connector, body):
    with pytest.raises(ValueError):
        connector.parse(body)


def test_odd_shapes_inside_a_valid_body_are_skipped_not_fatal(connector):
    body = {"object": "whatsapp_business_account", "entry": [
        "junk", {"changes": None}, {"changes": [{"field": "messages", "value": {"messages": [
            {"id": "wamid.no-sender", "type": "text", "text": {"body": "x"}},
            {"from": "1", "id": "wamid.bad-time", "timestamp": "soon", "type": "text", "text": {"body": "hi"}},
            {"from": "2", "id": "wamid.text-null", "type": "text", "text": None},
        ]}}]}]}
    first, second = connector.parse(body)
    assert first.message_id == "wamid.bad-time" and first.text == "hi"
    assert second.text == ""


# -- signature --------------------------------------------------------------------------------
def test_signature_is_hmac_sha256_of_the_raw_body():
    body = b'{"object":"whatsapp_business_account"}'
    good = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert signature_valid("s3cret", body, good)
    assert not signature_valid("s3cret", body + b" ", good)
    assert not signature_valid("other", body, good)
    assert not signature_valid("s3cret", body, None)
    assert not signature_valid("s3cret", body, "sha1=abc")
    assert not signature_valid("s3cret", body, "sha256=é")


# -- config -------------------------------------------------------------------------------------
def test_config_reads_secrets_from_the_environment_and_never_prints_them(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    connector = WhatsAppConnector.from_config({
        "phone_number_id": PHONE_NUMBER_ID, "window_template": {"name": "support_followup", "language": "en"},
    })
    assert connector.access_token.reveal() == ENV["WHATSAPP_ACCESS_TOKEN"]
    assert connector.api_base == GRAPH_API
    assert connector.window_template == Template("support_followup", "en")
    shown = repr(connector) + repr(connector.access_token) + repr(connector.app_secret)
    assert all(value not in shown for value in ENV.values())


def test_a_missing_secret_is_a_clear_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv("WHATSAPP_ACCESS_TOKEN", "x")
    monkeypatch.setenv("WHATSAPP_VERIFY_TOKEN", "y")
    monkeypatch.delenv("WHATSAPP_APP_SECRET", raising=False)
    with pytest.raises(ConnectorError, match="WHATSAPP_APP_SECRET is not set"):
        WhatsAppConnector.from_config({"phone_number_id": PHONE_NUMBER_ID})


def test_config_problems_are_listed_together(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConnectorError) as error:
        WhatsAppConnector.from_config({"access_token": "EAAinline", "window_template": {"name": "x"}, "colour": 1})
    text = str(error.value)
    for expected in ("colour: unknown setting", "access_token: secrets must be written as ${ENV_VAR}",
                     "phone_number_id: required", "window_template: needs"):
        assert expected in text
    assert "EAAinline" not in text


# -- outgoing bodies ------------------------------------------------------------------------------
def test_text_reply_is_one_text_message():
    body, = _connector().bodies("37491234567", Reply("Orders arrive within 2 to 4 working days.", ReplyKind.ANSWER))
    assert body == {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "37491234567",
                    "type": "text", "text": {"body": "Orders arrive within 2 to 4 working days."}}


def test_long_text_is_split_within_4096_characters_at_word_breaks():
    text = " ".join(f"word{i}" for i in range(2000))
    bodies = _connector().bodies("1", Reply(text, ReplyKind.ANSWER))
    parts = [b["text"]["body"] for b in bodies]
    assert len(parts) == -(-len(text) // 4096) and all(len(p) <= 4096 for p in parts)
    assert " ".join(parts) == text


def test_up_to_three_short_choices_are_reply_buttons():
    reply = Reply("Which one?", ReplyKind.ACK, (Button("Delivery time", "/answer shipping-time"), Button("None", "/none")))
    body, = _connector().bodies("1", reply)
    interactive = body["interactive"]
    assert body["type"] == "interactive" and interactive["type"] == "button"
    assert interactive["body"] == {"text": "Which one?"}
    assert interactive["action"]["buttons"] == [
        {"type": "reply", "reply": {"id": "/answer shipping-time", "title": "Delivery time"}},
        {"type": "reply", "reply": {"id": "/none", "title": "None"}},
    ]


def test_more_than_three_choices_or_long_titles_become_a_list():
    buttons = tuple(Button(f"How long does delivery take to region {i}?", f"/answer e{i}") for i in range(12))
    body, = _connector().bodies("1", Reply("Which one?", ReplyKind.ACK, buttons))
    interactive = body["interactive"]
    assert interactive["type"] == "list"
    assert 0 < len(interactive["action"]["button"]) <= 20
    rows = interactive["action"]["sections"][0]["rows"]
    assert len(rows) == 10
    assert all(len(r["title"]) <= 24 and len(r["description"]) <= 72 for r in rows)
    assert rows[0]["id"] == "/answer e0" and rows[0]["description"] == "How long does delivery take to region 0?"


def test_a_long_text_with_choices_sends_the_head_as_text_and_the_tail_with_the_buttons():
    text = " ".join(f"word{i}" for i in range(400))
    bodies = _connector().bodies("1", Reply(text, ReplyKind.ACK, (Button("Yes", "/yes"),)))
    assert [b["type"] for b in bodies] == ["text", "interactive"]
    tail = bodies[-1]["interactive"]["body"]["text"]
    assert len(tail) <= 1024
    assert bodies[0]["text"]["body"] + " " + tail == text


def test_split_text_keeps_short_text_whole_and_cuts_unbroken_text_hard():
    assert split_text("hello", 10) == ["hello"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def _connector() -> WhatsAppConnector:
    return WhatsAppConnector(
        access_token=Secret("A", "t"), app_secret=Secret("B", "s"), verify_token=Secret("C", "v"),
        phone_number_id=PHONE_NUMBER_ID,
    )
