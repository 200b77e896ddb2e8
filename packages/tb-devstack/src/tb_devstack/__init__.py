"""TB ERP on a developer's machine: ``python -m tb_devstack up`` starts the whole system."""
