"""``seed-demo``: nothing to add. The dashboard has no data of its own; its read model fills from
the other services' events (or from ``dashboard-service rebuild``)."""

from tb_platform.settings import ServiceSettings


async def seed_demo(settings: ServiceSettings) -> list[str]:
    return []
