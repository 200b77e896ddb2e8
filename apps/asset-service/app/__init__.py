"""TB ERP asset service."""
