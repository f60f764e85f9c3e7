"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)
from store.migrate import compared_on, upgrade


def schema_drift(url: str) -> list[object]:
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"include_object": compared_on(conn.dialect.name)})
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def test_sqlite_schema_matches_models(tmp_path: Path) -> None:
    assert schema_drift(f"sqlite:///{tmp_path / 'fresh.db'}") == []


def test_postgresql_schema_matches_models(postgres_url: str) -> None:
    # The session's PostgreSQL database is already migrated; upgrading again must be a no-op.
    assert schema_drift(postgres_url) == []


def test_upgrade_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    upgrade(url)
    upgrade(url)
    assert schema_drift(url) == []


def test_sqlite_has_every_index_the_models_name(tmp_path: Path) -> None:
    """Alembic cannot reflect SQLite's expression indexes (the worklist's order), so the drift
    check above skips them: their names are compared here."""
    url = f"sqlite:///{tmp_path / 'indexes.db'}"
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            built = {name for (name,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))}
    finally:
        engine.dispose()
    named = {index.name for table in SQLModel.metadata.tables.values() for index in table.indexes}
    assert "ix_case_summary_worklist" in named and named <= built
