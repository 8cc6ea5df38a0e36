"""Learn cards (/learn): short lessons on how back pain works, one tap each.

Understanding that back pain is common, rarely dangerous and eased by moving is itself
part of the treatment guidelines recommend ("reassure and explain"), so the lessons are
short enough to read on a phone in under a minute. The texts live in ``learn.toml``; this
module only knows their order and how to move between them.

The lessons the self-check picked come first, in the menu and for "Next", and their
progress counts them on their own ("picked for you: lesson 1 of 3"), so the first one
never reads "lesson 5 of 7". Each card shown emits :class:`CardRead`; with consent the
bot stores it and the menu marks the lessons already read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from flows import helplines
from flows.i18n import Translator
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
"""Lesson order when nothing was picked; ids double as button values."""

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
    return _known(value) or []


def _known(value: object) -> list[str] | None:
    """Known card ids in ``value``, in order, without repeats; None when it is no list."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        return None
    cards: list[str] = []
    for item in value:
        if isinstance(item, str) and item in CARD_IDS and item not in cards:
            cards.append(item)
    return cards


def reading_order(picked: Sequence[str]) -> tuple[str, ...]:
    """The picked lessons first, then the rest in the usual order: what "Next" follows."""
    return (*picked, *(card for card in CARD_IDS if card not in picked))


class LearnFlow:
    """menu -> card -> (next card | menu | done).

    ``ctx.history`` keys read (optional): ``recommended_cards``, a list of card ids from
    the latest pain test; when non-empty they are named and listed first in the menu,
    and "Next" reads them first. ``read_cards``: the lessons read before, present (as a
    list) only when the bot remembers reads, that is with consent; the flow then keeps
    this session's reads too (``answers["read"]``) and the menu marks them all. Without
    it nothing about reading is kept. ``open_card``: a card id to open straight away (a
    question typed in the user's own words, answered by the lesson nearest in meaning).
    """

    name = NAME
    needs_consent = False

    def start(self, ctx: Context) -> Outcome:
        picked = recommended_cards(ctx.history.get("recommended_cards"))
        answers: dict[str, object] = {"recommended": picked}
        read = _known(ctx.history.get("read_cards"))
        if read is not None:
            answers["read"] = read
        state = FlowState(self.name, MENU, answers)
        wanted = ctx.history.get("open_card")
        if isinstance(wanted, str) and wanted in CARD_IDS:
            return self._show(state, wanted, ctx)
        return Outcome(state, self.current(state, ctx))

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        if state.step in CARD_IDS:
            return (self._card(state, ctx),)
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
            following = _following(state)
            if following is not None:
                return self._show(state, following, ctx)
        reply = self.current(state, ctx)[0]
        return Outcome(
            state, (Reply(f"{ctx.t('learn.please_pick')}\n\n{reply.text}", reply.choices),)
        )

    def holds_unsaved(self, state: FlowState) -> bool:
        """Lessons have no answers."""
        return False

    def transitions(self) -> list[tuple[str, str, str]]:
        """The edges with nothing picked; picked lessons only change the "next" order."""
        edges: list[tuple[str, str, str]] = [("", "/learn", MENU), (MENU, "done", "")]
        edges += [(MENU, "pick", card) for card in CARD_IDS]
        for card, following in pairwise(CARD_IDS):
            edges.append((card, "next", following))
        for card in CARD_IDS:
            edges += [(card, "menu", MENU), (card, "done", "")]
        return edges

    # -- replies ---------------------------------------------------------------------

    def _show(self, state: FlowState, card_id: str, ctx: Context) -> Outcome:
        read = _known(state.answers.get("read"))
        shown = state.at(card_id)
        if read is not None and card_id not in read:
            shown = state.at(card_id, read=[*read, card_id])
        return Outcome(shown, (self._card(shown, ctx),), (CardRead(card_id),))

    def _menu(self, state: FlowState, ctx: Context) -> Reply:
        t = ctx.t
        picked = recommended_cards(state.answers.get("recommended"))
        read = _known(state.answers.get("read")) or []
        text = t("learn.menu")
        if picked:
            # One per line: titles may hold commas themselves ("Acute, subacute, ...").
            titles = "\n".join(f"• {t(f'learn.cards.{card}.title')}" for card in picked)
            text = f"{text}\n\n{t('learn.picked_for_you', titles=titles)}"
        if read:
            text = f"{text}\n\n{t('learn.read_hint')}"
        rows = [
            (Choice(_label(card, card in picked, card in read, t), card),)
            for card in reading_order(picked)
        ]
        rows.append((Choice(t("common.done"), DONE, means="done"),))
        return Reply(text, tuple(rows))

    def _card(self, state: FlowState, ctx: Context) -> Reply:
        t = ctx.t
        card_id = state.step
        text = "\n\n".join(
            (
                t(f"learn.cards.{card_id}.title"),
                t(f"learn.cards.{card_id}.text", **helplines.fills(t, ctx.timezone)),
                _progress(state, t),
            )
        )
        rows: list[tuple[Choice, ...]] = []
        if _following(state) is not None:
            rows.append((Choice(t("learn.next"), NEXT, means="continue"),))
        rows.append(
            (Choice(t("learn.menu_button"), TO_MENU), Choice(t("common.done"), DONE, means="done"))
        )
        return Reply(text, tuple(rows))


def _following(state: FlowState) -> str | None:
    """The lesson "Next" opens from the card on screen, or None after the last."""
    order = reading_order(recommended_cards(state.answers.get("recommended")))
    position = order.index(state.step)
    return order[position + 1] if position + 1 < len(order) else None


def _progress(state: FlowState, t: Translator) -> str:
    """ "Picked for you: lesson 1 of 3" on a picked lesson, else its place among all."""
    picked = recommended_cards(state.answers.get("recommended"))
    if state.step in picked:
        return t("learn.progress_picked", number=picked.index(state.step) + 1, total=len(picked))
    number = reading_order(picked).index(state.step) + 1
    return t("learn.progress", number=number, total=len(CARD_IDS))


def _label(card: str, picked: bool, read: bool, t: Translator) -> str:
    label = t(f"learn.cards.{card}.title")
    if picked:
        label = t("learn.picked_marker") + label
    return label + t("learn.read_marker") if read else label
