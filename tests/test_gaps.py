"""`helpline gaps`: unanswered questions from the store, grouped by topic for the support lead."""

import io
from dataclasses import replace

from bot.gaps import find_gaps, run_gaps
from bot.messages import Message


async def test_uncovered_questions_are_recorded_and_listed_by_topic(served, demo_responder, tmp_path):
    engine = served.runtime.engine
    asked = ["Do you repair bicycles?", "can you fix my bicycle", "Bitcoin accepted?"]
    for i, text in enumerate(asked):
        await engine.handle(Message("rest", f"g{i}", f"g{i}", text, message_id=f"gap-{i}"))
    await engine.handle(Message("rest", "g9", "g9", "How long does delivery take?", message_id="gap-9"))
    stored = await served.runtime.store.messages_with_feedback("unanswered")
    texts = {m.text for m in stored}
    assert "How long does delivery take?" not in texts
    assert texts <= set(asked) and len(texts) >= 2

    gaps = find_gaps(demo_responder, [m.text for m in stored])
    bicycles = [g for g in gaps if any("bicycle" in q for q in g.questions)]
    assert len(bicycles) == 1  # the two bicycle questions are one topic


def test_gaps_command_prints_topics_largest_first(demo_responder, tmp_path):
    import asyncio

    from bot.store import Store

    url = f"sqlite:///{tmp_path / 'g.db'}"

    async def seed():
        store = await Store.open(url)
        await store.migrate()
        for i, text in enumerate(["Do you sell garden furniture?", "Do you sell garden furniture??", "Bitcoin accepted?"]):
            result = await store.record_inbound("rest", f"c{i}", f"m{i}", text)
            await store.record_feedback(result.conversation.id, "unanswered", message_id=result.message.id)
        await store.close()

    asyncio.run(seed())
    responder = demo_responder
    original = responder.config
    responder.config = replace(original, database_url=url)
    try:
        out = io.StringIO()
        assert run_gaps(responder, 30, out) == 0
    finally:
        responder.config = original
    text = out.getvalue()
    assert "3 unanswered questions in the last 30 days, 2 topics" in text
    assert text.index("garden furniture") < text.index("Bitcoin")
