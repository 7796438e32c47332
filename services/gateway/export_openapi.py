"""python -m services.gateway.export_openapi [PATH]: write the gateway's
OpenAPI document (default docs/openapi.json), the HTTP contract as the app
itself states it. services/gateway/tests/test_docs.py fails when the
committed file differs from what the app generates, so run this after
changing a route."""
import json
import sys
from pathlib import Path

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def openapi_text() -> str:
    # the document does not depend on the environment: the embedded defaults build it
    app = create_app(GatewaySettings.model_construct())
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_PATH
    path.write_text(openapi_text(), encoding="utf-8")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
