"""Wagtail's `{% image %}`, `{% srcset_image %}` and `{% picture %}`, parsed by Wagtail, whose
nodes make their filters once instead of at every render.

Wagtail's nodes build new `Filter` objects from their specs each time they render, and a new
`Filter` parses its operations again (`inspect.getcallargs` for each one, then once more for
every rendition it compares); on the story index, 12 cards of 6 renditions each, that was a
sixth of the render (cProfile, 2026-12-06). A compiled template is kept by Django's cached
loader, so its nodes, and now their filters, live as long as the process. A `Filter` holds
no state of an image or a request: sharing one is safe.

Load it after `wagtailimages_tags`: `{% load wagtailimages_tags campaign_images %}`.
"""

from django import template

from wagtail.images.templatetags import wagtailimages_tags as wagtail_tags

register = template.Library()


class _FiltersOnce:
    def get_filter(self):
        if "_filter" not in self.__dict__:
            self._filter = super().get_filter()
        return self._filter

    def get_filters(self):
        if "_filters" not in self.__dict__:
            self._filters = super().get_filters()
        return self._filters


class ImageNode(_FiltersOnce, wagtail_tags.ImageNode):
    pass


class SrcsetImageNode(_FiltersOnce, wagtail_tags.SrcsetImageNode):
    pass


class PictureNode(_FiltersOnce, wagtail_tags.PictureNode):
    pass


_NODES = {
    wagtail_tags.ImageNode: ImageNode,
    wagtail_tags.SrcsetImageNode: SrcsetImageNode,
    wagtail_tags.PictureNode: PictureNode,
}


def image(parser, token):
    node = wagtail_tags.image(parser, token)
    node.__class__ = _NODES[type(node)]
    return node


register.tag("image", image)
register.tag("srcset_image", image)
register.tag("picture", image)
