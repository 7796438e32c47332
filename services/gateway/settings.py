from pydantic import Field

from services.common.settings import CommonSettings


class GatewaySettings(CommonSettings):
    database_url: str | None = Field(None, validation_alias="GATEWAY_DATABASE_URL")
    host: str = Field("127.0.0.1", validation_alias="GATEWAY_HOST")
    port: int = Field(8000, validation_alias="GATEWAY_PORT")
    # worker processes serving the port (uvicorn's); sessions, keys and idempotency keys are
    # shared through the gateway's database, the metrics through files (prometheus_client)
    workers: int = Field(1, ge=1, le=64, validation_alias="GATEWAY_WORKERS")
    # the first admin key; when unset one is generated and printed on first start
    admin_key: str | None = Field(None, validation_alias="KIM_ADMIN_KEY")
    # seconds an RPC call may take before the request answers 503
    rpc_timeout: float = Field(5.0, validation_alias="GATEWAY_RPC_TIMEOUT")
    # API key lookups are cached this long; a revocation reaches other gateway instances within it
    key_cache_seconds: float = Field(10.0, validation_alias="GATEWAY_KEY_CACHE_SECONDS")
    # larger request bodies are refused with 413
    max_body_bytes: int = Field(256 * 1024, validation_alias="GATEWAY_MAX_BODY_BYTES")
    # an imported spreadsheet of groups (POST /api/v1/kims/import) may be this large and hold this many rows
    import_max_bytes: int = Field(32 * 1024 * 1024, validation_alias="GATEWAY_IMPORT_MAX_BYTES")
    import_max_rows: int = Field(100_000, ge=1, le=1_000_000, validation_alias="GATEWAY_IMPORT_MAX_ROWS")
    # the website: sessions end after this much idleness, and in any case after `session_hours`
    session_idle_minutes: float = Field(60, validation_alias="GATEWAY_SESSION_IDLE_MINUTES")
    session_hours: float = Field(12, validation_alias="GATEWAY_SESSION_HOURS")
    # a one-time link to set a password is valid this long
    setup_link_hours: float = Field(72, validation_alias="GATEWAY_SETUP_LINK_HOURS")
    # after this many failed sign-ins in a row an account is locked for `login_lock_minutes`;
    # each failure also waits `login_delay_seconds` times the failures so far (at most 5 s)
    login_max_failures: int = Field(5, validation_alias="GATEWAY_LOGIN_MAX_FAILURES")
    login_lock_minutes: float = Field(15, validation_alias="GATEWAY_LOGIN_LOCK_MINUTES")
    login_delay_seconds: float = Field(0.5, validation_alias="GATEWAY_LOGIN_DELAY_SECONDS")
    # (the failures and the lock above count per name *and* client address, so nobody locks another out)
    # failed sign-ins from one client address, whatever the names, within `login_address_window_minutes`
    # before that address gets 429 until the oldest of them is older than the window
    login_address_max_failures: int = Field(20, ge=1, validation_alias="GATEWAY_LOGIN_ADDRESS_MAX_FAILURES")
    login_address_window_minutes: float = Field(15, gt=0, validation_alias="GATEWAY_LOGIN_ADDRESS_WINDOW_MINUTES")
    # a submission kept with its Idempotency-Key (it holds the submitter's contact) is forgotten after this
    # many days (UU 27/2022: kept no longer than retries need); a retry after that makes a new aspiration
    idempotency_days: float = Field(7, gt=0, validation_alias="GATEWAY_IDEMPOTENCY_DAYS")
    # password checks (argon2id, 64 MiB each) running at once in this process; more wait their turn
    password_checks: int = Field(4, ge=1, validation_alias="GATEWAY_PASSWORD_CHECKS")
    # proxies whose X-Forwarded-For names the client: addresses or networks, comma-separated, * for any
    trusted_proxies: str = Field("127.0.0.1", validation_alias="GATEWAY_TRUSTED_PROXIES")
    # the address people reach the website at, for setup links; else the request's own
    public_url: str | None = Field(None, validation_alias="GATEWAY_PUBLIC_URL")
    # the providers' callbacks (services/gateway/routes/channels.py): each checked with its secret;
    # a provider without it is off and its callback answers 404
    telegram_webhook_secret: str | None = Field(None, validation_alias="TELEGRAM_WEBHOOK_SECRET")
    whatsapp_app_secret: str | None = Field(None, validation_alias="WHATSAPP_APP_SECRET")
    whatsapp_verify_token: str | None = Field(None, validation_alias="WHATSAPP_VERIFY_TOKEN")
    kannel_callback_secret: str | None = Field(None, validation_alias="KANNEL_CALLBACK_SECRET")
    # map tiles for the Leaflet maps, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png;
    # empty: the maps show the groups' markers without a background
    map_tiles_url: str = Field("", validation_alias="GATEWAY_MAP_TILES_URL")
    map_tiles_attribution: str = Field("", validation_alias="GATEWAY_MAP_TILES_ATTRIBUTION")
    # --- issue 15, posts: the images of the groups' posts (services/gateway/media.py) ---
    # an uploaded image may be this large, in bytes and in pixels
    media_max_bytes: int = Field(8 * 1024 * 1024, ge=1, validation_alias="GATEWAY_MEDIA_MAX_BYTES")
    media_max_pixels: int = Field(40_000_000, ge=1, validation_alias="GATEWAY_MEDIA_MAX_PIXELS")
    # where the images are kept: a folder (default KIM_DATA_DIR/media), or an S3-compatible bucket
    media_dir: str | None = Field(None, validation_alias="GATEWAY_MEDIA_DIR")
    media_s3_bucket: str | None = Field(None, validation_alias="GATEWAY_MEDIA_S3_BUCKET")
    media_s3_endpoint: str | None = Field(None, validation_alias="GATEWAY_MEDIA_S3_ENDPOINT")
    media_s3_region: str | None = Field(None, validation_alias="GATEWAY_MEDIA_S3_REGION")
    media_s3_access_key: str | None = Field(None, validation_alias="GATEWAY_MEDIA_S3_ACCESS_KEY")
    media_s3_secret_key: str | None = Field(None, validation_alias="GATEWAY_MEDIA_S3_SECRET_KEY")

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gateway.db').resolve()}"
