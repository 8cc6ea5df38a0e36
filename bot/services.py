"""Building the long-lived pieces (store, engine, catalogue) from settings, once."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.conversation import Conversations
from bot.understanding import shared_understanding
from bot.wiring import build_wiring
from data.engine import make_engine
from data.migrate import upgrade
from data.store import Store
from flows.content_check import check_content
from flows.i18n import Catalogue, default_catalogue


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    catalogue: Catalogue
    conversations: Conversations


def build_services(
    settings: Settings, clock: Clock | None = None, *, migrate: bool = True
) -> Services:
    # Content first: broken content stops the bot before it touches the database.
    catalogue = default_catalogue()
    check_content(catalogue)
    store = Store(make_engine(settings.database_url))
    if migrate:
        upgrade(store.engine)
    clock = clock or SystemClock()
    understanding = shared_understanding(settings.sentence_encoder)
    conversations = Conversations(
        store,
        clock,
        catalogue,
        build_wiring(store, settings, understanding.status),
        default_language=catalogue.pick_language(settings.default_language),
        default_timezone=settings.default_timezone,
        understanding=understanding,
    )
    return Services(settings, store, clock, catalogue, conversations)
