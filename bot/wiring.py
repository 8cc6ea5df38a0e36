"""Which flows, commands and fact recorders the engine knows: every feature adds its
own pieces, so the conversation engine stays generic."""

from __future__ import annotations

from bot.config import Settings
from bot.conversation.registry import Wiring
from bot.features import (
    caution,
    checkin,
    coach,
    exercise,
    learn,
    onboarding,
    pain_test,
    privacy,
    programme,
    reminders,
    summary,
)
from data.store import Store
from data.turn import Turn
from flows import helplines
from flows.i18n import Translator
from flows.runtime import Reply


def _help(tx: Turn, t: Translator) -> list[Reply]:
    return [Reply(t("common.help.text", **helplines.fills(t, tx.user.timezone)))]


def build_wiring(
    store: Store | None = None,
    settings: Settings | None = None,
    understanding_status: str = "",
) -> Wiring:
    """Every feature's pieces. ``store``, ``settings`` and the understanding status are
    only needed by the admin counts and the privacy text; ``python -m bot flows`` draws
    without them."""
    wiring = Wiring()
    wiring.add_command("help", _help)
    for feature in (
        onboarding,
        pain_test,
        checkin,
        learn,
        exercise,
        summary,
        reminders,
        programme,
        caution,
        coach,
    ):
        feature.register(wiring)
    privacy.register(
        wiring,
        store=store,
        retention_months=settings.retention_months if settings else 12,
        admin_ids=settings.admin_id_set if settings else frozenset(),
        understanding_status=understanding_status,
    )
    return wiring
