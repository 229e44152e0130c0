"""The admin side of the campaign mailings: writing one, its audience and the live count,
test send, send now or later, cancel, the report and its progress, and who may do what."""

import json
from datetime import timedelta
from html import unescape

from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from wagtail.rich_text import RichText
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

import pytest

from mailings.admin_forms import PARIS
from mailings.blocks import UNSAFE_LINK_MESSAGE
from mailings.models import Delivery, Mailing
from volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


def url(name, *args, **query):
    address = reverse(f"wagtailsnippets_mailings_mailing:{name}", args=args)
    if query:
        address += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return address


def page_text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        username="chef", email="chef@tousvoisins.example", password="x"
    )


@pytest.fixture
def admin_client(client, superuser, home_page):
    # home_page: the default site and its locales, which rendering a mailing needs.
    client.force_login(superuser)
    return client


@pytest.fixture
def people(geography):
    """Three volunteers in Seine-et-Marne (one writes in English), one in Finistère."""
    return {
        "melun": VolunteerFactory(commune=geography["melun"], email="a@example.org"),
        "livry": VolunteerFactory(commune=geography["livry"], email="b@example.org"),
        "english": VolunteerFactory(
            commune=geography["dammarie"], email="c@example.org", language="en"
        ),
        "brest": VolunteerFactory(commune=geography["brest"], email="d@example.org"),
    }


def make_mailing(**fields):
    fields.setdefault("subject", "Des nouvelles du quartier")
    fields.setdefault(
        "body",
        [
            ("heading", "Bonjour"),
            ("paragraph", RichText("<p>{salutation} merci pour votre heure civique.</p>")),
        ],
    )
    return Mailing.objects.create(**fields)


def form_data(body=None, **fields):
    """The add/edit form as the admin posts it. Multiple choices are lists, which
    nested_form_data would split into numbered keys, so they are added after."""
    many = {k: fields.pop(k) for k, v in list(fields.items()) if isinstance(v, list)}
    data = nested_form_data(
        {
            "subject": "Des nouvelles du quartier",
            "preheader": "",
            "language": "fr",
            "body": streamfield(
                body
                or [
                    ("heading", "Bonjour"),
                    ("paragraph", rich_text("<p>Merci pour votre heure civique.</p>")),
                ]
            ),
            "audience_communes": "",
            "audience_language": "",
            "audience_signed_up_after": "",
            "audience_signed_up_before": "",
            **fields,
        }
    )
    data.update(many)
    return data


def error_text(form, field) -> str:
    """A field's errors as text, block errors of a StreamField included."""
    errors = form.errors.as_data()[field]
    parts = []
    for error in errors:
        if hasattr(error, "as_json_data"):
            parts.append(json.dumps(error.as_json_data(), ensure_ascii=False))
        else:
            parts.extend(error.messages)
    return " ".join(parts)


def start_sending(mailing, volunteers):
    """A mailing that has started: what mailing_start writes, without sending."""
    now = timezone.now()
    Delivery.objects.bulk_create(Delivery(mailing=mailing, volunteer=v) for v in volunteers)
    mailing.status = Mailing.Status.SENDING
    mailing.started_at = now
    mailing.recipients_count = len(volunteers)
    mailing.sent_subject = mailing.subject
    mailing.sent_html = "<p>{salutation} voici les nouvelles.</p>"
    mailing.sent_text = "{salutation} voici les nouvelles."
    mailing.save()
    return mailing


# ---------------------------------------------------------------------------------------
# Writing a mailing


def test_staff_create_a_mailing_with_its_audience(admin_client, superuser, people, geography):
    assert admin_client.get(url("add")).status_code == 200
    response = admin_client.post(
        url("add"),
        form_data(
            audience_regions=[geography["regions"]["idf"].pk],
            audience_departments=[geography["departments"]["29"].pk],
            audience_communes="77288;  29019,77288",
            audience_interests=["aines", "accueil"],
            audience_signed_up_after="2024-01-01",
            audience_signed_up_before="2030-01-01",
        ),
    )
    assert response.status_code == 302
    mailing = Mailing.objects.get()
    assert mailing.status == Mailing.Status.DRAFT
    assert mailing.created_by == superuser
    assert list(mailing.audience_regions.values_list("code", flat=True)) == ["11"]
    assert list(mailing.audience_departments.values_list("code", flat=True)) == ["29"]
    # Typed codes are normalised: each once, in the order typed.
    assert mailing.audience_communes == "77288, 29019"
    assert mailing.audience_interests == ["aines", "accueil"]
    assert [child.block_type for child in mailing.body] == ["heading", "paragraph"]


