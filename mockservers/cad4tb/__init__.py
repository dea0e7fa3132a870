"""CAD4TB-style API v1."""
