from fastapi import APIRouter

from .endpoints import attendance, auth, departments, employees, roles, saved_views

api_router = APIRouter()
for module in (auth, employees, departments, attendance, roles, saved_views):
    api_router.include_router(module.router)
