"""Demo content of the network app: its home under the home page (French and English), three
practice sheets, a thematic dossier, two regional referents and one meeting, with the
moderation of the sheets. Idempotent: each object is found by a stable key (page slug,
referent name) before it is created, and saved, published or translated only when it
changed. Communes and regions come from the geography tables (the set-up imports them
before load_demo); a sheet or referent whose commune is missing is skipped."""

import json

from django.db import transaction
from django.utils import timezone

from wagtail.models import Locale, Page, Site
from wagtail_localize.strings import StringValue

from campaign.demo import fields_update, page_publish
from campaign.geography.models import Commune, Region
from campaign.localize import instance_translate

from . import services
from .demo_content import DOSSIER, INDEX, MEETING, REFERENTS, SHEETS
from .models import (
    DossierLink,
    DossierPage,
    MeetingPage,
    NetworkIndexPage,
    PracticeSheetPage,
    Referent,
)


def _text(value):
    """A plain text as wagtail-localize segments it (escaped, line breaks as <br>)."""
    return StringValue.from_plaintext(value).data


def _strings(*pairs):
    return {_text(fr): _text(en) for fr, en in pairs if fr}


def _page(model, parent, slug, title):
    page = model.objects.filter(locale=parent.locale, slug=slug).first()
    if page is None:
        page = model(slug=slug, title=title, locale=parent.locale, live=False)
        return page, True
    return page, False


def _save(parent, page, new, values):
    if new:
        for name, value in values.items():
            setattr(page, name, value)
        parent.add_child(instance=page)
        changed = True
    else:
        changed = fields_update(page, values)
    return changed


def _ensure_index(home):
    index, new = _page(NetworkIndexPage, home, INDEX["slug"][0], INDEX["title"][0])
    values = {"title": INDEX["title"][0], "introduction": INDEX["introduction"][0]}
    changed = _save(home, index, new, values)
    page_publish(index, changed=changed)
    strings = {INDEX["slug"][0]: INDEX["slug"][1]}
    strings.update(_strings(INDEX["title"], INDEX["introduction"]))
    # Published at once, so the pages added under it in this transaction are its children.
    instance_translate(instance=index, language_code="en", strings=strings)
    return index


def _categories(slugs, locale):
    from gestures.models import GestureCategory

    found = {c.slug: c for c in GestureCategory.objects.filter(locale=locale, slug__in=slugs)}
    return [found[slug] for slug in slugs if slug in found]


def _ensure_sheet(index, data, stdout=None):
    commune = Commune.objects.filter(insee_code=data["insee"]).first()
    if commune is None:
        if stdout:
            stdout.write(
                f"  Fiche « {data['slug'][0]} » ignorée : commune {data['insee']} absente "
                "(lancez d'abord manage.py import_communes)."
            )
        return None
    sheet, new = _page(PracticeSheetPage, index, data["slug"][0], data["title"][0])
    steps = json.dumps(
        [
            {"type": "step", "value": {"title": title[0], "text": text[0]}}
            for title, text in data["steps"]
        ]
    )
    values = {
        "title": data["title"][0],
        "commune": commune,
        "summary": data["summary"][0],
        "problem": data["problem"][0],
        "actions": data["actions"][0],
        "steps": steps,
        "budget": data["budget"][0],
        "partners": data["partners"][0],
        "results": data["results"][0],
        "contact_name": data["contact"][0],
        "contact_role": data["contact"][1][0],
        "contact_email": data["email"],
        "contact_phone": data["phone"],
        "contact_agreed_on": data["agreed"],
    }
    changed = _save(index, sheet, new, values)
    categories = _categories(data["categories"], index.locale)
    if {c.pk for c in sheet.categories.all()} != {c.pk for c in categories}:
        sheet.categories.set(categories)
        changed = True
    page_publish(sheet, changed=changed)
    sheet = PracticeSheetPage.objects.get(pk=sheet.pk)
    strings = {data["slug"][0]: data["slug"][1]}
    strings.update(
        _strings(
            data["title"],
            data["summary"],
            data["problem"],
            data["actions"],
            data["budget"],
            data["partners"],
            data["results"],
            data["contact"][1],
            *[pair for step in data["steps"] for pair in step],
        )
    )
    instance_translate(instance=sheet, language_code="en", strings=strings)
    return sheet


