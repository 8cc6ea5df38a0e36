"""What the exercise flow asks the bot to record: an exercise ended (finished or stopped
early). Its start is not recorded: nothing reads it, and a stop is recorded as an end.

The facts check their own values because they are the last line of defence before the
database: a bad id or level is a bug in the flow and must not reach a stored log.
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.exercises.library import check_id
from flows.exercises.walking import WALK_MAX_MINUTES, WALK_MIN_MINUTES, walk_minutes
from flows.streaks import valid_score


@dataclass(frozen=True)
class ExerciseFinished:
    """An exercise ended: ``completed`` is False when stopped early (then no rating).

    ``rating_after`` is the optional 0-10 tension or pain rating; ``level`` is the walk
    length in minutes for graded walking (a finished walk: the minutes the user says they
    walked, at most the plan; a walk stopped early: the plan), else None. Checked here as
    the last line of defence before the database.
    """

    exercise_id: str
    rating_after: int | None
    completed: bool
    level: int | None

    def __post_init__(self) -> None:
        check_id(self.exercise_id)
        if self.rating_after is not None and valid_score(self.rating_after) is None:
            raise ValueError(f"rating_after must be None or an int 0-10, got {self.rating_after!r}")
        if not isinstance(self.completed, bool):
            raise ValueError(f"completed must be a bool, got {self.completed!r}")
        if not self.completed and self.rating_after is not None:
            raise ValueError("an exercise stopped early carries no rating")
        if self.level is not None and walk_minutes(self.level) is None:
            raise ValueError(
                f"level must be None or an int {WALK_MIN_MINUTES}-{WALK_MAX_MINUTES}, "
                f"got {self.level!r}"
            )
