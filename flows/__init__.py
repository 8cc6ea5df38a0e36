"""Pure conversation logic: flows, scoring, schedules and summaries.

Nothing here imports Telegram or SQL, so every rule can be tested in microseconds
and driven from any front end (Telegram, the terminal chat, tests).
"""
