"""Tables and code blocks rendered before they scrolled in their own box get it now. Only the
derived HTML is written (an UPDATE), so no article's "modified" time moves."""

from django.db import migrations
from django.db.models import Q

from articles.rendering import render_markdown

HAS_WIDE_BLOCKS = Q(body_html__contains="<table>") | Q(body_html__contains="<pre>")


def render_again(apps, schema_editor):
    for model_name in ("Article", "SitePage", "SitePageVersion"):
        model = apps.get_model("articles", model_name)
        for pk, body in model.objects.filter(HAS_WIDE_BLOCKS).values_list("pk", "body"):
            model.objects.filter(pk=pk).update(body_html=render_markdown(body).html)


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_site_editors_group")]

    operations = [migrations.RunPython(render_again, migrations.RunPython.noop)]
