"""Each feature registers its flows, commands, history loaders and fact recorders on
the engine's :class:`bot.conversation.registry.Wiring`; the engine itself stays generic."""
