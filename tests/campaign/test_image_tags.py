"""campaign/templatetags/campaign_images.py: Wagtail's image tags whose nodes make their
filters once; the HTML is Wagtail's own."""

from django.template import Context, Template

from wagtail.images.templatetags.wagtailimages_tags import SrcsetImageNode

import pytest

from stories.factories import PortraitFactory

SPECS = "format-{avif,webp,jpeg} fill-{320x240,480x360}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tag",
    [
        f"picture image {SPECS}",
        "srcset_image image fill-{320x240,480x360}",
        "image image fill-320x240",
    ],
)
def test_the_html_is_wagtails_and_the_filters_are_made_once(tag):
    image = PortraitFactory()
    wagtails = Template("{% load wagtailimages_tags %}{% " + tag + ' alt="" %}')
    ours = Template("{% load wagtailimages_tags campaign_images %}{% " + tag + ' alt="" %}')
    context = Context({"image": image})
    assert ours.render(context) == wagtails.render(context)
    node = ours.nodelist[-1]
    assert type(node).__module__ == "campaign.templatetags.campaign_images"
    several = isinstance(node, SrcsetImageNode)  # and PictureNode
    made = node.get_filters() if several else [node.get_filter()]
    again = node.get_filters() if several else [node.get_filter()]
    assert all(a is b for a, b in zip(made, again, strict=True))
    assert ours.render(context) == wagtails.render(context)  # the second render, same HTML
