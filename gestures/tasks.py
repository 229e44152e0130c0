from wagtail.models import Locale

from django_tasks import task

from . import services


@task()
def booklet_refresh(*, locale_id):
    """Draw the booklet of a language again after a gesture was published (a no-op when
    the cached booklet is still up to date)."""
    locale = Locale.objects.filter(pk=locale_id).first()
    if locale is not None:
        services.booklet_get(language_code=locale.language_code)
