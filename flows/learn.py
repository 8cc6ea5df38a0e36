"""Learn cards (/learn): short lessons on how back pain works, one tap each.

Understanding that back pain is common, rarely dangerous and eased by moving is itself
part of the treatment guidelines recommend ("reassure and explain"), so the lessons are
short enough to read on a phone in under a minute. The texts live in ``learn.toml``; this
module only knows their order and how to move between them. Each card shown emits
:class:`CardRead`, so the bot can count what a user has read; nothing else is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from flows import helplines
from flows.runtime import Choice, Context, Event, FlowState, Outcome, Press, Reply

NAME = "learn"
MENU = "menu"

CARD_IDS: tuple[str, ...] = (
    "what_is_back_pain",
    "no_single_cause",
    "moving_helps",
    "posture",
    "stress_and_pain",
    "acute_vs_chronic",
    "when_to_see_doctor",
)
"""Lesson order: "Next" walks through them like this; ids double as button values."""

# Button values (short ASCII: they travel in Telegram callback_data).
NEXT = "next"
TO_MENU = "menu"
DONE = "done"


@dataclass(frozen=True)
class CardRead:
    """One lesson was shown to the user."""

    card_id: str

    def __post_init__(self) -> None:
        if self.card_id not in CARD_IDS:
            raise ValueError(f"unknown card {self.card_id!r}")


def recommended_cards(value: object) -> list[str]:
    """Known card ids from ``history["recommended_cards"]``, in order, without repeats.

    The list comes from the latest pain test; anything unknown (an id renamed since the
    test was taken, a malformed value) is left out rather than shown as a broken button.
    """
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    picked: list[str] = []
    for item in value:
        if isinstance(item, str) and item in CARD_IDS and item not in picked:
            picked.append(item)
    return picked


class LearnFlow:
    """menu -> card -> (next card | menu | done).

    ``ctx.history`` keys read (optional): ``recommended_cards``, a list of card ids from
    the latest pain test; when non-empty they are named and listed first in the menu.
    ``open_card``: a card id to open straight away (a question typed in the user's own
    words, answered by the lesson nearest in meaning).
    """

    name = NAME
    needs_consent = False

    def start(self, ctx: Context) -> Outcome:
        picked = recommended_cards(ctx.history.get("recommended_cards"))
        state = FlowState(self.name, MENU, {"recommended": picked})
        wanted = ctx.history.get("open_card")
        if isinstance(wanted, str) and wanted in CARD_IDS:
            return self._show(state, wanted, ctx)
        return Outcome(state, self.current(state, ctx))

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        if state.step in CARD_IDS:
            return (self._card(state.step, ctx),)
        return (self._menu(state, ctx),)

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        if state.step != MENU and state.step not in CARD_IDS:
            return self.start(ctx)
        value = event.value if isinstance(event, Press) else None
        if value == DONE:
            return Outcome(None, (Reply(ctx.t("learn.bye")),))
        if value == TO_MENU and state.step in CARD_IDS:
            return Outcome(state.at(MENU), (self._menu(state, ctx),))
        if value in CARD_IDS:
            return self._show(state, value, ctx)
        if value == NEXT and state.step in CARD_IDS:
            position = CARD_IDS.index(state.step)
            if position + 1 < len(CARD_IDS):
                return self._show(state, CARD_IDS[position + 1], ctx)
        reply = self.current(state, ctx)[0]
        return Outcome(
            state, (Reply(f"{ctx.t('learn.please_pick')}\n\n{reply.text}", reply.choices),)
        )

    def transitions(self) -> list[tuple[str, str, str]]:
        edges: list[tuple[str, str, str]] = [("", "/learn", MENU), (MENU, "done", "")]
        edges += [(MENU, "pick", card) for card in CARD_IDS]
        for card, following in pairwise(CARD_IDS):
            edges.append((card, "next", following))
        for card in CARD_IDS:
            edges += [(card, "menu", MENU), (card, "done", "")]
        return edges

    # -- replies ---------------------------------------------------------------------

    def _show(self, state: FlowState, card_id: str, ctx: Context) -> Outcome:
        return Outcome(state.at(card_id), (self._card(card_id, ctx),), (CardRead(card_id),))

    def _menu(self, state: FlowState, ctx: Context) -> Reply:
        t = ctx.t
        picked = recommended_cards(state.answers.get("recommended"))
        text = t("learn.menu")
        if picked:
            # One per line: titles may hold commas themselves ("Acute, subacute, ...").
            titles = "\n".join(f"• {t(f'learn.cards.{card}.title')}" for card in picked)
            text = f"{text}\n\n{t('learn.picked_for_you', titles=titles)}"
        marker = t("learn.picked_marker")
        rows = [(Choice(marker + t(f"learn.cards.{card}.title"), card),) for card in picked]
        rows += [
            (Choice(t(f"learn.cards.{card}.title"), card),)
            for card in CARD_IDS
            if card not in picked
        ]
        rows.append((Choice(t("common.done"), DONE),))
        return Reply(text, tuple(rows))

    def _card(self, card_id: str, ctx: Context) -> Reply:
        t = ctx.t
        number = CARD_IDS.index(card_id) + 1
        text = "\n\n".join(
            (
                t(f"learn.cards.{card_id}.title"),
                t(f"learn.cards.{card_id}.text", **helplines.fills(t, ctx.timezone)),
                t("learn.progress", number=number, total=len(CARD_IDS)),
            )
        )
        rows: list[tuple[Choice, ...]] = []
        if number < len(CARD_IDS):
            rows.append((Choice(t("learn.next"), NEXT),))
        rows.append((Choice(t("learn.menu_button"), TO_MENU), Choice(t("common.done"), DONE)))
        return Reply(text, tuple(rows))
