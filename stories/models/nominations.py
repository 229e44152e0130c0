"""Hero nominations sent by visitors through "Proposer un héros"."""

import uuid
from pathlib import PurePath

from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, Panel

PHOTO_EXTENSIONS = (".jpg", ".png", ".webp")


def nomination_photo_path(instance, filename):
    # A random name: the visitor's file name may carry a person's name, and a guessable
    # address would expose photos that are not published. The form names the file after
    # the format it verified and re-encoded (stories/forms.py); anything else gets no
    # image extension, so it can never be served as a page or an image it is not.
    suffix = PurePath(filename).suffix.lower()
    if suffix not in PHOTO_EXTENSIONS:
        suffix = ".bin"
    return f"nominations/{uuid.uuid4().hex}{suffix}"


def nomination_photo_html(nomination):
    """The admin's link to a nomination's photo, with a thumbnail: both through the admin
    view that checks the permission (stories/admin_views.py), never a /media/ address."""
    return render_to_string(
        "stories/admin/nomination_photo.html",
        {
            "photo_url": reverse("stories_nomination_photo", args=[nomination.pk])
            if nomination.photo
            else ""
        },
    )


class NominationPhotoPanel(Panel):
    """The photo, read-only in the edit form: staff see it, nobody uploads through the
    admin a file that the public form's checks would not have re-encoded."""

    class BoundPanel(Panel.BoundPanel):
        def render_html(self, parent_context=None):
            return nomination_photo_html(self.instance)


class NominationQuerySet(models.QuerySet):
    def new(self):
        return self.filter(status=Nomination.Status.NEW)

    def newest_first(self):
        return self.order_by("-created_at", "-pk")


class Nomination(models.Model):
    """A visitor proposes a neighbour as a hero. Staff read it in the admin, then accept it
    (and turn it into a draft story) or decline it. Never shown on the public site.

    Not in the search index: personal data stays in this table only; the admin listing
    searches it with the ORM."""

    class Status(models.TextChoices):
        NEW = "new", _("nouvelle")
        ACCEPTED = "accepted", _("acceptée")
        DECLINED = "declined", _("refusée")

    status = models.CharField(
        _("statut"), max_length=10, choices=Status, default=Status.NEW, db_index=True
    )
    proposer_name = models.CharField(_("nom de la personne qui propose"), max_length=120)
    proposer_email = models.EmailField(_("adresse e-mail de la personne qui propose"))
    hero_first_name = models.CharField(_("prénom du héros"), max_length=60)
    commune = models.ForeignKey(
        "geography.Commune",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="nominations",
    )
    what_they_did = models.TextField(_("ce que cette personne a fait"), max_length=3000)
    photo = models.FileField(
        _("photo"), upload_to=nomination_photo_path, blank=True, max_length=200
    )
    hero_agreed = models.BooleanField(_("le héros est d'accord pour être proposé"))
    language = models.CharField(_("langue"), max_length=8, default="fr", editable=False)
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True, db_index=True)
    story = models.ForeignKey(
        "stories.StoryPage",
        verbose_name=_("histoire créée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    staff_notes = models.TextField(_("notes de l'équipe"), blank=True)

    objects = NominationQuerySet.as_manager()

    panels = [
        FieldPanel("status"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("hero_first_name"), FieldPanel("commune")]),
                FieldPanel("what_they_did"),
                NominationPhotoPanel(heading=_("photo")),
                FieldPanel("hero_agreed"),
            ],
            heading=_("Le héros"),
        ),
        MultiFieldPanel(
            [FieldPanel("proposer_name"), FieldPanel("proposer_email")],
            heading=_("La personne qui propose"),
        ),
        FieldPanel("staff_notes"),
    ]

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposition de héros")
        verbose_name_plural = _("propositions de héros")

    def __str__(self):
        return f"{self.hero_first_name} ({self.commune_id})"
