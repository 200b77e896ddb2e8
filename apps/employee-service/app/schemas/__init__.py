"""Request and response bodies of the employee service's API."""
