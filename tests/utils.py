from django.db import connection
from django.test.utils import CaptureQueriesContext

from campaign.geography.models import Commune, search_key


def count_queries(func, *args, **kwargs):
    """Run func and return (its result, the number of SQL queries it ran)."""
    with CaptureQueriesContext(connection) as ctx:
        result = func(*args, **kwargs)
    return result, len(ctx.captured_queries)


def make_commune(insee_code, name, department, *, postcodes=()):
    """A commune of `department` (and its region) with `postcodes`, without the INSEE import."""
    commune = Commune.objects.create(
        insee_code=insee_code,
        name=name,
        slug=f"{name.lower()}-{insee_code}",
        search_name=search_key(name),
        department=department,
        region=department.region,
    )
    for code in postcodes:
        commune.postcodes.create(code=code)
    return commune
