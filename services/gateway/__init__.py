"""Gateway: the platform's HTTP API (FastAPI), its API keys and its pages."""
