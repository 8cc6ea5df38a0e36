"""The store: the only layer that speaks SQL.

Tables are SQLModel classes, every query sits behind an intention-revealing method of
:class:`data.store.Store`, and the schema evolves through Alembic migrations.
"""
