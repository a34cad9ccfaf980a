"""Telegram: recorded-shape Bot API updates → messages, config errors, text splitting (no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import Secret
from connectors.base import ConnectorError
from connectors.telegram import MAX_TEXT, TelegramConnector, split_text

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"
TOKEN = "123456789:AAFakeTokenForParseTestsOnly"


def update(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def telegram() -> TelegramConnector:
    return TelegramConnector(Secret("TELEGRAM_BOT_TOKEN", TOKEN), secret_token=Secret("TELEGRAM_WEBHOOK_SECRET", "s"))


def test_private_text_message_becomes_a_message_named_by_first_name(telegram):
    [message] = telegram.parse(update("private_text"))
    assert message.channel == "telegram"
    assert message.conversation_id == "111222333" and message.user_id == "111222333"
    assert message.text == "How long does delivery take?"
    assert message.display_name == "Sara"
    assert message.message_id == "111222333:41"  # Telegram message ids are unique per chat only
    assert message.language == "en"
    assert message.received_at.timestamp() == 1767225600
    assert message.raw["update_id"] == 500000001


def test_language_code_keeps_only_the_two_letter_part_and_unknown_fields_are_ignored(telegram):
    [message] = telegram.parse(update("persian_text"))
    assert message.language == "fa" and message.display_name == "Reza"


def test_start_command_is_a_greeting(telegram):
    [message] = telegram.parse(update("start"))
    assert message.text == "hello"


@pytest.mark.parametrize(("typed", "text"), [
    ("/start@nilu_help_bot", "hello"), ("/start campaign-42", "hello"), ("/help", "help"),
    ("/answer shipping-time", "answer shipping-time"),  # a typed payload is words, not a button choice
])
def test_typed_commands_never_pass_for_button_payloads(telegram, typed, text):
    body = update("private_text")
    body["message"]["text"] = typed
    assert telegram.parse(body)[0].text == text


def test_callback_query_carries_the_button_payload_in_the_chat_it_came_from(telegram):
    [message] = telegram.parse(update("callback_query"))
    assert message.text == "/answer shipping-time"
    assert message.conversation_id == "111222333"
    assert message.message_id == "cb:4382bfdwdsb323b2d9"
    assert message.display_name == "Sara"


def test_edited_message_is_a_new_message_with_its_own_id(telegram):
    [message] = telegram.parse(update("edited_message"))
    original = telegram.parse(update("private_text"))[0]
    assert message.text == "How long does delivery take to Yerevan?"
    assert message.message_id == "111222333:41:edit:1767225700" != original.message_id


@pytest.mark.parametrize("name", ["sticker", "photo", "voice", "document"])
def test_media_without_text_is_an_empty_message_for_the_unsupported_phrase(telegram, name):
    [message] = telegram.parse(update(name))
    assert message.text == "" and message.display_name == "Sara"
    assert message.message_id.startswith("111222333:")


def test_photo_caption_is_read_as_the_question(telegram):
    [message] = telegram.parse(update("photo_caption"))
    assert message.text == "My parcel arrived damaged, what can I do?"


def test_group_chats_are_ignored_unless_configured(telegram):
    assert telegram.parse(update("group_text")) == []
    groups = TelegramConnector(Secret("T", TOKEN), secret_token=Secret("S", "s"), groups=True)
    [message] = groups.parse(update("group_text"))
    assert message.conversation_id == "-1001234567890" and message.user_id == "111222333"


@pytest.mark.parametrize("name", ["my_chat_member", "new_chat_title"])
def test_status_and_service_updates_give_nothing(telegram, name):
    assert telegram.parse(update(name)) == []


@pytest.mark.parametrize("body", [[], {"message": {}}, {"update_id": "x"}, "text"])
def test_malformed_updates_raise_value_error(telegram, body):
    with pytest.raises(ValueError):
        telegram.parse(body)


def test_long_button_payload_round_trips_through_a_short_callback_data(telegram):
    from bot.messages import Button, Reply, ReplyKind

    payload = "/answer " + "a-very-long-entry-id-" * 5
    keyboard = telegram._keyboard(Reply("Which one?", ReplyKind.ACK, (Button("Long one", payload),)))
    data = keyboard.inline_keyboard[0][0].callback_data
    assert len(data.encode()) <= 64
    body = update("callback_query")
    body["callback_query"]["data"] = data
    assert telegram.parse(body)[0].text == payload
    body["callback_query"]["data"] = "h:" + "0" * 32  # offered before a restart: unknown
    assert telegram.parse(body) == []


# -- config ------------------------------------------------------------------------------------
def test_missing_token_variable_is_named(monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s")
    with pytest.raises(ConnectorError, match="TELEGRAM_BOT_TOKEN"):
        TelegramConnector.from_config({"token": "${TELEGRAM_BOT_TOKEN}"})


def test_webhook_mode_needs_the_secret_variable_but_polling_does_not(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ConnectorError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramConnector.from_config({"token": "${TELEGRAM_BOT_TOKEN}", "secret_token": "${TELEGRAM_WEBHOOK_SECRET}"})
    polling = TelegramConnector.from_config({"token": "${TELEGRAM_BOT_TOKEN}", "mode": "polling"})
    assert polling.mode == "polling" and polling.routes() == []


def test_config_problems_are_listed_together_and_inline_tokens_refused(monkeypatch):
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ConnectorError) as error:
        TelegramConnector.from_config({"token": TOKEN, "mode": "push", "colour": "red"})
    message = str(error.value)
    assert "colour" in message and "mode" in message and "never inline" in message
    assert TOKEN not in message


def test_secrets_do_not_show_in_the_connectors_repr(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "webhook-secret-value")
    connector = TelegramConnector.from_config({})
    assert TOKEN not in repr(vars(connector).get("_token")) and "webhook-secret-value" not in repr(connector._secret_token)


# -- splitting ---------------------------------------------------------------------------------
def test_short_text_is_one_part():
    assert split_text("Orders arrive within 2 to 4 working days.") == ["Orders arrive within 2 to 4 working days."]


def test_long_text_splits_on_paragraphs_within_the_limit():
    paragraphs = [f"Paragraph {i}. " + "word " * 300 for i in range(12)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    parts = split_text(text)
    assert len(parts) > 1
    assert all(len(p.encode("utf-16-le")) // 2 <= MAX_TEXT for p in parts)
    assert all(p.startswith("Paragraph") for p in parts)  # cut where a paragraph starts
    assert " ".join(" ".join(parts).split()) == " ".join(text.split())


def test_text_without_separators_is_cut_hard_and_emoji_count_as_two_units():
    text = "\U0001F600" * 3000  # 6000 UTF-16 units
    parts = split_text(text)
    assert [len(p) for p in parts] == [2048, 952]
    assert "".join(parts) == text
