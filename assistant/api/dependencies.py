"""FastAPI dependencies: the services live on ``app.state``, built once in ``create_app``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from assistant.container import Services


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
