"""All settings, from `SAMVERKAN_*` environment variables, files named by `SAMVERKAN_*_FILE`
(Docker's convention for secrets) and `.env`."""

import os
from datetime import time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import Field
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict


class FileVariables(PydanticBaseSettingsSource):
    """`SAMVERKAN_X_FILE=/run/secrets/x` sets `x` to that file's content, so a secret can be
    mounted as a file instead of sitting in the environment (where `docker inspect` shows it)."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        variable = f"{self.config.get('env_prefix', '')}{field_name}_FILE".upper()
        path = os.environ.get(variable)
        if not path:
            return None, field_name, False
        try:
            return Path(path).read_text().strip(), field_name, False
        except OSError as exc:
            raise ValueError(f"{variable}: cannot read {path} ({exc.strerror})") from exc

    def __call__(self) -> dict[str, Any]:
        values = {}
        for name, info in self.settings_cls.model_fields.items():
            value, _, _ = self.get_field_value(info, name)
            if value is not None:
                values[name] = value
        return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SAMVERKAN_", env_file=".env", extra="ignore")

    data_dir: Path = Path("var")
    database_url: str | None = None
    temporal_address: str | None = None
    temporal_namespace: str = "default"
    task_queue: str = "samverkan"
    # A Temporal cluster of one's own or Temporal Cloud: TLS, mTLS (client certificate and key),
    # a private CA and the name the server's certificate carries; or an API key (which implies TLS).
    temporal_tls: bool = Field(default=False, description="TLS to the frontend with the system's CAs")
    temporal_tls_cert: Path | None = Field(default=None, description="client certificate (PEM) for mTLS")
    temporal_tls_key: Path | None = Field(default=None, description="client private key (PEM) for mTLS")
    temporal_tls_ca: Path | None = Field(default=None, description="CA (PEM) that signed the server's certificate")
    temporal_tls_server_name: str | None = Field(default=None, description="name in the server's certificate")
    temporal_api_key: str | None = Field(default=None, description="API key (Temporal Cloud), sent over TLS")
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
    action_timeout: float = Field(
        default=30.0, description="seconds an action, or each call of an opening, may wait for Temporal"
    )
    token_minutes: int = Field(default=8 * 60, description="how long a login lasts")
    behind_tls: bool = Field(
        default=False, description="served over TLS (or by a TLS proxy): cookies Secure and HSTS on every page"
    )
    accessibility_contact: str | None = Field(
        default=None, description="e-mail address for reports of accessibility problems (the statement shows it)"
    )
    payload_key: str | None = Field(default=None, description="base64 AES-256 key for payloads")
    master_keys: str | None = Field(
        default=None, description='JSON object {"key id": "base64 AES-256 key"}: master keys beside the payload key'
    )
    master_key_id: str | None = Field(default=None, description="the ring's current key id (default samverkan-1)")
    legacy_payloads: bool = Field(default=True, description="decode payloads from before per-workflow binding")
    person_key: str | None = Field(default=None, description="base64 key of the personal number's keyed hash")
    retention_years: int | None = Field(
        default=None, ge=1, description="erase a closed case this many years after closing (unset: never)"
    )
    # Signing in and what a login gives (api/sign_in.py, api/auth.py).
    token_issuer: str = Field(default="samverkan", description="`iss` of the tokens; others are refused")
    token_audience: str = Field(default="samverkan-api", description="`aud` of the tokens; others are refused")
    login_failures_per_user: int = Field(default=5, ge=1, description="failed logins of one username per window")
    login_failures_per_address: int = Field(default=20, ge=1, description="failed logins from one address per window")
    login_window_seconds: int = Field(default=15 * 60, ge=1, description="the window the failures are counted in")
    password_hashing_concurrency: int = Field(default=4, ge=1, description="password checks at once, per process")
    password_hashing_wait: float = Field(default=5.0, ge=0, description="seconds a login waits for a check's turn")
    max_body_bytes: int = Field(default=1024 * 1024, ge=1, description="largest request body; larger is 413")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1, description="largest multipart upload (exports)")
    log_format: str = "console"
    log_level: str = "info"
    seed_demo: bool = False
    # Prometheus: `/metrics` on the web app and on the worker's health port, each with the
    # service's own figures and the Temporal SDK's (exported by the SDK on this loopback address;
    # unset: a free port is chosen).
    metrics: bool = Field(default=True, description="serve /metrics and collect the SDK's metrics")
    sdk_metrics_address: str | None = Field(default=None, description="host:port of the SDK's exporter")
    # The worker's own small HTTP endpoint: /healthz (polling Temporal) and /metrics. Unset: none.
    worker_http_host: str = "127.0.0.1"
    worker_http_port: int | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # A variable set directly wins over its _FILE twin; both win over .env.
        return init_settings, env_settings, FileVariables(settings_cls), dotenv_settings, file_secret_settings

    # Speed and tuning (README, Performance). The web app:
    web_workers: int = Field(default=1, ge=1, description="uvicorn processes serving the web app (make run)")
    access_log_flush_seconds: float = Field(
        default=0.2, gt=0, description="how often a web process moves its journal's access-log entries to the database"
    )
    access_log_fsync: bool = Field(
        default=True, description="each entry synced to disk before the answer: a power loss loses none either"
    )
    # The worker (Temporal's worker options; None: the SDK's default).
    worker_sandbox: bool = Field(
        default=False,
        description="run workflow code in Temporal's sandbox (catches a non-deterministic call as it runs; "
        "about 100 ms of CPU per journey brought into memory, and ten times the memory)",
    )
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