def test_the_edit_form_shows_the_saved_audience_size(admin_client, people, geography):
    mailing = make_mailing(audience_communes="77288, 77255")
    response = admin_client.get(url("edit", mailing.pk))
    assert response.status_code == 200
    text = page_text(response)
    assert "touchent aujourd'hui 2 bénévoles" in text
    assert "Communes : Livry-sur-Seine (77255), Melun (77288)" in text


def test_a_javascript_link_in_a_button_is_refused_and_nothing_is_saved(admin_client, people):
    response = admin_client.post(
        url("add"),
        form_data(body=[("button", {"label": "Cliquez", "url": "javascript:alert(1)"})]),
    )
    assert response.status_code == 200
    assert str(UNSAFE_LINK_MESSAGE) in error_text(response.context["form"], "body")
    assert not Mailing.objects.exists()


def test_unknown_insee_codes_are_refused_by_name(admin_client, people):
    response = admin_client.post(url("add"), form_data(audience_communes="77288 99999, 7700"))
    assert response.status_code == 200
    message = error_text(response.context["form"], "audience_communes")
    assert "Ces codes INSEE ne correspondent à aucune commune : 99999, 7700" in message
    assert "99999, 7700" in page_text(response)
    assert not Mailing.objects.exists()


def test_signed_up_before_must_come_after_signed_up_after(admin_client, people):
    response = admin_client.post(
        url("add"),
        form_data(audience_signed_up_after="2025-06-01", audience_signed_up_before="2025-01-01"),
    )
    assert response.status_code == 200
    assert "audience_signed_up_before" in response.context["form"].errors
    assert not Mailing.objects.exists()


def test_audience_preview_counts_the_unsaved_filters(admin_client, people, geography):
    # Wagtail's preview: the panel POSTs the form (kept as a FormState), then the iframe
    # GETs the preview in the chosen mode.
    preview = url("preview_on_add")
    data = form_data(audience_departments=[geography["departments"]["77"].pk])
    assert admin_client.post(preview, data).json() == {"is_valid": True, "is_available": True}
    text = page_text(admin_client.get(preview, {"mode": "audience"}))
    assert "3 bénévoles recevraient cet envoi aujourd'hui." in text
    assert "Départements : Seine-et-Marne (77)" in text

    # On the edit view, the unsaved filters win over the saved ones.
    mailing = make_mailing()
    mailing.audience_regions.set([geography["regions"]["bretagne"]])
    preview = url("preview_on_edit", mailing.pk)
    data = form_data(
        audience_departments=[geography["departments"]["77"].pk], audience_language="en"
    )
    assert admin_client.post(preview, data).json()["is_valid"] is True
    text = page_text(admin_client.get(preview, {"mode": "audience"}))
    assert "1 bénévole recevrait cet envoi aujourd'hui." in text
    assert "Langue des bénévoles : English" in text


def test_email_preview_shows_the_email_with_sample_values(admin_client, people):
    mailing = make_mailing()
    preview = url("preview_on_edit", mailing.pk)
    assert admin_client.post(preview, form_data(subject="Objet modifié")).json()["is_valid"]
    text = page_text(admin_client.get(preview))
    assert "Bonjour Camille," in text


# ---------------------------------------------------------------------------------------
# Test send, send, schedule, cancel


