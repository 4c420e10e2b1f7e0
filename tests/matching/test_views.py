"""The match run pages: start a run, follow its progress, see how it ended."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import Role
from matching import engine
from matching.models import MatchRun, Proposal, RunState
from matching.services import run_start
from tests.conftest import client_for
from tests.factories import RefugeeFactory, SponsorFactory

pytestmark = pytest.mark.django_db

RUNS = reverse("matching:runs")
DEFAULT_WEIGHTS = {f"weight_{name}": value for name, value in vars(engine.Weights()).items()}


@pytest.fixture
def pool():
    sponsors = [SponsorFactory(first_name=f"S{i}") for i in range(3)]
    refugees = [RefugeeFactory(first_name=f"R{i}") for i in range(2)]
    return sponsors, refugees


def run_urls(run: MatchRun) -> list[str]:
    return [
        reverse("matching:run", kwargs={"pk": run.pk}),
        reverse("matching:run_progress", kwargs={"pk": run.pk}),
    ]


# Access


def test_runs_sends_anonymous_visitors_to_log_in(client):
    response = client.get(RUNS)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("who", ["outsider", "sponsor", "refugee", "social_worker"])
def test_runs_answers_404_to_anyone_outside_the_team(client, who, request, staff):
    visitor = request.getfixturevalue(who)
    client.force_login(getattr(visitor, "user", visitor))
    run = run_start(by=staff, weights=engine.Weights())

    assert client.get(RUNS).status_code == HTTPStatus.NOT_FOUND
    assert client.post(RUNS, DEFAULT_WEIGHTS).status_code == HTTPStatus.NOT_FOUND
    for url in run_urls(run):
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert MatchRun.objects.count() == 1


def test_run_pages_refuse_wrong_methods(staff_client, staff):
    run = run_start(by=staff, weights=engine.Weights())

    assert staff_client.put(RUNS).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    for url in run_urls(run):
        assert staff_client.post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_run_detail_answers_404_for_an_unknown_run(staff_client):
    url = reverse("matching:run", kwargs={"pk": 999})

    assert staff_client.get(url).status_code == HTTPStatus.NOT_FOUND


# The runs page


def test_runs_shows_the_form_with_the_engine_default_weights(staff_client):
    response = staff_client.get(RUNS)

    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert {name: form[name].value() for name in DEFAULT_WEIGHTS} == DEFAULT_WEIGHTS


def test_runs_lists_earlier_runs_with_their_figures(staff_client, staff, pool):
    from matching.services import run_execute

    run = run_start(by=staff, departement="75", weights=engine.Weights())
    run_execute(run.pk)

    response = staff_client.get(RUNS, HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert f"Run {run.pk}" in page and "Département 75" in page
    assert staff.get_full_name() in page
    assert "Pool: 3 sponsors, 2 refugees" in page and "2 pairs proposed" in page
    assert list(response.context["page_obj"]) == [run]


def test_runs_post_starts_a_run_and_the_task_after_commit(
    staff_client, staff, pool, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = staff_client.post(RUNS, {**DEFAULT_WEIGHTS, "departement": "75"})

    run = MatchRun.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("matching:run", kwargs={"pk": run.pk})
    assert len(callbacks) == 1
    run.refresh_from_db()
    assert (run.created_by, run.departement, run.state) == (staff, "75", RunState.DONE)
    assert run.weights == vars(engine.Weights())
    assert Proposal.objects.filter(run=run).count() == 2


def test_runs_post_with_custom_weights_and_lowercase_corsica(
    staff_client, django_capture_on_commit_callbacks
):
    weights = {**DEFAULT_WEIGHTS, "weight_distance": 40, "weight_waiting": 0}

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(RUNS, {**weights, "departement": "2a"})

    run = MatchRun.objects.get()
    assert run.departement == "2A"
    assert run.weights["distance"] == 40 and run.weights["waiting"] == 0
    # Nobody lives in Corsica here: a run over an empty pool is fine, with no pair.
    assert (run.state, run.pairs, run.pool_sponsors, run.pool_refugees) == (RunState.DONE, 0, 0, 0)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"departement": "7"}, "departement", "invalid_departement"),
        ({"departement": "20"}, "departement", "unknown_departement"),
        ({"departement": "975"}, "departement", "unknown_departement"),
        ({"weight_distance": "-1"}, "weight_distance", "min_value"),
        ({"weight_distance": "many"}, "weight_distance", "invalid"),
        ({"weight_age": ""}, "weight_age", "required"),
        ({"weight_distance": "60"}, "__all__", "too_many_points"),
    ],
)
def test_runs_post_refuses_invalid_input_and_keeps_what_was_typed(
    staff_client, change, field, code
):
    response = staff_client.post(RUNS, {**DEFAULT_WEIGHTS, **change})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    form = response.context["form"]
    assert form.has_error(field, code)
    for name, value in change.items():
        assert form[name].value() == value
    assert not MatchRun.objects.exists()


def test_runs_post_while_a_run_is_in_progress_says_so(staff):
    staff_client = client_for(staff, language="fr")  # the refusal reads in French
    run_start(by=staff, weights=engine.Weights())

    response = staff_client.post(RUNS, {**DEFAULT_WEIGHTS, "weight_distance": 25})

    assert response.status_code == HTTPStatus.CONFLICT
    assert "déjà en cours" in str(response.context["refusal"])
    assert response.context["form"]["weight_distance"].value() == "25"
    assert MatchRun.objects.count() == 1


# Run detail and progress


def test_run_detail_shows_a_progress_bar_and_a_refresh_link_while_running(staff_client, staff):
    run = run_start(by=staff, weights=engine.Weights())
    MatchRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, progress=0.42, stage="solving"
    )

    response = staff_client.get(reverse("matching:run", kwargs={"pk": run.pk}))

    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert '<progress id="run-progress-bar" max="100" value="42">' in page
    assert "js/run_progress" in page and "<script>" not in page
    assert reverse("matching:run_progress", kwargs={"pk": run.pk}) in page
    assert f'href="{reverse("matching:run", kwargs={"pk": run.pk})}"' in page


def test_run_progress_answers_json(staff_client, staff):
    run = run_start(by=staff, weights=engine.Weights())
    MatchRun.objects.filter(pk=run.pk).update(
        state=RunState.RUNNING, progress=0.5, stage="candidates"
    )

    response = staff_client.get(reverse("matching:run_progress", kwargs={"pk": run.pk}))

    assert response.status_code == HTTPStatus.OK
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    assert data["state"] == "running" and data["progress"] == 0.5
    assert data["stage"] == "candidates" and data["pairs"] == 0 and data["finished"] is False
    assert data["stage_label"]


def test_run_detail_of_a_done_run_shows_the_result_and_the_unmatched(staff_client, staff, pool):
    from matching.services import run_execute

    run = run_start(by=staff, weights=engine.Weights())
    run_execute(run.pk)

    response = staff_client.get(
        reverse("matching:run", kwargs={"pk": run.pk}), HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert "<progress" not in page
    assert reverse("matching:review", kwargs={"pk": run.pk}) in page
    [unmatched] = response.context["unmatched"]
    assert unmatched["person"].role == Role.SPONSOR
    assert unmatched["label"] == "partners needed elsewhere"
    assert unmatched["sentence"] == "All 2 of your possible partners were needed for other people."
    assert unmatched["sentence"] in page


def test_run_detail_of_a_failed_run_says_so_in_words_and_shows_the_detail_small(
    staff_client, staff
):
    run = run_start(by=staff, weights=engine.Weights())
    MatchRun.objects.filter(pk=run.pk).update(
        state=RunState.FAILED, active=None, error="ValueError: weights add up to 120"
    )

    response = staff_client.get(
        reverse("matching:run", kwargs={"pk": run.pk}), HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert "The run did not finish" in page
    assert "<small>" in page and "ValueError: weights add up to 120" in page
    assert "<progress" not in page


# Admin


def test_admin_lists_and_shows_runs_proposals_and_exclusions(admin_client, staff, pool):
    from matching.models import Exclusion
    from matching.services import run_execute

    run = run_start(by=staff, weights=engine.Weights())
    run_execute(run.pk)
    proposal = Proposal.objects.first()
    exclusion = Exclusion.objects.create(
        sponsor=proposal.sponsor, refugee=proposal.refugee, reason="rejected"
    )

    for obj in (run, proposal, exclusion):
        meta = obj._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert admin_client.get(changelist).status_code == HTTPStatus.OK
        assert admin_client.get(change).status_code == HTTPStatus.OK
    # Runs are the engine's record: nobody adds or edits one by hand.
    assert admin_client.get(reverse("admin:matching_matchrun_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:matching_matchrun_change", args=[run.pk]), {"state": "failed"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    run.refresh_from_db()
    assert run.state == RunState.DONE
