"""Typed text as the engine hands it to a flow, for tests that drive a flow directly."""

from __future__ import annotations

from flows.runtime import Context, Event, Flow, FlowState, Press, Text
from flows.typed_answer import Picked, read


def as_the_engine_reads(flow: Flow, state: FlowState, event: Event, ctx: Context) -> Event:
    """A press when typed text answers one button of the question on screen
    (flows.typed_answer), else the event unchanged: what ``Conversations`` passes on."""
    if isinstance(event, Text):
        reading = read(event.text, flow.current(state, ctx), ctx.t)
        if isinstance(reading, Picked) and reading.choice.command is None:
            return Press(reading.choice.value)
    return event
