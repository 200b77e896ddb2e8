from fastapi import APIRouter

from tb_platform.db import SessionDep, replica_read

from ....core.permissions import ReadDashboard
from ....schemas.summary import DashboardSummary
from ....services import summary as service
from ...deps import CacheDep

router = APIRouter(prefix="/dashboard", tags=["dashboard"])


@router.get("/summary", response_model=DashboardSummary)
@replica_read
async def dashboard_summary(
    _: ReadDashboard, session: SessionDep, cache: CacheDep
) -> DashboardSummary:
    """Headcount by department, asset counts and values, and invoicing per month and currency.

    Built from the other services' events; cached for CACHE_TTL_SECONDS at most, and dropped
    whenever an event changes a figure.
    """
    return await service.cached_summary(session, cache=cache)
