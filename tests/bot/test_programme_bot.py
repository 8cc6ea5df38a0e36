"""/programme and /today through the real engine and store: enrolment from the
self-check with the track from its risk, the reminders the daily message replaces, a
day's session in parts, a flare-up day, the red-flag review, a pause, leaving, /delete."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

from bot.clock import ManualClock
from bot.conversation import Outgoing, TurnResult
from bot.features import reminders
from bot.programme_sender import prepare
from bot.services import Services
from data.programme import ProgrammeRow
from data.reminders import Claim
from flows.programme.records import Flare
from flows.programme.state import ProgrammeState
from flows.programme.tracks import BY_RISK
from flows.reminders import facts
from flows.schedule import PROGRAMME, Rule
from flows.streaks import local_day
from tests.support import peek
from tests.support.engine import USER, answer_test, command, onboard, press_data
from tests.support.self_check import CALM

ZONE = "Europe/Brussels"
MORNING = "🌅 Morning, 08:30"


def labels(result: TurnResult) -> list[str]:
    return [button.label for reply in result.replies for row in reply.buttons for button in row]


def text(result: TurnResult) -> str:
    return "\n".join(reply.text for reply in result.replies)


def press(services: Services, result: TurnResult, label: str) -> TurnResult:
    data = [b.data for r in result.replies for row in r.buttons for b in row if b.label == label]
    assert data, f"no button {label!r} among {labels(result)}"
    return press_data(services, data[-1])


def say(services: Services, words: str) -> TurnResult:
    from bot.conversation import Incoming

    return services.conversations.handle(Incoming(USER, "text", text=words))


def row(services: Services) -> ProgrammeRow | None:
    with services.store.view(USER, services.clock.now()) as tx:
        assert tx is not None
        return tx.programme()


def state_of(services: Services) -> ProgrammeState:
    found = row(services)
    assert found is not None
    return ProgrammeState.from_dict(found.state)


def sessions(services: Services) -> list[dict[str, object]]:
    with services.store.view(USER, services.clock.now()) as tx:
        assert tx is not None
        return tx.programme_sessions(date(2000, 1, 1))


def enabled(services: Services) -> dict[str, bool]:
    with services.store.view(USER, services.clock.now()) as tx:
        assert tx is not None
        return {r.kind: r.enabled for r in tx.reminders() if not r.one_off}


def enrol(services: Services) -> None:
    offer = command(services, "programme")
    asked = press(services, offer, "Start the programme")
    press(services, asked, MORNING)
    assert row(services) is not None


def today(services: Services) -> date:
    return local_day(services.clock.now(), ZONE)


def with_reminders(services: Services, *kinds: str) -> None:
    with services.store.turn(USER, services.clock.now(), language="en", timezone=ZONE) as tx:
        for kind in kinds:
            rule = Rule.at(kind, ["12:30"], timezone=ZONE).to_dict()
            reminders.save_reminder(tx, kind, rule, True)


def finish_exercises(services: Services, result: TurnResult) -> TurnResult:
    """Go through the guided steps of the block until it asks how it felt."""
    for _ in range(40):
        names = labels(result)
        if "Fine" in names:
            return result
        for wanted in ("Next ▶", "Skip", "▶ Next exercise", "▶ Start"):
            if wanted in names:
                result = press(services, result, wanted)
                break
        else:
            raise AssertionError(f"stuck at {names}")
    raise AssertionError("the block did not end")


def test_the_self_check_offers_the_programme_its_risk_picks_the_track_and_leaving_restores(
    services: Services,
) -> None:
    onboard(services)
    with_reminders(services, "checkin", "stress", "movement")
    profile = answer_test(services, CALM)
    asked = press(services, profile, "🗓 Start the 12-week programme")
    assert "When would you like your daily message?" in text(asked)
    done = press(services, asked, "🌙 Evening, 19:00")
    assert "Week 1 · Day 1" in text(done) and "19:00" in text(done)
    assert "replaces your check-in, exercise and walking reminders" in text(done)
    assert "Take the self-check" not in labels(done)  # the self-check was taken
    with services.store.view(USER, services.clock.now()) as tx:
        assert tx is not None
        latest = tx.latest_test()
        assert latest is not None
        programme = tx.reminders()[-1]
    kept = row(services)
    assert kept is not None and kept.enrolled and kept.replaced == ("checkin", "stress")
    assert state_of(services).track == BY_RISK[latest.risk]
    assert state_of(services).at == time(19, 0)
    # The daily message replaces the check-in and the breathing reminders; movement stays.
    assert enabled(services) == {
        "checkin": False,
        "stress": False,
        "movement": True,
        "programme": True,
    }
    assert programme.kind == "programme" and programme.rule["times"] == ["19:00"]
    assert programme.next_due_at is not None
    assert programme.next_due_at.astimezone().hour in (18, 19)  # 19:00 in Brussels, in UTC

    status = command(services, "programme")
    asked = press(services, status, "Leave the programme")
    left = press(services, asked, "Yes, leave")
    assert "You've left the programme" in text(left)
    assert enabled(services) == {
        "checkin": True,
        "stress": True,
        "movement": True,
        "programme": False,
    }
    kept = row(services)
    assert kept is not None and not kept.enrolled and kept.state  # the data stays
    again = command(services, "today")
    assert "haven't started it yet" in text(again)
    assert "Welcome back" in text(command(services, "programme"))


def test_without_a_self_check_the_light_track_a_suggestion_and_a_typed_time(
    services: Services,
) -> None:
    onboard(services)
    offer = command(services, "programme")
    assert "You haven't done the self-check yet" in text(offer)
    asked = press(services, offer, "Start the programme")
    again = say(services, "soon")
    assert "I didn't catch a time there" in text(again)
    done = say(services, "7:45")
    assert "07:45" in text(done) and "Tip: the self-check" in text(done)
    assert "Take the self-check" in labels(done) and "replaces" not in text(done)
    assert asked.replies
    state = state_of(services)
    assert (state.track, state.at) == ("light", time(7, 45))
    changed = press(services, command(services, "programme"), "🕒 Change the time")
    moved = press(services, changed, "☀️ Lunchtime, 12:30")
    assert "now comes at 12:30" in text(moved)
    with services.store.view(USER, services.clock.now()) as tx:
        assert tx is not None
        (programme,) = tx.reminders()
    assert programme.rule["times"] == ["12:30"] and state_of(services).at == time(12, 30)


def test_a_day_in_parts_then_the_next_day_goes_on(services: Services, clock: ManualClock) -> None:
    onboard(services)
    enrol(services)
    first = command(services, "today")
    assert first.replies[0].text.startswith("📅 Week 1 · Day 1: Hurt doesn't mean harm")
    assert "quick check-in" in text(first)
    lesson = press(services, first, "Skip for now")
    assert "📖 Hurt doesn't mean harm" in text(lesson)
    exercises = press(services, lesson, "✓ Got it")
    assert "Today's exercises" in text(exercises)
    later = press(services, exercises, "Later")
    assert "/today picks up where you left off" in text(later)
    assert peek.saved_state(services.store, USER) is None
    assert [s["parts"] for s in sessions(services)] == [["lesson"]]
    assert [shown.key for shown in state_of(services).lessons] == ["w01.l1"]

    again = command(services, "today")  # the check-in again, but not the lesson
    block = press(services, again, "Skip for now")
    assert "Today's exercises" in text(block) and "📖" not in text(block)
    rated = press(services, finish_exercises(services, block), "Too hard")
    assert "If it's too hard twice in a row" in text(rated)
    assert "Walking this week: no target yet" in text(rated)
    done = press(services, rated, "15 min")
    assert "Noted: 15 minutes" in text(done)
    assert "That's today's session done" in text(done) and "1 of 7 days" in text(done)
    (session,) = sessions(services)
    assert session["parts"] == ["lesson", "exercises", "activity"]
    assert (session["feedback"], session["walk_minutes"], session["level"]) == ("too_hard", 15, 1)

    clock.advance(timedelta(days=1))
    second = command(services, "today")
    assert second.replies[0].text.startswith("📅 Week 1 · Day 2")
    lesson = press(services, second, "Skip for now")
    assert "📖 You're not alone" in text(lesson)  # the week's next card, never the first again


def test_a_red_check_in_turns_the_day_into_the_flare_up_plan(services: Services) -> None:
    onboard(services)
    enrol(services)
    day = today(services)
    with services.store.turn(USER, services.clock.now(), language="en", timezone=ZONE) as tx:
        for back in range(1, 8):
            tx.record_checkin(
                day - timedelta(days=back), pain=2, stress=3, sleep="good", moved="yes", note=None
            )
    start = command(services, "today")
    result = press(services, start, "Check in")
    for label in ("8", "3", "😴 Good", "Yes", "Skip"):
        result = press(services, result, label)
    assert "It sounds like your back is flaring up" in text(result)
    state = state_of(services)
    assert state.flare is not None and state.flare.started_on == day
    lesson = press(services, result, "Continue")
    routine = press(services, lesson, "✓ Got it")
    assert "Today's gentle routine" in text(routine)
    assert sessions(services)[-1]["parts"] == ["reassurance", "lesson"]


def test_a_flare_up_over_two_weeks_brings_the_red_flags_and_the_gp(services: Services) -> None:
    onboard(services)
    enrol(services)
    day = today(services)
    with services.store.turn(USER, services.clock.now(), language="en", timezone=ZONE) as tx:
        row = tx.programme()
        assert row is not None
        long_one = replace(
            ProgrammeState.from_dict(row.state),
            enrolled_on=day - timedelta(days=20),
            flare=Flare(day - timedelta(days=2), day - timedelta(days=16), 1, 2.0),
        )
        tx.save_programme(long_one.to_dict())
    start = command(services, "today")
    reassurance = press(services, start, "Skip for now")
    assert "Flare-up day" in text(reassurance)
    review = press(services, reassurance, "Continue")
    assert "lasted more than two weeks" in text(review)
    assert "1733" in text(review) and "call 112 now" in text(review)
    assert "Go through the warning signs" in labels(review)
    assert state_of(services).last_review_on == day


def test_a_pause_holds_today_and_the_programme_clock(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    enrol(services)
    asked = press(services, command(services, "programme"), "⏸ Pause (ill or on holiday)")
    paused = press(services, asked, "3 days")
    assert "Paused until" in text(paused)
    assert "paused until" in text(command(services, "today"))
    clock.advance(timedelta(days=3))
    back = command(services, "today")
    assert back.replies[0].text.startswith("📅 Week 1 · Day 1")  # paused days left out


def test_a_new_reminder_plan_keeps_the_programme_message(services: Services) -> None:
    onboard(services)
    enrol(services)
    with services.store.turn(USER, services.clock.now(), language="en", timezone=ZONE) as tx:
        plan = Rule.at("movement", ["10:00"], timezone=ZONE).to_dict()
        reminders.record_plan(tx, facts.PlanAccepted((plan,)))
    assert enabled(services) == {"programme": True, "movement": True}


def test_delete_erases_the_programme(services: Services) -> None:
    onboard(services)
    enrol(services)
    lesson = press(services, command(services, "today"), "Skip for now")
    press(services, lesson, "✓ Got it")  # a session row too
    assert peek.rows_about(services.store, USER)["programme_sessions"] == 1
    asked = command(services, "delete")
    press(services, asked, "Yes, erase everything")
    counts = peek.rows_about(services.store, USER)
    assert counts["programmes"] == 0 and counts["programme_sessions"] == 0


# -- the daily message, decided for a slot the queue really claimed ------------------------


def claim_at(services: Services, clock: ManualClock, when: datetime) -> list[Claim]:
    clock.set(when)
    claims = services.store.claim_due(
        when, limit=10, grace=timedelta(minutes=20), advance=reminders.advance
    )
    return [claim for claim in claims if claim.kind == PROGRAMME]


def message_at(services: Services, clock: ManualClock, when: datetime) -> Outgoing | None:
    claims = claim_at(services, clock, when)
    assert len(claims) <= 1
    return prepare(services, claims[0]) if claims else None


def test_the_daily_message_comes_at_the_chosen_time_with_one_follow_up_unless_done(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    enrol(services)  # at 09:00 in Brussels: today's 08:30 has gone, so tomorrow first
    assert message_at(services, clock, datetime(2026, 11, 25, 10, 30, tzinfo=UTC)) is None
    daily = message_at(services, clock, datetime(2026, 11, 26, 7, 30, tzinfo=UTC))  # 08:30
    assert daily is not None
    texts = services.catalogue.section("en", "programme.nudges")
    assert daily.text in texts.values()
    assert [[b.label for b in row] for row in daily.buttons] == [
        ["▶ Start today's session", "⏰ Later"]
    ]
    assert daily.buttons[0][0].data == "c|today"
    assert re.fullmatch(r"p\|[0-9]+\|later", daily.buttons[0][1].data)
    assert message_at(services, clock, datetime(2026, 11, 26, 8, 0, tzinfo=UTC)) is None
    follow_up = message_at(services, clock, datetime(2026, 11, 26, 10, 30, tzinfo=UTC))
    assert follow_up is not None and follow_up.text in texts.values()
    assert follow_up.text != daily.text
    assert [b.label for row in follow_up.buttons for b in row] == ["▶ Start today's session"]
    state = state_of(services)
    assert state.messages.follow_up_on == date(2026, 11, 26) and len(state.nudges) == 2

    # The next day the session is done before 08:30: no message at all.
    clock.set(datetime(2026, 11, 27, 6, 0, tzinfo=UTC))
    block = press(services, command(services, "today"), "Skip for now")  # the check-in
    block = press(services, block, "✓ Got it")  # the lesson
    press(services, finish_exercises(services, block), "Fine")
    assert message_at(services, clock, datetime(2026, 11, 27, 7, 30, tzinfo=UTC)) is None
    assert message_at(services, clock, datetime(2026, 11, 27, 10, 30, tzinfo=UTC)) is None
    sent = [d for d in peek.deliveries(services.store, USER) if d.slot.date() == date(2026, 11, 27)]
    assert len(sent) == 1  # the daily slot was claimed, and skipped by the rules


def later(services: Services, message: Outgoing) -> TurnResult:
    data = [b.data for row in message.buttons for b in row if b.label == "⏰ Later"]
    assert len(data) == 1
    return press_data(services, data[0])


def test_later_brings_the_message_back_in_an_hour_in_place_of_the_follow_up(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    enrol(services)
    daily = message_at(services, clock, datetime(2026, 11, 26, 7, 30, tzinfo=UTC))  # 08:30
    assert daily is not None
    clock.set(datetime(2026, 11, 26, 7, 40, tzinfo=UTC))
    assert text(later(services, daily)) == "Okay, I'll remind you at 09:40."
    assert "already" in text(later(services, daily))  # once per message
    assert message_at(services, clock, datetime(2026, 11, 26, 8, 39, tzinfo=UTC)) is None
    back = message_at(services, clock, datetime(2026, 11, 26, 8, 40, tzinfo=UTC))  # 09:40
    assert back is not None and back.text != daily.text
    assert [b.label for row in back.buttons for b in row] == ["▶ Start today's session"]
    # It took the follow-up's place: nothing more that day.
    assert message_at(services, clock, datetime(2026, 11, 26, 10, 30, tzinfo=UTC)) is None
    state = state_of(services)
    assert state.snoozes[-1].day == date(2026, 11, 26) and not state.messages.awaiting
    assert state.messages.follow_up_on == date(2026, 11, 26)


def test_later_after_the_follow_up_brings_nothing_more_that_day(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    enrol(services)
    daily = message_at(services, clock, datetime(2026, 11, 26, 7, 30, tzinfo=UTC))
    assert daily is not None
    assert message_at(services, clock, datetime(2026, 11, 26, 10, 30, tzinfo=UTC)) is not None
    assert "/today picks up where you left off" in text(later(services, daily))
    for hours in (1, 2, 6):
        when = datetime(2026, 11, 26, 10, 30, tzinfo=UTC) + timedelta(hours=hours)
        assert message_at(services, clock, when) is None
    assert state_of(services).snoozes[-1].day == date(2026, 11, 26)  # still a snooze


def test_after_three_snoozes_in_a_week_a_later_time_is_offered_and_changed_only_on_yes(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    enrol(services)
    offers = []
    for day in (26, 27, 28):
        daily = message_at(services, clock, datetime(2026, 11, day, 7, 30, tzinfo=UTC))
        assert daily is not None
        offers.append(later(services, daily))
    assert "Shall it come at" not in text(offers[0]) + text(offers[1])
    assert "Shall it come at 09:30 from now on?" in text(offers[2])
    assert state_of(services).at == time(8, 30)  # nothing changed yet
    kept = press(services, offers[2], "Keep the time I have")
    assert "stays at 08:30" in text(kept) and state_of(services).at == time(8, 30)
    # No second offer within a fortnight, however often it is put off.
    daily = message_at(services, clock, datetime(2026, 11, 29, 7, 30, tzinfo=UTC))
    assert daily is not None and "Shall it come" not in text(later(services, daily))
    # A yes, another time, moves the message and its reminder.
    state = replace(state_of(services), time_offer_on=None)
    with services.store.on_behalf(USER, clock.now()) as tx:
        assert tx is not None
        tx.save_programme(state.to_dict())
    daily = message_at(services, clock, datetime(2026, 11, 30, 7, 30, tzinfo=UTC))
    assert daily is not None
    yes = press(services, later(services, daily), "✓ Yes, at 09:30")
    assert "now comes at 09:30" in text(yes)
    assert state_of(services).at == time(9, 30) and state_of(services).snoozes == ()
    with services.store.view(USER, clock.now()) as tx:
        assert tx is not None
        rule = next(r.rule for r in tx.reminders() if r.kind == PROGRAMME and not r.one_off)
    assert Rule.from_dict(rule).times == ("09:30",)


def test_nothing_is_sent_while_paused_and_the_message_is_back_after(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    enrol(services)
    asked = press(services, command(services, "programme"), "⏸ Pause (ill or on holiday)")
    press(services, asked, "3 days")  # Wed 25 to Fri 27 November
    for day in (26, 27):
        assert message_at(services, clock, datetime(2026, 11, day, 7, 30, tzinfo=UTC)) is None
    back = message_at(services, clock, datetime(2026, 11, 28, 7, 30, tzinfo=UTC))
    assert back is not None and back.buttons[0][0].data == "c|today"


def test_after_three_ignored_messages_they_are_spaced_out_and_another_time_is_offered(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    enrol(services)
    sent = {}
    for day in range(26, 34):
        when = datetime(2026, 11, 25, 7, 30, tzinfo=UTC) + timedelta(days=day - 25)
        sent[day] = message_at(services, clock, when)
        message_at(services, clock, when + timedelta(hours=3))  # the follow-up's slot
    # Three ignored in a row (26-28), then every other day.
    assert [day for day, message in sent.items() if message is not None] == [26, 27, 28, 30, 32]
    asked = sent[30]
    assert asked is not None and "Would another time of day work better?" in asked.text
    assert [b.label for row in asked.buttons for b in row] == [
        "▶ Start today's session",
        "⏰ Later",
        "🕒 Choose another time",
    ]
    assert sent[32] is not None and "another time" not in sent[32].text  # asked once
    again = press_data(services, asked.buttons[1][0].data)
    assert "When would you like your daily message?" in text(again)


def test_the_weekly_summary_has_a_programme_part_for_people_in_it(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    with services.store.turn(USER, clock.now(), language="en", timezone=ZONE) as tx:
        tx.record_checkin(today(services), pain=3, stress=3, sleep="good", moved="yes", note=None)
    assert "Your programme" not in text(command(services, "summary"))
    enrol(services)
    block = press(services, command(services, "today"), "✓ Got it")
    press(services, finish_exercises(services, block), "Fine")
    summary = text(command(services, "summary"))
    assert "🗓 Your programme: Week 1 · Day 1, Hurt doesn't mean harm" in summary
    assert "Sessions this programme week: 1 of 7 days." in summary
    assert "Exercise level: 1" in summary and "Flare-up days" not in summary
    assert "Next week's theme: Pain as an alarm, and how stress turns it up." in summary


def test_the_status_opens_today_at_once_and_the_review_opens_the_warning_signs(
    services: Services,
) -> None:
    """Both leave a screen with nothing unsaved on it: no "switch?" question first."""
    onboard(services)
    enrol(services)
    opened = press(services, command(services, "programme"), "▶ Today's session")
    assert opened.replies[0].text.startswith("📅 Week 1 · Day 1")
    day = today(services)
    with services.store.turn(USER, services.clock.now(), language="en", timezone=ZONE) as tx:
        found = tx.programme()
        assert found is not None
        long_one = replace(
            ProgrammeState.from_dict(found.state),
            enrolled_on=day - timedelta(days=20),
            flare=Flare(day - timedelta(days=2), day - timedelta(days=16), 1, 2.0),
        )
        tx.save_programme(long_one.to_dict())
    start = command(services, "today")
    review = press(services, press(services, start, "Skip for now"), "Continue")
    signs = press(services, review, "Go through the warning signs")
    assert "Do you want to leave it" not in text(signs)
    state = peek.saved_state(services.store, USER)
    assert state is not None and state.flow == "pain_test"


def test_the_weeks_goal_is_chosen_from_three_at_the_end_of_a_session(
    services: Services, clock: ManualClock
) -> None:
    onboard(services)
    enrol(services)
    block = press(services, press(services, command(services, "today"), "Skip for now"), "✓ Got it")
    walk = press(services, finish_exercises(services, block), "Fine")
    done = press(services, walk, "10 min")
    assert "That's today's session done" in text(done)
    assert "Pick one goal for this week" in text(done)
    goals = services.catalogue.section("en", "programme.goals")
    offered = [label for label in labels(done) if label in goals.values()]
    assert len(offered) == 3 and "Skip for now" in labels(done)
    chosen = press(services, done, offered[1])
    assert f"Your goal this week: {offered[1]}." in text(chosen)
    assert peek.saved_state(services.store, USER) is None
    state = state_of(services)
    assert state.goal is not None and state.goal.week == 1
    assert f"This week's goal: {offered[1]}." in text(command(services, "programme"))
    clock.advance(timedelta(days=1))  # the same programme week: not asked again
    again = press(services, command(services, "today!"), "Skip for now")
    again = press(services, finish_exercises(services, press(services, again, "✓ Got it")), "Fine")
    assert "Pick one goal" not in text(press(services, again, "10 min"))


PLEASE = "Please pick one of the buttons below, or type /cancel to stop."


def reasked(services: Services, words: str, question: TurnResult, note: str = PLEASE) -> TurnResult:
    """Type ``words`` that answer nothing: one message comes back, ``note`` on top of the
    question just asked, with its buttons (returned, to go on from)."""
    again = say(services, words)
    (reply,) = again.replies
    asked = question.replies[-1]
    assert reply.text == f"{note}\n\n{asked.text}"
    assert [[b.label for b in r] for r in reply.buttons] == [
        [b.label for b in r] for r in asked.buttons
    ]
    return again


def test_programme_steps_re_ask_in_one_message_with_the_note_on_top(services: Services) -> None:
    t = services.catalogue.translator("en")
    onboard(services)
    offer = reasked(services, "hmm", command(services, "programme"))
    asked = press(services, offer, "Start the programme")
    asked = reasked(services, "soon", asked, t("programme.ui.time_invalid"))
    press(services, asked, MORNING)
    status = reasked(services, "hmm", command(services, "programme"))
    pause = press(services, status, "⏸ Pause (ill or on holiday)")
    reasked(services, "99", pause, t("programme.ui.pause_invalid"))


def test_today_steps_re_ask_in_one_message_with_the_note_on_top(services: Services) -> None:
    t = services.catalogue.translator("en")
    onboard(services)
    enrol(services)
    checkin = reasked(services, "hmm", command(services, "today"))
    lesson = reasked(services, "hmm", press(services, checkin, "Skip for now"))
    block = press(services, lesson, "✓ Got it")
    feedback = reasked(services, "hmm", finish_exercises(services, block))
    walk = press(services, feedback, "Fine")
    walk = reasked(services, "lots", walk, t("programme.ui.today.walk_invalid"))
    goal = press(services, walk, "10 min")
    question = t("programme.ui.today.goal_question")
    assert goal.replies[-1].text.endswith(f"\n\n{question}")  # after the day's last words
    (again,) = say(services, "hmm").replies
    assert again.text == f"{PLEASE}\n\n{question}"
    assert again.buttons and labels(TurnResult([again])) == labels(goal)
