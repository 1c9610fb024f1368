"""Database backends: Django's own, with what the 17:00 rush needs changed (docs/performance.md)."""
