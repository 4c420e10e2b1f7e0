"""The run page says what the engine proved about the total score."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching import engine
from matching.services import run_execute, run_start
from tests.factories import RefugeeFactory, SponsorFactory

pytestmark = pytest.mark.django_db


def test_run_detail_shows_what_was_proved_about_the_total_score(client, staff):
    for i in range(3):
        SponsorFactory(first_name=f"S{i}")
    for i in range(2):
        RefugeeFactory(first_name=f"R{i}")
    client.force_login(staff)
    run = run_start(by=staff, weights=engine.Weights())
    run_execute(run.pk)
    run.refresh_from_db()
    url = reverse("matching:run", kwargs={"pk": run.pk})
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"The total score, {run.total_score}, is the best possible (proved)." in page

    # A national pool's run (large mode): a proved bound, and the gap to it.
    run.certificate = {**run.certificate, "score_exact": False,
                       "score_bound": run.total_score + run.total_score // 100 + 1}  # fmt: skip
    run.save(update_fields=["certificate"])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"The total score, {run.total_score}, is at most 1." in page
    assert f"(proved bound: {run.certificate['score_bound']})." in page


def test_run_score_sentence_is_empty_for_a_run_stored_without_a_proof(staff):
    from matching.models import MatchRun

    assert MatchRun(total_score=10, certificate={}).score_sentence() == ""
