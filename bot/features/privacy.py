"""Trust: /privacy, /export, /delete, /language, and /stats for admins (counts only)."""

from __future__ import annotations

import json

from bot.conversation.registry import AfterTurn, CommandHandler, Wiring
from data.store import Store
from data.turn import Turn
from flows.erasure import EraseFlow, EverythingErased
from flows.i18n import Translator
from flows.language import LanguageFlow
from flows.runtime import File, Reply
from flows.summary.history import CSV_ENCODING, checkins_csv


def privacy_command(retention_months: int) -> CommandHandler:
    def handler(tx: Turn, t: Translator) -> list[Reply]:
        return [Reply(t("privacy.text", months=retention_months))]

    return handler


def export_command(tx: Turn, t: Translator) -> list[Reply]:
    """Everything about the user as JSON, and the check-ins as CSV; built in the turn's
    worker thread, never on the event loop."""
    data = tx.export()
    as_json = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")
    as_csv = checkins_csv(tx.checkin_rows(), t).encode(CSV_ENCODING)
    return [
        Reply(
            t("privacy.export_ready"),
            attachment=File("backcoach-export.json", as_json, t("privacy.export_caption")),
        ),
        Reply(t("privacy.export_csv"), attachment=File("backcoach-checkins.csv", as_csv)),
    ]


def record_erased(tx: Turn, fact: EverythingErased) -> None:
    """Erase every row about the user in every table; their pending reminders go with
    them, so nothing more is sent."""
    tx.erase_everything()


def delete_confirmed(tx: Turn, t: Translator) -> list[Reply]:
    """The "Yes, erase everything" button of messages sent before /delete became a
    flow: command buttons stay valid for ever, so it still does what it said."""
    record_erased(tx, EverythingErased())
    return [Reply(t("privacy.delete_done"))]


def delete_kept(tx: Turn, t: Translator) -> list[Reply]:
    return [Reply(t("privacy.delete_kept"))]


def stats_command(
    store: Store, admin_ids: frozenset[int], understanding_status: str
) -> CommandHandler:
    def handler(tx: Turn, t: Translator) -> list[Reply | AfterTurn]:
        if tx.user.id not in admin_ids:
            return [Reply(t("common.not_understood"))]  # the same answer as any unknown command
        now = tx.now
        # Counted after the admin's turn has committed, never under its write lock.
        return [
            AfterTurn(
                lambda: Reply(
                    t("privacy.stats", **store.stats(now), understanding=understanding_status)
                )
            )
        ]

    return handler


def register(
    wiring: Wiring,
    *,
    store: Store | None,
    retention_months: int,
    admin_ids: frozenset[int],
    understanding_status: str = "",
) -> None:
    flow = LanguageFlow()
    wiring.add_flow(flow, title="common.flows.language")
    wiring.add_command_flow("language", flow.name)
    wiring.add_command("privacy", privacy_command(retention_months))
    wiring.add_command("export", export_command)
    erase = EraseFlow()
    wiring.add_flow(erase, title="common.flows.delete")
    wiring.add_command_flow("delete", erase.name)
    wiring.add_recorder(EverythingErased, record_erased)
    wiring.add_command("delete_confirmed", delete_confirmed)
    wiring.add_command("delete_kept", delete_kept)
    if store is not None:
        wiring.add_command("stats", stats_command(store, admin_ids, understanding_status))
