"""Every band boundary of the self-check's scores, table by table."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flows import instruments as ins
from flows import score_changes as changes
from flows import scoring as sc
from flows.learn import CARD_IDS

# -- STarT Back style stratification -------------------------------------------------


@pytest.mark.parametrize(
    ("total", "psych", "risk"),
    [
        (0, 0, "low"),
        (3, 0, "low"),
        (3, 3, "low"),  # low whatever the subscale while the total is 0-3
        (4, 0, "medium"),  # first total above low
        (4, 3, "medium"),  # subscale at its medium ceiling
        (4, 4, "high"),  # subscale 4 tips into high
        (5, 3, "medium"),
        (5, 4, "high"),
        (9, 3, "medium"),
        (9, 5, "high"),
    ],
)
def test_startback_risk_boundaries(total: int, psych: int, risk: str) -> None:
    assert ins.startback_risk(total, psych) == risk


@pytest.mark.parametrize(("total", "psych"), [(-1, 0), (10, 0), (5, 6), (3, 4), (True, 0)])
def test_startback_risk_rejects_impossible_values(total: int, psych: int) -> None:
    with pytest.raises(ValueError):
        ins.startback_risk(total, psych)


@pytest.mark.parametrize(
    ("agree", "bother", "total", "psych", "risk"),
    [
        ([False] * 8, 0, 0, 0, "low"),
        ([False] * 8, 2, 0, 0, "low"),  # "moderately" scores 0
        ([False] * 8, 3, 1, 1, "low"),  # "a lot" scores 1
        ([False] * 8, 4, 1, 1, "low"),  # "extremely" scores 1
        ([True] * 4 + [False] * 4, 0, 4, 0, "medium"),  # physical items only
        ([True] * 3 + [True, True, False, False, False], 2, 5, 1, "medium"),
        ([False] * 4 + [True] * 3 + [False], 3, 4, 4, "high"),
        ([False] * 4 + [True] * 3 + [False], 2, 3, 3, "low"),
        ([True] * 8, 4, 9, 5, "high"),
    ],
)
def test_startback_items(agree: list[bool], bother: int, total: int, psych: int, risk: str) -> None:
    assert ins.startback(agree, bother) == ins.StartBack(total, psych, risk)


@pytest.mark.parametrize(("agree", "bother"), [([True] * 7, 0), ([True] * 9, 0), ([True] * 8, 5)])
def test_startback_rejects_bad_items(agree: list[bool], bother: int) -> None:
    with pytest.raises(ValueError):
        ins.startback(agree, bother)


# -- PHQ-4 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "normal"),
        (2, "normal"),
        (3, "mild"),
        (5, "mild"),
        (6, "moderate"),
        (8, "moderate"),
        (9, "severe"),
        (12, "severe"),
    ],
)
def test_phq4_bands(total: int, band: str) -> None:
    assert ins.phq4_band(total) == band


@pytest.mark.parametrize("total", [-1, 13])
def test_phq4_band_out_of_range(total: int) -> None:
    with pytest.raises(ValueError):
        ins.phq4_band(total)


@pytest.mark.parametrize(
    ("items", "anxiety", "mood", "band", "talk"),
    [
        ((0, 0, 0, 0), 0, 0, "normal", False),
        ((1, 1, 0, 0), 2, 0, "normal", False),
        ((2, 1, 0, 0), 3, 0, "mild", True),  # anxiety pair reaches 3
        ((0, 0, 1, 2), 0, 3, "mild", True),  # mood pair reaches 3
        ((1, 1, 1, 1), 2, 2, "mild", False),  # total 4 but neither pair at 3
        ((2, 0, 2, 0), 2, 2, "mild", False),
        ((2, 2, 1, 1), 4, 2, "moderate", True),
        ((3, 3, 3, 3), 6, 6, "severe", True),
    ],
)
def test_phq4_pairs_and_talk_to_doctor(
    items: tuple[int, ...], anxiety: int, mood: int, band: str, talk: bool
) -> None:
    result = ins.phq4(items)
    assert (result.anxiety, result.mood, result.band, result.talk_to_doctor) == (
        anxiety,
        mood,
        band,
        talk,
    )
    assert result.total == sum(items)


@pytest.mark.parametrize("items", [(0, 0, 0), (0, 0, 0, 4), (0, 0, 0, -1), (0, 0, 0, 0, 0)])
def test_phq4_rejects_bad_items(items: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        ins.phq4(items)


# -- PSS-4 and PSEQ-2 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "total"),
    [
        ((0, 0, 0, 0), 8),  # items 2 and 3 reverse: "never" confident counts 4
        ((0, 4, 4, 0), 0),  # lowest stress
        ((4, 0, 0, 4), 16),  # highest stress
        ((1, 2, 3, 4), 8),  # 1 + (4-2) + (4-3) + 4
        ((2, 2, 2, 2), 8),
    ],
)
def test_pss4_reverse_scoring(items: tuple[int, ...], total: int) -> None:
    assert ins.pss4(items) == total


@pytest.mark.parametrize(
    ("total", "level"),
    [(0, "low"), (5, "low"), (6, "raised"), (9, "raised"), (10, "high"), (16, "high")],
)
def test_pss4_levels(total: int, level: str) -> None:
    assert ins.pss4_level(total) == level


@pytest.mark.parametrize("items", [(5, 0, 0, 0), (0, 0, 0)])
def test_pss4_rejects_bad_items(items: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        ins.pss4(items)


@pytest.mark.parametrize(
    ("items", "total", "band"),
    [
        ((0, 0), 0, "low"),
        ((3, 2), 5, "low"),
        ((3, 3), 6, "moderate"),
        ((4, 4), 8, "moderate"),
        ((4, 5), 9, "good"),
        ((6, 6), 12, "good"),
    ],
)
def test_pseq2_total_and_band(items: tuple[int, int], total: int, band: str) -> None:
    assert ins.pseq2(items) == total
    assert ins.pseq2_band(total) == band


@pytest.mark.parametrize("items", [(7, 0), (0, -1), (1,)])
def test_pseq2_rejects_bad_items(items: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        ins.pseq2(items)


# -- duration and stress -------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "band"),
    [("lt6w", "acute"), ("6to12w", "subacute"), ("gt12w", "chronic"), ("recurrent", "recurrent")],
)
def test_duration_band(since: str, band: str) -> None:
    assert sc.score_answers({sc.SINCE: since}).duration == band


def test_duration_band_unknown() -> None:
    assert sc.score_answers({sc.SINCE: "ages"}).duration is None


@pytest.mark.parametrize(
    ("pss", "phq", "events", "worse", "role"),
    [
        ("low", "normal", 0, False, "low"),
        (None, None, 0, False, "low"),
        ("raised", "normal", 0, False, "low"),  # 1 point
        ("low", "normal", 1, False, "low"),  # 1 point
        ("low", "normal", 0, True, "some"),  # 2 points
        ("raised", "mild", 0, False, "some"),  # 2 points
        ("high", "mild", 0, False, "some"),  # 3 points
        ("high", "moderate", 0, False, "strong"),  # 4 points
        ("raised", "mild", 1, True, "strong"),  # 5 points
        ("high", "severe", 3, True, "strong"),
    ],
)
def test_stress_role(pss: str | None, phq: str | None, events: int, worse: bool, role: str) -> None:
    assert sc.stress_role(pss, phq, events, worse) == role


# -- all scores from answers ---------------------------------------------------------

STORED_SCORE_KEYS = (
    "pain_now",
    "pain_avg",
    "duration",
    "risk",
    "startback_total",
    "startback_psych",
    "phq4_total",
    "phq4_anxiety",
    "phq4_mood",
    "phq4_band",
    "pss4",
    "pseq2",
    "stress_role",
    "red_flags",
    "physical_factors",
    "crisis",
    "talk_to_doctor",
)
"""Scores a finished self-check always stores (the retake comparison reads them)."""


FULL: dict[str, Any] = {
    "red_emergency": [],
    "red_sameday": [],
    "where": ["lower_back", "legs", "neck"],
    "pain_now": 6,
    "pain_avg": 5,
    "since": "gt12w",
    "worse": ["sitting", "stress"],
    "physical": ["tension", "fitness"],
    "function": ["walk_short"],
    "bother": 3,
    "unsafe": "agree",
    "terrible": "disagree",
    "pss_control": 3,
    "pss_cope": 1,
    "pss_way": 1,
    "pss_pile": 3,
    "life_events": ["work"],
    "phq_nervous": 2,
    "phq_worry": 2,
    "phq_interest": 1,
    "phq_down": 1,
    "safety": "no",
    "pseq_work": 3,
    "pseq_life": 2,
}


def test_score_answers_full() -> None:
    scores = sc.score_answers(FULL)
    # STarT items: leg 1, neck 1, walk 1, dress 0, unsafe 1, worry(phq 2) 1, terrible 0,
    # enjoy(phq 1) 0, bother "a lot" 1 -> total 6, subscale 3 -> medium
    assert (scores.startback_total, scores.startback_psych, scores.risk) == (6, 3, "medium")
    assert (scores.phq4_total, scores.phq4_anxiety, scores.phq4_mood) == (6, 4, 2)
    assert scores.phq4_band == "moderate" and scores.talk_to_doctor
    assert (scores.pss4, scores.pss4_level) == (12, "high")
    assert (scores.pseq2, scores.pseq2_band) == (5, "low")
    assert scores.duration == "chronic"
    assert scores.stress_role == "strong"
    assert scores.physical_factors == ("fitness", "tension")
    assert not scores.crisis and not scores.see_doctor
    data = scores.to_dict()
    assert json.loads(json.dumps(data)) == data
    for key in STORED_SCORE_KEYS:
        assert key in data


@pytest.mark.parametrize(
    ("worry", "interest", "item6", "item8"),
    [(1, 1, 0, 0), (2, 1, 1, 0), (1, 2, 0, 1), (3, 3, 1, 1), (0, 0, 0, 0)],
)
def test_startback_reuses_phq_items(worry: int, interest: int, item6: int, item8: int) -> None:
    answers = {
        **FULL,
        "phq_worry": worry,
        "phq_interest": interest,
        "unsafe": "disagree",
        "bother": 0,
    }
    scores = sc.score_answers(answers)
    assert scores.startback_psych == item6 + item8


@pytest.mark.parametrize(
    ("where", "legs_neck"),
    [(["lower_back"], 0), (["legs"], 1), (["neck", "legs"], 2)],
)
def test_startback_reuses_where(where: list[str], legs_neck: int) -> None:
    answers = {
        **FULL,
        "where": where,
        "function": [],
        "unsafe": "disagree",
        "terrible": "disagree",
        "phq_worry": 0,
        "phq_interest": 0,
        "bother": 0,
    }
    assert sc.score_answers(answers).startback_total == legs_neck


def test_partial_answers_give_none_not_guesses() -> None:
    scores = sc.score_answers({"red_emergency": ["saddle"]})
    assert scores.red_flags == ("saddle",)
    assert scores.pain_now is None and scores.risk is None and scores.phq4_band is None
    assert scores.stress_role is None and scores.pss4 is None
    json.dumps(scores.to_dict())


@pytest.mark.parametrize("bad", [11, -1, "6", True, 6.5, None, [6]])
def test_invalid_stored_values_are_ignored(bad: object) -> None:
    scores = sc.score_answers({**FULL, "pain_now": bad, "phq_down": bad})
    assert scores.pain_now is None
    assert scores.phq4_total is None


@pytest.mark.parametrize(
    ("answers", "crisis"),
    [
        ({"safety": "yes"}, True),
        ({"phq_down": 3}, True),
        ({"phq_down": 2}, False),
        ({"safety": "no", "crisis_shown": True}, True),
        ({"safety": "no"}, False),
    ],
)
def test_crisis_flag(answers: dict[str, Any], crisis: bool) -> None:
    scores = sc.score_answers({**FULL, **answers})
    assert scores.crisis is crisis
    if crisis:
        assert scores.talk_to_doctor


# -- advice and cards ----------------------------------------------------------------


def _scores(**changes: Any) -> sc.Scores:
    return sc.score_answers({**FULL, **changes})


@pytest.mark.parametrize(
    ("changes", "first", "present", "absent"),
    [
        ({"red_sameday": ["fracture"]}, "gp_check", {"gp_check"}, set()),
        ({"safety": "yes"}, "crisis_lines", {"crisis_lines"}, {"talk_doctor"}),
        ({}, "talk_doctor", {"talk_doctor"}, {"crisis_lines", "gp_check"}),
        (
            {
                "phq_nervous": 0,
                "phq_worry": 2,
                "phq_interest": 0,
                "phq_down": 0,
                "unsafe": "agree",
                "terrible": "agree",
                "bother": 4,
                "function": [],
            },
            "physio_combined",  # high risk: body and mind together
            {"physio_combined"},
            {"physio"},
        ),
        # Lasting pain at low risk: an exercise plan, without the worries-and-stress
        # wording a trial run found contradicting a calm profile.
        (
            {
                "phq_nervous": 0,
                "phq_worry": 0,
                "phq_interest": 0,
                "phq_down": 0,
                "worse": [],
                "physical": [],
                "pss_control": 0,
                "pss_pile": 0,
                "pss_cope": 4,
                "pss_way": 4,
                "life_events": [],
            },
            "stay_active",
            {"physio"},
            {"physio_combined"},
        ),
    ],
)
def test_next_steps(
    changes: dict[str, Any], first: str, present: set[str], absent: set[str]
) -> None:
    steps = sc.next_steps(_scores(**changes))
    assert 3 <= len(steps) <= 5
    assert steps[0] == first and steps[-1] == "help_now"
    assert present <= set(steps) and not absent & set(steps)
    assert len(set(steps)) == len(steps) and set(steps) <= {*sc.NEXT_STEPS, sc.COMBINED_CARE}


def test_next_steps_calm_profile() -> None:
    calm = _scores(
        where=["lower_back"],
        worse=[],
        physical=[],
        function=[],
        bother=0,
        unsafe="disagree",
        since="lt6w",
        pss_control=0,
        pss_cope=4,
        pss_way=4,
        pss_pile=0,
        life_events=[],
        phq_nervous=0,
        phq_worry=0,
        phq_interest=0,
        phq_down=0,
        pseq_work=6,
        pseq_life=6,
    )
    assert calm.risk == "low" and calm.stress_role == "low"
    assert sc.next_steps(calm) == ("stay_active", "checkin", "help_now")
    assert sc.recommended_cards(calm) == ("moving_helps", "what_is_back_pain")


@pytest.mark.parametrize(
    ("changes", "expected_first"),
    [({"red_sameday": ["infection"]}, "when_to_see_doctor"), ({}, "stress_and_pain")],
)
def test_recommended_cards(changes: dict[str, Any], expected_first: str) -> None:
    cards = sc.recommended_cards(_scores(**changes))
    assert 2 <= len(cards) <= 3 and cards[0] == expected_first
    assert set(cards) <= set(CARD_IDS) and len(set(cards)) == len(cards)


# -- comparison ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "trend"),
    [
        (6, 4, "better"),
        (6, 5, "slightly_better"),
        (6, 6, "same"),
        (6, 7, "slightly_worse"),
        (6, 8, "worse"),
        (10, 0, "better"),
        (0, 10, "worse"),
    ],
)
def test_pain_trend(before: int, after: int, trend: str) -> None:
    assert changes.pain_trend(before, after) == trend


def test_compare_scores_structured() -> None:
    previous = {
        "pain_now": 6,
        "pain_avg": 7,
        "risk": "high",
        "stress_role": "strong",
        "phq4_total": 8,
        "pss4": 10,
        "pseq2": 4,
    }
    current = {
        "pain_now": 4,
        "pain_avg": 7,
        "risk": "medium",
        "stress_role": "strong",
        "phq4_total": 9,
        "pss4": 6,
        "pseq2": 8,
    }
    deltas = {
        d.key: (d.before, d.after, d.trend) for d in changes.compare_scores(previous, current)
    }
    assert deltas == {
        "pain_now": (6, 4, "better"),
        "pain_avg": (7, 7, "same"),
        "risk": ("high", "medium", "better"),
        "stress_role": ("strong", "strong", "same"),
        "phq4_total": (8, 9, "worse"),
        "pss4": (10, 6, "better"),
        "pseq2": (4, 8, "better"),
    }


@pytest.mark.parametrize(
    "previous",
    [
        {},
        {"pain_now": "6"},
        {"pain_now": 11},
        {"risk": "extreme"},
        {"pss4": None},
        {"pain_now": True},
        {"pseq2": [1]},
    ],
)
def test_compare_skips_malformed(previous: dict[str, Any]) -> None:
    current = sc.score_answers(FULL).to_dict()
    assert changes.compare_scores(previous, current) == []
