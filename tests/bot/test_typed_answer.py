"""Typed answers: one matcher (flows/typed_answer.py) for every question with buttons.

Pure tests of the matcher, then the engine: what testers typed in four languages
("Weiter", "Deutsch", "ja", "oui" at /delete, "Ziemlich oft", "Berlin", "london",
"sechs", "zeven", "six", "so 5-6") now answers the question, and nothing ambiguous is
taken silently.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.conversation import Incoming, Outgoing, TurnResult
from bot.services import Services
from flows import scoring as sc
from flows.i18n import default_catalogue
from flows.runtime import Choice, Reply
from flows.timezones import parse_timezone
from flows.typed_answer import MEANINGS, Picked, Unclear, number, read
from tests.support import peek

USER = 5151


def t_for(language: str) -> Any:
    return default_catalogue().translator(language)


# -- the matcher ------------------------------------------------------------------------

SCORES = Reply("0-10", (tuple(Choice(str(n), str(n)) for n in range(11)),))
YES_NO = Reply(
    "ok?", ((Choice("Yes, I agree", "yes", means="yes"),), (Choice("No", "n", means="no"),))
)


def picked(text: str, reply: Reply, language: str = "en") -> str | None:
    reading = read(text, (reply,), t_for(language))
    return reading.choice.value if isinstance(reading, Picked) else None


@pytest.mark.parametrize(
    ("typed", "language", "expected"),
    [
        ("six", "en", "6"),
        ("six", "fr", "6"),
        ("sechs", "de", "6"),
        ("zeven", "nl", "7"),
        ("Zéro", "fr", "0"),
        ("dix-sept", "fr", None),  # 17 is no button here: nothing picked
        ("about six", "en", "6"),
        ("ungefähr sechs", "de", "6"),
        (" 7 ", "en", "7"),
        ("７", "en", "7"),
        ("een beetje", "nl", None),  # "een" is a number only on its own
        ("six", "de", None),  # number words of the user's language only
        ("6/10", "en", None),  # the flow's own reading, never "6 or 10"
        ("-1", "en", None),  # never 1
        ("5.5", "en", None),
        ("12", "en", None),
    ],
)
def test_numbers_in_digits_or_words_of_the_users_language(
    typed: str, language: str, expected: str | None
) -> None:
    assert picked(typed, SCORES, language) == expected


@pytest.mark.parametrize("typed", ["so 5-6", "5 or 6", "cinq-six"])
def test_two_numbers_are_a_question_never_a_guess(typed: str) -> None:
    language = "fr" if typed == "cinq-six" else "en"
    reading = read(typed, (SCORES,), t_for(language))
    assert isinstance(reading, Unclear)
    assert [c.value for c in reading.choices] == ["5", "6"]


def test_a_range_with_one_number_on_offer_is_still_a_question() -> None:
    reply = Reply("0-6", (tuple(Choice(str(n), str(n)) for n in range(7)),))
    reading = read("6-7", (reply,), t_for("en"))
    assert isinstance(reading, Unclear) and [c.value for c in reading.choices] == ["6"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("yes, i agree", "yes"),
        ("YES I AGREE!", "yes"),
        ("yes", "yes"),
        ("Yeah", "yes"),
        ("nope", "n"),
        ("maybe", None),
    ],
)
def test_labels_and_yes_no_words(typed: str, expected: str | None) -> None:
    assert picked(typed, YES_NO) == expected


@pytest.mark.parametrize(
    ("typed", "language"),
    [("ja", "de"), ("ja", "nl"), ("oui", "fr"), ("yes", "en")],
)
def test_yes_words_in_each_language(typed: str, language: str) -> None:
    assert picked(typed, YES_NO, language) == "yes"


@pytest.mark.parametrize(
    ("typed", "language"),
    [("nee", "nl"), ("neen", "nl"), ("non", "fr"), ("nein", "de"), ("no", "en")],
)
def test_no_words_in_each_language(typed: str, language: str) -> None:
    assert picked(typed, YES_NO, language) == "n"


def test_a_yes_word_answers_only_where_one_button_means_yes() -> None:
    two = Reply("?", ((Choice("Start", "a", means="yes"), Choice("Go", "b", means="yes")),))
    assert isinstance(read("yes", (two,), t_for("en")), Unclear)
    unmarked = Reply("?", ((Choice("Update it", "update"), Choice("Keep it", "keep")),))
    assert read("yes", (unmarked,), t_for("en")) is None


def test_label_parts_accents_marks_and_emoji() -> None:
    t = t_for("de")
    names = t.list("pain_test.scales.pss")
    pss = Reply("?", tuple((Choice(f"{n} · {name}", str(n)),) for n, name in enumerate(names)))
    assert picked("Ziemlich oft", pss, "de") == "3"
    assert picked("ziemlich OFT", pss, "de") == "3"
    languages = Reply("?", ((Choice("Français", "fr"),), (Choice("Deutsch", "de"),)))
    assert picked("francais", languages) == "fr"
    assert picked("deutsch", languages) == "de"
    moods = Reply("?", ((Choice("😊 Good", "good"), Choice("😐 So-so", "soso")),))
    assert picked("so so", moods) == "soso"
    assert picked("So-so", moods) == "soso"


def test_a_part_two_buttons_share_is_no_answer() -> None:
    reply = Reply("?", ((Choice("Walk (10 min)", "a"),), (Choice("Stretch (10 min)", "b"),)))
    assert read("10 min", (reply,), t_for("en")) is None
    assert picked("walk", reply) == "a"


def test_two_buttons_with_the_same_label_are_a_question() -> None:
    reply = Reply("?", ((Choice("Same", "a"), Choice("Same", "b")),))
    assert isinstance(read("same", (reply,), t_for("en")), Unclear)


def test_times_and_long_texts_are_left_to_the_flow() -> None:
    times = Reply("?", ((Choice("07:30", "t:0730"), Choice("8:00", "t:0800")),))
    assert read("7", (times,), t_for("en")) is None
    assert picked("07:30", times) == "t:0730"
    assert read("7" * 300, (SCORES,), t_for("en")) is None
    assert read("🙂", (SCORES,), t_for("en")) is None


def test_number_alone_for_flows_without_a_button_per_number() -> None:
    t = t_for("de")
    assert number("sieben", t) == 7
    assert number("so etwa 12", t) == 12
    assert number("5-6", t) is None
    assert number("7 Minuten und 3 Sekunden", t) is None


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
def test_every_language_has_its_words(language: str) -> None:
    t = t_for(language)
    assert len(t.list("common.typed.numbers")) == 21  # 0 to 20, the index is the value
    for meaning in MEANINGS:
        assert t.list(f"common.typed.{meaning}"), meaning
    yes = {w.casefold() for w in t.list("common.typed.yes")}
    no = {w.casefold() for w in t.list("common.typed.no")}
    assert not yes & no


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Berlin", "Europe/Berlin"),
        ("london", "Europe/London"),
        ("vienna", "Europe/Vienna"),
        ("New York", "America/New_York"),
        ("sao paulo", "America/Sao_Paulo"),
        ("Europe/Paris", "Europe/Paris"),
    ],
)
def test_a_city_names_its_time_zone(typed: str, zone: str) -> None:
    assert parse_timezone(typed) == zone


# -- through the engine -----------------------------------------------------------------


def say(services: Services, language: str, **kwargs: Any) -> TurnResult:
    return services.conversations.handle(
        Incoming(USER, language_code=language, first_name="Ann", **kwargs)
    )


def typed(services: Services, text: str, language: str = "en") -> TurnResult:
    return say(services, language, kind="text", text=text)


def press(services: Services, result: TurnResult, label: str) -> TurnResult:
    data = next(
        b.data for r in result.replies for row in r.buttons for b in row if b.label == label
    )
    return say(services, "en", kind="press", callback=data)


def step(services: Services) -> str | None:
    state = peek.saved_state(services.store, USER)
    return state.step if state is not None else None


def where(services: Services) -> tuple[str, dict[str, Any]] | None:
    """The question and the answers so far (a question asked again has a new nonce)."""
    state = peek.saved_state(services.store, USER)
    return (state.step, dict(state.answers)) if state is not None else None


def labels(reply: Outgoing) -> list[str]:
    return [b.label for row in reply.buttons for b in row]


def onboard_by_typing(services: Services, language: str, answers: dict[str, str]) -> None:
    """Answer every onboarding question by typing, whatever order the questions come in."""
    say(services, language, kind="command", command="start")
    for _ in range(10):
        current = step(services)
        if current is None:
            return
        before = where(services)
        typed(services, answers[current], language)
        assert where(services) != before, f"typing at {current} did nothing"
    raise AssertionError("onboarding never ended")


def test_onboarding_in_german_by_typing_weiter_deutsch_ja_berlin(services: Services) -> None:
    onboard_by_typing(
        services,
        "de",
        {
            "welcome": "Weiter",
            "language": "Deutsch",
            "consent": "ja",
            "timezone": "nein",
            "timezone_pick": "Berlin",
        },
    )
    user = services.store.get_user(USER)
    assert user is not None and user.has_consent and user.language == "de"
    assert user.timezone == "Europe/Berlin"


@pytest.mark.parametrize(("city", "zone"), [("london", "Europe/London"), ("Wien", None)])
def test_a_typed_city_at_the_time_zone_question(
    services: Services, city: str, zone: str | None
) -> None:
    answers = {"welcome": "continue", "language": "english", "consent": "yes"}
    answers |= {"timezone": "change it", "timezone_pick": city}
    if zone is None:
        with pytest.raises(AssertionError, match="did nothing"):
            onboard_by_typing(services, "en", answers)
        assert step(services) == "timezone_pick"
        return
    onboard_by_typing(services, "en", answers)
    user = services.store.get_user(USER)
    assert user is not None and user.timezone == zone


def onboard(services: Services, language: str) -> None:
    """Onboarding by tapping, so each test below fails only for its own typed answer."""
    t = t_for(language)
    taps = {
        "welcome": t("common.continue"),
        "language": t(f"onboarding.language_names.{language}"),
        "consent": t("onboarding.consent_yes"),
        "timezone": t("onboarding.timezone_keep"),
    }
    result = say(services, language, kind="command", command="start")
    while (current := step(services)) is not None:
        result = press(services, result, taps[current])


def test_oui_at_delete_erases(services: Services) -> None:
    onboard(services, "fr")
    say(services, "fr", kind="command", command="delete")
    done = typed(services, "oui", "fr")
    assert done.replies[0].text == t_for("fr")("privacy.delete_done")
    assert set(peek.rows_about(services.store, USER).values()) == {0}


def test_non_at_delete_keeps_everything(services: Services) -> None:
    onboard(services, "fr")
    say(services, "fr", kind="command", command="delete")
    kept = typed(services, "non", "fr")
    assert kept.replies[0].text == t_for("fr")("privacy.delete_kept")
    assert peek.rows_about(services.store, USER)["users"] == 1
    assert services.store.get_user(USER) is not None


def test_ziemlich_oft_answers_the_stress_question(services: Services) -> None:
    onboard(services, "de")
    with services.store.turn(
        USER, services.clock.now(), language="de", timezone="Europe/Brussels"
    ) as tx:
        tx.save_state("pain_test", sc.PSS4_KEYS[0], {}, "abcd1234")
    typed(services, "Ziemlich oft", "de")
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.step == sc.PSS4_KEYS[1]
    assert state.answers[sc.PSS4_KEYS[0]] == 3


@pytest.mark.parametrize(
    ("language", "word", "value"),
    [("de", "sechs", 6), ("nl", "zeven", 7), ("en", "six", 6), ("fr", "six", 6)],
)
def test_number_words_answer_the_check_in(
    services: Services, language: str, word: str, value: int
) -> None:
    onboard(services, language)
    say(services, language, kind="command", command="checkin")
    typed(services, word, language)
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.step == "stress" and state.answers["pain"] == value


def test_so_5_6_asks_which_and_a_tap_answers(services: Services) -> None:
    onboard(services, "en")
    say(services, "en", kind="command", command="checkin")
    asked = typed(services, "so 5-6")
    assert step(services) == "pain"
    assert [labels(r) for r in asked.replies] == [["5", "6"]]
    assert asked.replies[0].text == t_for("en")("common.which_one")
    press(services, asked, "6")
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.step == "stress" and state.answers["pain"] == 6
