"""What the dispatcher sends for one claimed slot: a nudge with buttons, a follow-up
question after safety advice, the programme's daily message (when its rules say so), or,
for the weekly summary, the summary itself (text first, chart after)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from telegram import Bot

from bot.consent import has_current_consent
from bot.dispatcher import Send
from bot.features.caution import follow_up_message
from bot.features.reminders import nudge, review
from bot.features.summary import load_inputs, summary_replies
from bot.programme_sender import send_programme
from bot.services import Services
from bot.telegram_app import keyboard, send_attachment
from data.reminders import Claim
from flows import follow_up
from flows.rows import DeliveryStatus
from flows.schedule import PROGRAMME
from flows.summary.inputs import SummaryInputs

NUDGE_EVERY = timedelta(days=14)
"""A user with no data gets at most one gentle nudge instead of a summary per fortnight."""


def make_sender(bot: Bot, services: Services) -> Send:
    async def send(claim: Claim) -> DeliveryStatus | None:
        if claim.kind == "summary":
            return await _send_summary(bot, services, claim)
        if claim.kind == PROGRAMME:
            return await send_programme(bot, services, claim)
        if claim.kind in follow_up.KINDS:
            message = follow_up_message(claim, services.catalogue)
        elif claim.ask:
            message = review(claim, services.catalogue)
        else:
            message = nudge(claim, services.catalogue)
        await bot.send_message(claim.user_id, message.text, reply_markup=keyboard(message))
        return DeliveryStatus.ASKED if claim.ask else None

    return send


def _load(services: Services, claim: Claim) -> SummaryInputs | None:
    now = services.clock.now()
    t = services.catalogue.translator(claim.language)
    with services.store.view(claim.user_id, now) as tx:
        # Health data is pushed only with consent to the current text, like /summary.
        if tx is None or not has_current_consent(tx.user):
            return None
        return load_inputs(tx, t)


async def _send_summary(bot: Bot, services: Services, claim: Claim) -> DeliveryStatus:
    inputs = await asyncio.to_thread(_load, services, claim)
    if inputs is None:
        return DeliveryStatus.SKIPPED
    t = services.catalogue.translator(claim.language)
    if not inputs.has_data_this_week:
        # The summary's four weeks of pushes cover the fortnight looked at here.
        if inputs.nudged_between(claim.slot - NUDGE_EVERY, claim.slot):
            return DeliveryStatus.SKIPPED
        await bot.send_message(claim.user_id, t("summary.push.nudge"))
        return DeliveryStatus.NUDGE
    for reply in summary_replies(inputs, t):
        await bot.send_message(claim.user_id, reply.text)
        if reply.attachment is not None:
            await send_attachment(bot, claim.user_id, reply.attachment)
    return DeliveryStatus.SENT
