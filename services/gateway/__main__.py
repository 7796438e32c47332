"""python -m services.gateway: serve the HTTP API with uvicorn."""
import uvicorn

from services.common.logs import configure_logging
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings


def main():
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_level, settings.log_format)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_config=None, access_log=False, proxy_headers=False)  # the app applies GATEWAY_TRUSTED_PROXIES


if __name__ == "__main__":
    main()
