"""TB ERP invoice service."""
