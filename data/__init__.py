"""The store: the only layer that speaks SQL.

Tables are SQLModel classes (``models``); :class:`data.store.Store` opens every
transaction; what runs inside is a user's :class:`data.turn.Turn` (``turn``, with the
summary's typed reads in ``summary`` and erasure and export in ``retention``) or the
dispatcher's queries (``reminders``, with the claim's screening in ``screening``). The
schema evolves through Alembic migrations.
"""
