"""The programme's daily message, as the dispatcher sends it for a claimed slot.

The slot is claimed like any reminder's (one tick, no job per user); here the
programme's rules decide whether it becomes a message (:mod:`flows.programme_message`).
The decision, the new state and the follow-up's one-off slot are committed in one
transaction *before* the send, as the dispatcher's claim is: a crash costs at most
this one message, never a second one the same day.
"""

from __future__ import annotations

import asyncio

from telegram import Bot

from bot.consent import has_current_consent
from bot.conversation import Outgoing, to_outgoing
from bot.conversation.messages import SEP
from bot.features.programme import PRESS_PREFIX, day_history
from bot.services import Services
from bot.telegram_app import keyboard
from data.reminders import Claim
from flows.programme_message import FOLLOW_UP, SNOOZED, daily_message
from flows.rows import DeliveryStatus
from flows.runtime import Choice, Context, Reply
from flows.schedule import PROGRAMME


def prepare(services: Services, claim: Claim) -> Outgoing | None:
    """Decide and record, in one transaction; None when nothing is to be sent."""
    now = services.clock.now()
    with services.store.on_behalf(claim.user_id, now) as tx:
        if tx is None or not has_current_consent(tx.user):
            return None
        row = tx.programme()
        if row is None or not row.enrolled:
            return None
        t = services.catalogue.translator(tx.user.language)
        ctx = Context(t, now, tx.user.timezone, day_history(tx, row))
        message = daily_message(
            ctx,
            follow_up=bool(claim.rule.get(FOLLOW_UP)),
            snoozed_slot=bool(claim.rule.get(SNOOZED)),
        )
        if message is None:
            return None
        new_state = message.state.to_dict()
        if new_state != row.state:
            tx.save_programme(new_state)
        if message.follow_up_at is not None:
            tx.drop_pending_one_offs(PROGRAMME)
            tx.add_one_off(PROGRAMME, {"kind": PROGRAMME, FOLLOW_UP: True}, message.follow_up_at)
        if message.reply is None:
            return None
        return to_outgoing(with_delivery(message.reply, claim.delivery_id), prefix=PRESS_PREFIX)


def with_delivery(reply: Reply, delivery_id: int) -> Reply:
    """The message's own buttons ("Later") carry the delivery they answer
    (``p|<delivery>|<value>``), like a reminder's; command buttons stay as they are."""
    rows = tuple(
        tuple(
            choice
            if choice.command
            else Choice(choice.label, f"{delivery_id}{SEP}{choice.value}", means=choice.means)
            for choice in row
        )
        for row in reply.choices
    )
    return Reply(reply.text, rows, reply.attachment)


async def send_programme(bot: Bot, services: Services, claim: Claim) -> DeliveryStatus | None:
    """The dispatcher's send for a programme slot: skipped when the rules say no."""
    message = await asyncio.to_thread(prepare, services, claim)
    if message is None:
        return DeliveryStatus.SKIPPED
    await bot.send_message(claim.user_id, message.text, reply_markup=keyboard(message))
    return None
