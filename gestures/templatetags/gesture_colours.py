"""`{% category_colours categories %}`: the categories' colours as custom properties, an inline
<style> allowed by its CSP hash (campaign/csp.py), so that a cached page needs no nonce and
no second stylesheet."""

from django import template

from campaign.csp import inline_style

register = template.Library()


@register.simple_tag(takes_context=True)
def category_colours(context, categories):
    # Slugs ([a-z0-9-]) and colours (#rrggbb) are validated by GestureCategory.
    css = "".join(
        f".category-{category.slug}{{--category-colour:{category.colour}}}"
        for category in categories
        if category is not None
    )
    return inline_style(context.get("request"), css)
