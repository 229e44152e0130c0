"""The mailings moved to their own app (mailings/0001 takes them over). Only Django's idea of
the models changes here: the tables, their rows and their constraints stay as they are, and
mailings/0001 declares the same models on the same tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0007_emailtemplate_body_paragraphs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="deliveryevent", name="delivery"),
                migrations.RemoveField(model_name="mailing", name="audience_departments"),
                migrations.RemoveField(model_name="mailing", name="audience_regions"),
                migrations.RemoveField(model_name="mailing", name="created_by"),
                migrations.DeleteModel(name="Delivery"),
                migrations.DeleteModel(name="DeliveryEvent"),
                migrations.DeleteModel(name="Mailing"),
            ],
            database_operations=[],
        )
    ]
