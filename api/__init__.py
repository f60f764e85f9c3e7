"""The HTTP face of the service: JSON API under /api/v1 (and, later, the web pages)."""
