"""Free text understood end to end: the real Application and HTTP client against the
fake Bot API, with the real sentence encoder. Crises said in people's own words get the
lines wherever they are typed; a borderline sentence gets the direct question; harmless
idioms raise nothing; every coach intent leads on, in every language; and without an
encoder the bot still starts and its word lists still work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.runner import running
from bot.services import build_services
from bot.understanding import Understood
from flows import helplines
from flows.formatting import format_time
from flows.i18n import default_catalogue
from flows.onboarding import CONSENT_VERSION
from flows.understanding.classifier import Reading
from flows.understanding.labels import Label
from flows.understanding.safety_call import crisis_text, emergency_text
from tests.conftest import TEST_TOKEN, bot_settings, require_encoder
from tests.support import peek
from tests.support.fakebotapi import Call, FakeBotApi
from tests.support.telegram import Harness, message_id

USER = 5150
CATALOGUE = default_catalogue()

# Said in people's own words: none of these is in the word lists.
CRISIS = {
    "en": "honestly i don't see the point of going on, everyone would manage fine without me",
    "nl": "iedereen zou beter af zijn zonder mij, ik ben het zo beu",
    "fr": "je crois que tout le monde serait plus tranquille si je n'étais plus là",
    "de": "ich hab schon abschiedsbriefe geschrieben, bald ist es vorbei",
}
HARMLESS = {
    "en": "this meeting is killing me",
    "nl": "ik ben doodmoe na die lange dag",
    "fr": "mort de rire avec cette vidéo",
    "de": "ich lach mich tot über den film",
}
INTENTS: dict[str, dict[Label, str]] = {
    "en": {
        Label.PAIN_REPORT: "my lower back feels really tight after the long drive",
        Label.STRESS_REPORT: "work is so stressful this week, i can't switch off",
        Label.ACTIVITY_DONE: "walked 20 minutes at lunch",
        Label.WANTS_EXERCISE: "can you give me an exercise for my neck?",
        Label.REMINDER_CHANGE: "remind me at 8 instead please",
        Label.TODAY_PLAN: "what should i do today?",
        Label.WEEK_SUMMARY: "how did my week go?",
        Label.GREETING: "good morning!",
        Label.THANKS: "thanks, that really helped",
        Label.BACK_QUESTION: "is it bad to sit all day for my back?",
    },
    "nl": {
        Label.PAIN_REPORT: "mijn rug doet vandaag echt veel pijn",
        Label.STRESS_REPORT: "ik ben zo gestrest door het werk, ik kan ni ontspannen",
        Label.ACTIVITY_DONE: "ik heb 30 minuten gewandeld over de middag",
        Label.WANTS_EXERCISE: "heb je een oefening voor mijn nek?",
        Label.REMINDER_CHANGE: "herinner me liever om 8 uur",
        Label.TODAY_PLAN: "wat moet ik vandaag doen?",
        Label.WEEK_SUMMARY: "hoe ging mijn week?",
        Label.GREETING: "goeiemorgen!",
        Label.THANKS: "merci, dat hielp echt",
        Label.BACK_QUESTION: "is het slecht voor mijn rug om de hele dag te zitten?",
    },
    "fr": {
        Label.PAIN_REPORT: "j'ai vraiment mal au dos aujourd'hui",
        Label.STRESS_REPORT: "je suis super stressé par le boulot, j'arrive pas à décompresser",
        Label.ACTIVITY_DONE: "j'ai marché 30 minutes ce midi",
        Label.WANTS_EXERCISE: "tu as un exercice pour la nuque ?",
        Label.REMINDER_CHANGE: "rappelle-moi plutôt à 8h",
        Label.TODAY_PLAN: "je fais quoi aujourd'hui ?",
        Label.WEEK_SUMMARY: "comment s'est passée ma semaine ?",
        Label.GREETING: "bonjour !",
        Label.THANKS: "merci, ça m'a vraiment aidé",
        Label.BACK_QUESTION: "c'est mauvais pour le dos de rester assis toute la journée ?",
    },
    "de": {
        Label.PAIN_REPORT: "mein rücken tut heute echt weh",
        Label.STRESS_REPORT: "ich bin total gestresst von der arbeit, kann nicht abschalten",
        Label.ACTIVITY_DONE: "bin heute mittag 30 minuten spazieren gegangen",
        Label.WANTS_EXERCISE: "hast du eine übung für den nacken?",
        Label.REMINDER_CHANGE: "erinnere mich lieber um 8 uhr",
        Label.TODAY_PLAN: "was soll ich heute machen?",
        Label.WEEK_SUMMARY: "wie war meine woche?",
        Label.GREETING: "guten morgen!",
        Label.THANKS: "danke, das hat echt geholfen",
        Label.BACK_QUESTION: "ist es schlecht für den rücken, den ganzen tag zu sitzen?",
    },
}


async def _harness(sqlite_url: str, clock: ManualClock, **overrides: Any) -> AsyncIterator[Harness]:
    async with FakeBotApi(token=TEST_TOKEN) as server:
        services = build_services(bot_settings(sqlite_url, server, **overrides), clock)
        try:
            async with running(services, poll_timeout=1):
                yield Harness(server, services)
        finally:
            services.store.dispose()


@pytest.fixture
async def bot(sqlite_url: str, clock: ManualClock) -> AsyncIterator[Harness]:
    require_encoder()
    async for harness in _harness(sqlite_url, clock):
        yield harness


@pytest.fixture
async def bot_without_encoder(sqlite_url: str, clock: ManualClock) -> AsyncIterator[Harness]:
    async for harness in _harness(sqlite_url, clock, sentence_encoder="none"):
        yield harness


def consented(h: Harness, user: int, language: str) -> None:
    """A user who finished onboarding in ``language`` (set up through the store)."""
    now = h.services.clock.now()
    with h.services.store.turn(user, now, language=language, timezone="Europe/Brussels") as tx:
        tx.give_consent(CONSENT_VERSION)


async def type_text(h: Harness, user: int, text: str, language: str, expect: int = 1) -> list[Call]:
    before = len(h.server.sent_messages(user))
    h.server.push_update(h.server.user_message(user, text, language_code=language))
    calls = await h.server.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == user, count=before + expect
    )
    return calls[before:]


def texts(calls: list[Call]) -> list[str]:
    return [str(c.text) for c in calls]


def buttons(call: Call) -> dict[str, str]:
    markup = call.params.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row}


async def press(h: Harness, user: int, call: Call, label: str, expect: int = 1) -> list[Call]:
    before = len(h.server.sent_messages(user))
    h.server.push_update(h.server.callback(user, buttons(call)[label], message_id(call)))
    calls = await h.server.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == user, count=before + expect
    )
    return calls[before:]


async def command(h: Harness, user: int, name: str, language: str, expect: int = 1) -> list[Call]:
    before = len(h.server.sent_messages(user))
    h.server.push_update(h.server.command(user, name, language_code=language))
    calls = await h.server.wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == user, count=before + expect
    )
    return calls[before:]


ZONE = "Europe/Brussels"


# -- crises, wherever they are typed ------------------------------------------------------


@pytest.mark.parametrize("language", sorted(CRISIS))
async def test_a_crisis_in_own_words_before_start_gets_the_lines(
    bot: Harness, language: str
) -> None:
    t = CATALOGUE.translator(language)
    replies = await type_text(bot, USER, CRISIS[language], language)
    assert texts(replies) == [crisis_text(t, ZONE)]
    assert not bot.services.conversations.screen.check(CRISIS[language])  # not a listed phrase


@pytest.mark.parametrize(("command_name", "opening"), [("/checkin", 1), ("/test", 2)])
async def test_a_crisis_typed_inside_a_flow_gets_the_lines_and_the_question_waits(
    bot: Harness, command_name: str, opening: int
) -> None:
    t = CATALOGUE.translator("en")
    consented(bot, USER, "en")
    question = (await command(bot, USER, command_name, "en", expect=opening))[-1]
    replies = await type_text(bot, USER, CRISIS["en"], "en", expect=2)
    assert texts(replies) == [crisis_text(t, ZONE), t("safety.paused")]
    again = await press(bot, USER, replies[1], t("common.continue"))
    assert again[-1].text == question.text  # the same question, still answerable


async def test_a_borderline_sentence_gets_a_direct_question_that_leads_to_the_lines(
    bot: Harness,
) -> None:
    t = CATALOGUE.translator("de")
    consented(bot, USER, "de")
    typed = "ich schlafe schlecht und sehe kaum noch einen sinn in meinem alltag"
    asked = await type_text(bot, USER, typed, "de")
    assert asked[0].text.startswith(t("safety.ask_crisis", line="").strip()[:40])
    assert set(buttons(asked[0])) == {t("safety.ask_yes"), t("safety.ask_no"), t("safety.ask_skip")}
    lines = await press(bot, USER, asked[0], t("safety.ask_skip"))
    assert texts(lines) == [crisis_text(t, ZONE)]
    no = await press(bot, USER, asked[0], t("safety.ask_no"))
    assert texts(no) == [t("safety.ask_no_reply")]


async def test_a_borderline_emergency_sign_is_asked_about_sign_by_sign(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The question's path over Telegram, with the reading held in the borderline band.

    The shipped model answers nearly every sentence about the three signs with the
    advice at once (its recall is tested on the validation part), and the few it puts
    in the band sit within a hundredth of an edge, where another numpy build could tip
    them. So the message is encoded for real and only its probabilities are fixed."""
    understanding = bot.services.conversations.understanding
    real = understanding.read

    def borderline(text: str) -> Understood | None:
        found = real(text)
        assert found is not None
        reading = Reading(
            {Label.EMERGENCY: 0.3, Label.PAIN_REPORT: 0.7},
            {Label.EMERGENCY: 0.9, Label.HARMLESS: 0.8},
        )
        return replace(found, reading=reading)

    monkeypatch.setattr(understanding, "read", borderline)
    t = CATALOGUE.translator("de")
    consented(bot, USER, "de")
    typed = "untenrum fühlt es sich seit heute morgen irgendwie komisch an"
    asked = await type_text(bot, USER, typed, "de")
    assert asked[0].text == t("safety.ask_emergency")
    advice = await press(bot, USER, asked[0], t("safety.sign_saddle"))
    assert texts(advice) == [emergency_text(t, ZONE)]
    none = await press(bot, USER, asked[0], t("safety.sign_none"))
    assert texts(none) == [t("safety.signs_none_reply", **helplines.fills(t, ZONE))]


