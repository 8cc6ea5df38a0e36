"""Help lines follow the user's country: a user in London gets the Samaritans and 999, a
user in Brussels the Belgian lines, a user elsewhere the local emergency number, and no
one ever gets another country's numbers. The data file is checked at load and every
number in it is documented, with its source, in docs/CLINICAL.md."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.conversation import Incoming
from bot.services import Services
from flows import caution as cn
from flows import follow_up as fu
from flows import helpline_table, helplines
from flows.i18n import default_catalogue
from flows.learn import LearnFlow
from flows.pain_test import PainTestFlow
from flows.pain_test_questions import CRISIS, SEE_DOCTOR
from flows.runtime import Context, FlowState, Press
from tests.flows.test_pain_test import NOW, all_text, at, drive
from tests.support.self_check import CALM

CLINICAL = Path(__file__).resolve().parents[2] / "docs" / "CLINICAL.md"
COVERED = ("BE", "NL", "FR", "DE", "LU", "GB", "IE", "CH", "AT")
T = default_catalogue().translator("en")

# zone -> (numbers the crisis message must show, the emergency number, words of the
# out-of-hours doctor advice). Written out by hand, not read from the data file, so a
# wrong edit of the data shows up here.
EXPECTED: dict[str, tuple[tuple[str, ...], str, str]] = {
    "Europe/Brussels": (("1813", "0800 32 123", "106", "107", "108"), "112", "1733"),
    "Europe/Amsterdam": (("113", "0800-0113"), "112", "huisartsenpost"),
    "Europe/Paris": (("3114",), "15", "116 117"),
    "Europe/Berlin": (("0800 111 0 111", "0800 111 0 222", "116 123"), "112", "116 117"),
    "Europe/Luxembourg": (("45 45 45",), "112", "maison médicale"),
    "Europe/London": (("116 123",), "999", "111"),
    "Europe/Dublin": (("116 123",), "112", "out-of-hours service"),
    "Europe/Zurich": (("143",), "144", "canton"),
    "Europe/Vienna": (("142",), "144", "141"),
    "America/New_York": ((), "local emergency number", "local on-call doctor"),
}
COUNTRY = {
    "Europe/Brussels": "BE",
    "Europe/Amsterdam": "NL",
    "Europe/Paris": "FR",
    "Europe/Berlin": "DE",
    "Europe/Luxembourg": "LU",
    "Europe/London": "GB",
    "Europe/Dublin": "IE",
    "Europe/Zurich": "CH",
    "Europe/Vienna": "AT",
    "America/New_York": None,
}


def shows(text: str, number: str) -> bool:
    """``number`` as a whole number in ``text``: "111" is not found in "0800 111 0 111"."""
    return re.search(rf"(?<!\d)(?<!\d[ -]){re.escape(number)}(?![ -]?\d)", text) is not None


def foreign_numbers(zone: str) -> set[str]:
    """Numbers of the other countries that this zone's user must never see (112 works
    everywhere in the EU and is named as such)."""
    data = helpline_table.helplines()
    own = COUNTRY[zone]
    mine = {n for line in data.countries[own].lines for n in line.numbers} if own else set()
    theirs = {
        n
        for code, country in data.countries.items()
        if code != own
        for line in country.lines
        for n in line.numbers
    }
    return theirs - mine - {data.eu_emergency}


def assert_only_own_lines(text: str, zone: str) -> None:
    crisis, emergency, _ = EXPECTED[zone]
    for number in crisis:
        assert shows(text, number), (zone, number, text)
    assert emergency in text, (zone, emergency, text)
    leaked = sorted(n for n in foreign_numbers(zone) if shows(text, n))
    assert leaked == [], (zone, leaked, text)


# -- the data file ---------------------------------------------------------------------


def test_the_data_file_covers_every_country_with_every_kind_of_line() -> None:
    data = helpline_table.helplines()
    assert set(COVERED) <= set(data.countries)
    for code in COVERED:
        country = data.countries[code]
        for kind in helpline_table.KINDS:
            assert country.of_kind(kind), (code, kind)
        for line in country.lines:
            assert line.source.startswith("http") and line.checked_against.startswith("http")
            assert line.evidence in helpline_table.EVIDENCE


GOOD_LINE = """
[[BE]]
kinds = ["emergency"]
name = "112"
numbers = ["112"]
source = "https://example.org/112"
checked_against = "https://example.org/112"
evidence = "official"
"""
REST = """
[[BE]]
kinds = ["suicide", "listening"]
name = "A line"
numbers = ["1813"]
source = "https://example.org/a"
checked_against = "https://example.org/a"
evidence = "news"

