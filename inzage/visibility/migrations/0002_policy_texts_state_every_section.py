"""Versions stored before every section was required: state the sections they left out, with the values that
applied to them (the format-1 defaults), so the stricter parser still reads them and what they mean is unchanged."""

from django.db import migrations


def state_sections(apps, schema_editor):
    from inzage.visibility.policy.document import PolicyError, state_missing_sections

    PolicyVersion = apps.get_model("visibility", "PolicyVersion")
    for version in PolicyVersion.objects.all().only("pk", "text"):
        try:
            text = state_missing_sections(version.text)
        except PolicyError:
            continue  # not TOML: it could never have been activated; leave the row as it was
        if text != version.text:
            PolicyVersion.objects.filter(pk=version.pk).update(text=text)


class Migration(migrations.Migration):
    dependencies = [("visibility", "0001_initial")]

    operations = [migrations.RunPython(state_sections, migrations.RunPython.noop)]
