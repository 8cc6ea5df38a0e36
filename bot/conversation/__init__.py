"""The conversation engine, as its front ends (Telegram, the terminal chat, the senders)
see it: :class:`Conversations` takes an :class:`Incoming` and gives a
:class:`TurnResult` of :class:`Outgoing` replies. Features register with
:mod:`bot.conversation.registry`; the turn itself lives in the other modules here."""

from bot.conversation.engine import Conversations
from bot.conversation.messages import Button, Incoming, Outgoing, TurnResult, to_outgoing

__all__ = ["Button", "Conversations", "Incoming", "Outgoing", "TurnResult", "to_outgoing"]
