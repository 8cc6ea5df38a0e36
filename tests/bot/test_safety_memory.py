"""What the bot said about safety is remembered, through the real engine and store:
advice to see a doctor opens a caution that /exercise and /plan ask about first, and
the next day's follow-ups (doctor, crisis lines) are one-off reminders, sent once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.conversation import Incoming, Outgoing, TurnResult
from bot.features.caution import follow_up_message
from bot.features.reminders import advance
from bot.features.summary import load_inputs
from bot.services import Services
from data.reminders import Claim
from data.values import ReminderInfo
from flows import follow_up as fu
from flows.schedule import Rule
from tests.support import peek
from tests.support.engine import USER, command, drive, onboard, pick, press_data

NEXT_MORNING = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # 10:00 in Brussels
GRACE = timedelta(minutes=20)


def say(services: Services, text: str, user: int = USER) -> TurnResult:
    return services.conversations.handle(Incoming(user, "text", text=text))


def button(reply: Outgoing, ending: str) -> str:
    """The callback data of the button whose data ends with ``ending``."""
    return next(b.data for row in reply.buttons for b in row if b.data.endswith(ending))


def labels(reply: Outgoing) -> list[str]:
    return [b.label for row in reply.buttons for b in row]


def caution(services: Services, user: int = USER) -> tuple[str, datetime] | None:
    with services.store.view(user, services.clock.now()) as tx:
        assert tx is not None
        return tx.open_caution()


def follow_ups(services: Services, user: int = USER) -> list[ReminderInfo]:
    """The follow-ups still to come."""
    with services.store.view(user, services.clock.now()) as tx:
        assert tx is not None
        return [r for r in tx.reminders() if r.kind in fu.KINDS and r.next_due_at is not None]


def emergency_in_the_self_check(services: Services) -> TurnResult:
    first = command(services, "test")
    ticked = press_data(services, button(first.replies[-1], "|bladder"))
    return press_data(services, button(ticked.replies[-1], "|done"))


def claims_at(services: Services, instant: datetime) -> list[Claim]:
    return list(services.store.claim_due(instant, limit=50, grace=GRACE, advance=advance))


def test_an_emergency_in_the_self_check_is_remembered_with_its_date(services: Services) -> None:
    onboard(services)
    ended = emergency_in_the_self_check(services)
    assert "112" in ended.replies[0].text
    assert caution(services) == ("emergency", services.clock.now())
    (pending,) = follow_ups(services)
    assert pending.kind == fu.DOCTOR and pending.next_due_at == NEXT_MORNING


def test_after_the_112_advice_exercise_and_plan_ask_about_the_doctor_first(
    services: Services,
) -> None:
    onboard(services)
    emergency_in_the_self_check(services)
    for name in ("exercise", "plan"):
        first = command(services, name).replies[0]
        assert first.text.startswith("Because of what you told me on Wed 25 Nov")
        assert labels(first) == ["Yes, I've been seen and it's fine", "Not yet"]
        command(services, "cancel")
    # "Not yet" on the plan offers a calm exercise, which then comes without asking again.
    asked = command(services, "plan").replies[0]
    not_yet = press_data(services, button(asked, "|notyet")).replies[0]
    calm = press_data(services, button(not_yet, "c|calm")).replies[-1]
    assert "calm breathing and relaxation" in calm.text
    assert "💪 Gentle strength" not in labels(calm)


def test_a_reminders_start_asks_about_the_doctor_first(services: Services) -> None:
    onboard(services)
    emergency_in_the_self_check(services)
    with services.store.turn(USER, services.clock.now(), language="en", timezone="UTC") as tx:
        rule = Rule.at("pain", ["12:30"], "Europe/Brussels").to_dict()
        tx.upsert_reminder("pain", rule, enabled=True, next_due_at=services.clock.now())
    (claim,) = claims_at(services, services.clock.now())
    started = press_data(services, f"r|{claim.delivery_id}|x")
    assert "Because of what you told me" in started.replies[0].text


def test_yes_clears_the_caution_and_the_doctor_question_of_tomorrow(services: Services) -> None:
    onboard(services)
    emergency_in_the_self_check(services)
    asked = command(services, "exercise").replies[0]
    going_on = press_data(services, button(asked, "|seen"))
    assert "glad you had it checked" in going_on.replies[0].text
    assert "💪 Gentle strength" in labels(going_on.replies[-1])
    assert caution(services) is None and follow_ups(services) == []
    assert claims_at(services, NEXT_MORNING) == []
    command(services, "cancel")
    assert command(services, "plan").replies[0].text != asked.text  # not asked again


def test_emergency_words_typed_anywhere_open_a_caution_and_the_more_urgent_stands(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    first = command(services, "test")
    press_data(services, button(first.replies[-1], "|none"))
    sameday = command(services, "test!")  # start again, and this time a same-day sign
    press_data(services, button(sameday.replies[-1], "|none"))
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.step == "red_sameday"
    question = command(services, "resume").replies[-1]
    ticked = press_data(services, button(question, "|fracture"))
    shown = press_data(services, button(ticked.replies[-1], "|done"))
    assert "1733" in shown.replies[-1].text
    # Walking away from the see-a-doctor screen does not forget it.
    assert caution(services) == ("see_doctor", clock.now())
    later = clock.advance(timedelta(hours=3))
    say(services, "since this morning I can't pee")
    assert caution(services) == ("emergency", later)
    say(services, "I have a fever")  # no sign at all
    assert caution(services) == ("emergency", later)
    assert [r.kind for r in follow_ups(services)] == [fu.DOCTOR]  # one per event, not two


def test_the_crisis_lines_bring_one_gentle_follow_up(services: Services) -> None:
    onboard(services)
    shown = say(services, "I feel hopeless")
    assert "1813" in shown.replies[0].text
    say(services, "I still feel hopeless")
    (pending,) = follow_ups(services)
    assert pending.kind == fu.CRISIS and pending.next_due_at == NEXT_MORNING
    assert caution(services) is None  # the crisis lines are not a reason to stop exercising


def test_the_crisis_step_of_the_self_check_brings_the_follow_up_too(services: Services) -> None:
    onboard(services)
    result = command(services, "test")
    before: object = None
    for _ in range(60):
        state = peek.saved_state(services.store, USER)
        assert state is not None
        if state.step == "safety":
            break
        place = (state.step, state.answers)
        stuck, before = place == before, place  # "Done" needs a pick first
        result = press_data(services, pick(result.replies[-1], preferred=not stuck))
    crisis = press_data(services, button(result.replies[-1], "|yes"))
    assert "1813" in "".join(r.text for r in crisis.replies)
    assert [r.kind for r in follow_ups(services)] == [fu.CRISIS]


def test_without_consent_nothing_is_remembered(services: Services) -> None:
    for text in ("I feel hopeless", "I lost bladder control"):
        assert say(services, text).replies[0].text  # the words are still answered
    counts = peek.rows_about(services.store, USER)
    assert counts["medical_cautions"] == 0 and counts["reminders"] == 0


def test_a_pause_of_the_reminders_keeps_the_follow_ups(services: Services) -> None:
    onboard(services)
    say(services, "I feel hopeless")
    menu = command(services, "reminders").replies[-1]
    pause = press_data(services, button(menu, "|pause")).replies[-1]
    press_data(services, button(pause, "|p:7"))
    assert [r.kind for r in follow_ups(services)] == [fu.CRISIS]


def test_the_follow_ups_are_answered_once_and_warmly(services: Services) -> None:
    onboard(services)
    emergency_in_the_self_check(services)
    say(services, "I feel hopeless")
    claims = {c.kind: c for c in claims_at(services, NEXT_MORNING)}
    assert set(claims) == set(fu.KINDS)
    assert claims_at(services, NEXT_MORNING + timedelta(days=1)) == []  # never repeated
    services.clock.set(NEXT_MORNING)  # type: ignore[attr-defined]
    doctor = follow_up_message(claims[fu.DOCTOR], services.catalogue)
    crisis = follow_up_message(claims[fu.CRISIS], services.catalogue)
    assert "Did you manage to see a doctor?" in doctor.text
    assert "Did you manage to talk to someone?" in crisis.text
    # Someone else pressing them changes nothing.
    stranger = services.conversations.handle(
        Incoming(USER + 1, "press", callback=button(doctor, "|seen"))
    )
    assert "no longer there" in stranger.replies[0].text and caution(services) is not None
    # "Not yet" on the crisis follow-up shows the lines again, gently.
    again = press_data(services, button(crisis, "|notyet")).replies[0].text
    assert again.startswith("That's okay.") and "1813" in again
    assert "already answered" in press_data(services, button(crisis, "|talked")).replies[0].text
    # "Yes" on the doctor follow-up clears the caution.
    seen = press_data(services, button(doctor, "|seen")).replies[0].text
    assert "Exercises and plans are open again" in seen
    assert caution(services) is None
    assert "Because of what" not in command(services, "exercise").replies[0].text
    deliveries = peek.deliveries(services.store, USER)
    assert sorted(d.action or "" for d in deliveries) == ["notyet", "seen"]


def test_a_follow_up_is_not_counted_as_a_reminder_in_the_summary(services: Services) -> None:
    onboard(services)
    say(services, "I feel hopeless")
    (claim,) = claims_at(services, NEXT_MORNING)
    services.store.settle([(claim.delivery_id, "sent")], NEXT_MORNING)
    services.clock.set(NEXT_MORNING + timedelta(hours=1))  # type: ignore[attr-defined]
    with services.store.view(USER, services.clock.now()) as tx:
        assert tx is not None
        t = services.catalogue.translator("en")
        inputs = load_inputs(tx, t)
        assert inputs.pushes  # it was sent
        assert inputs.actions == []


def test_delete_erases_the_caution_and_the_follow_ups(services: Services) -> None:
    onboard(services)
    emergency_in_the_self_check(services)
    say(services, "I feel hopeless")
    assert peek.rows_about(services.store, USER)["medical_cautions"] == 1
    ask = command(services, "delete")
    erase = next(b.data for row in ask.replies[0].buttons for b in row if "erase" in b.label)
    press_data(services, erase)
    assert set(peek.rows_about(services.store, USER).values()) == {0}
    assert claims_at(services, NEXT_MORNING) == []


def test_a_finished_exercise_after_not_yet_is_logged_as_usual(services: Services) -> None:
    onboard(services)
    say(services, "I lost bladder control")
    asked = command(services, "exercise").replies[0]
    menu = press_data(services, button(asked, "|notyet"))
    assert "112" in menu.replies[0].text
    drive(services, menu)
    assert peek.rows_about(services.store, USER)["exercise_logs"] == 1
    assert caution(services) is not None


def test_privacy_says_that_the_advice_and_the_follow_ups_are_kept(services: Services) -> None:
    text = command(services, "privacy").replies[0].text
    assert "when I advised you to see a doctor" in text and "check on you the next day" in text


def test_a_london_user_is_cautioned_and_followed_up_with_british_numbers(
    services: Services,
) -> None:
    onboard(services)
    with services.store.turn(USER, services.clock.now(), language="en", timezone="UTC") as tx:
        tx.set_timezone("Europe/London")
    first = command(services, "test")
    sameday = press_data(services, button(first.replies[-1], "|none"))
    ticked = press_data(services, button(sameday.replies[-1], "|fracture"))
    shown = press_data(services, button(ticked.replies[-1], "|done")).replies[-1]
    assert "111" in shown.text and "1733" not in shown.text
    press_data(services, button(shown, "|stop"))
    asked = command(services, "exercise").replies[0]
    advice = press_data(services, button(asked, "|notyet")).replies[0].text
    assert "111" in advice and "call 999 straight away" in advice
    assert "1733" not in advice and "112" not in advice
    crisis = say(services, "I feel hopeless").replies[0].text
    assert "116 123" in crisis and "1813" not in crisis
    command(services, "cancel")
    morning = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # 10:00 in London
    claims = {c.kind: c for c in claims_at(services, morning)}
    services.clock.set(morning)  # type: ignore[attr-defined]
    doctor = follow_up_message(claims[fu.DOCTOR], services.catalogue)
    again = press_data(services, button(doctor, "|notyet")).replies[0].text
    assert "111" in again and "call 999" in again and "1733" not in again and "112" not in again
    talk = follow_up_message(claims[fu.CRISIS], services.catalogue)
    lines = press_data(services, button(talk, "|notyet")).replies[0].text
    assert lines.startswith("That's okay.") and "116 123" in lines and "999" in lines
    assert "1813" not in lines and "0800 32 123" not in lines
