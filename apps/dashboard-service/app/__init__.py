"""TB ERP dashboard service."""
