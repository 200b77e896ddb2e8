from fastapi import APIRouter

from .endpoints import assets, categories, maintenance

api_router = APIRouter()
for module in (categories, maintenance, assets):
    api_router.include_router(module.router)
