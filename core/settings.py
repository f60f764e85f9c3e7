"""All settings, from `SAMVERKAN_*` environment variables and `.env`."""

from datetime import time, timedelta
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMVERKAN_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = None
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    task_queue: str = "samverkan"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    admin_username: str = "admin"
    admin_password: str | None = None
    # smtp://[user[:password]@]host[:port][?starttls=true] or smtps://… (see activities/smtp.py);
    # unset: reminders go to the in-app inbox and the log only.
    smtp_url: str | None = None
    mail_from: str = "samverkan@localhost"
    public_url: str = Field(default="http://127.0.0.1:8000", description="base of the links in mails")
    digest_time: time = Field(default=time(7, 30), description="daily digest, local time in Europe/Stockholm")
    digest_working_days_only: bool = Field(default=True, description="no digest on weekends and holidays")
    digest_schedule_id: str = "daily-digest"
    report_schedule_prefix: str = Field(default="report", description="ids report-quarterly, report-kaa_half_year")
    report_time: time = Field(default=time(6, 0), description="reports on the period's first day, Stockholm time")
    report_interval: timedelta | None = Field(
        default=None, description="tests and demos: make each report this often instead of on the calendar"
    )
    policy_file: Path | None = None
    codec_origins: list[str] = Field(
        default_factory=list, description="Temporal UI origins the codec answers, beyond the embedded UI's (JSON list)"
    )
    jwt_secret: str | None = None
    action_timeout: float = Field(default=30.0, description="seconds an action may wait for its case")
    token_minutes: int = Field(default=8 * 60, description="how long a login lasts")
    behind_tls: bool = Field(
        default=False, description="served over TLS (or by a TLS proxy): cookies Secure and HSTS on every page"
    )
    accessibility_contact: str | None = Field(
        default=None, description="e-mail address for reports of accessibility problems (the statement shows it)"
    )
    payload_key: str | None = Field(default=None, description="base64 AES-256 key for payloads")
    log_format: str = "console"
    log_level: str = "info"
    seed_demo: bool = False

    # Speed and tuning (README, Performance). The web app:
    web_workers: int = Field(default=1, ge=1, description="uvicorn processes serving the web app (make run)")
    access_log_flush_seconds: float = Field(
        default=0.2, gt=0, description="how often a web process moves its journal's access-log entries to the database"
    )
    access_log_fsync: bool = Field(
        default=True, description="each entry synced to disk before the answer: a power loss loses none either"
    )
    # The worker (Temporal's worker options; None: the SDK's default).
    worker_max_cached_workflows: int = Field(default=1000, ge=0, description="journeys kept in memory")
    worker_max_concurrent_workflow_tasks: int | None = Field(default=None, ge=1)
    worker_max_concurrent_activities: int = Field(default=16, ge=1, description="also the activity threads")
    worker_workflow_task_polls: int | None = Field(default=None, ge=2, description="concurrent workflow-task polls")
    worker_nonsticky_to_sticky_poll_ratio: float = Field(
        default=0.2, gt=0, description="share of polls on the normal queue, where new journeys arrive"
    )
    worker_sticky_queue_timeout: timedelta = Field(
        default=timedelta(seconds=10), description="after this a cached journey's task goes to any worker"
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'samverkan.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
