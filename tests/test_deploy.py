"""docker-compose.yml and the Dockerfile as an operator would run them (no engine runs here):
production images, the one-shot schema and registration steps in order, the UI decoding
through the service's codec, secrets only from files, health checks, non-root, and every
variable, file, port and metric it names existing in the code."""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

import core.metrics  # noqa: F401 - registers the service's metrics
from core.settings import Settings
from worker.launch import KEEP_ALIVE_SECONDS, web_command
from workflows.effects import SEARCH_ATTRIBUTES

ROOT = Path(__file__).resolve().parent.parent
SECRET_WORDS = ("PASSWORD", "PWD", "SECRET", "KEY", "DATABASE_URL", "SMTP_URL")
OURS = ("prestart", "worker", "web")
SA_TYPES = {"KEYWORD": "Keyword", "DATETIME": "Datetime", "BOOL": "Bool", "KEYWORD_LIST": "KeywordList",
            "TEXT": "Text", "INT": "Int", "DOUBLE": "Double"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / "docker-compose.yml").read_text()))


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


def image(service: dict[str, Any]) -> str:
    return str(service.get("image", "")).split(":")[0]


def env(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (service.get("environment") or {}).items()}


def default_of(value: str) -> str:
    """`${NAME:-default}` as compose fills it when NAME is unset."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


def test_temporal_runs_the_production_image_after_a_one_shot_schema_step(services: dict[str, Any]) -> None:
    assert all(image(s) != "temporalio/auto-setup" for s in services.values()), "auto-setup is for development"
    temporal, schema = services["temporal"], services["temporal-schema"]
    assert image(temporal) == "temporalio/server"
    assert image(schema) == "temporalio/admin-tools" and schema["restart"] == "no"
    assert temporal["depends_on"]["temporal-schema"]["condition"] == "service_completed_successfully"
    assert schema["depends_on"]["postgres"]["condition"] == "service_healthy"
    script = mounted_script(schema)
    assert "setup-schema" in script and "update-schema" in script
    assert env(schema)["DBNAME"] == env(temporal)["DBNAME"] == "temporal"
    assert env(schema)["VISIBILITY_DBNAME"] == env(temporal)["VISIBILITY_DBNAME"] == "temporal_visibility"
    assert env(temporal)["DB"] == "postgres12" and env(temporal)["POSTGRES_SEEDS"] == "postgres"


def mounted_script(service: dict[str, Any]) -> str:
    """The repository file that a one-shot service runs as its entrypoint."""
    entry = service["entrypoint"][-1]
    for volume in service["volumes"]:
        source, target = volume.split(":")[:2]
        if target == entry:
            return (ROOT / source).read_text()
    raise AssertionError(f"{entry} is not mounted from the repository")


def test_namespace_and_exactly_the_codes_search_attributes_are_registered(services: dict[str, Any]) -> None:
    setup = services["temporal-setup"]
    assert image(setup) == "temporalio/admin-tools" and setup["restart"] == "no"
    assert setup["depends_on"]["temporal"]["condition"] == "service_healthy"
    script = mounted_script(setup)
    assert "namespace create" in script and "search-attribute create" in script
    registered = dict(pair.split("=") for pair in env(setup)["SEARCH_ATTRIBUTES"].split())
    assert registered == {k.name: SA_TYPES[k.indexed_value_type.name] for k in SEARCH_ATTRIBUTES}
    assert default_of(env(setup)["TEMPORAL_NAMESPACE"]) == default_of(
        env(services["web"])["SAMVERKAN_TEMPORAL_NAMESPACE"]
    )
    assert re.fullmatch(r"\d+d", default_of(env(setup)["TEMPORAL_RETENTION"]))


def test_ui_decodes_through_the_services_codec(services: dict[str, Any]) -> None:
    ui = services["temporal-ui"]
    assert image(ui) == "temporalio/ui"
    assert env(ui)["TEMPORAL_ADDRESS"] == env(services["web"])["SAMVERKAN_TEMPORAL_ADDRESS"] == "temporal:7233"
    codec = default_of(env(ui)["TEMPORAL_CODEC_ENDPOINT"])
    assert codec == default_of(env(services["web"])["SAMVERKAN_PUBLIC_URL"]) + "/codec"
    # The browser calls the codec from the UI's page: the web app's CORS must allow that origin.
    origins = json.loads(default_of(env(services["web"])["SAMVERKAN_CODEC_ORIGINS"]))  # as Settings reads it
    published = ui["ports"][0].split(":")
    assert f"http://{published[0]}:{published[1]}" in origins and f"http://localhost:{published[1]}" in origins


def test_web_and_worker_are_one_image_with_their_own_entry_points(services: dict[str, Any]) -> None:
    prestart, worker, web = (services[name] for name in OURS)
    assert web["build"] == worker["build"] == prestart["build"] == "."
    assert web["image"] == worker["image"] == prestart["image"]
    assert worker["command"] == ["python", "-m", "worker"]
    assert web["command"][:2] == ["uvicorn", "api.main:app_from_env"]
    assert prestart["command"] == ["python", "-m", "store.prestart"] and prestart["restart"] == "no"
    for service in (web, worker):
        assert service["depends_on"]["prestart"]["condition"] == "service_completed_successfully"
        assert service["depends_on"]["temporal-setup"]["condition"] == "service_completed_successfully"
    assert "replicas" in worker["deploy"]  # scale out: more worker replicas on the same queue


def test_the_web_keeps_idle_connections_as_make_run_does(services: dict[str, Any]) -> None:
    """Longer than a proxy in front keeps its idle upstream connections (worker/launch.py)."""
    seconds = str(KEEP_ALIVE_SECONDS)
    command = services["web"]["command"]
    assert command[command.index("--timeout-keep-alive") + 1] == seconds
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")  # its lines continued
    cmd = json.loads(re.findall(r"^CMD (\[.*\])$", dockerfile, re.M)[-1])
    assert cmd[cmd.index("--timeout-keep-alive") + 1] == seconds
    launched = web_command("127.0.0.1", 8000)
    assert launched[launched.index("--timeout-keep-alive") + 1] == seconds


def test_health_checks_reach_the_ports_the_services_listen_on(services: dict[str, Any]) -> None:
    long_running = [name for name, s in services.items() if s.get("restart") != "no" and "profiles" not in s]
    missing = [name for name in long_running if "healthcheck" not in services[name]]
    assert not missing, f"no health check: {missing}"
    web, worker = services["web"], services["worker"]
    port = web["command"][web["command"].index("--port") + 1]
    assert f"127.0.0.1:{port}/readyz" in " ".join(web["healthcheck"]["test"])
    assert env(worker)["SAMVERKAN_WORKER_HTTP_HOST"] == "0.0.0.0"
    assert f"127.0.0.1:{env(worker)['SAMVERKAN_WORKER_HTTP_PORT']}/healthz" in " ".join(worker["healthcheck"]["test"])


def test_our_services_run_as_non_root_and_read_only(services: dict[str, Any]) -> None:
    for name in OURS:
        user = services[name]["user"].split(":")[0]
        assert user not in ("0", "root"), name
        assert services[name]["read_only"] is True and services[name]["cap_drop"] == ["ALL"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("0", "root")
    assert "--require-hashes -r requirements.lock" in dockerfile  # exactly what the tests ran
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "var", ".env", "secrets"} <= set(ignored)


def test_secrets_come_only_from_files(compose: dict[str, Any], services: dict[str, Any]) -> None:
    declared = compose["secrets"]
    for name, service in services.items():
        mounted = set(service.get("secrets", []))
        for variable, value in env(service).items():
            if variable in ("SEARCH_ATTRIBUTES",) or not any(word in variable for word in SECRET_WORDS):
                continue
            if variable == "SAMVERKAN_SMTP_URL":  # Mailpit takes no login; a real relay's URL is a secret
                assert "@" not in value, f"{name}: SMTP credentials in the environment"
                continue
            assert variable.endswith("_FILE"), f"{name}: {variable} holds a secret in the environment"
            secret = value.removeprefix("/run/secrets/")
            assert value.startswith("/run/secrets/") and secret in mounted, f"{name}: {variable} -> {value}"
        for secret in mounted:
            assert declared[secret]["file"].startswith("./secrets/")
    # The Temporal server's image has no _FILE variables: its entrypoint reads the secret.
    assert "/run/secrets/temporal_db_password" in " ".join(services["temporal"]["entrypoint"])
    assert "secrets/" in (ROOT / ".gitignore").read_text().split()
    maker = (ROOT / "deploy/make-secrets.sh").read_text()
    assert all(secret in maker for secret in declared)


def test_temporal_and_the_service_have_separate_database_users(services: dict[str, Any]) -> None:
    init = (ROOT / "deploy/postgres/create-users.sh").read_text()
    owners = dict(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+);", init))
    assert owners == {"temporal": "temporal", "temporal_visibility": "temporal", "samverkan": "samverkan"}
    assert env(services["temporal"])["POSTGRES_USER"] == "temporal"
    url = re.search(r"postgresql\+psycopg://(\w+):", (ROOT / "deploy/make-secrets.sh").read_text())
    assert url and url[1] == "samverkan"
    mounts = [v.split(":")[1] for v in services["postgres"]["volumes"]]
    assert "/docker-entrypoint-initdb.d/create-users.sh" in mounts


def test_mail_goes_to_mailpit(services: dict[str, Any]) -> None:
    assert image(services["mailpit"]) == "axllent/mailpit"
    assert env(services["worker"])["SAMVERKAN_SMTP_URL"] == "smtp://mailpit:1025"


def test_every_variable_is_a_setting_and_every_mounted_file_exists(services: dict[str, Any]) -> None:
    fields = {f"SAMVERKAN_{name.upper()}" for name in Settings.model_fields}
    for name, service in services.items():
        for variable in env(service):
            if variable.startswith("SAMVERKAN_"):
                assert variable.removesuffix("_FILE") in fields, f"{name}: {variable} is no setting"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: {source} is missing"
        for other in service.get("depends_on", []):
            assert other in services, f"{name} depends on unknown {other}"


def test_prometheus_scrapes_the_web_app_and_the_workers(services: dict[str, Any]) -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus.yml").read_text())
    targets = json.dumps(config["scrape_configs"])
    assert '"web:8000"' in targets
    assert '"worker"' in targets and f'"port": {env(services["worker"])["SAMVERKAN_WORKER_HTTP_PORT"]}' in targets


def test_the_grafana_dashboard_shows_metrics_the_service_has() -> None:
    dashboard = json.loads((ROOT / "deploy/grafana/dashboards/samverkan.json").read_text())
    exprs = [t["expr"] for panel in dashboard["panels"] for t in panel["targets"]]
    used = {m for expr in exprs for m in re.findall(r"\b(samverkan_\w+?)(?:_bucket|_total)?\b", expr)}
    known = {name for family in REGISTRY.collect() for name in [family.name]}
    assert used and used <= known, f"the dashboard asks for unknown metrics: {used - known}"
    for wanted in ("samverkan_actions", "samverkan_action_refusals", "samverkan_reminders", "samverkan_mails",
                   "samverkan_escalations", "samverkan_projection_lag_seconds"):
        assert wanted in used


@pytest.mark.parametrize(
    "script",
    ["deploy/temporal/setup-schema.sh", "deploy/temporal/register.sh", "deploy/make-secrets.sh",
     "deploy/postgres/create-users.sh"],
)
def test_deploy_scripts_are_posix_shell_that_stops_on_error(script: str) -> None:
    text = (ROOT / script).read_text()
    assert text.startswith("#!/bin/sh") and "set -eu" in text
    checked = subprocess.run(["sh", "-n", str(ROOT / script)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_make_secrets_writes_every_secret_once(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy/make-secrets.sh").write_text((ROOT / "deploy/make-secrets.sh").read_text())
    subprocess.run(["sh", str(tmp_path / "deploy/make-secrets.sh")], check=True, capture_output=True)
    made = {p.name: p.read_text() for p in (tmp_path / "secrets").iterdir()}
    declared = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["secrets"]
    assert set(made) == set(declared)
    assert all((tmp_path / "secrets" / name).stat().st_mode & 0o077 == 0 for name in made)
    assert made["samverkan_database_url"].strip().endswith(
        f"samverkan:{made['samverkan_db_password'].strip()}@postgres:5432/samverkan".split(":", 1)[1]
    )
    subprocess.run(["sh", str(tmp_path / "deploy/make-secrets.sh")], check=True, capture_output=True)
    assert {p.name: p.read_text() for p in (tmp_path / "secrets").iterdir()} == made  # never overwritten
