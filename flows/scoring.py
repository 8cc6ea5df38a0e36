"""Scoring for the pain self-check: plain functions over plain values, no I/O.

Why a module of its own: the flow (``flows.pain_test``) only collects answers; this
module turns them into the profile (:class:`Scores`) and what it points to. Each
questionnaire is scored in :mod:`flows.instruments`; comparing with an earlier result is
:mod:`flows.score_changes`. The results are a self-check: a "risk of slow recovery"
indication and rough stress and mood levels, never a validated score or a diagnosis.

Answers are stored by the flow under the keys named below (the step ids), so this
module is the single place that knows which answer feeds which score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Final

from flows import advice
from flows.instruments import (
    BOTHER_RANGE,
    PHQ_ITEM_RANGE,
    PSEQ_ITEM_RANGE,
    PSS_ITEM_RANGE,
    StartBack,
    phq4,
    pseq2,
    pseq2_band,
    pss4,
    pss4_level,
    startback,
)

# -- answer keys (the flow's step ids) and the option values scoring looks at ----------

RED_EMERGENCY: Final = "red_emergency"
RED_SAMEDAY: Final = "red_sameday"
WHERE: Final = "where"
PAIN_NOW: Final = "pain_now"
PAIN_AVG: Final = "pain_avg"
SINCE: Final = "since"
WORSE: Final = "worse"
PHYSICAL: Final = "physical"
FUNCTION: Final = "function"
BOTHER: Final = "bother"
UNSAFE: Final = "unsafe"
TERRIBLE: Final = "terrible"
PSS4_KEYS: Final = ("pss_control", "pss_cope", "pss_way", "pss_pile")
LIFE_EVENTS: Final = "life_events"
PHQ4_KEYS: Final = ("phq_nervous", "phq_worry", "phq_interest", "phq_down")
SAFETY: Final = "safety"
PSEQ2_KEYS: Final = ("pseq_work", "pseq_life")
CRISIS_SHOWN: Final = "crisis_shown"
"""Set by the flow once the crisis lines were shown; it stays set if answers change."""

EMERGENCY_FLAGS: Final = ("saddle", "bladder", "leg_weakness")
SAMEDAY_FLAGS: Final = ("infection", "fracture", "cancer", "inflammatory")
AREAS: Final = ("lower_back", "upper_back", "neck", "buttocks", "ribs", "legs")
SINCE_OPTIONS: Final = ("lt6w", "6to12w", "gt12w", "recurrent")
AGGRAVATORS: Final = (
    "sitting",
    "standing",
    "getting_up",
    "lifting",
    "driving",
    "stress",
    "bad_nights",
)
PHYSICAL_FACTORS: Final = (
    "fitness",
    "sitting",
    "walking",
    "lifting",
    "tension",
    "overload",
    "driving",
    "weak_core",
)
FUNCTION_ITEMS: Final = ("walk_short", "dress_slow")
EVENTS: Final = ("divorce", "breakup", "loss", "work", "hard_time")
AGREE: Final = "agree"
DISAGREE: Final = "disagree"
YES: Final = "yes"
NO: Final = "no"

# -- bands ---------------------------------------------------------------------------

DURATIONS: Final = ("acute", "subacute", "chronic", "recurrent")
STRESS_ROLES: Final = advice.STRESS_ROLES
PAIN_RANGE: Final = (0, 10)

STARTBACK_ITEM_FROM_PHQ: Final = 2
"""A PHQ-4 answer of "more than half the days" or more counts as agreeing with the
STarT-style worry (item 6) and not-enjoying (item 8) items, which the PHQ-4 items cover,
so the self-check does not ask the same thing twice."""


# -- duration and the role of stress -------------------------------------------------

SINCE_TO_DURATION: Final = {
    "lt6w": "acute",
    "6to12w": "subacute",
    "gt12w": "chronic",
    "recurrent": "recurrent",
}


def stress_role(
    pss_level: str | None, phq_band: str | None, life_events: int, stress_worse: bool
) -> str:
    """How large a part stress likely plays: points from four signs, 0-1 low, 2-3 some, 4+ strong.

    The person saying stress makes the pain worse counts 2; PSS-4 raised 1, high 2;
    PHQ-4 mild 1, moderate or severe 2; any recent life event 1. A heuristic for
    choosing advice, not a measurement.
    """
    points = 2 if stress_worse else 0
    points += {"raised": 1, "high": 2}.get(pss_level or "", 0)
    points += {"mild": 1, "moderate": 2, "severe": 2}.get(phq_band or "", 0)
    points += 1 if life_events > 0 else 0
    if points <= 1:
        return "low"
    if points <= 3:
        return "some"
    return "strong"


# -- all scores from the stored answers ----------------------------------------------


@dataclass(frozen=True)
class Scores:
    """Everything the result, the store and a later retake comparison need.

    Fields are None while the answers behind them are missing (an early exit), so a
    partial result is still honest about what it knows.
    """

    pain_now: int | None
    pain_avg: int | None
    duration: str | None
    risk: str | None
    startback_total: int | None
    startback_psych: int | None
    phq4_total: int | None
    phq4_anxiety: int | None
    phq4_mood: int | None
    phq4_band: str | None
    pss4: int | None
    pss4_level: str | None
    pseq2: int | None
    pseq2_band: str | None
    stress_role: str | None
    red_flags: tuple[str, ...]
    physical_factors: tuple[str, ...]
    areas: tuple[str, ...]
    aggravators: tuple[str, ...]
    life_events: tuple[str, ...]
    crisis: bool
    talk_to_doctor: bool
    see_doctor: bool
    version: int = 1

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def as_int(value: Any, bounds: tuple[int, int]) -> int | None:
    """A stored answer or score as an int within ``bounds``, or None (junk, a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if bounds[0] <= value <= bounds[1] else None


def _int(answers: Mapping[str, Any], key: str, bounds: tuple[int, int]) -> int | None:
    return as_int(answers.get(key), bounds)


def _picked(answers: Mapping[str, Any], key: str, allowed: Sequence[str]) -> tuple[str, ...] | None:
    value = answers.get(key)
    if not isinstance(value, list):
        return None
    return tuple(item for item in allowed if item in value)


def _ints(
    answers: Mapping[str, Any], keys: Sequence[str], bounds: tuple[int, int]
) -> list[int] | None:
    values = [_int(answers, key, bounds) for key in keys]
    return None if any(v is None for v in values) else [v for v in values if v is not None]


def _startback(answers: Mapping[str, Any]) -> StartBack | None:
    where = _picked(answers, WHERE, AREAS)
    function = _picked(answers, FUNCTION, FUNCTION_ITEMS)
    worry = _int(answers, PHQ4_KEYS[1], PHQ_ITEM_RANGE)
    interest = _int(answers, PHQ4_KEYS[2], PHQ_ITEM_RANGE)
    bother = _int(answers, BOTHER, BOTHER_RANGE)
    unsafe, terrible = answers.get(UNSAFE), answers.get(TERRIBLE)
    if (
        where is None
        or function is None
        or worry is None
        or interest is None
        or bother is None
        or unsafe not in (AGREE, DISAGREE)
        or terrible not in (AGREE, DISAGREE)
    ):
        return None
    agree = [
        "legs" in where,  # 1 pain spreading down a leg
        "neck" in where,  # 2 neck or shoulder pain
        "walk_short" in function,  # 3 walking only short distances
        "dress_slow" in function,  # 4 dressing more slowly
        unsafe == AGREE,  # 5 being active feels unsafe
        worry >= STARTBACK_ITEM_FROM_PHQ,  # 6 worrying thoughts a lot
        terrible == AGREE,  # 7 pain terrible, never better
        interest >= STARTBACK_ITEM_FROM_PHQ,  # 8 not enjoying things
    ]
    return startback(agree, bother)


def score_answers(answers: Mapping[str, Any]) -> Scores:
    """All scores from the flow's answers; invalid or missing answers are left out."""
    sb = _startback(answers)
    phq_items = _ints(answers, PHQ4_KEYS, PHQ_ITEM_RANGE)
    phq = phq4(phq_items) if phq_items is not None else None
    pss_items = _ints(answers, PSS4_KEYS, PSS_ITEM_RANGE)
    pss = pss4(pss_items) if pss_items is not None else None
    pseq_items = _ints(answers, PSEQ2_KEYS, PSEQ_ITEM_RANGE)
    pseq = pseq2(pseq_items) if pseq_items is not None else None
    since = answers.get(SINCE)
    aggravators = _picked(answers, WORSE, AGGRAVATORS) or ()
    events = _picked(answers, LIFE_EVENTS, EVENTS) or ()
    emergency = _picked(answers, RED_EMERGENCY, EMERGENCY_FLAGS) or ()
    sameday = _picked(answers, RED_SAMEDAY, SAMEDAY_FLAGS) or ()
    pss_level = pss4_level(pss) if pss is not None else None
    crisis = (
        answers.get(SAFETY) == YES
        or _int(answers, PHQ4_KEYS[3], PHQ_ITEM_RANGE) == 3
        or answers.get(CRISIS_SHOWN) is True
    )
    return Scores(
        pain_now=_int(answers, PAIN_NOW, PAIN_RANGE),
        pain_avg=_int(answers, PAIN_AVG, PAIN_RANGE),
        duration=SINCE_TO_DURATION.get(since) if isinstance(since, str) else None,
        risk=sb.risk if sb else None,
        startback_total=sb.total if sb else None,
        startback_psych=sb.psych if sb else None,
        phq4_total=phq.total if phq else None,
        phq4_anxiety=phq.anxiety if phq else None,
        phq4_mood=phq.mood if phq else None,
        phq4_band=phq.band if phq else None,
        pss4=pss,
        pss4_level=pss_level,
        pseq2=pseq,
        pseq2_band=pseq2_band(pseq) if pseq is not None else None,
        stress_role=(
            stress_role(pss_level, phq.band if phq else None, len(events), "stress" in aggravators)
            if pss_level is not None
            else None
        ),
        red_flags=emergency + sameday,
        physical_factors=_picked(answers, PHYSICAL, PHYSICAL_FACTORS) or (),
        areas=_picked(answers, WHERE, AREAS) or (),
        aggravators=aggravators,
        life_events=events,
        crisis=crisis,
        talk_to_doctor=crisis or bool(phq and phq.talk_to_doctor),
        see_doctor=bool(sameday),
    )


# -- what the scores point to --------------------------------------------------------

COMBINED_CARE: Final = "physio_combined"
"""The "physio" step's wording at high risk of slow recovery."""
NEXT_STEPS: Final = (
    "gp_check",
    "crisis_lines",
    "talk_doctor",
    "physio",
    "stay_active",
    "movement_breaks",
    "breathing",
    "walking",
    "checkin",
    "help_now",
)


def next_steps(scores: Scores) -> tuple[str, ...]:
    """Three to five next-step ids, most pressing first; "get help now" always closes.

    Drawn from the guideline facts: stay active, matched care for higher risk, a doctor
    for red flags or high mood and anxiety scores. The exercises (break up sitting, calm
    breathing, graded walking) are the ones :func:`flows.advice.advise` recommends, so
    the plan that follows sets up every exercise named here.
    """
    facts = advice.advise(scores.to_dict())
    wanted = {
        "gp_check": scores.see_doctor,
        "crisis_lines": scores.crisis,
        "talk_doctor": scores.talk_to_doctor and not scores.crisis,
        "physio": scores.risk in ("medium", "high")
        or scores.duration == "chronic"
        or scores.pseq2_band == "low",
        "stay_active": True,
        "movement_breaks": facts.busy_breaks,
        "breathing": facts.breathing is not None,
        "walking": facts.walking is not None,
        "checkin": True,
    }
    order = list(NEXT_STEPS[:-1])
    if scores.risk != "high":  # matched care matters most at high risk; else later
        order.remove("physio")
        order.insert(order.index("checkin"), "physio")
    chosen = [step for step in order if wanted[step]][:4]
    if scores.risk == "high":
        # Worries and feelings weigh heavily: care for body and mind together. For
        # lasting pain or low confidence alone, a guided exercise plan is the step.
        chosen = [COMBINED_CARE if step == "physio" else step for step in chosen]
    return (*chosen, "help_now")


def recommended_cards(scores: Scores) -> tuple[str, ...]:
    """Two or three learn-card ids that fit these answers best."""
    posture_signs = {"sitting", "walking", "driving"} & set(scores.physical_factors)
    candidates = [
        ("when_to_see_doctor", scores.see_doctor or bool(scores.red_flags)),
        ("stress_and_pain", scores.stress_role in ("some", "strong")),
        ("no_single_cause", scores.risk == "high"),
        ("acute_vs_chronic", scores.duration in ("subacute", "chronic", "recurrent")),
        ("posture", bool(posture_signs) or bool({"sitting", "standing"} & set(scores.aggravators))),
        ("moving_helps", True),
        ("what_is_back_pain", True),
    ]
    return tuple(card for card, fits in candidates if fits)[:3]
