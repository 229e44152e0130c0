import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaign.settings.production")

application = get_wsgi_application()

# The page cache's hits are answered before Django's handler (campaign/cache.py).
from campaign.cache import PageCacheHits  # noqa: E402 - after Django is set up

application = PageCacheHits(application)
