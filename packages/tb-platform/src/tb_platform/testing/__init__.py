"""Test harness shared by the services: a throw-away database per run, rolled-back tests, tokens."""

from .database import server_url, temporary_database
from .harness import TokenFactory, api_client, rolled_back

__all__ = ["TokenFactory", "api_client", "rolled_back", "server_url", "temporary_database"]
