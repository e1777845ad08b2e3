"""HTTP API (FastAPI): thin routers over the services built by ``assistant.container``."""
