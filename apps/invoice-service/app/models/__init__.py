"""The invoice service's tables (SQLModel)."""
