"""Before the app starts (production): wait for the database, migrate, seed what must exist."""

import time

import structlog
from sqlalchemy import text

from core.logging import configure_logging
from core.settings import get_settings
from store.case_keys import case_keys_for, checked_ring
from store.db import engine_for, session_scope
from store.migrate import upgrade
from store.sealing import seal_clear_rows
from store.seed import seed

log = structlog.get_logger()


def wait_for_database(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with engine_for(url).connect() as conn:
                conn.execute(text("select 1"))
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def main() -> None:
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    url = settings.resolved_database_url
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    wait_for_database(url)
    upgrade(url)
    with session_scope(url) as session:
        seed(session, settings)
        sealed = seal_clear_rows(case_keys_for(url, checked_ring(settings)), session)
    log.info("prestart_done", rows_sealed=sealed)


if __name__ == "__main__":
    main()