@pytest.mark.parametrize("language", sorted(HARMLESS))
async def test_a_harmless_idiom_raises_no_alarm(bot: Harness, language: str) -> None:
    t = CATALOGUE.translator(language)
    consented(bot, USER, language)
    replies = await type_text(bot, USER, HARMLESS[language], language)
    alarms = {crisis_text(t, ZONE), emergency_text(t, ZONE), t("safety.ask_emergency")}
    assert not alarms & set(texts(replies))
    assert not replies[0].text.startswith(t("safety.ask_crisis", line="").strip()[:40])


# -- the coach, in every language -----------------------------------------------------------


@pytest.mark.parametrize("language", sorted(INTENTS))
async def test_each_coach_intent_leads_on_in_each_language(bot: Harness, language: str) -> None:
    t = CATALOGUE.translator(language)
    store = bot.services.store
    consented(bot, USER, language)
    said = INTENTS[language]

    pain = await type_text(bot, USER, said[Label.PAIN_REPORT], language)
    assert pain[0].text == t("coach.pain_report")
    relief = await press(bot, USER, pain[0], t("coach.relief_button"), expect=2)
    assert t("exercises.unknown_exercise") not in relief[0].text
    assert (
        peek.saved_state(store, USER) is not None
        and peek.saved_state(store, USER).flow == "exercise"
    )
    await command(bot, USER, "/cancel", language)
    pain = await type_text(bot, USER, said[Label.PAIN_REPORT], language)
    checkin = await press(bot, USER, pain[0], t("coach.checkin_button"))
    assert (
        peek.saved_state(store, USER) is not None
        and peek.saved_state(store, USER).flow == "checkin"
    )
    assert checkin

    # Inside a question, typed text goes to the question first.
    inside = await type_text(bot, USER, said[Label.STRESS_REPORT], language)
    assert inside[0].text.startswith(t("common.not_a_number", lo=0, hi=10))
    await command(bot, USER, "/cancel", language)

    stress = await type_text(bot, USER, said[Label.STRESS_REPORT], language)
    assert stress[0].text == t("coach.stress_report")
    calm = list(buttons(stress[0]))
    guided = await press(bot, USER, stress[0], calm[0], expect=2)
    assert (
        peek.saved_state(store, USER) is not None
        and peek.saved_state(store, USER).flow == "exercise"
    )
    assert guided
    await command(bot, USER, "/cancel", language)

    moved = await type_text(bot, USER, said[Label.ACTIVITY_DONE], language)
    minutes = 20 if language == "en" else 30
    assert t("coach.activity_logged", minutes=minutes) in moved[0].text
    assert peek.rows_about(store, USER)["exercise_logs"] == 1

    wants = await type_text(bot, USER, said[Label.WANTS_EXERCISE], language)
    assert wants[0].text == t("coach.wants_exercise")
    assert t("coach.more_exercises") in buttons(wants[0])

    # "Remind me at 8 instead", with no reminder on yet: which one, 8:00 offered next.
    change = await type_text(bot, USER, said[Label.REMINDER_CHANGE], language)
    eight = format_time("08:00", language)
    assert change[0].text.startswith(t("reminders.flow.offer_which", time=eight))
    assert (
        peek.saved_state(store, USER) is not None
        and peek.saved_state(store, USER).flow == "reminders"
    )
    await command(bot, USER, "/cancel", language)

    for label, name in ((Label.TODAY_PLAN, "/plan"), (Label.WEEK_SUMMARY, "/summary")):
        typed = await type_text(bot, USER, said[label], language)
        await command(bot, USER, "/cancel", language)
        asked = await command(bot, USER, name, language)
        await command(bot, USER, "/cancel", language)
        assert typed[0].text == asked[0].text  # the same answer as the command

    hello = await type_text(bot, USER, said[Label.GREETING], language)
    assert hello[0].text == t("coach.greeting", name="Test")
    thanks = await type_text(bot, USER, said[Label.THANKS], language)
    assert texts(thanks) == [t("coach.thanks")]

    question = await type_text(bot, USER, said[Label.BACK_QUESTION], language, expect=2)
    assert question[0].text == t("coach.back_question")
    assert (
        peek.saved_state(store, USER) is not None and peek.saved_state(store, USER).flow == "learn"
    )


# -- without an encoder ---------------------------------------------------------------------


async def test_without_an_encoder_the_bot_starts_and_its_word_lists_still_work(
    bot_without_encoder: Harness,
) -> None:
    h = bot_without_encoder
    t = CATALOGUE.translator("en")
    assert not h.services.conversations.understanding.available
    listed = await type_text(h, USER, "i want to kill myself", "en")
    assert texts(listed) == [crisis_text(t, ZONE)]
    other = await type_text(h, USER, "my lower back feels tight after the long drive", "en")
    assert other[0].text == t("coach.fallback")  # honest: no guess without the encoder
