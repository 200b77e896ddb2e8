"""What the asset service does with the employee service's events.

The projection handler (tb_platform's) stores the employee first; this one, in the same unit of
work, takes back what a terminated employee still holds.
"""

from __future__ import annotations

from tb_platform.employee_directory import EMPLOYEE_EVENTS, known_employees
from tb_platform.events.catalog import EmployeeData
from tb_platform.events.consumer import handles
from tb_platform.events.envelope import Envelope
from tb_platform.uow import UnitOfWork

from ..db.events import EMPLOYEES
from .assets import release_assets_of
from .events import EMPLOYEE_TERMINATED


@handles(*EMPLOYEE_EVENTS)
async def release_assets_of_leaver(uow: UnitOfWork, event: Envelope) -> None:
    """An employee the projection now knows as terminated holds nothing any more.

    Decided on the projection's state rather than the event's type: a stale event (older than
    what the projection holds) changes nothing, and a termination by ``employee.updated``
    (status set to terminated) counts as much as ``employee.deleted``. Running it again finds
    nothing left to take back.
    """
    employee_id = EmployeeData.model_validate(event.data).id
    employee = (await known_employees(uow.session, EMPLOYEES, [employee_id])).get(employee_id)
    if employee is None or employee.is_current:
        return
    await release_assets_of(uow, employee_id=employee_id, reason=EMPLOYEE_TERMINATED)
