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


@task()
def catalogue_purge(*, gesture_id):
    """Purge the catalogue of a gesture that was published or unpublished."""
    from .models import GesturePage

    gesture = GesturePage.objects.filter(pk=gesture_id).first()
    if gesture is not None:
        services.catalogue_purge(gesture=gesture)
