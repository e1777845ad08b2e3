"""Bearer-token dependencies of the agent workspace: who is asking, and whether their role allows it.

Failures raise the handoff service's own errors (401 / 403), which the app maps to JSON responses,
so a request that fails here never reaches a handler: nothing changes.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.api.dependencies import ServicesDep
from assistant.handoff.auth import require_role
from assistant.handoff.errors import AuthenticationError
from assistant.handoff.staff import Role, StaffUser

_bearer = HTTPBearer(auto_error=False, description="The token from POST /api/agent/login.")


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> str:
    """The bearer token of the request; 401 when there is none."""
    if credentials is None or not credentials.credentials:
        raise AuthenticationError("log in first: send Authorization: Bearer <token>")
    return credentials.credentials


TokenDep = Annotated[str, Depends(bearer_token)]


def current_staff(services: ServicesDep, token: TokenDep) -> StaffUser:
    """The active staff user the token belongs to (401 for a missing, unknown or expired token)."""
    return services.auth.verify(token)


StaffDep = Annotated[StaffUser, Depends(current_staff)]


async def current_supervisor(user: StaffDep) -> StaffUser:
    """The staff user, when a supervisor or admin (403 for an agent). Plain checks like this one and
    ``bearer_token`` are ``async`` so FastAPI runs them inline instead of in a thread-pool hop."""
    return require_role(user, Role.SUPERVISOR)


SupervisorDep = Annotated[StaffUser, Depends(current_supervisor)]