def _ensure_dossier(index, sheets):
    dossier, new = _page(DossierPage, index, DOSSIER["slug"][0], DOSSIER["title"][0])
    values = {"title": DOSSIER["title"][0], "introduction": DOSSIER["introduction"][0]}
    changed = _save(index, dossier, new, values)
    others = list(
        Page.objects.filter(
            locale=index.locale, slug__in=DOSSIER["story_slugs"] + DOSSIER["kit_slugs"]
        ).order_by("slug")
    )
    pages = [s for s in sheets if s is not None] + others
    # Replaced only when they change: a second run leaves the links (and their ids) alone.
    if [link.page_id for link in dossier.links.all()] != [p.pk for p in pages]:
        dossier.links = [DossierLink(page=page, locale=index.locale) for page in pages]
        changed = True
    page_publish(dossier, changed=changed)
    dossier = DossierPage.objects.get(pk=dossier.pk)
    strings = {DOSSIER["slug"][0]: DOSSIER["slug"][1]}
    strings.update(_strings(DOSSIER["title"], DOSSIER["introduction"]))
    instance_translate(instance=dossier, language_code="en", strings=strings)
    return dossier


def _ensure_meeting(index):
    meeting, new = _page(MeetingPage, index, MEETING["slug"][0], MEETING["title"][0])
    values = {
        "title": MEETING["title"][0],
        "summary": MEETING["summary"][0],
        "start": timezone.make_aware(MEETING["start"]),
        "end": timezone.make_aware(MEETING["end"]),
        "place": MEETING["place"][0],
        "address": MEETING["address"][0],
        "online": MEETING["online"],
        "agenda": MEETING["agenda"][0],
        "capacity": MEETING["capacity"],
        "registration_open": True,
    }
    changed = _save(index, meeting, new, values)
    page_publish(meeting, changed=changed)
    meeting = MeetingPage.objects.get(pk=meeting.pk)
    strings = {MEETING["slug"][0]: MEETING["slug"][1]}
    strings.update(
        _strings(
            MEETING["title"],
            MEETING["summary"],
            MEETING["place"],
            MEETING["address"],
            MEETING["agenda"],
        )
    )
    instance_translate(instance=meeting, language_code="en", strings=strings)
    return meeting


def _ensure_referent(data, fr, stdout=None):
    region = Region.objects.filter(code=data["region"]).first()
    if region is None:
        if stdout:
            stdout.write(f"  Référent « {data['name']} » ignoré : région {data['region']} absente.")
        return None
    referent = Referent.objects.filter(locale=fr, name=data["name"]).first() or Referent(
        locale=fr, name=data["name"]
    )
    changed = fields_update(
        referent,
        {
            "role": data["role"][0],
            "kind": data["kind"],
            "commune": Commune.objects.filter(insee_code=data["insee"]).first(),
            "region": region,
            "expertise": data["expertise"][0],
            "contact_email": data["email"],
            "contact_phone": data["phone"],
            "contact_agreed": data["agreed"],
        },
    )
    if changed or referent.pk is None:
        referent.save()
    instance_translate(
        instance=referent, language_code="en", strings=_strings(data["role"], data["expertise"])
    )
    return referent


@transaction.atomic
def load(stdout=None):
    """The network's home under the home page, its sheets, dossier, meeting and referents,
    and the sheets' moderation. Runs after the stories and kits loaders (the dossier links
    to their pages) and before the navigation."""
    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    fr = Locale.objects.get(language_code="fr")
    index = _ensure_index(home)
    sheets = [_ensure_sheet(index, data, stdout) for data in SHEETS]
    _ensure_dossier(index, sheets)
    _ensure_meeting(index)
    for data in REFERENTS:
        _ensure_referent(data, fr, stdout)
    services.network_moderation_setup(index=index)
    return index
