"""Tables on a phone: each scrolls in its own named box, so the page never scrolls sideways."""

import re
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from duos.lifecycle import views as lifecycle_views
from duos.models import Duo
from tests.factories import DuoFactory

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
WRAPPER = re.compile(
    r'<div class="table-scroll" role="region" '
    r'(?:aria-labelledby="(?P<labelledby>[^"]+)"|aria-label="(?P<label>[^"]+)") tabindex="0">\s*$'
)


def tables_in(body: str) -> list[re.Match | None]:
    """For each table, the scroll box it stands in (None when it stands in none)."""
    return [WRAPPER.search(body[: match.start()]) for match in re.finditer(r"<table\b", body)]


def test_every_table_of_every_template_stands_in_a_scroll_box():
    found = 0
    for template in sorted(TEMPLATES.rglob("*.html")):
        if "emails" in template.parts:  # emails lay tables out for mail readers
            continue
        body = template.read_text()
        for box in tables_in(body):
            found += 1
            assert box, f"{template.relative_to(TEMPLATES)}: a table outside a .table-scroll box"
    assert found >= 10


def test_dashboard_tables_scroll_boxes_are_named_by_their_captions(staff_client):
    DuoFactory()
    body = staff_client.get(reverse("duos:dashboard")).content.decode()

    boxes = tables_in(body)
    assert boxes and all(boxes)
    for box in boxes:
        name = box["labelledby"]
        assert re.search(rf'<caption id="{name}">[^<]+</caption>', body), name


def test_followup_and_waiting_tables_are_named(staff_client):
    DuoFactory()
    waiting = DuoFactory(waiting=True)
    Duo.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - timedelta(days=9))

    followup = staff_client.get(reverse("duos:followup")).content.decode()
    silent = staff_client.get(reverse("duos:waiting")).content.decode()

    assert [box["labelledby"] for box in tables_in(followup)] == ["list-title"]
    assert 'id="list-title"' in followup
    assert [box["label"] for box in tables_in(silent)] == ["Duos waiting for an answer"]


def test_waiting_duos_are_listed_a_page_at_a_time(staff_client, monkeypatch):
    monkeypatch.setattr(lifecycle_views, "WAITING_PAGE_SIZE", 2)
    duos = [DuoFactory(waiting=True) for _ in range(3)]
    for days, duo in enumerate(duos):
        Duo.objects.filter(pk=duo.pk).update(created_at=timezone.now() - timedelta(days=20 - days))

    first = staff_client.get(reverse("duos:waiting"))
    second = staff_client.get(reverse("duos:waiting"), {"page": 2})

    assert first.status_code == second.status_code == HTTPStatus.OK
    assert [d.pk for d in first.context["page_obj"]] == [duos[0].pk, duos[1].pk]
    assert [d.pk for d in second.context["page_obj"]] == [duos[2].pk]
    assert "Page 1 of 2" in first.content.decode() and 'rel="next"' in first.content.decode()
