"""The asset service's tables (SQLModel)."""
