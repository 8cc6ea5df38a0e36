"""The store on SQLite and PostgreSQL: turns, consent, erasure, constraints, engine
settings and migrations."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from data.engine import DatabaseUrlError, make_engine, normalise_url
from data.migrate import downgrade, upgrade
from data.models import PERSONAL_TABLES, CheckIn
from data.store import Store
from flows.rows import DayRow, DeliveryStatus, PushRow
from tests.conftest import hourly
from tests.support import peek

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_turn_creates_user_once_and_updates_last_seen(store: Store) -> None:
    with store.turn(7, NOW, language="nl", timezone="Europe/Brussels") as tx:
        assert tx.user.language == "nl" and tx.user.created_at == NOW
    later = NOW + timedelta(hours=3)
    with store.turn(7, later, language="fr", timezone="UTC") as tx:
        assert tx.user.language == "nl"  # defaults apply to new users only
    user = store.get_user(7)
    assert user is not None and user.last_seen_at == later and user.created_at == NOW
    assert store.stats(later)["users"] == 1


def test_state_and_facts_commit_together_or_not_at_all(store: Store) -> None:
    with store.turn(8, NOW, language="en", timezone="UTC") as tx:
        tx.save_state("onboarding", "consent", {"a": 1}, "n1")
    with pytest.raises(RuntimeError), store.turn(8, NOW, language="en", timezone="UTC") as tx:
        tx.save_state("onboarding", "timezone", {"a": 2}, "n2")
        tx.give_consent(1)
        raise RuntimeError("crash between writing and committing")
    state = peek.saved_state(store, 8)
    user = store.get_user(8)
    assert state is not None and state.step == "consent" and state.answers == {"a": 1}
    assert user is not None and not user.has_consent


def test_instants_come_back_aware_utc(store: Store) -> None:
    brussels_noon = datetime(2026, 7, 1, 12, 0, tzinfo=UTC).astimezone()
    with store.turn(9, brussels_noon, language="en", timezone="UTC") as tx:
        tx.give_consent(1)
    user = store.get_user(9)
    assert user is not None and user.consent_at == brussels_noon
    assert user.consent_at.tzinfo is UTC


def test_scores_outside_0_to_10_are_refused_by_the_database(store: Store) -> None:
    with store.turn(10, NOW, language="en", timezone="UTC"):
        pass
    with pytest.raises(IntegrityError), Session(store.engine) as session:
        session.execute(
            text(
                "INSERT INTO checkins (user_id, local_day, pain, stress, created_at, updated_at)"
                " VALUES (10, :day, 11, 3, :now, :now)"
            ),
            {"day": date(2026, 11, 25), "now": NOW.replace(tzinfo=None)},
        )
        session.commit()


def test_erase_user_removes_every_row_about_them_only(store: Store) -> None:
    for uid in (11, 12):
        with store.turn(uid, NOW, language="en", timezone="UTC") as tx:
            tx.give_consent(1)
            tx.save_state("onboarding", "timezone", {}, "n")
        with Session(store.engine) as session:
            session.add(
                CheckIn(
                    user_id=uid,
                    local_day=date(2026, 11, 25),
                    pain=3,
                    stress=4,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
            session.commit()
    with store.turn(11, NOW, language="en", timezone="UTC") as tx:
        tx.erase_everything()  # /delete
    assert set(peek.rows_about(store, 11).values()) == {0}
    assert peek.rows_about(store, 12)["checkins"] == 1 and peek.rows_about(store, 12)["users"] == 1


def test_every_table_with_user_data_is_covered_by_erasure(store: Store) -> None:
    covered = {table.__tablename__ for table in PERSONAL_TABLES}  # type: ignore[attr-defined]
    schema = set(inspect(store.engine).get_table_names()) - {"alembic_version"}
    assert schema == covered, "a new table must be added to PERSONAL_TABLES (erasure)"


def test_migrations_match_the_models(store: Store) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_snoozes_stored_before_0004_become_one_off_rows_and_back(database_url: str) -> None:
    """Revision 0004 moves the snooze marker from a key in the JSON rule to a column;
    stored snoozes must keep firing once, at the same instant, across the upgrade."""
    engine = make_engine(database_url)
    upgrade(engine, "0003")
    due = NOW + timedelta(minutes=15)
    rules = {1: {"once_at": due.isoformat(), "kind": "movement"}, 2: {"kind": "posture"}}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, language, timezone, active, created_at, last_seen_at)"
                " VALUES (5, 'en', 'UTC', true, :now, :now)"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
        for reminder_id, rule in rules.items():
            conn.execute(
                text(
                    "INSERT INTO reminders (id, user_id, kind, rule, enabled, next_due_at,"
                    " created_at, updated_at) VALUES (:id, 5, 'movement', :rule, true, :due,"
                    " :now, :now)"
                ),
                {
                    "id": reminder_id,
                    "rule": json.dumps(rule),
                    "due": due.replace(tzinfo=None),
                    "now": NOW.replace(tzinfo=None),
                },
            )
        # An earlier nudge of the snooze: rebuilding the reminders table (SQLite) must
        # not cascade into the deliveries that point at it.
        conn.execute(
            text(
                "INSERT INTO deliveries (reminder_id, user_id, slot, claimed_at, status)"
                " VALUES (2, 5, :now, :now, 'sent')"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
    upgrade(engine)
    store = Store(engine)
    assert len(peek.deliveries(store, 5)) == 1
    with store.view(5, NOW) as tx:
        assert tx is not None
        by_id = {r.id: r for r in tx.reminders()}
    assert by_id[1].one_off and by_id[1].rule == {"kind": "movement"}
    assert by_id[1].next_due_at == due
    assert not by_id[2].one_off and by_id[2].rule == {"kind": "posture"}
    downgrade(engine, "0003")
    with engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT id, rule FROM reminders ORDER BY id")).all())
    restored = {k: json.loads(v) if isinstance(v, str) else v for k, v in stored.items()}
    assert restored[1] == {"kind": "movement", "once_at": due.isoformat()}
    assert restored[2] == {"kind": "posture"}
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM deliveries")).scalar_one() == 1
        if engine.dialect.name == "sqlite":  # switched off for the migration only
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    downgrade(engine, "base")
    engine.dispose()


def test_a_sqlite_migration_that_would_orphan_rows_is_undone(sqlite_url: str) -> None:
    """Foreign keys are off while SQLite tables are rebuilt; a row left without its
    parent stops the run, and the whole run is rolled back (schema and version)."""
    import sqlite3

    engine = make_engine(sqlite_url)
    upgrade(engine, "0003")
    raw = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    raw.execute("PRAGMA foreign_keys=OFF")
    raw.execute(
        "INSERT INTO users (id, language, timezone, active, created_at, last_seen_at)"
        " VALUES (1, 'en', 'UTC', 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
    )
    raw.execute(
        "INSERT INTO deliveries (reminder_id, user_id, slot, claimed_at, status)"
        " VALUES (999, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', 'sent')"
    )
    raw.commit()
    raw.close()
    with pytest.raises(RuntimeError, match="without their parent"):
        upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0003"
        columns = [row[1] for row in conn.execute(text("PRAGMA table_info(reminders)"))]
        assert "one_off" not in columns
        assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()


def test_migrations_downgrade_to_empty_and_upgrade_again(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert "checkins" in inspect(engine).get_table_names()
    engine.dispose()


def test_sqlite_runs_in_wal_mode_with_normal_sync(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    engine.dispose()


@pytest.mark.parametrize(
    ("raw", "driver"),
    [
        ("sqlite:///x.db", "sqlite+pysqlite"),
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
    ],
)
def test_database_urls_pick_our_drivers(raw: str, driver: str) -> None:
    assert normalise_url(raw).drivername == driver


@pytest.mark.parametrize("raw", ["mysql://u@h/db", "not a url", ""])
def test_unusable_database_urls_are_refused(raw: str) -> None:
    with pytest.raises(DatabaseUrlError):
        normalise_url(raw)


@pytest.mark.postgres
def test_several_processes_may_migrate_at_once(postgres_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    engines = [make_engine(postgres_url) for _ in range(3)]
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(upgrade, engines))
    assert "checkins" in inspect(engines[0]).get_table_names()
    for engine in engines:
        engine.dispose()


# -- every Turn and Store method the features use, on both databases ------------------
# (the feature tests drive them on SQLite through the flows; these pin them on each
# database directly, so a dialect difference shows up here first)


def test_records_read_back_the_same_on_each_database(store: Store) -> None:
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        for back in range(40):
            day = NOW.date() - timedelta(days=back)
            tx.record_checkin(day, pain=back % 11, stress=3, sleep="good", moved="no", note=None)
        tx.record_test({"pain_now": 6}, {"pain_now": 6, "risk": "low"}, "complete")
        tx.record_test({"pain_now": 9}, {}, "stopped")  # not a finished self-check
        tx.log_exercise("walking", finished=True, rating_after=4, level=2)
        tx.log_exercise("walking", finished=True, rating_after=None, level=3)
        tx.log_exercise("walking", finished=False, rating_after=None, level=4)
        tx.log_exercise("breathing", finished=True, rating_after=10, level=None)
    later = NOW + timedelta(hours=1)
    with store.turn(1, later, language="en", timezone="UTC") as tx:
        tx.log_exercise("walking", finished=True, rating_after=0, level=3)
        week = tx.summary_inputs(NOW.date() - timedelta(days=7), NOW.date() - timedelta(days=1))
        assert [c.local_day for c in week.checkins] == [
            NOW.date() - timedelta(days=back) for back in range(7, 0, -1)
        ]
        assert len(tx.checkin_rows()) == 40
        assert tx.checkin_rows()[0].local_day == NOW.date() - timedelta(days=39)
        assert tx.checkin_rows()[0] == DayRow(NOW.date() - timedelta(days=39), 6, 3, "good", "no")
        taken = tx.latest_test()
        assert taken is not None and taken.taken_at == NOW and taken.risk == "low"
        assert week.latest_test == taken and (taken.risk, taken.pain_now) == ("low", 6)
        # The unfinished level 4 is not counted; each finished walk at level 3 is listed.
        assert tx.walking_progress("walking") == (3, [NOW, later])
        assert tx.walking_progress("stretching") == (None, [])
        since = tx.summary_inputs(NOW.date(), NOW.date()).exercises
        assert [(e.exercise, e.finished) for e in since] == [
            ("walking", True),
            ("walking", True),
            ("walking", False),
            ("breathing", True),
            ("walking", True),
        ]
        tomorrow = NOW.date() + timedelta(days=1)
        assert tx.summary_inputs(tomorrow, tomorrow).exercises == ()
    with store.turn(2, NOW, language="en", timezone="UTC") as other:
        assert other.checkin_rows() == () and other.latest_test() is None
        assert other.summary_inputs(NOW.date(), NOW.date()).latest_test is None


def test_reminder_answers_snoozes_and_history_on_each_database(store: Store) -> None:
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        tx.give_consent(1)
        tx.upsert_reminder("movement", {"kind": "movement"}, enabled=True, next_due_at=NOW)
    claims = store.claim_due(NOW, limit=10, grace=timedelta(minutes=20), advance=hourly)
    assert len(claims) == 1
    delivery_id = claims[0].delivery_id
    store.settle([(delivery_id, "sent")], NOW)
    with store.turn(2, NOW, language="en", timezone="UTC") as stranger:
        assert not stranger.act_on_delivery(delivery_id, "done")  # not theirs
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        assert tx.act_on_delivery(delivery_id, "s15")
        assert not tx.act_on_delivery(delivery_id, "done")  # answered once only
        tx.add_one_off("movement", {"kind": "movement"}, NOW + timedelta(minutes=15))
        tx.add_one_off("posture", {"kind": "posture"}, NOW + timedelta(minutes=30))
        pushed = tx.summary_inputs(NOW.date() - timedelta(days=1), NOW.date()).pushes
        assert pushed == (PushRow(NOW, "movement", "s15", DeliveryStatus.SENT),)
        tomorrow = NOW.date() + timedelta(days=1)
        assert tx.summary_inputs(tomorrow, tomorrow).pushes == ()
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        tx.drop_pending_one_offs("movement")
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        snoozes = [r for r in tx.reminders() if r.one_off]
        assert {(r.kind, r.next_due_at is not None) for r in snoozes} == {
            ("movement", False),
            ("posture", True),
        }
        tx.drop_pending_one_offs()
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        assert all(r.next_due_at is None for r in tx.reminders() if r.one_off)


def test_consent_refusal_export_and_stats_on_each_database(store: Store) -> None:
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        tx.give_consent(1)
        tx.record_checkin(NOW.date(), pain=4, stress=5, sleep=None, moved=None, note="ok")
    with store.turn(2, NOW, language="en", timezone="UTC") as tx:
        tx.give_consent(1)
        tx.record_checkin(NOW.date(), pain=8, stress=8, sleep=None, moved=None, note="theirs")
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        tx.refuse_consent(1)
        assert not tx.user.has_consent
        exported = tx.export()
    user = store.get_user(1)
    assert user is not None and user.consent_version is None
    assert exported["checkins"] == []  # erased with the refusal, in the same transaction
    assert {row["id"] for row in exported["users"]} == {1}
    json.dumps(exported)  # plain JSON values on either database
    stats = store.stats(NOW)
    assert (stats["users"], stats["consented"], stats["checkins_week"]) == (2, 1, 1)


def seed_every_table(store: Store, user_id: int) -> None:
    """A consenting user with a row in every personal table, through the store's own
    methods (the delivery by a real claim)."""
    with store.turn(user_id, NOW, language="nl", timezone="Europe/Paris") as tx:
        tx.give_consent(1)
        tx.save_state("checkin", "note", {"pain": 3}, "n")
        tx.record_checkin(NOW.date(), pain=3, stress=4, sleep="ok", moved="yes", note="private")
        tx.record_test({"q": 1}, {"risk": "low"}, "complete")
        tx.log_exercise("breathing", finished=True, rating_after=3, level=None)
        tx.upsert_reminder("stress", {}, enabled=True, next_due_at=NOW)
        tx.set_caution("see_doctor")
        tx.mark_lesson_read("posture")
        tx.enrol_programme({"v": 1, "track": "full"}, ["checkin"])
        tx.save_programme_session(
            NOW.date(), level=1, parts=["lesson"], feedback=None, walk_minutes=None
        )
    store.claim_due(NOW, limit=10, grace=timedelta(minutes=20), advance=hourly)
    counts = peek.rows_about(store, user_id)
    assert all(counts.values()), f"some table has no row for the user: {counts}"


def test_refusing_consent_erases_every_health_table_in_its_turn(store: Store) -> None:
    seed_every_table(store, 1)
    seed_every_table(store, 2)
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        assert tx.health_data_held() == {
            "checkins": 1,
            "notes": 1,
            "test_results": 1,
            "reminders": 1,
            "deliveries": 1,
            "exercise_logs": 1,
            "lesson_reads": 1,
            "medical_cautions": 1,
            "programmes": 1,
            "programme_sessions": 1,
        }
        tx.refuse_consent(1)
        assert tx.health_data_held() == {} and tx.state is None
    counts = peek.rows_about(store, 1)
    assert counts.pop("users") == 1 and set(counts.values()) == {0}, counts
    user = store.get_user(1)
    assert user is not None and user.consent_version is None and user.consent_at is None
    assert (user.language, user.timezone, user.consent_refused_at) == ("nl", "Europe/Paris", NOW)
    assert all(peek.rows_about(store, 2).values())  # nobody else is touched
    with pytest.raises(RuntimeError), store.turn(2, NOW, language="en", timezone="UTC") as tx:
        tx.refuse_consent(1)
        raise RuntimeError("crash before the commit")
    assert all(peek.rows_about(store, 2).values())  # the refusal and the erasure are one
    user = store.get_user(2)
    assert user is not None and user.has_consent


def test_retention_warns_once_then_erases_on_each_database(store: Store) -> None:
    keep, notice = timedelta(days=365), timedelta(days=30)
    for uid, seen in ((1, NOW), (2, NOW - timedelta(days=340)), (3, NOW - timedelta(days=200))):
        with store.turn(uid, seen, language="en", timezone="UTC") as tx:
            tx.record_checkin(seen.date(), pain=1, stress=1, sleep=None, moved=None, note=None)
    assert store.claim_retention_warnings(NOW, keep, notice) == [2]
    assert store.claim_retention_warnings(NOW, keep, notice) == []  # warned once
    assert store.erase_unseen(NOW + timedelta(days=29), keep, notice) == 0
    assert store.erase_unseen(NOW + timedelta(days=31), keep, notice) == 1
    assert store.get_user(2) is None and set(peek.rows_about(store, 2).values()) == {0}
    assert store.get_user(1) is not None and store.get_user(3) is not None


def test_refusals_given_before_the_fix_lose_their_health_data(database_url: str) -> None:
    """A "no" used to keep everything; the migration erases it for those who said no,
    and nobody else loses anything."""
    engine = make_engine(database_url)
    upgrade(engine)
    store = Store(engine)
    seed_every_table(store, 1)
    seed_every_table(store, 2)
    downgrade(engine, "0005")  # the data as it was before the fix (no cautions yet)
    with engine.begin() as conn:  # user 1 said no the old way: the refusal alone
        conn.execute(
            text(
                "UPDATE users SET consent_version = NULL, consent_at = NULL,"
                " consent_refused_at = :now WHERE id = 1"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
    upgrade(engine)
    counts = peek.rows_about(store, 1)
    assert (counts.pop("users"), counts.pop("conversation_states")) == (1, 1)
    assert set(counts.values()) == {0}, counts
    kept = peek.rows_about(store, 2)
    assert kept.pop("medical_cautions") == 0  # the table came back empty with 0007
    assert kept.pop("lesson_reads") == 0  # and this one with 0008
    assert (kept.pop("programmes"), kept.pop("programme_sessions")) == (0, 0)  # and 0010
    assert all(kept.values()), kept
    engine.dispose()


def test_medical_cautions_open_update_clear_export_and_erase_on_each_database(
    store: Store,
) -> None:
    later = NOW + timedelta(hours=2)
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        tx.give_consent(1)
        assert tx.open_caution() is None and not tx.clear_caution()
        tx.set_caution("see_doctor")
    with store.turn(2, NOW, language="en", timezone="UTC") as other:
        assert other.open_caution() is None  # never another user's
        other.set_caution("emergency")
    with store.turn(1, later, language="en", timezone="UTC") as tx:
        assert tx.open_caution() == ("see_doctor", NOW)
        tx.set_caution("emergency")  # still one open caution, now dated later
    with store.turn(1, later, language="en", timezone="UTC") as tx:
        assert tx.open_caution() == ("emergency", later)
        assert tx.clear_caution()
        assert tx.open_caution() is None and not tx.clear_caution()
        tx.set_caution("see_doctor")  # a new sign after clearing opens a new one
        exported = tx.export()
    rows = sorted(exported["medical_cautions"], key=lambda row: row["id"])
    assert [(r["kind"], r["raised_at"], r["cleared_at"]) for r in rows] == [
        ("emergency", later.isoformat(), later.isoformat()),
        ("see_doctor", later.isoformat(), None),
    ]
    json.dumps(exported)
    assert peek.rows_about(store, 1)["medical_cautions"] == 2
    with store.turn(1, later, language="en", timezone="UTC") as tx:
        tx.erase_everything()  # /delete
    assert peek.rows_about(store, 1)["medical_cautions"] == 0
    assert peek.rows_about(store, 2)["medical_cautions"] == 1


def test_lessons_read_are_kept_once_in_order_exported_and_erased_on_each_database(
    store: Store,
) -> None:
    later = NOW + timedelta(minutes=5)
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        tx.give_consent(1)
        assert tx.lessons_read() == []
        tx.mark_lesson_read("stress_and_pain")
        tx.mark_lesson_read("posture")
    with store.turn(2, NOW, language="en", timezone="UTC") as other:
        other.mark_lesson_read("moving_helps")
    with store.turn(1, later, language="en", timezone="UTC") as tx:
        tx.mark_lesson_read("stress_and_pain")  # read again: still one row, first read kept
        assert tx.lessons_read() == ["stress_and_pain", "posture"]
        exported = tx.export()
    rows = sorted(exported["lesson_reads"], key=lambda row: row["id"])
    assert [(r["card"], r["read_at"]) for r in rows] == [
        ("stress_and_pain", NOW.isoformat()),
        ("posture", NOW.isoformat()),
    ]
    json.dumps(exported)
    with store.turn(1, later, language="en", timezone="UTC") as tx:
        tx.erase_everything()  # /delete
    assert peek.rows_about(store, 1)["lesson_reads"] == 0
    assert peek.rows_about(store, 2)["lesson_reads"] == 1


def test_a_caution_of_an_unknown_kind_is_refused_by_the_database(store: Store) -> None:
    with store.turn(3, NOW, language="en", timezone="UTC"):
        pass
    with pytest.raises(IntegrityError), Session(store.engine) as session:
        session.execute(
            text(
                "INSERT INTO medical_cautions (user_id, kind, raised_at) VALUES (3, 'fine', :now)"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
        session.commit()


def test_users_from_before_the_daily_limit_get_4_a_day(database_url: str) -> None:
    """Migration 0009: existing users get the default limit; no reminder was asked about."""
    engine = make_engine(database_url)
    upgrade(engine)
    store = Store(engine)
    seed_every_table(store, 1)
    downgrade(engine, "0008")
    upgrade(engine)
    user = store.get_user(1)
    assert user is not None and user.daily_limit == 4
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        assert tx.reminders() and all(r.asked_at is None for r in tx.reminders())
        tx.set_daily_limit(None)
    user = store.get_user(1)
    assert user is not None and user.daily_limit is None
    engine.dispose()


def test_programme_state_and_sessions_are_kept_left_exported_and_erased_on_each_database(
    store: Store,
) -> None:
    later = NOW + timedelta(hours=1)
    day = date(2026, 11, 25)
    state = {"v": 1, "track": "full", "level": 1}
    with store.turn(1, NOW, language="en", timezone="UTC") as tx:
        tx.give_consent(1)
        assert tx.programme() is None and tx.programme_sessions(day) == []
        with pytest.raises(LookupError):
            tx.save_programme(state)  # nothing to save before enrolment
        tx.enrol_programme(state, ["checkin", "stress"])
        tx.save_programme_session(day, level=1, parts=["lesson"], feedback=None, walk_minutes=None)
    with store.turn(2, NOW, language="en", timezone="UTC") as other:
        assert other.programme() is None  # never another user's
        other.enrol_programme({"v": 1, "track": "light"}, [])
    with store.turn(1, later, language="en", timezone="UTC") as tx:
        row = tx.programme()
        assert row is not None and row.enrolled and row.state == state
        assert row.replaced == ("checkin", "stress")
        tx.save_programme({**state, "level": 2})
        # The same day again: one row, the whole day as the caller passes it.
        tx.save_programme_session(
            day, level=2, parts=["lesson", "exercises"], feedback="too_hard", walk_minutes=12
        )
        tx.save_programme_session(
            day + timedelta(days=1), level=2, parts=[], feedback=None, walk_minutes=None
        )
        assert tx.programme_sessions(day + timedelta(days=1)) == [
            {"day": "2026-11-26", "level": 2, "parts": [], "feedback": None, "walk_minutes": None}
        ]
        assert tx.programme_sessions(day)[0] == {
            "day": "2026-11-25",
            "level": 2,
            "parts": ["lesson", "exercises"],
            "feedback": "too_hard",
            "walk_minutes": 12,
        }
        assert tx.leave_programme() == ("checkin", "stress")
        assert tx.leave_programme() == ()  # leaving twice restores nothing twice
        exported = tx.export()
    json.dumps(exported)
    (kept,) = exported["programmes"]
    assert kept["state"] == {**state, "level": 2} and kept["left_at"] == later.isoformat()
    assert len(exported["programme_sessions"]) == 2
    with store.turn(1, later, language="en", timezone="UTC") as tx:
        row = tx.programme()
        assert row is not None and not row.enrolled  # leaving keeps the data
        tx.enrol_programme(state, [])  # joining again
        row = tx.programme()
        assert row is not None and row.enrolled
        tx.erase_everything()  # /delete
    assert (
        peek.rows_about(store, 1)["programmes"],
        peek.rows_about(store, 1)["programme_sessions"],
    ) == (0, 0)
    assert peek.rows_about(store, 2)["programmes"] == 1


def test_a_season_of_programme_sessions_is_saved_at_once_on_each_database(store: Store) -> None:
    first = date(2026, 1, 5)
    days = [first + timedelta(days=n) for n in range(120)]
    with store.turn(4, NOW, language="en", timezone="UTC") as tx:
        tx.give_consent(1)
        tx.enrol_programme({"v": 1}, [])
        tx.save_programme_sessions([])  # nothing to write is no statement at all
        tx.save_programme_session(first, level=1, parts=[], feedback=None, walk_minutes=None)
        tx.save_programme_sessions(
            [
                {
                    "day": day,
                    "level": 1 + n % 3,
                    "parts": ["exercises"] if n % 2 else ["lesson", "activity"],
                    "feedback": "fine" if n % 2 else None,
                    "walk_minutes": n,
                }
                for n, day in enumerate(days)
            ]
        )
    with store.view(4, NOW) as view:
        assert view is not None
        saved = view.programme_sessions(first)
    assert [row["day"] for row in saved] == [day.isoformat() for day in days]
    assert saved[0] == {  # the day saved before was replaced, not doubled
        "day": "2026-01-05",
        "level": 1,
        "parts": ["lesson", "activity"],
        "feedback": None,
        "walk_minutes": 0,
    }
    assert saved[119] == {
        "day": days[119].isoformat(),
        "level": 3,
        "parts": ["exercises"],
        "feedback": "fine",
        "walk_minutes": 119,
    }


def test_a_programme_session_out_of_range_is_refused_by_the_database(store: Store) -> None:
    with store.turn(3, NOW, language="en", timezone="UTC"):
        pass
    for column, value in (("feedback", "'meh'"), ("walk_minutes", "601"), ("level", "0")):
        values = {"feedback": "NULL", "walk_minutes": "NULL", "level": "1", column: value}
        with pytest.raises(IntegrityError), Session(store.engine) as session:
            session.execute(
                text(
                    "INSERT INTO programme_sessions"
                    " (user_id, local_day, level, parts, feedback, walk_minutes, updated_at)"
                    f" VALUES (3, :day, {values['level']}, '[]', {values['feedback']},"
                    f" {values['walk_minutes']}, :now)"
                ),
                {"day": date(2026, 11, 25), "now": NOW.replace(tzinfo=None)},
            )
            session.commit()


def test_on_behalf_writes_without_counting_the_user_as_seen_on_each_database(
    store: Store,
) -> None:
    later = NOW + timedelta(days=3)
    with store.on_behalf(4, NOW) as missing:
        assert missing is None  # never creates a user
    assert store.get_user(4) is None
    with store.turn(4, NOW, language="en", timezone="UTC") as tx:
        tx.enrol_programme({"v": 1}, [])
    with store.on_behalf(4, later) as tx:
        assert tx is not None
        tx.save_programme({"v": 1, "sent": True})
    user = store.get_user(4)
    assert user is not None and user.last_seen_at == NOW
    with store.view(4, later) as view:
        assert view is not None
        row = view.programme()
        assert row is not None and row.state == {"v": 1, "sent": True}
