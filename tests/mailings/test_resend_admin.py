"""Staff's "resend what failed" in the mailing admin, the report's lines about failures and
cancellation, and what the send page says about the ESP's guarantee."""

from html import unescape

from django.contrib.auth import get_user
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

import pytest

from mailings.models import Delivery, Mailing
from tests.fakes.brevo import FakeBrevo
from volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"wagtailsnippets_mailings_mailing:{name}", args=args)


def text(response) -> str:
    return unescape(response.content.decode())


@pytest.fixture
def esp(settings):
    with FakeBrevo() as fake:
        settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
        settings.ANYMAIL = {
            **settings.ANYMAIL,
            "BREVO_API_KEY": fake.api_key,
            "BREVO_API_URL": fake.url,
        }
        yield fake


@pytest.fixture
def staff(client, django_user_model, home_page):
    user = django_user_model.objects.create_superuser(
        username="chef", email="chef@tousvoisins.example", password="x"
    )
    client.force_login(user)
    return client


def sent_mailing(statuses):
    """A mailing that went out, with one delivery per status given."""
    now = timezone.now()
    mailing = Mailing.objects.create(
        subject="Des nouvelles",
        language="fr",
        body=[("paragraph", "<p>Bonjour</p>")],
        status=Mailing.Status.SENT,
        started_at=now,
        finished_at=now,
        sent_subject="Des nouvelles",
        sent_html="<p>{salutation}</p>",
        sent_text="{salutation}",
    )
    for i, status in enumerate(statuses):
        Delivery.objects.create(
            mailing=mailing,
            volunteer=VolunteerFactory(email=f"p{i}@example.org"),
            status=status,
            error="Réponse 503 du prestataire" if status == Delivery.Status.FAILED else "",
        )
    return mailing


def test_the_report_offers_to_resend_failures_with_a_confirmation_page(
    staff, esp, django_capture_on_commit_callbacks
):
    mailing = sent_mailing(["failed", "failed", "sent", "delivered"])

    report = text(staff.get(url("report", mailing.pk)))
    assert url("resend", mailing.pk) in report
    assert "2 e-mails n'ont pas été pris par le prestataire" in report

    page = staff.get(url("resend", mailing.pk))
    assert page.status_code == 200
    assert "Le prestataire est d'abord interrogé" in text(page)
    # A GET changes nothing.
    assert Delivery.objects.filter(status="failed").count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(url("resend", mailing.pk), follow=True)
    assert "2 e-mails en échec repartent." in text(response)
    # The tests' task backend ran the dispatch: the two went out, once, nobody else.
    assert esp.delivered_to() == {"p0@example.org": 1, "p1@example.org": 1}
    statuses = dict(Delivery.objects.values_list("volunteer__email", "status"))
    assert statuses == {
        "p0@example.org": "sent",
        "p1@example.org": "sent",
        "p2@example.org": "sent",
        "p3@example.org": "delivered",
    }
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT and mailing.resent_at is not None


def test_the_message_is_in_english_for_english_staff(staff, esp):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(get_user(staff))
    profile.preferred_language = "en"
    profile.save()
    mailing = sent_mailing(["failed"])
    page = text(staff.get(url("resend", mailing.pk)))
    assert "Resend the failures of this mailing?" in page
    response = staff.post(url("resend", mailing.pk), follow=True)
    assert "1 failed email is going out again." in text(response)


def test_nothing_to_resend_is_said_not_done(staff, esp):
    mailing = sent_mailing(["sent", "delivered"])
    assert url("resend", mailing.pk) not in text(staff.get(url("report", mailing.pk)))
    response = staff.post(url("resend", mailing.pk), follow=True)
    assert "Cet envoi n'a pas d'échec à renvoyer." in text(response)
    assert esp.calls == []


def test_a_draft_or_cancelled_mailing_has_nothing_to_resend(staff, esp):
    mailing = sent_mailing(["failed"])
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.CANCELLED)
    response = staff.post(url("resend", mailing.pk), follow=True)
    assert "Cet envoi n'a pas d'échec à renvoyer." in text(response)
    assert Delivery.objects.get().status == "failed"


def test_when_the_esp_cannot_say_nothing_is_resent(staff, esp):
    mailing = sent_mailing(["failed"])
    Delivery.objects.update(
        batch_key="6f1f0c38-3c38-4a53-9f2e-0d6a1c1b2f10", first_sent_at=timezone.now()
    )
    esp.outage(60, status=503)
    response = staff.post(url("resend", mailing.pk), follow=True)
    assert "Le prestataire ne répond pas : rien n'a été renvoyé." in text(response)
    assert Delivery.objects.get().status == "failed"
    assert esp.delivered == []


def test_without_the_send_permission_nothing_is_resent(client, django_user_model, home_page, esp):
    writer = django_user_model.objects.create_user(
        username="plume", email="plume@tousvoisins.example", password="x", is_staff=True
    )
    writer.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="mailings",
            codename__in=["add_mailing", "change_mailing", "view_mailing"],
        ),
    )
    client.force_login(writer)
    mailing = sent_mailing(["failed"])
    assert url("resend", mailing.pk) not in text(client.get(url("report", mailing.pk)))
    for method in ("get", "post"):
        response = getattr(client, method)(url("resend", mailing.pk))
        assert response.status_code == 403 or response["Location"] == reverse("wagtailadmin_home")
    assert Delivery.objects.get().status == "failed"
    assert esp.calls == []


def test_the_report_says_what_a_cancellation_in_flight_left(staff):
    mailing = sent_mailing(["sent", "sent", "sending", "cancelled"])
    Mailing.objects.filter(pk=mailing.pk).update(status=Mailing.Status.CANCELLED)
    report = text(staff.get(url("report", mailing.pk)))
    assert "Arrêté en cours d'envoi : 2 e-mails déjà confiés au prestataire sont partis" in report
    assert "1 ne partiront pas" in report
    assert (
        "1 e-mail confié au prestataire juste avant l'arrêt est en cours de vérification" in report
    )


def test_the_send_page_states_at_least_once_for_an_esp_without_keys(staff, settings, esp):
    mailing = Mailing.objects.create(
        subject="Bientôt", language="fr", body=[("paragraph", "<p>Bonjour</p>")]
    )
    VolunteerFactory(email="p@example.org")
    assert "au moins une fois" not in text(staff.get(url("send", mailing.pk)))
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    page = text(staff.get(url("send", mailing.pk)))
    assert "chaque bénévole le reçoit au moins une fois" in page
    assert "(postmark)" in page
