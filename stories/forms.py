"""The public nomination form ("Proposer un héros")."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from campaign.geography.forms import PostcodeField, unknown_postcode_error
from campaign.geography.models import search_key
from campaign.geography.selectors import communes_for_postcode
from campaign.text import MultilineField, clean_line
from campaign.uploads import safe_image

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # a phone's photo, with room to spare
PHOTO_MAX_SIDE = 2400  # pixels: ample for a portrait on the site, a tenth of the bytes
PHOTO_TOO_HEAVY = _("Cette photo pèse plus de 10 Mo. Envoyez une version plus légère.")
PHOTO_NOT_AN_IMAGE = _(
    "Ce fichier n'est pas une photo que nous savons lire. Envoyez une image JPEG, PNG, WebP ou GIF."
)
PHOTO_TOO_LARGE = _(
    "Cette image a trop de pixels pour être traitée. Envoyez une photo plus petite, "
    "par exemple prise avec un téléphone."
)
PHOTO_ERRORS = {
    "too_heavy": PHOTO_TOO_HEAVY,
    "not_an_image": PHOTO_NOT_AN_IMAGE,
    "unsupported_format": PHOTO_NOT_AN_IMAGE,
    "too_many_pixels": PHOTO_TOO_LARGE,
}
COMMUNE_AMBIGUOUS = _(
    "Plusieurs communes ont ce code postal : %(names)s. Écrivez le nom de la bonne commune."
)
COMMUNE_NOT_IN_POSTCODE = _(
    "Nous ne trouvons pas « %(name)s » avec ce code postal. Les communes de ce code postal "
    "sont : %(names)s."
)


class NominationForm(forms.Form):
    hero_first_name = forms.CharField(
        label=_("Prénom de la personne que vous proposez"), max_length=60
    )
    postcode = PostcodeField(label=_("Code postal de sa commune"))
    commune_name = forms.CharField(
        label=_("Nom de sa commune"),
        max_length=100,
        required=False,
        help_text=_("Utile quand plusieurs communes partagent le même code postal."),
    )
    what_they_did = MultilineField(
        label=_("Ce qu'elle ou il a fait"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Racontez avec vos mots : qui a été aidé, comment, depuis quand."),
    )
    photo = forms.FileField(
        label=_("Une photo (facultatif)"),
        required=False,
        help_text=_("JPEG, PNG, WebP ou GIF, 10 Mo au plus."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
        ),
    )
    hero_agreed = forms.BooleanField(
        label=_("La personne que je propose est d'accord pour que je la présente."),
        error_messages={
            "required": _(
                "Demandez-lui d'abord son accord : nous ne publions personne sans l'avoir."
            )
        },
    )
    proposer_name = forms.CharField(label=_("Votre nom"), max_length=120)
    proposer_email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        help_text=_("Pour vous confirmer la réception et vous recontacter, rien d'autre."),
    )

    hero_fields = ("hero_first_name", "postcode", "commune_name", "what_they_did", "photo")
    proposer_fields = ("proposer_name", "proposer_email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposer_email"].widget.attrs["autocomplete"] = "email"
        self.fields["proposer_name"].widget.attrs["autocomplete"] = "name"

    @property
    def photo_was_sent(self):
        """A browser never re-fills a file input: say so when the form comes back."""
        return bool(self.files.get("photo"))

    def full_clean(self):
        super().full_clean()
        # Tie each error message to its field for screen readers (Django links help texts
        # only).
        for name, field in self.fields.items():
            if name in self.errors:
                bound = self[name]
                ids = [f"{bound.auto_id}_error"]
                if field.help_text:
                    ids.append(f"{bound.auto_id}_helptext")
                field.widget.attrs["aria-describedby"] = " ".join(ids)

    # One-line fields: no line break nor control character (they would reach email headers
    # and exports). The story keeps its line breaks, and loses any other control character.
    def clean_hero_first_name(self):
        return self._required_line("hero_first_name")

    def clean_commune_name(self):
        return clean_line(self.cleaned_data["commune_name"])

    def clean_proposer_name(self):
        return self._required_line("proposer_name")

    def _required_line(self, name):
        value = clean_line(self.cleaned_data[name])
        if not value:
            raise ValidationError(self.fields[name].error_messages["required"])
        return value

    def clean_photo(self):
        """The photo re-encoded from its pixels (campaign/uploads.py): stored as
        `photo.<extension of its verified format>`, whatever the visitor called it; the
        model then gives it a random name."""
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        try:
            image = safe_image(
                photo,
                max_bytes=MAX_PHOTO_BYTES,
                max_pixels=getattr(settings, "WAGTAILIMAGES_MAX_IMAGE_PIXELS", 40_000_000),
                max_side=PHOTO_MAX_SIDE,
            )
        except ValidationError as error:
            message = PHOTO_ERRORS.get(error.code, PHOTO_NOT_AN_IMAGE)
            raise ValidationError(message, code=error.code) from error
        return ContentFile(image.content, name=f"photo.{image.extension}")

    def clean(self):
        cleaned_data = super().clean()
        postcode = cleaned_data.get("postcode")
        if not postcode:
            return cleaned_data
        communes = list(communes_for_postcode(postcode))
        if not communes:
            self.add_error("postcode", unknown_postcode_error(postcode))
            return cleaned_data
        name = cleaned_data.get("commune_name", "")
        names = ", ".join(c.name for c in communes)
        if name:
            key = search_key(name)
            matches = [c for c in communes if c.search_name == key]
            if len(matches) != 1:
                self.add_error(
                    "commune_name",
                    ValidationError(
                        COMMUNE_NOT_IN_POSTCODE,
                        code="unknown_commune",
                        params={"name": name, "names": names},
                    ),
                )
                return cleaned_data
            cleaned_data["commune"] = matches[0]
        elif len(communes) == 1:
            cleaned_data["commune"] = communes[0]
        else:
            self.add_error(
                "commune_name",
                ValidationError(COMMUNE_AMBIGUOUS, code="ambiguous", params={"names": names}),
            )
        return cleaned_data
