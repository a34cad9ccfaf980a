"""helpline's persistence: customers, conversations, messages, the outbox of replies,
tickets and feedback, on SQLite (default) or PostgreSQL.

    store = await Store.open("sqlite:///var/helpline.db")
    await store.migrate()
    result = await store.record_inbound("telegram", "42", "update-9", "hi", display_name="Sara")

Every method is one transaction and returns frozen records; datetimes are UTC-aware.
"""

from ._conversations import UNCHANGED
from ._engine import DEFAULT_DATABASE_URL
from ._errors import Conflict, NotFound, StoreError, StoreUnavailable
from ._records import (
    ConversationRecord,
    ConversationState,
    CustomerCard,
    CustomerRecord,
    Direction,
    FeedbackRecord,
    HandleRecord,
    InboundResult,
    MessageRecord,
    OutboxItem,
    OutboxRecord,
    OutboxStatus,
    Sender,
    TicketRecord,
    TicketState,
)
from ._store import Store

__all__ = [
    "DEFAULT_DATABASE_URL",
    "UNCHANGED",
    "Conflict",
    "ConversationRecord",
    "ConversationState",
    "CustomerCard",
    "CustomerRecord",
    "Direction",
    "FeedbackRecord",
    "HandleRecord",
    "InboundResult",
    "MessageRecord",
    "NotFound",
    "OutboxItem",
    "OutboxRecord",
    "OutboxStatus",
    "Sender",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "TicketRecord",
    "TicketState",
]
