"""The next day's follow-up, pure: when it fires, its question and buttons, and the
warm answers ("not yet" repeats the advice or the crisis lines)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from flows import follow_up as fu
from flows import helplines
from flows.i18n import default_catalogue

T = default_catalogue().translator("en")
BXL = ZoneInfo("Europe/Brussels")


def local(instant: datetime, zone: str = "Europe/Brussels") -> str:
    return instant.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M")


@pytest.mark.parametrize(
    ("said_at", "expected"),
    [
        (datetime(2026, 11, 25, 9, 0, tzinfo=BXL), "Thu 26 Nov 10:00"),
        (datetime(2026, 11, 25, 23, 59, tzinfo=BXL), "Thu 26 Nov 10:00"),
        (datetime(2026, 11, 26, 0, 5, tzinfo=BXL), "Fri 27 Nov 10:00"),  # a new local day
        (datetime(2026, 3, 28, 22, 0, tzinfo=BXL), "Sun 29 Mar 10:00"),  # clocks go forward
    ],
)
def test_a_follow_up_comes_at_ten_the_next_local_day(said_at: datetime, expected: str) -> None:
    due = fu.due_at(said_at.astimezone(UTC), "Europe/Brussels")
    assert due.tzinfo is UTC and local(due) == expected


def test_the_next_day_is_the_users_own() -> None:
    said = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # already Thursday in Tokyo
    assert local(fu.due_at(said, "Asia/Tokyo"), "Asia/Tokyo") == "Fri 27 Nov 10:00"
    assert local(fu.due_at(said, "not/a_zone")) == "Fri 27 Nov 10:00"  # the default zone


@pytest.mark.parametrize(
    ("quiet", "expected"),
    [
        ([("22:00", "07:00")], "Thu 26 Nov 10:00"),  # not covering 10:00
        ([("09:00", "11:30")], "Thu 26 Nov 11:30"),  # moved to its end, not dropped
        ([("21:00", "10:30")], "Thu 26 Nov 10:30"),  # across midnight, its morning part
        ([("09:30", "08:00")], "Fri 27 Nov 08:00"),  # across midnight, started at 9:30
    ],
)
def test_quiet_hours_move_the_follow_up_to_their_end(
    quiet: list[tuple[str, str]], expected: str
) -> None:
    said = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
    assert local(fu.due_at(said, "Europe/Brussels", quiet)) == expected


def test_the_doctor_question_and_its_buttons() -> None:
    reply = fu.ask(fu.DOCTOR, T)
    assert "Did you manage to see a doctor?" in reply.text
    assert [(c.label, c.value) for c in reply.buttons()] == [
        ("Yes, I've seen a doctor", "seen"),
        ("Not yet", "notyet"),
        ("I'm waiting for an appointment", "waiting"),
    ]


def test_the_crisis_question_and_its_buttons() -> None:
    reply = fu.ask(fu.CRISIS, T)
    assert "Did you manage to talk to someone?" in reply.text
    assert [(c.label, c.value) for c in reply.buttons()] == [
        ("Yes, I talked to someone", "talked"),
        ("Not yet", "notyet"),
        ("I'd rather not say", "private"),
    ]


def test_not_yet_after_the_crisis_lines_shows_them_again() -> None:
    text = fu.answer_text(fu.CRISIS, fu.NOT_YET, T, "Europe/Brussels")
    assert text.startswith("That's okay.")
    assert text.endswith(helplines.crisis_text(T, "Europe/Brussels"))


@pytest.mark.parametrize(
    ("caution", "needle"), [("emergency", "112 or go to an emergency"), (None, "call your GP")]
)
def test_not_yet_on_the_doctor_repeats_the_advice(caution: str | None, needle: str) -> None:
    assert needle in fu.answer_text(fu.DOCTOR, fu.NOT_YET, T, "Europe/Brussels", caution)


def test_waiting_for_an_appointment_after_an_emergency_sign_is_not_waited_for() -> None:
    emergency = fu.answer_text(fu.DOCTOR, fu.WAITING, T, "Europe/Brussels", "emergency")
    assert "don't wait for an appointment: call 112" in emergency
    see_doctor = fu.answer_text(fu.DOCTOR, fu.WAITING, T, "Europe/Brussels", None)
    assert "don't wait for the appointment: call 112" in see_doctor


@pytest.mark.parametrize("language", ["en", "nl", "fr", "de"])
def test_every_answer_has_warm_words_in_every_language(language: str) -> None:
    t = default_catalogue().translator(language)
    for kind, answers in fu.ANSWERS.items():
        assert fu.ask(kind, t).text
        for answer in answers:
            assert len(answer) <= 16  # stored as the delivery's action
            for caution in ("emergency", "see_doctor", None):
                assert fu.answer_text(kind, answer, t, "Europe/Brussels", caution).strip()


def test_an_unknown_kind_is_a_bug() -> None:
    with pytest.raises(ValueError):
        fu.ask("movement", T)
