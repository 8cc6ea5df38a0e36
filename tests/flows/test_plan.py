"""The suggested daily plan: which reminders each score profile gets, and why."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.i18n import default_catalogue
from flows.plan import REASONS, default_plan, default_rule, plan_dicts, proposed_plan
from flows.reminder_words import describe
from flows.schedule import KINDS, WEEKDAYS, Rule, slots_between
from flows.scoring import score_answers

T = default_catalogue().translator("en")
BXL = "Europe/Brussels"


def summary(scores: dict[str, Any] | None, timezone: str = BXL) -> list[tuple[str, str, str]]:
    """(kind, reason, description) per suggested reminder: what the user will read."""
    return [
        (item.rule.kind, item.reason, describe(item.rule, T))
        for item in proposed_plan(scores, timezone)
    ]


CHECKIN = ("checkin", "checkin", "Daily check-in: 20:00, every day")
SUMMARY = ("summary", "summary", "Weekly summary: 19:00, Sun")

PROFILES: list[tuple[str, dict[str, Any] | None, list[tuple[str, str, str]]]] = [
    (
        "skipped test",
        None,
        [
            ("movement", "stay_active", "Movement breaks: every 90 min, Mon-Fri 09:00-17:00"),
            ("stress", "default", "Breathing exercise: 12:30, every day"),
            CHECKIN,
            SUMMARY,
        ],
    ),
    (
        "desk worker with stress",
        {
            "pain_now": 5,
            "pain_avg": 4,
            "duration": "subacute",
            "risk": "low",
            "pss4": 10,
            "phq4_total": 3,
            "stress_role": "strong",
            "physical_factors": ["long_sitting"],
            "worse_with": ["sitting"],
            "crisis": False,
        },
        [
            ("movement", "sitting", "Movement breaks: every 60 min, Mon-Fri 09:00-17:00"),
            ("stress", "stress", "Breathing exercise: 12:30, every day"),
            ("pain", "subacute", "Graded walk: 17:30, every day"),
            CHECKIN,
            SUMMARY,
        ],
    ),
    (
        "driver with posture and chronic pain",
        {
            "duration": "chronic",
            "risk": "medium",
            "pss4": 4,
            "stress_role": "low",
            "physical_factors": ["driving", "posture"],
            "worse_with": [],
        },
        [
            ("movement", "driving", "Movement breaks: every 60 min, Mon-Fri 09:00-17:00"),
            ("posture", "posture", "Change position: 10:45 and 15:15, every day"),
            ("pain", "chronic", "Graded walk: 17:30, every day"),
            CHECKIN,
            SUMMARY,
        ],
    ),
    (
        "fear of movement, low stress",
        {
            "duration": "acute",
            "risk": "medium",
            "pss4": 3,
            "stress_role": "low",
            "physical_factors": [],
            "fear_avoidance": True,
        },
        [
            ("movement", "stay_active", "Movement breaks: every 90 min, Mon-Fri 09:00-17:00"),
            ("pain", "fear", "Graded walk: 17:30, every day"),
            CHECKIN,
            SUMMARY,
        ],
    ),
    (
        "high risk, some stress, tension",
        {
            "duration": "acute",
            "risk": "high",
            "pss4": 6,
            "stress_role": "some",
            "physical_factors": ["tension", "overload"],
        },
        [
            ("movement", "stay_active", "Movement breaks: every 90 min, Mon-Fri 09:00-17:00"),
            ("stress", "some_stress", "Breathing exercise: 12:30, every day"),
            ("pain", "high_risk", "Graded walk: 17:30, every day"),
            CHECKIN,
            SUMMARY,
        ],
    ),
    (
        # The profile said stress plays a small part: the plan never claims a big one.
        "a high pss4 alone does not override the part stress plays",
        {
            "pss4": 10,
            "stress_role": "low",
            "duration": "acute",
            "risk": "low",
        },
        [
            ("movement", "stay_active", "Movement breaks: every 90 min, Mon-Fri 09:00-17:00"),
            CHECKIN,
            SUMMARY,
        ],
    ),
    (
        "some stress with pss4 8 is some, not a big part",
        {"pss4": 8, "stress_role": "some", "duration": "acute", "risk": "low"},
        [
            ("movement", "stay_active", "Movement breaks: every 90 min, Mon-Fri 09:00-17:00"),
            ("stress", "some_stress", "Breathing exercise: 12:30, every day"),
            CHECKIN,
            SUMMARY,
        ],
    ),
    (
        "subacute pain gets the walk the profile recommends",
        {"pss4": 7, "stress_role": "low", "duration": "subacute", "risk": "low"},
        [
            ("movement", "stay_active", "Movement breaks: every 90 min, Mon-Fri 09:00-17:00"),
            ("pain", "subacute", "Graded walk: 17:30, every day"),
            CHECKIN,
            SUMMARY,
        ],
    ),
    (
        "low stress, acute pain",
        {"pss4": 7, "stress_role": "low", "duration": "acute", "risk": "low"},
        [
            ("movement", "stay_active", "Movement breaks: every 90 min, Mon-Fri 09:00-17:00"),
            CHECKIN,
            SUMMARY,
        ],
    ),
    (
        "the scoring module's own ids (aggravators, poor sitting posture)",
        {
            "duration": "recurrent",
            "risk": "low",
            "pss4": 5,
            "stress_role": "low",
            "physical_factors": ["sitting", "fitness"],
            "aggravators": ["standing", "stress"],
        },
        [
            ("movement", "sitting", "Movement breaks: every 60 min, Mon-Fri 09:00-17:00"),
            ("posture", "posture", "Change position: 10:45 and 15:15, every day"),
            ("stress", "stress_worse", "Breathing exercise: 12:30, every day"),
            ("pain", "recurrent", "Graded walk: 17:30, every day"),
            CHECKIN,
            SUMMARY,
        ],
    ),
    (
        # Breathing as the profile recommended it; no movement breaks or walks.
        "crisis gets a light plan",
        {
            "pss4": 14,
            "stress_role": "strong",
            "risk": "high",
            "crisis": True,
            "physical_factors": ["long_sitting"],
            "talk_to_doctor": True,
        },
        [
            ("stress", "stress", "Breathing exercise: 12:30, every day"),
            ("checkin", "gentle", "Daily check-in: 20:00, every day"),
            SUMMARY,
        ],
    ),
    (
        "crisis with little stress: only the check-in and the summary",
        {"stress_role": "low", "crisis": True, "physical_factors": ["sitting"]},
        [("checkin", "gentle", "Daily check-in: 20:00, every day"), SUMMARY],
    ),
    (
        "unknown ids and junk values are ignored",
        {
            "physical_factors": ["jetpack", 7, None],
            "worse_with": "sitting",
            "pss4": "high",
            "stress_role": "low",
            "risk": ["high"],
            "duration": 12,
            "fear_avoidance": "yes",
        },
        [
            ("movement", "stay_active", "Movement breaks: every 90 min, Mon-Fri 09:00-17:00"),
            CHECKIN,
            SUMMARY,
        ],
    ),
    (
        "an empty dict: stress unknown, so breathing as a default",
        {},
        [
            ("movement", "stay_active", "Movement breaks: every 90 min, Mon-Fri 09:00-17:00"),
            ("stress", "default", "Breathing exercise: 12:30, every day"),
            CHECKIN,
            SUMMARY,
        ],
    ),
]


@pytest.mark.parametrize(
    ("scores", "expected"), [p[1:] for p in PROFILES], ids=[p[0] for p in PROFILES]
)
def test_plan_for_score_profiles(
    scores: dict[str, Any] | None, expected: list[tuple[str, str, str]]
) -> None:
    assert summary(scores) == expected
    assert default_plan(scores, BXL) == [item.rule for item in proposed_plan(scores, BXL)]


def test_plan_from_real_scoring_output() -> None:
    answers = {
        "pain_now": 6,
        "pain_avg": 5,
        "since": "gt12w",
        "worse": ["sitting", "driving"],
        "physical": ["sitting", "tension"],
        "pss_control": 3,
        "pss_cope": 0,
        "pss_way": 1,
        "pss_pile": 3,
    }
    scores = score_answers(answers).to_dict()
    plan = summary(scores)
    assert [kind for kind, _, _ in plan] == [
        "movement",
        "posture",
        "stress",
        "pain",
        "checkin",
        "summary",
    ]
    assert plan[0][1] == "sitting" and plan[3][1] == "chronic"


def test_plan_uses_the_time_zone_and_falls_back_when_it_is_invalid() -> None:
    assert {rule.timezone for rule in default_plan(None, "Asia/Kolkata")} == {"Asia/Kolkata"}
    assert {rule.timezone for rule in default_plan(None, "Not/AZone")} == {BXL}


def test_plan_dicts_carry_reasons_and_load_back_as_rules() -> None:
    dicts = plan_dicts({"physical_factors": ["long_sitting"]}, BXL)
    json.dumps(dicts)
    assert [d["reason"] for d in dicts] == ["sitting", "default", "checkin", "summary"]
    assert [Rule.from_dict(d) for d in dicts] == default_plan(
        {"physical_factors": ["long_sitting"]}, BXL
    )


def test_every_reason_has_a_sentence() -> None:
    for reason in REASONS:
        assert T(f"reminders.reason.{reason}")


def test_no_two_suggested_nudges_share_a_minute() -> None:
    scores = {
        "physical_factors": ["sitting", "posture", "tension"],
        "worse_with": ["sitting"],
        "pss4": 12,
        "duration": "chronic",
        "risk": "high",
    }
    start = datetime(2026, 11, 22, tzinfo=UTC)
    for timezone in (BXL, "America/New_York"):
        rules = default_plan(scores, timezone)
        assert [rule.kind for rule in rules] == list(KINDS)
        week = [
            slot for rule in rules for slot in slots_between(rule, start, start + timedelta(days=7))
        ]
        assert len(week) == len(set(week)) > 0


@pytest.mark.parametrize("kind", KINDS)
def test_default_rule_per_kind(kind: str) -> None:
    rule = default_rule(kind, BXL)
    assert rule.kind == kind
    if kind == "movement":
        assert rule.interval_minutes == 90 and rule.days == WEEKDAYS
    if kind == "summary":
        assert rule.days == (6,) and rule.times == ("19:00",)


def test_default_rule_refuses_unknown_kinds() -> None:
    with pytest.raises(ValueError):
        default_rule("yoga", BXL)


score_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 20),
    st.text(max_size=8),
    st.lists(
        st.sampled_from(
            [
                "sitting",
                "long_sitting",
                "driving",
                "posture",
                "tension",
                "fitness",
                "weak_core",
                "standing",
                "stress",
                "x",
            ]
        ),
        max_size=5,
    ),
)
score_keys = st.sampled_from(
    [
        "pain_now",
        "duration",
        "risk",
        "pss4",
        "stress_role",
        "physical_factors",
        "worse_with",
        "aggravators",
        "fear_avoidance",
        "crisis",
        "phq4_total",
    ]
)


@settings(database=None, deadline=None)
@given(st.dictionaries(score_keys, score_values))
def test_any_scores_give_a_stable_valid_plan(scores: dict[str, Any]) -> None:
    items = proposed_plan(scores, BXL)
    kinds = [item.rule.kind for item in items]
    assert kinds == sorted(kinds, key=KINDS.index)
    assert len(set(kinds)) == len(kinds)
    assert kinds[-2:] == ["checkin", "summary"]
    assert all(item.reason in REASONS for item in items)
    assert proposed_plan(scores, BXL) == items  # deterministic


# -- what accepting a plan would change (issue 14, item 4) ------------------------------

WALK = Rule.at("pain", ("17:30",), BXL)
WALK_18 = Rule.at("pain", ("18:00",), BXL)
CHECK = Rule.at("checkin", ("20:00",), BXL)
BREATHE = Rule.at("stress", ("12:30",), BXL)
PAUSED_WALK = dataclasses.replace(WALK, paused_until=datetime(2026, 12, 1, tzinfo=UTC))
QUIET_WALK = Rule.from_dict({**WALK.to_dict(), "quiet_start": "22:00", "quiet_end": "07:00"})

CHANGES: list[tuple[str, dict[str, Rule], list[Rule], list[tuple[str, str | None, str | None]]]] = [
    (
        "nothing on: all new",
        {},
        [WALK, CHECK],
        [("pain", None, "17:30"), ("checkin", None, "20:00")],
    ),
    ("the same rules: nothing", {"pain": WALK, "checkin": CHECK}, [WALK, CHECK], []),
    ("own time is a change", {"pain": WALK_18}, [WALK], [("pain", "18:00", "17:30")]),
    ("own quiet hours are a change", {"pain": QUIET_WALK}, [WALK], [("pain", "17:30", "17:30")]),
    ("a running pause is not", {"pain": PAUSED_WALK}, [WALK], []),
    (
        "left out of the plan: off",
        {"stress": BREATHE},
        [WALK],
        [("stress", "12:30", None), ("pain", None, "17:30")],
    ),
]


@pytest.mark.parametrize(
    ("current", "proposed", "expected"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES]
)
def test_plan_changes(
    current: dict[str, Rule],
    proposed: list[Rule],
    expected: list[tuple[str, str | None, str | None]],
) -> None:
    from flows.plan import plan_changes

    got = [
        (c.kind, c.before.times[0] if c.before else None, c.after.times[0] if c.after else None)
        for c in plan_changes(current, proposed)
    ]
    assert got == expected


def test_keep_own_keeps_the_users_rules_and_adds_only_what_is_off() -> None:
    from flows.plan import keep_own

    kept = keep_own({"pain": WALK_18, "stress": BREATHE}, [WALK, CHECK])
    assert kept == [BREATHE, WALK_18, CHECK]  # in KINDS order; breathing stays, though not planned