def test_test_send_goes_to_a_staff_address_through_a_task(
    admin_client, superuser, people, mailoutbox, django_capture_on_commit_callbacks
):
    mailing = make_mailing()
    page = admin_client.get(url("test", mailing.pk))
    assert page.status_code == 200
    assert superuser.email in page_text(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("test", mailing.pk), {"to": superuser.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [superuser.email]
    assert "[TEST]" in mailoutbox[0].subject
    assert "Camille" in mailoutbox[0].alternatives[0][0]
    followed = page_text(admin_client.get(response["Location"]))
    assert f"Un e-mail de test part vers {superuser.email}." in followed
    assert not Delivery.objects.exists()


def test_test_send_refuses_an_address_that_is_not_staff(
    admin_client, people, mailoutbox, django_capture_on_commit_callbacks
):
    mailing = make_mailing()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("test", mailing.pk), {"to": "relay@example.com"})
    assert response.status_code == 200
    assert "to" in response.context["form"].errors
    assert mailoutbox == []


def test_sending_to_nobody_shows_the_error_and_changes_nothing(admin_client, geography):
    mailing = make_mailing(audience_communes="29019")  # nobody in Brest
    page = admin_client.get(url("send", mailing.pk))
    assert "Personne ne correspond aujourd'hui" in page_text(page)
    response = admin_client.post(url("send", mailing.pk), {"when": "now"})
    assert response.status_code == 200
    assert "Personne ne recevrait cet envoi" in page_text(response)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    assert mailing.started_at is None
    assert not Delivery.objects.exists()


def test_send_now_writes_the_deliveries_and_the_report_shows_them(
    admin_client, people, geography, mailoutbox, django_capture_on_commit_callbacks
):
    mailing = make_mailing()
    mailing.audience_departments.set([geography["departments"]["77"]])
    page = admin_client.get(url("send", mailing.pk))
    assert page.status_code == 200
    assert "3 bénévoles" in page_text(page)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url("send", mailing.pk), {"when": "now"})
    assert response["Location"] == url("report", mailing.pk)
    mailing.refresh_from_db()
    assert mailing.recipients_count == 3
    assert Delivery.objects.filter(mailing=mailing).count() == 3
    # The locmem backend has no batch merge: one message per recipient, filled in here.
    assert sorted(m.to[0] for m in mailoutbox) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    assert all("{salutation}" not in m.body for m in mailoutbox)
    assert mailing.status == Mailing.Status.SENT

    report = admin_client.get(response["Location"])
    text = page_text(report)
    assert "L'envoi part vers 3 bénévoles." in text
    assert '<progress id="mailing-progress-bar" max="100" value="100"' in text
    assert '<td data-figure="recipients">3</td>' in text
    assert '<td data-figure="sent">3</td>' in text
    assert '<td data-figure="pending">0</td>' in text
    assert url("sent_preview", mailing.pk) in text
    # Nothing more to do with it than to read it.
    assert url("send", mailing.pk) not in text and url("cancel", mailing.pk) not in text


def test_schedule_then_cancel(admin_client, people, django_capture_on_commit_callbacks):
    mailing = make_mailing()
    when = (timezone.now() + timedelta(days=2)).astimezone(PARIS).replace(second=0, microsecond=0)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url("send", mailing.pk),
            {"when": "later", "scheduled_at": when.strftime("%Y-%m-%dT%H:%M")},
        )
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED
    assert mailing.scheduled_at == when
    assert not Delivery.objects.exists()
    report = page_text(admin_client.get(response["Location"]))
    assert "L'envoi est programmé pour le" in report
    assert url("cancel", mailing.pk) in report

    # The send page offers to reschedule, with the planned time filled in.
    assert when.strftime("%Y-%m-%dT%H:%M") in page_text(admin_client.get(url("send", mailing.pk)))

    assert admin_client.get(url("cancel", mailing.pk)).status_code == 200
    response = admin_client.post(url("cancel", mailing.pk))
    assert response["Location"] == url("report", mailing.pk)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.CANCELLED
    # Cancelling twice is answered with a message, not an error.
    response = admin_client.post(url("cancel", mailing.pk), follow=True)
    assert "ne peut plus être annulé" in page_text(response)


def test_cancel_stops_a_mailing_going_out(admin_client, people):
    mailing = start_sending(make_mailing(), list(people.values()))
    response = admin_client.post(url("cancel", mailing.pk), follow=True)
    assert "4 e-mails ne partiront pas" in page_text(response)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.CANCELLED}


def test_cancel_is_post_only_in_effect(admin_client, people):
    mailing = make_mailing()
    mailing.status = Mailing.Status.SCHEDULED
    mailing.scheduled_at = timezone.now() + timedelta(days=1)
    mailing.save()
    page = admin_client.get(url("cancel", mailing.pk))
    assert page.status_code == 200 and "Oui, annuler l'envoi" in page_text(page)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SCHEDULED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"when": "later", "scheduled_at": "2020-01-01T09:00"}, "Cette date est passée"),
        ({"when": "later", "scheduled_at": ""}, "Indiquez la date et l'heure"),
        ({"when": "later", "scheduled_at": "demain"}, "Indiquez une date et une heure"),
    ],
)
def test_a_bad_schedule_is_refused(admin_client, people, data, message):
    mailing = make_mailing()
    response = admin_client.post(url("send", mailing.pk), data)
    assert response.status_code == 200
    assert message in page_text(response)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT


def test_a_sent_mailing_cannot_be_edited_nor_deleted(admin_client, people):
    mailing = start_sending(make_mailing(), [people["melun"]])
    response = admin_client.get(url("edit", mailing.pk))
    assert response["Location"] == url("report", mailing.pk)
    followed = page_text(admin_client.get(response["Location"]))
    assert "il ne peut plus être modifié" in followed
    # A POST cannot slip through either.
    admin_client.post(url("edit", mailing.pk), form_data(subject="Changé"))
    mailing.refresh_from_db()
    assert mailing.subject == "Des nouvelles du quartier"
    assert mailing.status == Mailing.Status.SENDING

    for method in ("get", "post"):
        response = getattr(admin_client, method)(url("delete", mailing.pk))
        assert response.status_code == 302
    assert Mailing.objects.filter(pk=mailing.pk).exists()
    # Nor through the listing's bulk delete.
    bulk = (
        reverse("wagtail_bulk_action", args=("volunteers", "mailing", "delete"))
        + f"?id={mailing.pk}"
    )
    admin_client.post(bulk)
    assert Mailing.objects.filter(pk=mailing.pk).exists()


def test_a_draft_can_be_edited_and_deleted(admin_client, people):
    mailing = make_mailing()
    response = admin_client.post(url("edit", mailing.pk), form_data(subject="Nouvel objet"))
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.subject == "Nouvel objet"
    assert admin_client.post(url("delete", mailing.pk)).status_code == 302
    assert not Mailing.objects.exists()


def test_saving_the_form_never_touches_the_sending_state(admin_client, people):
    """A form loaded before a scheduled mailing started must not put it back to
    "scheduled" nor blank what was sent: the form saves its own fields only."""
    from mailings.wagtail_hooks import MailingViewSet

    mailing = make_mailing(status=Mailing.Status.SCHEDULED)
    form_class = MailingViewSet().get_form_class(for_update=True)
    stale = Mailing.objects.get(pk=mailing.pk)
    start_sending(mailing, [people["melun"]])
    form = form_class(form_data(subject="Dernière retouche"), instance=stale)
    assert form.is_valid(), form.errors
    form.save()
    mailing.refresh_from_db()
    assert mailing.subject == "Dernière retouche"
    assert mailing.status == Mailing.Status.SENDING
    assert mailing.sent_html


# ---------------------------------------------------------------------------------------
# The report, its progress and the listing


def test_progress_json(admin_client, people):
    mailing = start_sending(make_mailing(), list(people.values()))
    Delivery.objects.filter(volunteer=people["melun"]).update(status=Delivery.Status.DELIVERED)
    Delivery.objects.filter(volunteer=people["brest"]).update(status=Delivery.Status.BOUNCED)
    response = admin_client.get(url("progress", mailing.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["status"] == "sending"
    assert data["status_label"] == "en cours d'envoi"
    assert (data["recipients"], data["sent"], data["delivered"], data["bounced"]) == (4, 2, 1, 1)
    assert (data["pending"], data["percent"]) == (2, 50)
    assert data["display"]["recipients"] == "4"


def test_report_polls_only_while_something_can_change(admin_client, people):
    mailing = start_sending(make_mailing(), [people["melun"]])
    html = admin_client.get(url("report", mailing.pk)).content.decode()
    assert f'data-url="{url("progress", mailing.pk)}"' in html
    assert 'aria-live="polite"' in html
    assert "mailings/js/mailing-progress.js" in html and "defer" in html
    assert "Mettre à jour" in html
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.SENT)
    html = admin_client.get(url("report", mailing.pk)).content.decode()
    assert "data-url=" not in html


def test_sent_preview_shows_what_was_sent_with_sample_values(admin_client, people):
    mailing = start_sending(make_mailing(), [people["melun"]])
    # A later edit of the body does not change what was sent.
    Mailing.objects.filter(pk=mailing.pk).update(body=[])
    response = admin_client.get(url("sent_preview", mailing.pk))
    assert response.status_code == 200
    assert response.content.decode() == "<p>Bonjour Camille, voici les nouvelles.</p>"
    assert admin_client.get(url("sent_preview", make_mailing().pk)).status_code == 404


def test_listing_shows_status_progress_and_filters(admin_client, people):
    draft = make_mailing(subject="Brouillon d'avril")
    going = start_sending(make_mailing(subject="Envoi de mars"), list(people.values()))
    Delivery.objects.filter(volunteer=people["melun"]).update(status=Delivery.Status.SENT)
    response = admin_client.get(url("list"))
    assert response.status_code == 200
    text = page_text(response)
    assert draft.subject in text and going.subject in text
    assert "1 / 4" in text
    # The sent mailing's title leads to its report; the draft's to its form.
    assert url("report", going.pk) in text and url("edit", draft.pk) in text
    assert url("edit", going.pk) not in text
    text = page_text(admin_client.get(url("list"), {"status": "draft"}))
    assert draft.subject in text and going.subject not in text
    text = page_text(admin_client.get(url("list"), {"kind": "reminder"}))
    assert draft.subject not in text


# ---------------------------------------------------------------------------------------
# Who may do what


@pytest.fixture
def writer(django_user_model, home_page):
    """Staff who may write mailings but not send them."""
    user = django_user_model.objects.create_user(
        username="plume", email="plume@tousvoisins.example", password="x", is_staff=True
    )
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="mailings",
            codename__in=["add_mailing", "change_mailing", "view_mailing"],
        ),
    )
    return user


