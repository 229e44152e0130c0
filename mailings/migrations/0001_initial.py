"""The mailings, taken over from `volunteers` (volunteers/0008 let them go) on the tables
they already have: the state only, no table is created, renamed or copied, so every row
stays. Their content types move to this app too, so the permissions given to groups (and
the admin's log entries) stay attached to the same models: `mailings.send_mailing` is the
permission `volunteers.send_mailing` was."""

import django.db.models.deletion
import django.utils.timezone
import wagtail.fields
import wagtail.models.preview
from django.conf import settings
from django.db import migrations, models

MODELS = ["mailing", "delivery", "deliveryevent"]


def content_types_move(apps, schema_editor, source="volunteers", target="mailings"):
    """Give the three models' content types to `target`. When `target`'s content types
    already exist (on a database built from nothing, another app's migration may create
    every app's content types before this one runs), the grants made on the `source` ones
    (groups' and users' permissions) are carried over to the twin permission of the same
    codename, every row that points at a `source` content type (Wagtail's log entries,
    revisions…) is pointed at the `target` one, and the `source` one is removed."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    content_types = ContentType.objects.using(db)
    for model in MODELS:
        old = content_types.filter(app_label=source, model=model).first()
        if old is None:
            continue
        new = content_types.filter(app_label=target, model=model).first()
        if new is None:
            content_types.filter(pk=old.pk).update(app_label=target)
            continue
        for permission in Permission.objects.using(db).filter(content_type=old):
            twin, _created = Permission.objects.using(db).get_or_create(
                content_type=new, codename=permission.codename, defaults={"name": permission.name}
            )
            for group in permission.group_set.all():
                group.permissions.add(twin)
            for user in permission.user_set.all():
                user.user_permissions.add(twin)
        for related in apps.get_models():
            for field in related._meta.get_fields():
                if (
                    getattr(field, "many_to_one", False)
                    and field.concrete
                    and field.related_model is ContentType
                    and related is not Permission
                ):
                    related.objects.using(db).filter(**{field.name: old}).update(
                        **{field.name: new}
                    )
        Permission.objects.using(db).filter(content_type=old).delete()
        old.delete()


def content_types_move_back(apps, schema_editor):
    content_types_move(apps, schema_editor, source="mailings", target="volunteers")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("geography", "0002_editors_view_communes"),
        ("volunteers", "0008_mailings_moved_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "à envoyer"),
                                    ("sending", "envoi en cours"),
                                    ("sent", "remis au prestataire"),
                                    ("delivered", "distribué"),
                                    ("unsubscribed", "désinscrit"),
                                    ("complained", "signalé comme indésirable"),
                                    ("bounced", "rejeté (adresse en échec)"),
                                    ("failed", "échec de l'envoi"),
                                    ("skipped", "non envoyé (plus destinataire)"),
                                    ("cancelled", "annulé"),
                                ],
                                default="pending",
                                max_length=16,
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        (
                            "next_attempt_at",
                            models.DateTimeField(default=django.utils.timezone.now),
                        ),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("batch_key", models.UUIDField(blank=True, null=True)),
                        ("esp_message_id", models.CharField(blank=True, max_length=255)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("event_at", models.DateTimeField(blank=True, null=True)),
                        ("error", models.CharField(blank=True, max_length=300)),
                        (
                            "volunteer",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="deliveries",
                                to="volunteers.volunteer",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "envoi à un bénévole",
                        "verbose_name_plural": "envois aux bénévoles",
                        "db_table": "volunteers_delivery",
                    },
                ),
                migrations.CreateModel(
                    name="DeliveryEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("key", models.CharField(max_length=64, unique=True)),
                        ("event_type", models.CharField(max_length=32)),
                        ("occurred_at", models.DateTimeField(null=True)),
                        ("received_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "delivery",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="mailings.delivery",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "volunteers_deliveryevent",
                        "ordering": ["received_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Mailing",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("manual", "envoi"), ("reminder", "rappel mensuel")],
                                default="manual",
                                editable=False,
                                max_length=16,
                                verbose_name="type",
                            ),
                        ),
                        ("subject", models.CharField(max_length=150, verbose_name="objet")),
                        (
                            "preheader",
                            models.CharField(
                                blank=True,
                                help_text="La ligne que les messageries montrent après l'objet.",
                                max_length=150,
                                verbose_name="texte d'aperçu",
                            ),
                        ),
                        (
                            "language",
                            models.CharField(
                                choices=[("fr", "Français"), ("en", "English")],
                                default="fr",
                                max_length=8,
                                verbose_name="langue de l'e-mail",
                            ),
                        ),
                        (
                            "body",
                            wagtail.fields.StreamField(
                                [
                                    ("heading", 0),
                                    ("paragraph", 1),
                                    ("image", 5),
                                    ("button", 8),
                                    ("story", 9),
                                    ("gesture", 10),
                                    ("gesture_of_the_month", 11),
                                ],
                                block_lookup={
                                    0: ("mailings.blocks.EmailHeadingBlock", (), {}),
                                    1: ("mailings.blocks.EmailParagraphBlock", (), {}),
                                    2: (
                                        "wagtail.images.blocks.ImageChooserBlock",
                                        (),
                                        {"label": "image"},
                                    ),
                                    3: (
                                        "wagtail.blocks.CharBlock",
                                        (),
                                        {
                                            "help_text": "Ce que montre l'image, pour qui ne la voit pas (beaucoup de messageries masquent les images).",
                                            "label": "texte alternatif",
                                            "max_length": 250,
                                        },
                                    ),
                                    4: (
                                        "wagtail.blocks.CharBlock",
                                        (),
                                        {"label": "légende", "max_length": 200, "required": False},
                                    ),
                                    5: (
                                        "wagtail.blocks.StructBlock",
                                        [[("image", 2), ("alt", 3), ("caption", 4)]],
                                        {},
                                    ),
                                    6: (
                                        "wagtail.blocks.CharBlock",
                                        (),
                                        {"label": "texte du bouton", "max_length": 60},
                                    ),
                                    7: (
                                        "wagtail.blocks.CharBlock",
                                        (),
                                        {
                                            "help_text": "Une adresse complète, qui commence par https://",
                                            "label": "adresse du lien",
                                            "max_length": 500,
                                        },
                                    ),
                                    8: (
                                        "wagtail.blocks.StructBlock",
                                        [[("label", 6), ("url", 7)]],
                                        {},
                                    ),
                                    9: ("mailings.blocks.EmailStoryBlock", (), {}),
                                    10: ("mailings.blocks.EmailGestureBlock", (), {}),
                                    11: ("mailings.blocks.EmailGestureOfTheMonthBlock", (), {}),
                                },
                                verbose_name="contenu",
                            ),
                        ),
                        (
                            "audience_communes",
                            models.TextField(
                                blank=True,
                                help_text="Codes INSEE séparés par des virgules ou des espaces, par exemple 77288.",
                                verbose_name="communes (codes INSEE)",
                            ),
                        ),
                        (
                            "audience_interests",
                            models.JSONField(
                                blank=True, default=list, verbose_name="centres d'intérêt"
                            ),
                        ),
                        (
                            "audience_language",
                            models.CharField(
                                blank=True,
                                choices=[("fr", "Français"), ("en", "English")],
                                help_text="Laissez vide pour écrire à tous, quelle que soit leur langue.",
                                max_length=8,
                                verbose_name="langue des destinataires",
                            ),
                        ),
                        (
                            "audience_signed_up_after",
                            models.DateField(
                                blank=True, null=True, verbose_name="inscrits à partir du"
                            ),
                        ),
                        (
                            "audience_signed_up_before",
                            models.DateField(
                                blank=True, null=True, verbose_name="inscrits avant le"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "brouillon"),
                                    ("scheduled", "programmé"),
                                    ("sending", "en cours d'envoi"),
                                    ("sent", "envoyé"),
                                    ("cancelled", "annulé"),
                                ],
                                db_index=True,
                                default="draft",
                                max_length=16,
                                verbose_name="statut",
                            ),
                        ),
                        (
                            "scheduled_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="envoi programmé le"
                            ),
                        ),
                        (
                            "started_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="envoi commencé le"
                            ),
                        ),
                        (
                            "finished_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="envoi terminé le"
                            ),
                        ),
                        (
                            "cancelled_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="annulé le"),
                        ),
                        (
                            "recipients_count",
                            models.PositiveIntegerField(default=0, verbose_name="destinataires"),
                        ),
                        (
                            "sent_subject",
                            models.CharField(blank=True, editable=False, max_length=150),
                        ),
                        ("sent_html", models.TextField(blank=True, editable=False)),
                        ("sent_text", models.TextField(blank=True, editable=False)),
                        ("reminder_month", models.DateField(blank=True, editable=False, null=True)),
                        (
                            "reminder_department",
                            models.CharField(blank=True, editable=False, max_length=3),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now,
                                editable=False,
                                verbose_name="créé le",
                            ),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, verbose_name="modifié le"),
                        ),
                        (
                            "audience_departments",
                            models.ManyToManyField(
                                blank=True,
                                related_name="+",
                                to="geography.department",
                                verbose_name="départements",
                            ),
                        ),
                        (
                            "audience_regions",
                            models.ManyToManyField(
                                blank=True,
                                related_name="+",
                                to="geography.region",
                                verbose_name="régions",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="créé par",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "envoi d'e-mails",
                        "verbose_name_plural": "envois d'e-mails",
                        "db_table": "volunteers_mailing",
                        "ordering": ["-created_at", "-pk"],
                        "permissions": [("send_mailing", "Peut envoyer un envoi d'e-mails")],
                    },
                    bases=(wagtail.models.preview.PreviewableMixin, models.Model),
                ),
                migrations.AddField(
                    model_name="delivery",
                    name="mailing",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="mailings.mailing",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="mailing",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("kind", "reminder")),
                        fields=("reminder_month", "language", "reminder_department"),
                        name="volunteers_mailing_one_reminder_per_month",
                    ),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(
                        fields=["mailing", "status"], name="volunteers_delivery_status"
                    ),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(
                        fields=["status", "next_attempt_at"], name="volunteers_delivery_due"
                    ),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(fields=["batch_key"], name="volunteers_delivery_batch"),
                ),
                migrations.AddIndex(
                    model_name="delivery",
                    index=models.Index(
                        fields=["esp_message_id"], name="volunteers_delivery_message"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="delivery",
                    constraint=models.UniqueConstraint(
                        fields=("mailing", "volunteer"),
                        name="volunteers_delivery_once_per_volunteer",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_move, content_types_move_back),
    ]
