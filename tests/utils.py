from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(func, *args, **kwargs):
    """Run func and return (its result, the number of SQL queries it ran)."""
    with CaptureQueriesContext(connection) as ctx:
        result = func(*args, **kwargs)
    return result, len(ctx.captured_queries)
