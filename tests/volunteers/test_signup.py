import pytest

from volunteers.models import ConsentRecord, Volunteer

pytestmark = pytest.mark.django_db


def test_form_renders_with_every_field_labelled(client, signup_page):
    response = client.get(signup_page.url)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("first_name", "email", "postcode", "consent_emails", "consent_mairie"):
        assert f'for="id_{name}"' in html
    # Both consent boxes start unticked.
    assert 'name="consent_emails" required' not in html or "checked" not in html
    assert "checked" not in html.split('name="consent_mairie"')[1].split(">")[0]


def test_signup_creates_pending_volunteer_consent_and_sends_confirmation(
    geography, post_signup, signup_page, signup_data, mailoutbox
):
    response = post_signup(signup_data(consent_mairie="on", email=" Camille@Example.ORG "))
    assert response.status_code == 302
    assert response["Location"] == signup_page.url + "merci/"
    volunteer = Volunteer.objects.get()
    assert volunteer.email == "camille@example.org"
    assert volunteer.status == Volunteer.Status.PENDING
    assert volunteer.commune == geography["dammarie"]
    assert volunteer.interest_slugs == ["aines"]
    assert volunteer.consent_emails and volunteer.consent_mairie
    records = list(volunteer.consents.order_by("purpose"))
    assert [(r.purpose, r.granted) for r in records] == [
        (ConsentRecord.Purpose.EMAILS, True),
        (ConsentRecord.Purpose.SHARE_WITH_MAIRIE, True),
    ]
    assert "recevoir les e-mails" in records[0].wording
    assert records[0].wording_version
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["camille@example.org"]
    assert "/benevoles/confirmer/" in message.body
    assert message.alternatives[0][1] == "text/html"


def _thanks_body(client, response):
    return client.get(response["Location"]).content


def test_known_address_gets_same_response_and_a_preferences_link(
    client, geography, post_signup, signup_data, mailoutbox
):
    from volunteers.factories import VolunteerFactory

    VolunteerFactory(email="deja@example.org", first_name="Déjà")
    new = post_signup(signup_data(email="nouveau@example.org"))
    known = post_signup(signup_data(email="DEJA@example.org", first_name="Intrus"))
    # Same status, same redirect, same page: nothing tells who is registered.
    assert (new.status_code, new["Location"]) == (known.status_code, known["Location"])
    assert _thanks_body(client, new) == _thanks_body(client, known)
    assert Volunteer.objects.count() == 2
    # The registered person's data was not overwritten by whoever typed their address.
    assert Volunteer.objects.get(email="deja@example.org").first_name == "Déjà"
    to_known = [m for m in mailoutbox if m.to == ["deja@example.org"]]
    assert len(to_known) == 1
    assert "/benevoles/preferences/" in to_known[0].body


def test_at_most_one_confirmation_email_per_address_per_day(
    geography, post_signup, signup_data, mailoutbox
):
    from django.utils import timezone

    for _ in range(3):
        assert post_signup(signup_data()).status_code == 302
    assert len(mailoutbox) == 1
    Volunteer.objects.update(confirmation_sent_at=timezone.now() - timezone.timedelta(hours=25))
    post_signup(signup_data())
    assert len(mailoutbox) == 2
    assert Volunteer.objects.count() == 1


