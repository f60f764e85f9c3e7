"""Bring the database schema up to date with Alembic (run at start-up and by the tests)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Index

ROOT = Path(__file__).resolve().parent.parent


def upgrade(url: str) -> None:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["url"] = url
    command.upgrade(config, "head")


def compared_on(dialect: str) -> Callable[..., bool]:
    """Alembic's `include_object` for a database of `dialect`: an index the models build on
    another kind of database only (store.models.only_on) is not expected there."""

    def include(obj: Any, _name: str | None, type_: str, _reflected: bool, _compare_to: Any) -> bool:
        return not (type_ == "index" and isinstance(obj, Index) and obj.info.get("only_on", dialect) != dialect)

    return include
