from pydantic import Field

from services.common.settings import CommonSettings


class GatewaySettings(CommonSettings):
    database_url: str | None = Field(None, validation_alias="GATEWAY_DATABASE_URL")
    host: str = Field("127.0.0.1", validation_alias="GATEWAY_HOST")
    port: int = Field(8000, validation_alias="GATEWAY_PORT")
    # the first admin key; when unset one is generated and printed on first start
    admin_key: str | None = Field(None, validation_alias="KIM_ADMIN_KEY")
    # seconds an RPC call may take before the request answers 503
    rpc_timeout: float = Field(5.0, validation_alias="GATEWAY_RPC_TIMEOUT")
    # API key lookups are cached this long; a revocation reaches other gateway instances within it
    key_cache_seconds: float = Field(10.0, validation_alias="GATEWAY_KEY_CACHE_SECONDS")
    # larger request bodies are refused with 413
    max_body_bytes: int = Field(256 * 1024, validation_alias="GATEWAY_MAX_BODY_BYTES")

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gateway.db').resolve()}"
