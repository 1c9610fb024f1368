"""The access log of student data (GDPR art. 15), scraping detection and the use in numbers (docs/access-log.md).

The one hook is in the visibility engine: a `Context` notes the kinds it lets through (`Context.reads`), and
`viewer_for` binds every viewer it builds for the request's own account to the request's `RequestReads`
(`collector.py`); `AccessLogMiddleware` turns them into rows at the end of the request. `record_read` is for reads
that do not go through the engine in this request (the portal's cached pages).
"""

from inzage.access_log.collector import record_read

__all__ = ["record_read"]
