"""Onboarding on /start: language, welcome, what the bot is and is not, consent, time zone.

The language comes first, so the welcome is read in the language picked: asked after
it, a user who picked Nederlands had the whole welcome above in English.

Consent comes before anything about health is stored, and it is versioned: when the
consent text changes, ``CONSENT_VERSION`` goes up and users are asked again.

A "no" from someone the bot already holds health data about is a withdrawal: it erases
that data with the refusal, so it is confirmed first, with what will go named from what
is actually held (``ctx.history["held"]``: kind of record -> how many), and with
/export one tap away. A first "no" has nothing to erase and ends at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.formatting import zone_name
from flows.runtime import Choice, Context, Event, FlowState, Outcome, Press, Reply, Text, reask
from flows.timezones import COMMON_TIMEZONES, local_clock, parse_timezone

CONSENT_VERSION = 1
NAME = "onboarding"

LANGUAGE_NAMES = {
    "en": "onboarding.language_names.en",
    "nl": "onboarding.language_names.nl",
    "fr": "onboarding.language_names.fr",
    "de": "onboarding.language_names.de",
}
"""Each language's name in its own words, by language code (keys written out in full so
a search for one finds its use)."""

HELD = {
    "checkins": "onboarding.held.checkins",
    "notes": "onboarding.held.notes",
    "test_results": "onboarding.held.test_results",
    "lesson_reads": "onboarding.held.lesson_reads",
    "exercise_logs": "onboarding.held.exercise_logs",
    "reminders": "onboarding.held.reminders",
    "deliveries": "onboarding.held.deliveries",
    "medical_cautions": "onboarding.held.medical_cautions",
    "programmes": "onboarding.held.programmes",
    "programme_sessions": "onboarding.held.programme_sessions",
}
"""What a withdrawal erases, in the user's words, by the kind the store counts
(``Turn.health_data_held``)."""


@dataclass(frozen=True)
class ConsentGiven:
    version: int


@dataclass(frozen=True)
class ConsentRefused:
    version: int


@dataclass(frozen=True)
class LanguageChosen:
    language: str


@dataclass(frozen=True)
class TimezoneChosen:
    timezone: str


def _held(ctx: Context) -> dict[str, int]:
    held = ctx.history.get("held") or {}
    return {str(kind): int(count) for kind, count in held.items() if count}


class OnboardingFlow:
    """[language] -> welcome -> consent -> [withdraw] -> timezone -> finished."""

    name = NAME
    needs_consent = False

    def start(self, ctx: Context) -> Outcome:
        first = "language" if len(ctx.t.catalogue.languages) > 1 else "welcome"
        state = FlowState(self.name, first, {"timezone": ctx.timezone})
        return Outcome(state, self.current(state, ctx))

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        t = ctx.t
        step = state.step
        if step == "welcome":
            name = str(ctx.history.get("first_name") or "").strip()[:64] or t("common.no_name")
            return (
                Reply(t("onboarding.welcome", name=name)),
                Reply(
                    t("onboarding.what_i_do"),
                    ((Choice(t("common.continue"), "next", means="continue"),),),
                ),
            )
        if step == "language":
            # The language we guessed comes first, so one tap confirms it.
            languages = sorted(t.catalogue.languages, key=lambda lang: lang != ctx.language)
            return (
                Reply(
                    t("onboarding.language_prompt"),
                    tuple((Choice(t(LANGUAGE_NAMES[lang]), lang),) for lang in languages),
                ),
            )
        if step == "consent":
            return (
                Reply(
                    t("onboarding.consent"),
                    (
                        (Choice(t("onboarding.consent_yes"), "yes", means="yes"),),
                        (Choice(t("onboarding.consent_no"), "no", means="no"),),
                    ),
                ),
            )
        if step == "withdraw":
            return (
                Reply(
                    t("onboarding.withdraw_confirm", held=self._held_list(ctx)),
                    (
                        (Choice(t("onboarding.withdraw_erase"), "erase"),),
                        (Choice(t("onboarding.withdraw_export"), command="export"),),
                        (Choice(t("onboarding.withdraw_keep"), "keep"),),
                    ),
                ),
            )
        if step == "timezone":
            tz = str(state.answers.get("timezone") or ctx.timezone)
            return (
                Reply(
                    t(
                        "onboarding.timezone_prompt",
                        timezone=tz,
                        local_time=local_clock(ctx.now, tz, t.language),
                    ),
                    (
                        (Choice(t("onboarding.timezone_keep"), "keep", means="yes"),),
                        (Choice(t("onboarding.timezone_change"), "change", means="no"),),
                    ),
                ),
            )
        # step == "timezone_pick"
        return (self._timezone_picker(t("onboarding.timezone_pick"), ctx),)

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        t = ctx.t
        value = event.value if isinstance(event, Press) else None
        if state.step == "welcome" and value == "next":
            return self._ask(state.at("consent"), ctx)
        if state.step == "language" and value in t.catalogue.languages:
            new_ctx = Context(t.catalogue.translator(value), ctx.now, ctx.timezone, ctx.history)
            nxt = state.at("welcome", language=value)
            return Outcome(nxt, self.current(nxt, new_ctx), (LanguageChosen(value),))
        if (state.step, value) in (("consent", "yes"), ("withdraw", "keep")):
            return self._ask(state.at("timezone"), ctx, (ConsentGiven(CONSENT_VERSION),))
        if state.step == "consent" and value == "no" and _held(ctx):
            return self._ask(state.at("withdraw"), ctx)
        if (state.step, value) in (("consent", "no"), ("withdraw", "erase")):
            return self._refuse(ctx)
        if state.step == "timezone" and value == "keep":
            tz = str(state.answers.get("timezone") or ctx.timezone)
            return self._finish(tz, ctx)
        if state.step == "timezone" and value == "change":
            return self._ask(state.at("timezone_pick"), ctx)
        if state.step == "timezone_pick":
            chosen = value if value in COMMON_TIMEZONES else None
            if isinstance(event, Text):
                chosen = parse_timezone(event.text)
                if chosen is None:
                    shown = event.text.strip()[:40]
                    reply = self._timezone_picker(t("onboarding.timezone_unknown", text=shown), ctx)
                    return Outcome(state, (reply,))
            if chosen:
                return self._finish(chosen, ctx)
        return reask(state, self.current(state, ctx), t("common.please_use_buttons"))

    def holds_unsaved(self, state: FlowState) -> bool:
        """Consent, language and zone are each stored when they are given."""
        return False

    def transitions(self) -> list[tuple[str, str, str]]:
        return [
            ("", "/start (several languages)", "language"),
            ("", "/start (one language)", "welcome"),
            ("language", "language chosen", "welcome"),
            ("welcome", "continue", "consent"),
            ("consent", "no, nothing held: only the refusal is kept", ""),
            ("consent", "no, health data held", "withdraw"),
            ("consent", "yes: consent stored", "timezone"),
            ("withdraw", "erase: health data erased with the refusal", ""),
            ("withdraw", "export first: /export, the question waits", "withdraw"),
            ("withdraw", "keep my consent", "timezone"),
            ("timezone", "keep", ""),
            ("timezone", "change", "timezone_pick"),
            ("timezone_pick", "zone chosen or typed", ""),
            ("timezone_pick", "unknown zone", "timezone_pick"),
        ]

    def _ask(self, state: FlowState, ctx: Context, facts: tuple[object, ...] = ()) -> Outcome:
        return Outcome(state, self.current(state, ctx), facts)

    def _refuse(self, ctx: Context) -> Outcome:
        """The refusal, saying what went with it. The list is what this turn read, in
        the transaction that erases it, so it is exactly what was erased."""
        t = ctx.t
        if _held(ctx):
            reply = Reply(t("onboarding.withdrawn", held=self._held_list(ctx)))
        else:
            reply = Reply(t("onboarding.refused"))
        return Outcome(None, (reply,), (ConsentRefused(CONSENT_VERSION),))

    def _held_list(self, ctx: Context) -> str:
        return "\n".join(
            "• " + ctx.t(HELD[kind], count=count) for kind, count in _held(ctx).items()
        )

    def _finish(self, timezone: str, ctx: Context) -> Outcome:
        t = ctx.t
        return Outcome(
            None,
            (
                Reply(
                    t(
                        "onboarding.timezone_set",
                        timezone=timezone,
                        local_time=local_clock(ctx.now, timezone, t.language),
                    )
                ),
                Reply(
                    t("onboarding.finished"),
                    ((Choice(t("onboarding.start_test"), command="test"),),),
                ),
            ),
            (TimezoneChosen(timezone),),
        )

    def _timezone_picker(self, text: str, ctx: Context) -> Reply:
        language = ctx.t.language
        buttons = [Choice(zone_name(name, language), name) for name in COMMON_TIMEZONES]
        return Reply(text, tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)))
