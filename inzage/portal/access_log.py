"""The access log's hook moved to `inzage.access_log` (docs/access-log.md); kept as a re-export for old imports."""

from inzage.access_log.collector import record_read

__all__ = ["record_read"]