[[BE]]
kinds = ["doctor"]
name = "Doctor"
numbers = ["1733"]
source = "https://example.org/d"
checked_against = "https://example.org/d"
evidence = "content"
"""
HEADER = 'checked = "2026-12-04"\neu_emergency = "112"\n'


def test_a_complete_file_loads() -> None:
    data = helpline_table.load(HEADER + GOOD_LINE + REST)
    assert data.countries["BE"].of_kind("doctor")[0].numbers == ("1733",)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (HEADER + GOOD_LINE, "has no suicide line"),
        (HEADER + REST, "has no emergency line"),
        (HEADER + GOOD_LINE + REST.replace('"doctor"', '"dentist"'), "kinds must be among"),
        (
            HEADER + GOOD_LINE.replace('evidence = "official"', 'evidence = "a friend"') + REST,
            "evidence",
        ),
        (
            HEADER + GOOD_LINE.replace('source = "https://example.org/112"\n', "") + REST,
            "source URL",
        ),
        (HEADER + GOOD_LINE.replace('numbers = ["112"]\n', "") + REST, "at least one number"),
        (
            HEADER + GOOD_LINE + REST.replace('numbers = ["1813"]', 'regional = "cantonal"'),
            "regional",
        ),
        (
            HEADER + GOOD_LINE + REST.replace('"doctor"]', '"doctor"]\nregional = "moon"'),
            "regional",
        ),
        ('eu_emergency = "112"\n' + GOOD_LINE + REST, "date it was checked"),
        (HEADER + GOOD_LINE.replace("[[BE]]", "[[Belgium]]") + REST, "ISO codes"),
        (HEADER + "[[BE]\n", "cannot be read"),
    ],
)
def test_a_broken_file_is_refused_with_a_clear_message(text: str, problem: str) -> None:
    with pytest.raises(helpline_table.HelplineDataError, match=problem):
        helpline_table.load(text)


def test_every_number_and_source_is_in_the_clinical_notes() -> None:
    notes = CLINICAL.read_text(encoding="utf-8")
    assert "## Crisis and help lines" in notes
    data = helpline_table.helplines()
    missing = [n for n in data.numbers() if not shows(notes, n)]
    assert missing == []
    sources = {
        url
        for c in data.countries.values()
        for line in c.lines
        for url in (line.source, line.checked_against)
    }
    assert sorted(url for url in sources if url not in notes) == []


def test_every_country_and_regional_service_has_its_words_in_every_language() -> None:
    catalogue = default_catalogue()
    regional = {
        line.regional for c in helpline_table.helplines().countries.values() for line in c.lines
    } - {""}
    for language in catalogue.languages:
        t = catalogue.translator(language)
        for code in helpline_table.helplines().countries:
            assert t.has(f"helplines.countries.{code}.in"), (language, code)
            assert t.has(f"helplines.countries.{code}.not_in"), (language, code)
        for key in regional:
            assert t.has(f"helplines.doctor.regional.{key}"), (language, key)
            assert t.has(f"helplines.doctor.regional_short.{key}"), (language, key)
        for code in helpline_table.LANGUAGES:
            assert t.has(f"helplines.languages.{code}"), (language, code)


# -- which country -----------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "country"), [*COUNTRY.items(), ("Europe/Busingen", "DE")])
def test_the_zone_gives_the_country(zone: str, country: str | None) -> None:
    expected = "US" if zone == "America/New_York" else country
    assert helpline_table.country_for(zone) == expected


def test_a_known_country_wins_over_the_zone_and_unknown_zones_give_none() -> None:
    assert helpline_table.country_for("Europe/Brussels", "nl") == "NL"  # Dutch, left on Brussels
    assert helpline_table.country_for("Europe/Brussels", "US") == "BE"  # no lines for US: the zone
    assert helpline_table.country_for("Asia/Tokyo") == "JP"
    assert helpline_table.country_for("UTC") is None
    assert helpline_table.country_for("UTC", "AT") == "AT"
    assert "142" in helplines.crisis_text(T, "UTC", country="AT")


# -- what users see ----------------------------------------------------------------------


@pytest.mark.parametrize("zone", EXPECTED)
def test_a_user_typing_a_crisis_sentence_gets_their_own_countrys_lines(
    services: Services, zone: str
) -> None:
    user = 7000 + list(EXPECTED).index(zone)
    with services.store.turn(user, services.clock.now(), language="en", timezone=zone):
        pass  # a new user whose time zone is ``zone``
    result = services.conversations.handle(Incoming(user, "text", text="I want to die"))
    text = result.replies[0].text
    assert_only_own_lines(text, zone)
    if zone == "America/New_York":
        assert "ask them for a crisis line nearby" in text


@pytest.mark.parametrize("zone", EXPECTED)
def test_emergency_signs_and_help_name_the_local_emergency_number(
    services: Services, zone: str
) -> None:
    user = 7100 + list(EXPECTED).index(zone)
    with services.store.turn(user, services.clock.now(), language="en", timezone=zone):
        pass
    signs = services.conversations.handle(Incoming(user, "text", text="I can't pee")).replies[0]
    _, emergency, _ = EXPECTED[zone]
    assert emergency in signs.text and "go to an emergency department now" in signs.text
    assert [n for n in foreign_numbers(zone) if shows(signs.text, n)] == []
    help_text = services.conversations.handle(Incoming(user, "command", command="help"))
    assert_only_own_lines(help_text.replies[0].text, zone)


def _ctx(zone: str) -> Context:
    return Context(T, NOW, zone, {})


@pytest.mark.parametrize("zone", EXPECTED)
def test_the_self_check_sends_to_the_local_doctor_line(zone: str) -> None:
    flow = PainTestFlow()
    ticked = flow.handle(at("red_sameday"), Press("cancer"), _ctx(zone)).state
    assert ticked is not None
    screen = flow.handle(ticked, Press("done"), _ctx(zone))
    assert screen.state is not None and screen.state.step == SEE_DOCTOR
    text = all_text(screen)
    _, emergency, doctor = EXPECTED[zone]
    assert doctor in text and emergency in text, (zone, text)
    assert [n for n in foreign_numbers(zone) if shows(text, n)] == [], (zone, text)
    stop = flow.handle(screen.state, Press("stop"), _ctx(zone))
    assert doctor in all_text(stop)
    outcomes, _ = drive({**CALM, "red_sameday": ["cancer"]}, timezone=zone)
    steps = outcomes[-1].replies[-1].text
    assert doctor in steps and emergency in steps, (zone, steps)
    assert [n for n in foreign_numbers(zone) if shows(steps, n)] == []


@pytest.mark.parametrize("zone", EXPECTED)
def test_the_self_checks_crisis_screen_and_steps_show_the_local_lines(zone: str) -> None:
    flow = PainTestFlow()
    screen = flow.handle(at("safety"), Press("yes"), _ctx(zone))
    assert screen.state is not None and screen.state.step == CRISIS
    assert_only_own_lines(all_text(screen), zone)
    stop = flow.handle(screen.state, Press("stop"), _ctx(zone))
    assert_only_own_lines(all_text(stop), zone)
    outcomes, _ = drive({**CALM, "safety": "yes"}, timezone=zone)
    assert_only_own_lines(outcomes[-1].replies[-1].text, zone)


@pytest.mark.parametrize("zone", EXPECTED)
def test_the_red_flag_lesson_names_the_local_lines(zone: str) -> None:
    flow = LearnFlow()
    shown = flow.handle(FlowState("learn", "menu", {}), Press("when_to_see_doctor"), _ctx(zone))
    text = shown.replies[0].text
    assert_only_own_lines(text, zone)
    assert EXPECTED[zone][2] in text


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
@pytest.mark.parametrize("zone", EXPECTED)
def test_every_language_renders_every_country(language: str, zone: str) -> None:
    t = default_catalogue().translator(language)
    pieces: dict[str, Any] = helplines.fills(t, zone)
    for name, text in pieces.items():
        assert text and "{" not in text, (language, zone, name, text)
    crisis = helplines.crisis_text(t, zone)
    assert all(shows(crisis, number) for number in EXPECTED[zone][0]), (language, crisis)
    assert [n for n in foreign_numbers(zone) if shows(crisis, n)] == [], (language, crisis)


@pytest.mark.parametrize(
    ("language", "zone", "sentence"),
    [
        ("en", "Europe/Brussels", "In Belgium you can call 1813 (Zelfmoordlijn), day and night."),
        (
            "fr",
            "Europe/Brussels",
            "En Belgique, vous pouvez appeler le 0800 32 123 "
            "(Centre de Prévention du Suicide), jour et nuit.",
        ),
        (
            "en",
            "Europe/London",
            "In the United Kingdom you can call 116 123 (Samaritans), day and night.",
        ),
        (
            "de",
            "Europe/Vienna",
            "In Österreich erreichst du Tag und Nacht die 142 (TelefonSeelsorge).",
        ),
    ],
)
def test_one_sentence_names_the_main_crisis_line(language: str, zone: str, sentence: str) -> None:
    t = default_catalogue().translator(language)
    assert helplines.crisis_line_sentence(t, zone) == sentence


def test_a_line_that_is_not_open_day_and_night_never_says_so() -> None:
    text = helplines.crisis_text(T, "Europe/Luxembourg")
    assert "not around the clock" in text and "day and night" not in text
    assert "call 112" in helplines.crisis_line_sentence(T, "Europe/Luxembourg")


# -- the caution and the next day's follow-ups -------------------------------------------


def assert_no_foreign_numbers(text: str, zone: str) -> None:
    assert "{" not in text, (zone, text)
    assert [n for n in foreign_numbers(zone) if shows(text, n)] == [], (zone, text)


@pytest.mark.parametrize("zone", EXPECTED)
def test_the_caution_repeats_the_advice_with_the_local_numbers(zone: str) -> None:
    _, emergency, doctor = EXPECTED[zone]
    for kind in cn.KINDS:
        text = cn.advice(cn.Caution(kind, NOW), _ctx(zone))
        assert emergency in text, (zone, kind, text)
        assert_no_foreign_numbers(text, zone)
    assert doctor in cn.advice(cn.Caution(cn.SEE_DOCTOR, NOW), _ctx(zone))


@pytest.mark.parametrize("zone", EXPECTED)
def test_the_next_days_follow_ups_repeat_the_local_numbers(zone: str) -> None:
    _, emergency, doctor = EXPECTED[zone]
    for caution in (*cn.KINDS, None):
        for answer in (fu.NOT_YET, fu.WAITING):
            text = fu.answer_text(fu.DOCTOR, answer, T, zone, caution)
            assert emergency in text, (zone, caution, answer, text)
            assert_no_foreign_numbers(text, zone)
    assert doctor in fu.answer_text(fu.DOCTOR, fu.NOT_YET, T, zone, cn.SEE_DOCTOR)
    crisis = fu.answer_text(fu.CRISIS, fu.NOT_YET, T, zone)
    assert crisis.startswith("That's okay.")
    assert_only_own_lines(crisis, zone)


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
@pytest.mark.parametrize("zone", EXPECTED)
def test_the_caution_and_follow_ups_render_every_country_in_every_language(
    language: str, zone: str
) -> None:
    t = default_catalogue().translator(language)
    ctx = Context(t, NOW, zone, {})
    texts = [cn.advice(cn.Caution(kind, NOW), ctx) for kind in cn.KINDS]
    texts += [
        fu.answer_text(kind, answer, t, zone, caution)
        for kind, answers in fu.ANSWERS.items()
        for answer in answers
        for caution in (*cn.KINDS, None)
    ]
    for text in texts:
        assert_no_foreign_numbers(text, zone)
