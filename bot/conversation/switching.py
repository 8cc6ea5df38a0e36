"""Commands and flow switching: which flow runs next, and whether it may.

A command (typed, or a ``c|...`` button), a feature's ``StartFlow`` and the coach all
end up here, because the same questions apply to each: is there consent to the current
text for what it starts (:func:`consent_ok`), would it replace a flow holding answers
not yet stored (then ask before switching), and what about ``/cancel``, ``/resume`` and
a ``/start`` by someone already set up. One place for these keeps every way into a flow
under the same rules.
"""

from __future__ import annotations

from typing import Any

from bot.conversation.messages import command_choice
from bot.conversation.registry import CANCEL, RESUME, AfterTurn
from bot.conversation.session import TurnSession
from flows.runtime import Reply

START = "start"


def run_command(s: TurnSession, name: str) -> None:
    """A command by name; a trailing ``!`` is the "yes, switch" of the switch question."""
    force = name.endswith("!")
    name = name.rstrip("!")
    if name == CANCEL:
        if s.saved is None:
            s.say(Reply(s.t("common.nothing_to_cancel")))
        else:
            s.clear_flow()
            s.say(Reply(s.t("common.cancelled")))
        return
    if name == RESUME:
        if s.saved is None:
            s.say(Reply(s.t("common.nothing_to_cancel")))
        s.repeat_current()
        return
    if name == START and s.may_keep_health_data() and s.saved is None and not force:
        _restart(s)
        name_text = (s.incoming.first_name or "").strip()[:64] or s.t("common.no_name")
        # The way back to the consent question (to withdraw it), language and zone.
        review = command_choice(s.t("onboarding.review"), "start!")
        s.say(Reply(s.t("onboarding.welcome_back", name=name_text), ((review,),)))
        return
    if name == START:
        _restart(s)
    flow_name = s.wiring.command_flows.get(name)
    if flow_name is not None:
        _start_flow(s, name, flow_name, force=force or name == START)
        return
    handler = s.wiring.commands.get(name)
    if handler is not None:
        if not s.wiring.command_needs_consent(name) or consent_ok(s):
            for reply in handler(s.tx, s.t):
                if isinstance(reply, AfterTurn):
                    s.say_later(reply)
                else:
                    s.say(reply)
        elif s.user.has_consent:
            return  # asked to consent to the new text: that question is the open one now
        if s.tx.erased:  # /delete: there is nothing left to come back to
            s.saved = None
        if s.saved is not None:
            s.repeat_current("common.resume_after_command")
        return
    s.say(Reply(s.t("common.not_understood")))
    s.repeat_current()


def consent_ok(s: TurnSession) -> bool:
    """Health data needs consent to the current text; an older consent is asked
    again before anything new is stored."""
    if s.may_keep_health_data():
        return True
    if not s.user.has_consent:
        s.say(Reply(s.t("common.need_consent")))
        return False
    s.say(Reply(s.t("privacy.reconsent")))
    onboarding = s.wiring.flows.get(s.wiring.command_flows.get(START, ""))
    if onboarding is not None:
        s.apply(onboarding, onboarding.start(s.context(onboarding)))
    return False


def start_named_flow(s: TurnSession, flow_name: str, history: dict[str, Any]) -> None:
    """Start a flow from a button: it replaces whatever flow was open."""
    flow = s.wiring.flows.get(flow_name)
    if flow is None:
        run_command(s, flow_name)  # a button may also run a plain command
        return
    if flow.needs_consent and not consent_ok(s):
        return
    s.apply(flow, flow.start(s.context(flow, history)))


def _restart(s: TurnSession) -> None:
    s.tx.reactivate()
    for hook in s.wiring.on_start:
        hook(s.tx)


def _start_flow(s: TurnSession, command: str, flow_name: str, *, force: bool) -> None:
    flow = s.wiring.flows.get(flow_name)
    if flow is None:
        s.say(Reply(s.t("common.not_understood")))
        return
    if flow.needs_consent and not consent_ok(s):
        return
    losing = None if force else _unsaved_flow(s, flow_name)
    if losing is not None:
        s.say(
            Reply(
                s.t(
                    "common.switch_question",
                    current=s.t(s.wiring.title_of(losing)),
                    target=s.t(s.wiring.title_of(flow_name)),
                ),
                (
                    (command_choice(s.t("common.switch_yes"), f"{command}!"),),
                    (command_choice(s.t("common.switch_no"), RESUME),),
                ),
            )
        )
        return
    extra = s.wiring.command_history.get(command, {})
    s.apply(flow, flow.start(s.context(flow, extra)))


def _unsaved_flow(s: TurnSession, flow_name: str) -> str | None:
    """The open flow, when ``flow_name`` replacing it would lose something the user
    gave and that is not stored yet; None when nothing would be lost (a lesson being
    read, settings already saved, a question not yet answered)."""
    current = s.current_flow()
    if current is None or current[1].flow == flow_name:
        return None
    flow, state = current
    return state.flow if flow.holds_unsaved(state) else None
