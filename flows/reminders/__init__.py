"""Reminder settings (/reminders) and the suggested plan (/plan): one small flow.

The user sees every reminder kind on one screen, taps one to switch it on or off or to
change its time, days, interval, working hours or quiet hours, and can pause everything,
change the time zone or the daily limit. After the self-check the same flow opens in
"propose" mode on the plan from :mod:`flows.plan`: accept it, change it first, or leave
it for now. Every change is confirmed in words (:func:`flows.reminder_words.describe`),
so the user reads back exactly what will happen.

The flow was one module of over a thousand lines; it is split by job so each piece can
be read alone:

- :mod:`.facts`: what the flow records, for the bot to apply.
- :mod:`.draft`: the working set of reminders kept in the flow state, read from the
  history, and the button values that carry choices in callback data.
- :mod:`.screens`: every question and confirmation the flow shows.
- :mod:`.kind_steps`: the steps of one reminder (on/off, times, days, interval, working
  hours, quiet hours).
- :mod:`.settings_flow`: the flow itself, its menu, plan, pause, zone and limit steps.
"""
