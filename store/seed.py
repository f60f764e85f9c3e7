"""Data the service needs from the start (municipalities, default policy, first admin) and,
when asked, the demo users and tracks listed in the README. Idempotent: safe on every start."""

import json
import tomllib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import structlog
from sqlmodel import Session

from core.secrets import file_secret
from core.settings import Settings
from store.models import Municipality, Policy, Track
from store.policies import DEFAULT, parse_rules, put_policy
from store.users import create_user, get_user, hash_password, store_user

log = structlog.get_logger()

# The municipalities of the source agreements (shared/seeds), by kommunkod.
MUNICIPALITIES = {
    "0662": "Gislaved",
    "0617": "Gnosjö",
    "0665": "Vaggeryd",
    "0683": "Värnamo",
    "2417": "Norsjö",
    "2482": "Skellefteå",
    "1488": "Trollhättan",
    "1487": "Vänersborg",
    "1444": "Grästorp",
    "0581": "Norrköping",
    "0880": "Kalmar",
}
# Grästorp's four weeks are its SFI introduction, for those new to SFI (seed 002).
LOCAL_POLICIES = {"1444": {"introduction_new_to_sfi": "P28D"}}

DEMO_PASSWORD = "samverkan-demo"
DEMO_USERS = [
    # username, role, organisation, display name
    ("handlaggare", "case_worker", "0581", "Hanna Handläggare (Norrköping)"),
    ("arbetsformedlare", "case_worker", "af", "Arvid Arbetsförmedlare (AF)"),
    ("samordnare", "coordinator", "0581", "Sara Samordnare (Norrköping)"),
    ("sparansvarig", "track_lead", "0581", "Sven Spåransvarig (Norrköping)"),
    ("chef", "supervisor", "af", "Cecilia Chef (AF)"),
    ("chef-norrkoping", "supervisor", "0581", "Nils Enhetschef (Norrköping)"),
    ("granskare", "auditor", "af", "Gustav Granskare"),
]
# The four local job tracks of Norrköping's model (seed 003, module 3).
DEMO_TRACKS = [
    ("norrkoping-industri", "Jobbspår industri", "industry", {"min_swedish_level": "sfi_b"}),
    ("norrkoping-restaurang", "Jobbspår restaurang", "restaurant", {"min_swedish_level": "sfi_b"}),
    ("norrkoping-eget-foretag", "Jobbspår eget företagande", "own_business", {"min_swedish_level": "sfi_c"}),
    ("norrkoping-kortutbildade", "Jobbspår kortutbildade mot enklare arbete", "other", {}),
]


def seed(session: Session, settings: Settings) -> None:
    for code, name in MUNICIPALITIES.items():
        if session.get(Municipality, code) is None:
            session.add(Municipality(code=code, name=name))
    session.commit()
    _seed_policies(session, settings.policy_file)
    _ensure_admin(session, settings)
    if settings.seed_demo:
        _seed_demo(session)


def _seed_policies(session: Session, policy_file: Path | None) -> None:
    """Programme defaults; a policy file (JSON or TOML, keyed `default` or kommunkod) wins."""
    wanted: dict[str, dict[str, str]] = {k: v for k, v in LOCAL_POLICIES.items() if session.get(Policy, k) is None}
    if session.get(Policy, DEFAULT) is None:
        wanted[DEFAULT] = {}
    if policy_file is not None:
        text = policy_file.read_text()
        wanted |= tomllib.loads(text) if policy_file.suffix == ".toml" else json.loads(text)
    for municipality, durations in wanted.items():
        put_policy(session, municipality, parse_rules(durations), updated_by="seed")


def _ensure_admin(session: Session, settings: Settings) -> None:
    if get_user(session, settings.admin_username) is not None:
        return
    password = settings.admin_password
    if not password:
        path = settings.data_dir / "admin-password"
        password = file_secret(path, size=12)
        log.warning("admin_password_generated", username=settings.admin_username, file=str(path))
    create_user(
        session,
        username=settings.admin_username,
        password=password,
        role="admin",
        organisation="af",
        display_name="Administratör",
    )


@cache
def _demo_password_hash() -> str:
    # One hash for all the demo users (their password is in the README anyway): seeding a fresh
    # database costs one argon2 hash, not six.
    return hash_password(DEMO_PASSWORD)


def _seed_demo(session: Session) -> None:
    for username, role, organisation, display_name in DEMO_USERS:
        if get_user(session, username) is None:
            store_user(
                session,
                username=username,
                password_hash=_demo_password_hash(),
                role=role,
                organisation=organisation,
                display_name=display_name,
                email=f"{username}@demo.invalid",
            )
    for track_id, name, industry, prerequisites in DEMO_TRACKS:
        if session.get(Track, track_id) is None:
            session.add(
                Track(
                    track_id=track_id,
                    name=name,
                    municipalities=["0581"],
                    industry=industry,
                    seats=10,
                    prerequisites=prerequisites,
                    lead="sparansvarig",
                    created_at=datetime.now(UTC),
                )
            )
    session.commit()
