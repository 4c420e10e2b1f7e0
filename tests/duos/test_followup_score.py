"""The follow-up queue's score said in words: a legend, each reason's points, a labelled total."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from duos.followup import timeline
from duos.models import ReportStatus
from tests.factories import DuoFactory, ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported_duo(db):
    duo = DuoFactory()
    ReportFactory(duo=duo, status=ReportStatus.OPEN, urgent=True)
    ReportFactory(duo=duo, status=ReportStatus.OPEN)
    return duo


def test_followup_queue_says_what_the_score_is_and_how_it_is_counted(staff_client, reported_duo):
    body = staff_client.get(reverse("duos:followup")).content.decode()

    entry = re.search(rf'(?s)<li id="queue-{reported_duo.pk}">(.*?)</li>\s*</ol>', body)[1]
    points = timeline.URGENT_REPORT_POINTS + timeline.REPORT_POINTS
    assert "Score " not in entry
    link = '<a href="#score-legend" aria-describedby="score-legend-lead">'
    assert f"{link}Call score: {points} points</a>" in entry
    # Each reason says its share of the score.
    assert re.search(rf"<li class=\"open_report\">[^<]+ · {points} points</li>", entry)
    assert '<summary id="score-legend-title">How is the call score counted?</summary>' in body
    assert 'id="score-legend-lead">The call score adds up the points' in body
    for line in timeline.score_legend():
        assert f"<li>{line}</li>" in body


def test_score_legend_reads_the_points_the_signals_give():
    with pytest.MonkeyPatch.context() as patch, translation.override("en"):
        patch.setattr(timeline, "REPORT_POINTS", 7)
        legend = timeline.score_legend()

    assert "An open report: 7 points each, 10 for an urgent one." in legend
    assert "No meeting for 2 months in a row or more: 3 points per month." in legend
