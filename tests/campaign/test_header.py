"""The header on a phone: the menu and the search fold behind a native "Menu" disclosure
(no JavaScript needed); the brand and the language switcher stay in view."""

import re

from django.conf import settings

import pytest


def _header(html):
    return html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "name"), [("/", "Menu"), ("/en/", "Menu")])
def test_the_menu_folds_behind_a_native_disclosure(client, home_page, english_home, url, name):
    header = _header(client.get(url).content.decode())
    details = re.search(r"<details class=\"site-menu\"[^>]*>(.*)</details>", header, re.S)
    assert details, header
    assert " open" not in details.group(0).split(">", 1)[0]  # folded until asked
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", details.group(1), re.S).group(1)
    # Its name is its text; the icon is hidden from assistive technologies.
    assert re.sub(r"<span[^>]*aria-hidden=\"true\"[^>]*></span>", "", summary).strip() == name
    folded = details.group(1)
    assert '<nav class="main-nav"' in folded and 'class="search-form"' in folded
    # The brand and the language switcher stay outside, always in view.
    outside = header.replace(details.group(0), "")
    assert 'class="brand"' in outside and 'class="language-switcher"' in outside


def test_wide_screens_unfold_the_menu_and_paper_leaves_it_out():
    css = (settings.BASE_DIR / "static/css/site.css").read_text()
    wide = css.split("@supports selector(::details-content)", 1)[1]
    assert "@media (min-width: 48rem)" in wide
    assert ".site-menu::details-content { content-visibility: visible; }" in wide
    assert ".site-menu > .site-menu__toggle { display: none; }" in wide
    # A compact header on phones.
    assert "@media (max-width: 47.99rem)" in css
    # Paper's rules live in site.css too (one stylesheet for every page, issue 14).
    printed = css.split("@media print {", 1)[1]
    assert ".site-menu__toggle" in printed.split("{ display: none !important; }", 1)[0]
