"""Typed settings: the one place every environment variable is read and documented.

Each field says what it controls. Secrets have a default only in development
(``TONGBAN_ENV=development``, the default for a fresh clone); in any other
environment a missing secret stops the process at start-up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Config:
    # "development" (defaults allowed), "test" or "production" (secrets required).
    env: str
    # Django DEBUG; on by default only in development.
    debug: bool
    # Signs sessions and CSRF tokens. Required outside development.
    secret_key: str
    # PostgreSQL in production, e.g. postgres://user@host:5432/tongban. Unset = SQLite file.
    database_url: str | None
    # Where the SQLite file, uploads and generated files live.
    data_dir: Path
    # Comma-separated host names Django will answer for.
    allowed_hosts: tuple[str, ...]
    # Upper bound for one uploaded file (catalogue Excel, material scans), in bytes.
    upload_max_bytes: int
    # Default page size of list APIs; a client may ask for at most max_page_size.
    page_size: int
    max_page_size: int
    # Show the "演示数据" banner in the UI (set by `tongban demo`).
    demo_mode: bool
    # How applicants are notified: "fake" (recorded only; development and demo), "email"
    # or "sms" (the SMS gateway below).
    notifier: str
    # SMS gateway endpoint for notifier="sms": receives POST JSON {"phone", "text"} and
    # answers 2xx when it accepted the message. Empty = no SMS gateway configured.
    sms_gateway_url: str
    # Public base URL of this node (QR codes on e-licences point at its verification page).
    public_url: str = "http://127.0.0.1:8000"
    # --- federation (docs/adr/0008-federation-envelope-and-registry.md) ---
    # This node's id in the registry. Unset = the classic single node: it serves every
    # region and delivers every outbox message locally.
    node_id: str | None = None
    # Path or http(s) URL of the hub-signed registry JSON (which node serves which region).
    registry: str = ""
    # Path of the hub's public key (PEM) that signs the registry.
    hub_public_key: Path | None = None
    # Re-read an http registry this often (seconds); a file is re-read when it changes.
    registry_refresh_seconds: int = 300
    # Allowed difference between an envelope's signing time and this node's clock.
    federation_clock_window_seconds: int = 300
    # Remote delivery: attempts before a message becomes a dead letter, and the backoff
    # (first step and cap, seconds; exponential with jitter).
    federation_max_attempts: int = 12
    federation_retry_base_seconds: float = 5.0
    federation_retry_cap_seconds: float = 900.0
    # Envelopes per POST to a peer's inbox, and the HTTP timeout of one POST (seconds).
    federation_batch_size: int = 200
    federation_http_timeout: float = 10.0
    # Sign each pushed batch in one pass (one signature over the envelopes' header
    # digests, docs/adr/0008) instead of once per envelope. Off: per-envelope signatures
    # (for a peer running a release from before batch manifests).
    federation_batch_signing: bool = True
    # Batches in flight per peer: claimed rows are split by stream into this many lanes,
    # POSTed concurrently (a stream always in the same lane, so order holds).
    federation_lanes: int = 2
    # Message log retention in days (pruning keeps a checkpoint so the chain verifies).
    log_retention_days: int = 365
    # Keep the licence rows verification reads in each process, emptied by PostgreSQL
    # NOTIFY on any write (tongban.licences.row_feed). Off: read the row on every check.
    licence_row_feed: bool = True

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "tongban.sqlite3"

    @property
    def node_dir(self) -> Path:
        """This node's key pairs (private keys 0600; never in git or in the database)."""
        return self.data_dir / "node"


_DEV_SECRET = "dev-only-insecure-secret-key-change-me"


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def load() -> Config:
    env = os.environ.get("TONGBAN_ENV", "development").strip() or "development"
    if env not in {"development", "test", "production"}:
        raise ConfigError(f"TONGBAN_ENV must be development, test or production, got {env!r}")
    secret = os.environ.get("TONGBAN_SECRET_KEY", "")
    if not secret:
        if env == "production":
            raise ConfigError("TONGBAN_SECRET_KEY is required when TONGBAN_ENV=production")
        secret = _DEV_SECRET
    data_dir = Path(os.environ.get("TONGBAN_DATA_DIR", str(REPO_ROOT / "var"))).resolve()
    hosts = os.environ.get("TONGBAN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
    return Config(
        env=env,
        debug=_bool("TONGBAN_DEBUG", env == "development"),
        secret_key=secret,
        database_url=os.environ.get("DATABASE_URL") or None,
        data_dir=data_dir,
        allowed_hosts=tuple(h.strip() for h in hosts.split(",") if h.strip()),
        upload_max_bytes=_int("TONGBAN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024),
        page_size=_int("TONGBAN_PAGE_SIZE", 20),
        max_page_size=_int("TONGBAN_MAX_PAGE_SIZE", 200),
        demo_mode=_bool("TONGBAN_DEMO", False),
        notifier=os.environ.get("TONGBAN_NOTIFIER", "fake"),
        sms_gateway_url=os.environ.get("TONGBAN_SMS_GATEWAY_URL", "").strip(),
        public_url=os.environ.get("TONGBAN_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
        node_id=os.environ.get("TONGBAN_NODE_ID", "").strip() or None,
        registry=os.environ.get("TONGBAN_REGISTRY", "").strip(),
        hub_public_key=Path(hub).resolve()
        if (hub := os.environ.get("TONGBAN_HUB_PUBLIC_KEY"))
        else None,
        registry_refresh_seconds=_int("TONGBAN_REGISTRY_REFRESH_SECONDS", 300),
        federation_clock_window_seconds=_int("TONGBAN_FEDERATION_CLOCK_WINDOW", 300),
        federation_max_attempts=_int("TONGBAN_FEDERATION_MAX_ATTEMPTS", 12),
        federation_retry_base_seconds=_float("TONGBAN_FEDERATION_RETRY_BASE", 5.0),
        federation_retry_cap_seconds=_float("TONGBAN_FEDERATION_RETRY_CAP", 900.0),
        federation_batch_size=_int("TONGBAN_FEDERATION_BATCH_SIZE", 200),
        federation_http_timeout=_float("TONGBAN_FEDERATION_HTTP_TIMEOUT", 10.0),
        federation_batch_signing=_bool("TONGBAN_FEDERATION_BATCH_SIGNING", True),
        federation_lanes=_int("TONGBAN_FEDERATION_LANES", 2),
        log_retention_days=_int("TONGBAN_LOG_RETENTION_DAYS", 365),
        licence_row_feed=_bool("TONGBAN_LICENCE_ROW_FEED", True),
    )


CONFIG = load()
