import json

import factory
import wagtail_factories

from campaign.models import ContentPage


class ContentPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Page de contenu {n}")
    introduction = "Une page pour expliquer la campagne."
    body = factory.LazyFunction(
        lambda: json.dumps([{"type": "paragraph", "value": "<p>Bonjour les voisins.</p>"}])
    )

    class Meta:
        model = ContentPage
