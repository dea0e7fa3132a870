"""The header that selects a namespace, and the namespace a request without it is in. Apart from namespaces.py so
that the pytest plugin can name them without importing the store (and SQLAlchemy) at every pytest start."""

HEADER = "X-Mock-Namespace"
DEFAULT = "default"