def test_without_the_send_permission_nothing_is_sent(client, writer, people):
    mailing = make_mailing()
    client.force_login(writer)
    assert client.get(url("list")).status_code == 200
    report = page_text(client.get(url("report", mailing.pk)))
    assert url("send", mailing.pk) not in report
    assert url("test", mailing.pk) in report  # writing includes checking one's work
    for method in ("get", "post"):
        response = getattr(client, method)(url("send", mailing.pk), {"when": "now"})
        # Wagtail answers a missing permission with a redirect to the dashboard.
        assert response.status_code == 403 or response["Location"] == reverse("wagtailadmin_home")
    response = client.post(url("cancel", mailing.pk))
    assert response.status_code == 403 or response["Location"] == reverse("wagtailadmin_home")
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT
    assert not Delivery.objects.exists()


def test_editors_may_write_and_send(client, django_user_model, people):
    # Granted by migration 0005.
    editor = django_user_model.objects.create_user(username="ed", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    assert editor.has_perm("mailings.send_mailing")
    assert editor.has_perm("mailings.add_mailing")
    mailing = make_mailing()
    client.force_login(editor)
    assert client.get(url("list")).status_code == 200
    assert client.get(url("send", mailing.pk)).status_code == 200


def test_mairie_users_never_see_mailings(client, django_user_model, mairie_group, people):
    user = django_user_model.objects.create_user(username="mairie", password="x", is_staff=True)
    user.groups.add(mairie_group)
    assert not user.has_perm("mailings.view_mailing")
    mailing = make_mailing()
    client.force_login(user)

    def refused(response):
        return response.status_code in (403, 404) or (
            response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
        )

    for name, args in [
        ("list", ()),
        ("add", ()),
        ("edit", (mailing.pk,)),
        ("report", (mailing.pk,)),
        ("progress", (mailing.pk,)),
        ("test", (mailing.pk,)),
        ("send", (mailing.pk,)),
    ]:
        response = client.get(url(name, *args))
        assert refused(response), name
        assert mailing.subject.encode() not in response.content
    assert "Envois d'e-mails" not in page_text(client.get(reverse("wagtailadmin_home")))

    # Even a permission given to their group by mistake does not open the mailings.
    mairie_group.permissions.add(Permission.objects.get(codename="view_mailing"))
    user = django_user_model.objects.get(pk=user.pk)
    client.force_login(user)
    assert refused(client.get(url("list")))
    assert refused(client.get(url("report", mailing.pk)))


def test_mairie_users_are_not_offered_as_test_addresses(
    admin_client, django_user_model, mairie_group, people
):
    user = django_user_model.objects.create_user(
        username="mairie", email="mairie@melun.example", password="x", is_staff=True
    )
    user.groups.add(mairie_group)
    mailing = make_mailing()
    page = page_text(admin_client.get(url("test", mailing.pk)))
    assert "chef@tousvoisins.example" in page
    assert "mairie@melun.example" not in page


# ---------------------------------------------------------------------------------------
# Bounded queries


@pytest.mark.parametrize(
    "view", ["report", "progress", "cancel", "list", "send", "test", "sent_preview"]
)
def test_queries_do_not_grow_with_the_deliveries(admin_client, geography, view):
    mailing = make_mailing()
    counts = []
    for size in (1, 25):
        Delivery.objects.all().delete()
        Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.DRAFT, started_at=None)
        mailing.refresh_from_db()
        volunteers = VolunteerFactory.create_batch(size, commune=geography["melun"])
        # Other mailings going out, as many as the deliveries' size class: the listing
        # shows them all, each with its progress.
        for _n in range(1 if size == 1 else 4):
            start_sending(make_mailing(subject="Un autre"), volunteers)
        if view in ("report", "progress", "cancel", "sent_preview"):
            start_sending(mailing, volunteers)
        address = url(view) if view == "list" else url(view, mailing.pk)
        admin_client.get(address)  # warm the per-process caches (content types, interests)
        with CaptureQueriesContext(connection) as ctx:
            response = admin_client.get(address)
        assert response.status_code == 200, (view, response.status_code)
        counts.append(len(ctx))
    assert counts[0] == counts[1], (view, counts)
