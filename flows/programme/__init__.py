"""The 12-week coaching programme (issue 16), as pure logic.

Each module has one job; the bot stores the state, shows the parts and sends the
messages, and the texts live in the content catalogue. The facts behind every number
are in docs/CLINICAL.md, "The coaching programme".

- :mod:`.state`, :mod:`.records`, :mod:`.codec`: the state and its JSON form;
- :mod:`.tracks`: enrolment and the track from the self-check's risk;
- :mod:`.calendar`: week and day from dates, pauses left out;
- :mod:`.signals`: today's pain zone, stress and sleep from the check-ins;
- :mod:`.levels`, :mod:`.flare`, :mod:`.activity`, :mod:`.library`, :mod:`.lessons`:
  one rule each, composed by :func:`.plan.plan_today`;
- :mod:`.keeping_up`, :mod:`.nudges`, :mod:`.streak`, :mod:`.pause`, :mod:`.goals`:
  keeping people going;
- :mod:`.content`: the ids the rules choose from, read out of the content catalogue.
"""
