"""/language: pick the language the bot speaks; everything after follows it."""

from __future__ import annotations

from flows.onboarding import LANGUAGE_NAMES, LanguageChosen
from flows.runtime import Choice, Context, Event, FlowState, Outcome, Press, Reply, reask

NAME = "language"


class LanguageFlow:
    name = NAME
    needs_consent = False

    def start(self, ctx: Context) -> Outcome:
        state = FlowState(self.name, "pick")
        return Outcome(state, self.current(state, ctx))

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        t = ctx.t
        languages = sorted(t.catalogue.languages, key=lambda lang: lang != ctx.language)
        rows = tuple((Choice(t(LANGUAGE_NAMES[lang]), lang),) for lang in languages)
        return (Reply(t("privacy.language_prompt"), rows),)

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        languages = ctx.t.catalogue.languages
        if isinstance(event, Press) and event.value in languages:
            chosen = ctx.t.catalogue.translator(event.value)
            return Outcome(
                None, (Reply(chosen("privacy.language_set")),), (LanguageChosen(event.value),)
            )
        return reask(state, self.current(state, ctx), ctx.t("common.please_use_buttons"))

    def holds_unsaved(self, state: FlowState) -> bool:
        """The language is stored when it is picked."""
        return False

    def transitions(self) -> list[tuple[str, str, str]]:
        return [
            ("", "/language", "pick"),
            ("pick", "language chosen", ""),
            ("pick", "anything else", "pick"),
        ]
