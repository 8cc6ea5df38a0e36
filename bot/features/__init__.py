"""Each feature registers its flows, commands, history loaders and fact recorders on
the engine's :class:`bot.conversation.Wiring`; the engine itself stays generic."""
