"""The weekly summary, /history and the check-ins' CSV: pure functions over the rows the
store returns, never touching Telegram, SQL or matplotlib.

One module per job, read in this order: ``inputs`` (the store's rows on the user's local
days), ``numbers`` (this week against the week before, and the suggestion; the values
it returns are in ``results``), ``text`` (those numbers in the user's words),
``chart_data`` (the chart's values and labels) and ``history`` (/history and the CSV).
Callers import from the module that does the job; the package re-exports nothing, so
each name has one way in.
"""