def test_honeypot_pretends_success_and_saves_nothing(
    geography, post_signup, signup_page, signup_data, mailoutbox
):
    response = post_signup(signup_data(website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == signup_page.url + "merci/"
    assert not Volunteer.objects.exists()
    assert mailoutbox == []


def test_form_sent_too_fast_is_refused_with_a_message(
    geography, post_signup, signup_data, settings, mailoutbox
):
    settings.VOLUNTEERS_MIN_FILL_SECONDS = 60
    response = post_signup(signup_data())
    assert response.status_code == 400
    html = response.content.decode()
    assert not Volunteer.objects.exists()
    # A message for the whole form, at the top, with no field label (the field is hidden).
    assert response.context["form"].non_field_errors() == [
        "Le formulaire a été envoyé trop vite. Merci de vérifier vos réponses puis de "
        "l'envoyer à nouveau."
    ]
    summary = html.split('id="erreurs"')[1].split("</div>")[0]
    assert "envoyé trop vite" in summary
    assert "Started" not in html and "started :" not in html.lower()
    # What the visitor typed is still there.
    assert 'value="Camille"' in html
    assert 'value="camille@example.org"' in html
    assert 'value="77190"' in html
    assert "checked" in html.split('name="consent_emails"')[1].split(">")[0]


def test_form_sent_too_fast_says_so_in_english(
    geography, english_signup_page, client, signup_data, settings
):
    settings.VOLUNTEERS_MIN_FILL_SECONDS = 60
    response = client.post(english_signup_page.url, signup_data())
    assert response.status_code == 400
    html = response.content.decode()
    assert "The form was sent too quickly." in html
    assert "Started" not in html
    assert 'value="Camille"' in html


def test_forged_form_timestamp_is_refused(geography, post_signup, signup_data):
    response = post_signup(signup_data(started="1:forged:sig"))
    assert response.status_code == 400
    assert "expiré" in response.content.decode()
    assert "Started" not in response.content.decode()
    assert not Volunteer.objects.exists()


def _limit(settings, **scopes):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, **scopes}


def test_rate_limit_per_client_address(geography, post_signup, signup_data, settings):
    _limit(settings, signup="2/3600")
    for i in range(2):
        assert post_signup(signup_data(email=f"p{i}@example.org")).status_code == 302
    response = post_signup(signup_data(email="p3@example.org"))
    assert response.status_code == 429
    html = response.content.decode()
    assert "Trop de demandes" in html and "Rien n'a été enregistré" in html
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "no-store" in response["Cache-Control"]
    assert Volunteer.objects.count() == 2


def test_rate_limit_page_in_english(geography, client, english_signup_page, signup_data, settings):
    _limit(settings, signup="0/3600")
    response = client.post(english_signup_page.url, signup_data())
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many requests" in html and "Trop de demandes" not in html
    assert not Volunteer.objects.exists()


def test_rate_limit_per_email_address(geography, post_signup, signup_data, settings):
    _limit(settings, signup_email="2/3600")
    for i in range(2):
        post_signup(signup_data(), REMOTE_ADDR=f"10.0.0.{i}")
    response = post_signup(signup_data(email=" Camille@Example.org"), REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert Volunteer.objects.count() == 1


def test_rate_limit_window_ends(geography, post_signup, signup_data, settings, monkeypatch):
    from campaign import ratelimit

    _limit(settings, signup="1/3600")
    monkeypatch.setattr(ratelimit, "now", lambda: 7200.0 * 1000)
    assert post_signup(signup_data(email="a@example.org")).status_code == 302
    assert post_signup(signup_data(email="b@example.org")).status_code == 429
    monkeypatch.setattr(ratelimit, "now", lambda: 7200.0 * 1000 + 3600)
    assert post_signup(signup_data(email="b@example.org")).status_code == 302
    assert Volunteer.objects.count() == 2


def test_spoofed_forwarded_for_does_not_escape_the_limit(
    geography, post_signup, signup_data, settings
):
    # Behind one proxy, the client writes what it likes left of the proxy's own entry: a new
    # "address" at each post must not give it a new counter.
    settings.TRUSTED_PROXY_COUNT = 1
    settings.VOLUNTEERS_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"  # the old setting, now gone
    _limit(settings, signup="2/3600")
    statuses = [
        post_signup(
            signup_data(email=f"p{i}@example.org"),
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.9",
        ).status_code
        for i in range(4)
    ]
    assert statuses == [302, 302, 429, 429]
    assert Volunteer.objects.count() == 2
    # Another visitor behind the same proxy has a counter of their own.
    other = post_signup(
        signup_data(email="autre@example.org"),
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert other.status_code == 302


def test_postcode_with_several_communes_asks_which_one(
    geography, post_signup, signup_data, mailoutbox
):
    response = post_signup(signup_data(postcode="77000"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "choisissez la vôtre" in html
    assert 'value="77288"' in html and 'value="77255"' in html
    assert not Volunteer.objects.exists()
    response = post_signup(signup_data(postcode="77000", commune="77255"))
    assert response.status_code == 302
    assert Volunteer.objects.get().commune == geography["livry"]


def test_url_preselects_interest_and_commune(client, geography, signup_page):
    response = client.get(signup_page.url, {"interet": "accueil", "commune": "77152"})
    html = response.content.decode()
    assert 'name="commune" value="77152"' in html
    assert 'value="77190"' in html  # the commune's only postcode
    checked = html.split('value="accueil"')[1].split(">")[0]
    assert "checked" in checked


def test_url_preselection_ignores_junk(client, geography, signup_page):
    response = client.get(signup_page.url, {"interet": "<script>", "commune": "\x00abc"})
    assert response.status_code == 200
    assert "<script>" not in response.content.decode().split("<main")[1]


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"email": "pas-une-adresse"}, "email", "adresse e-mail valide"),
        ({"email": "a@b.fr\r\nBcc: x@example.org"}, "email", "adresse e-mail valide"),
        ({"postcode": "77190", "commune": "29019"}, "commune", "ne correspond pas au code postal"),
        ({"postcode": "99999"}, "postcode", "Aucune commune ne correspond"),
        ({"postcode": "7700"}, "postcode", "5 chiffres"),
        ({"consent_emails": None}, "consent_emails", "acceptez de recevoir"),
        ({"first_name": "A" * 81}, "first_name", "au plus 80"),
        ({"email": "a" * 250 + "@example.org"}, "email", ""),
        ({"first_name": "Jean\r\nBcc: x@example.org"}, "first_name", "retour à la ligne"),
        ({"last_name": "Nom\x00"}, "last_name", ""),
        ({"phone": "appelle-moi"}, "phone", "numéro de téléphone"),
        ({"hours_per_month": "0"}, "hours_per_month", ""),
        ({"hours_per_month": "9999999999999999999999"}, "hours_per_month", ""),
        ({"interests": ["inconnu"]}, "interests", ""),
        ({"availability": ["la-nuit"]}, "availability", ""),
        ({"first_name": "   "}, "first_name", ""),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    geography, post_signup, signup_data, mailoutbox, overrides, field, message
):
    response = post_signup(signup_data(**overrides))
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    if message:
        assert message in " ".join(form.errors[field])
    html = response.content.decode()
    # The error is linked to its field for screen readers.
    if field not in ("interests", "availability"):
        assert f'aria-describedby="id_{field}_error' in html or 'aria-invalid="true"' in html
    assert not Volunteer.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("name", ["Zoé-Élise", "فاطمة", "Anaïs 🌻", "O'Connor", "Nguyễn"])
def test_unicode_names_are_welcome(geography, post_signup, signup_data, name):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", name)
    assert post_signup(signup_data(first_name=decomposed)).status_code == 302
    assert Volunteer.objects.get().first_name == unicodedata.normalize("NFC", name)


def test_xss_payload_is_stored_as_text_and_escaped_everywhere(
    geography, post_signup, signup_data, mailoutbox
):
    payload = '<script>alert("x")</script>'
    assert post_signup(signup_data(first_name=payload)).status_code == 302
    assert Volunteer.objects.get().first_name == payload
    html = mailoutbox[0].alternatives[0][0]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_xss_payload_in_a_refused_form_is_escaped(geography, post_signup, signup_data):
    response = post_signup(signup_data(first_name="<img src=x onerror=alert(1)>", email="x"))
    assert response.status_code == 400
    assert "<img src=x" not in response.content.decode()


def test_two_identical_signups_at_the_same_moment_make_one_row(
    geography, signup_data, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    """The other request inserts between our existence check and our insert: the unique
    constraint refuses ours and we answer as for a known address, in the same transaction.
    (The bench does the same for real, with concurrent HTTP clients.)"""
    from volunteers import services
    from volunteers.forms import CONSENT_EMAILS_LABEL, consent_wording
    from volunteers.models import Volunteer as V

    kwargs = {
        "email": "course@example.org",
        "first_name": "Course",
        "commune": geography["melun"],
        "postcode": "77000",
        "consent_emails_wording": consent_wording(CONSENT_EMAILS_LABEL),
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.volunteer_signup(**kwargs)
    real_filter = V.objects.filter
    calls = {"n": 0}

    def racing_filter(*args, **kw):
        # The first existence check misses the row, as if it were not committed yet.
        calls["n"] += 1
        if calls["n"] == 1 and kw.get("email") == "course@example.org":
            return V.objects.none()
        return real_filter(*args, **kw)

    monkeypatch.setattr(V.objects, "filter", racing_filter)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.volunteer_signup(**kwargs)
    assert result.created is False
    assert V.objects.count() == 1
    assert len(mailoutbox) == 1  # the confirmation, not twice


def test_english_visitor_gets_english_messages_and_language(
    client, geography, signup_page, signup_data, django_capture_on_commit_callbacks, locales
):
    english = signup_page.copy_for_translation(locales["en"])
    english.save_revision().publish()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(english.url, signup_data(consent_emails=None))
    assert response.status_code == 400
    assert "To sign up, agree to receive the campaign" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(english.url, signup_data())
    assert response.status_code == 302
    volunteer = Volunteer.objects.get()
    assert volunteer.language == "en"
    assert volunteer.consents.get().language == "en"


def test_utm_parameters_are_kept_as_source(geography, post_signup, signup_page, signup_data):
    post_signup(signup_data(utm_source="affiche", utm_campaign="rentree\r\n2026"))
    volunteer = Volunteer.objects.get()
    assert volunteer.utm_source == "affiche"
    assert volunteer.utm_campaign == "rentree 2026"
    assert volunteer.source_page_id == signup_page.pk


def test_signup_page_query_count_is_bounded(
    client, geography, signup_page, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The first visit makes the settings rows, which starts a new generation of the
    # site-data cache (campaign/datacache.py); the second fills it.
    client.get(signup_page.url)
    client.get(signup_page.url)
    counts = []
    for preset in ({}, {"commune": "77152", "interet": "aines"}):
        with CaptureQueriesContext(connection) as ctx:
            client.get(signup_page.url, preset)
        counts.append(len(ctx))
    assert counts[1] - counts[0] <= 2  # the preselected commune, then its postcodes
    # The page itself (routing reads one level from the cache) and the interests; the site,
    # settings, view restrictions, language links and menus come from the cache (12 before
    # issue 14). tests/campaign/test_query_budget.py asserts the same figure.
    assert counts[0] == 2


def test_invalid_posts_count_towards_the_limit_too(geography, post_signup, signup_data, settings):
    _limit(settings, signup="2/3600")
    for _ in range(2):
        assert post_signup(signup_data(email="pas-une-adresse")).status_code == 400
    response = post_signup(signup_data(email="valide@example.org"))
    assert response.status_code == 429
    assert not Volunteer.objects.exists()


def test_commune_lookup_script_only_enhances(client, geography, signup_page):
    html = client.get(signup_page.url).content.decode()
    assert 'src="/static/js/volunteers.js" defer' in html
    assert 'data-commune-lookup="/communes/"' in html
    # No inline script or style: the page works the same without the file.
    body = html.split("<main")[1].split("</main>")[0]
    assert "<script" not in body and "style=" not in body


def test_signup_page_lives_under_the_home_page_only(home_page):
    from campaign.models import ContentPage
    from volunteers.models import VolunteerSignupPage

    assert VolunteerSignupPage.can_create_at(home_page)
    assert not VolunteerSignupPage.can_create_at(ContentPage(title="x"))
    assert VolunteerSignupPage.allowed_subpage_models() == []


def test_request_lines_with_signed_links_are_not_logged(settings):
    # Tokens travel in URL paths: the development server's request log stays quiet.
    assert settings.LOGGING["loggers"]["django.server"]["level"] == "WARNING"


def test_nul_bytes_anywhere_never_reach_the_database(
    client, geography, post_signup, signup_page, signup_data
):
    # PostgreSQL refuses NUL in text: each must be caught before, with no 500.
    assert (
        client.get(signup_page.url, {"commune": "7\x00288", "utm_source": "a\x00b"}).status_code
        == 200
    )
    response = post_signup(signup_data(utm_source="af\x00fiche", utm_medium="x\x00"))
    assert response.status_code == 302
    assert Volunteer.objects.get().utm_source == "af fiche"
    for field in ("first_name", "email", "postcode", "commune", "phone", "interests"):
        response = post_signup(signup_data(**{"email": "nul@example.org", field: "a\x00b"}))
        assert response.status_code == 400, field


def _commune_radios(html):
    """The commune radio buttons of a page: {INSEE code: checked?}."""
    radios = {}
    for chunk in html.split('type="radio" name="commune"')[1:]:
        tag = chunk.split(">")[0]
        code = tag.split('value="')[1].split('"')[0]
        radios[code] = " checked" in tag
    return radios


def test_commune_preselected_from_a_poster_is_shown_and_sent_without_javascript(
    client, geography, post_signup, signup_page, signup_data
):
    # Melun's postcode, 77000, also serves Livry-sur-Seine.
    response = client.get(signup_page.url, {"commune": "77288"})
    html = response.content.decode()
    assert 'value="77000"' in html
    assert _commune_radios(html) == {"77288": True, "77255": False}
    assert "Melun (77)" in html and "Livry-sur-Seine (77)" in html
    assert "Une autre commune ? Changez le code postal." in html
    # Sent as shown (no script fills anything in), it signs Melun up.
    assert post_signup(signup_data(postcode="77000", commune="77288")).status_code == 302
    assert Volunteer.objects.get().commune == geography["melun"]


def test_commune_preselected_alone_on_its_postcode_is_shown_too(client, geography, signup_page):
    html = client.get(signup_page.url, {"commune": "77152"}).content.decode()
    assert _commune_radios(html) == {"77152": True}
    assert "Dammarie-les-Lys (77)" in html


def test_commune_with_several_postcodes_preselected_is_shown(client, geography, signup_page):
    from tests.volunteers.conftest import make_commune

    make_commune("29232", "Quimper", geography["departments"]["29"], postcodes=["29000", "29500"])
    html = client.get(signup_page.url, {"commune": "29232"}).content.decode()
    assert _commune_radios(html) == {"29232": True}
    assert "Quimper (29)" in html
    assert 'name="postcode" value=' not in html  # which of its postcodes is the visitor's?


def test_commune_preselected_in_english(client, geography, english_signup_page):
    html = client.get(english_signup_page.url, {"commune": "77288"}).content.decode()
    assert _commune_radios(html) == {"77288": True, "77255": False}
    assert "Another town? Change the postcode." in html


def test_unknown_preselected_commune_is_dropped(client, geography, signup_page):
    response = client.get(signup_page.url, {"commune": "77999"})
    assert response.status_code == 200
    html = response.content.decode()
    assert _commune_radios(html) == {}
    assert 'name="commune"' not in html
