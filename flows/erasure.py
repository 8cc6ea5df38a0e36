"""/delete: erase everything about the user, after one clear question.

A flow rather than a command with two buttons, so the question is an open question the
engine knows about: a typed "oui" or "nee" answers it like any other (one matcher,
:mod:`flows.typed_answer`), and its buttons go stale once it is answered, so an old
"Yes, erase everything" can never erase a second time.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.runtime import Choice, Context, Event, FlowState, Outcome, Press, Reply, reask

NAME = "delete"
YES, NO = "yes", "no"


@dataclass(frozen=True)
class EverythingErased:
    """The user confirmed: every row about them goes, in this turn."""


class EraseFlow:
    """confirm -> erased | kept."""

    name = NAME
    needs_consent = False

    def start(self, ctx: Context) -> Outcome:
        state = FlowState(self.name, "confirm")
        return Outcome(state, self.current(state, ctx))

    def current(self, state: FlowState, ctx: Context) -> tuple[Reply, ...]:
        t = ctx.t
        return (
            Reply(
                t("privacy.delete_confirm"),
                (
                    (Choice(t("privacy.delete_yes"), YES, means="yes"),),
                    (Choice(t("privacy.delete_no"), NO, means="no"),),
                ),
            ),
        )

    def handle(self, state: FlowState, event: Event, ctx: Context) -> Outcome:
        value = event.value if isinstance(event, Press) else None
        if value == YES:
            return Outcome(None, (Reply(ctx.t("privacy.delete_done")),), (EverythingErased(),))
        if value == NO:
            return Outcome(None, (Reply(ctx.t("privacy.delete_kept")),))
        return reask(state, self.current(state, ctx), ctx.t("common.please_use_buttons"))

    def holds_unsaved(self, state: FlowState) -> bool:
        """A question only: nothing to lose by leaving it."""
        return False

    def transitions(self) -> list[tuple[str, str, str]]:
        return [
            ("", "/delete", "confirm"),
            ("confirm", "yes: everything erased", ""),
            ("confirm", "no: nothing erased", ""),
            ("confirm", "anything else", "confirm"),
        ]
