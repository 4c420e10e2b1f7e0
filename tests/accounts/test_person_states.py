"""A candidate's states on the model: each transition a conditional update from the states
that allow it, each refusal a coded CandidateStateError that changed nothing; the bulk forms
of the duo's transitions; `Person.objects.eligible()`, the one rule of who may get a duo."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from accounts.models import CANDIDATE_ACTIONS, CandidateState, CandidateStateError, Person
from duos.dashboard.selectors import waiting_candidates
from duos.models import DuoConflict, duo_propose
from matching.services import pool_queryset
from tests.factories import ConsentFactory, DuoFactory, RefugeeFactory, SponsorFactory

pytestmark = pytest.mark.django_db

S = CandidateState


def in_db(person: Person) -> tuple:
    return Person.objects.filter(pk=person.pk).values_list("state", "state_changed_at").get()


def refused(action) -> CandidateStateError:
    with pytest.raises(CandidateStateError) as raised:
        action()
    return raised.value


# One person's transitions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("submit", {S.TO_COMPLETE}),
        ("validate", {S.AWAITING_VALIDATION}),
        ("pause", CANDIDATE_ACTIONS["pause"]),
        ("resume", CANDIDATE_ACTIONS["resume"]),
        ("withdraw", CANDIDATE_ACTIONS["withdraw"]),
    ],
)
def test_person_states_each_action_is_refused_from_every_other_state(action, allowed):
    for state in set(S.values) - set(allowed):
        person = SponsorFactory(state=state)
        before = in_db(person)

        error = refused(getattr(person, action))

        assert error.code == ("not_awaiting" if action == "validate" else "not_now")
        assert error.state == state
        assert in_db(person) == before, (action, state)


def test_person_states_refuse_is_refused_unless_awaiting_validation():
    person = RefugeeFactory(state=S.VALIDATED)

    error = refused(lambda: person.refuse("no"))

    assert error.code == "not_awaiting"
    assert Person.objects.get(pk=person.pk).refusal_reason == ""


def test_person_states_validate_of_a_stale_copy_is_refused_with_the_state_found():
    person = RefugeeFactory(state=S.AWAITING_VALIDATION, validated_at=None)
    stale = Person.objects.get(pk=person.pk)
    person.refuse("Pas de binôme près de chez vous.")

    with translation.override("en"):
        error = refused(stale.validate)

    assert (error.code, error.state) == ("not_awaiting", S.WITHDRAWN)
    assert error.message == (
        "Nothing was changed: this person is no longer waiting for validation (Withdrawn)."
    )
    assert Person.objects.get(pk=person.pk).validated_at is None


def test_person_states_resume_goes_back_where_the_person_was():
    validated = SponsorFactory(state=S.PAUSED)
    awaiting = SponsorFactory(state=S.PAUSED, validated_at=None)
    ConsentFactory(person=awaiting)
    unfinished = SponsorFactory(state=S.PAUSED, validated_at=None)

    for person in (validated, awaiting, unfinished):
        person.resume()

    assert [in_db(p)[0] for p in (validated, awaiting, unfinished)] == [
        S.VALIDATED,
        S.AWAITING_VALIDATION,
        S.TO_COMPLETE,
    ]


def test_person_states_anonymise_happens_once():
    person = RefugeeFactory(state=S.IN_DUO)
    stale = Person.objects.get(pk=person.pk)
    now = timezone.now()
    person.anonymise(now=now, erased={"first_name": "", "phone": ""})

    assert refused(lambda: stale.anonymise(now=now, erased={})).code == "not_now"
    row = Person.objects.values("state", "anonymised_at", "first_name").get(pk=person.pk)
    assert row == {"state": S.WITHDRAWN, "anonymised_at": now, "first_name": ""}


def test_person_states_allowed_actions_are_the_table():
    assert SponsorFactory(state=S.VALIDATED).allowed_actions() == ["pause", "withdraw"]
    assert SponsorFactory(state=S.PAUSED).allowed_actions() == ["resume", "withdraw"]
    assert SponsorFactory(state=S.IN_DUO).allowed_actions() == []


# The bulk forms ---------------------------------------------------------------------------


def test_person_states_bulk_moves_take_only_their_starting_state():
    now = timezone.now()
    validated, paused = SponsorFactory(), SponsorFactory(state=S.PAUSED)
    in_duo, withdrawn = RefugeeFactory(state=S.IN_DUO), RefugeeFactory(state=S.WITHDRAWN)
    everyone = Person.objects.filter(pk__in=[validated.pk, paused.pk, in_duo.pk, withdrawn.pk])

    assert everyone.enter_duo(now=now) == 1
    assert everyone.back_to_pool(now=now) == 2  # `validated` entered, `in_duo` was in
    assert everyone.filter(pk=in_duo.pk).enter_duo(now=now) == 1
    assert everyone.duo_ended(now=now) == 1

    states = dict(everyone.values_list("pk", "state"))
    assert states == {
        validated.pk: S.VALIDATED,
        paused.pk: S.PAUSED,
        in_duo.pk: S.DUO_ENDED,
        withdrawn.pk: S.WITHDRAWN,
    }


# Eligible: the match pool, a duo's proposal and the dashboard read one rule ------------------


@pytest.fixture
def cast():
    eligible = [SponsorFactory(departement="93"), RefugeeFactory(departement="93")]
    SponsorFactory(departement="93", state=S.PAUSED)
    SponsorFactory(departement="93", state=S.AWAITING_VALIDATION)
    SponsorFactory(departement="93", anonymised_at=timezone.now())
    SponsorFactory(departement="93", latitude=None, longitude=None)  # no known home
    DuoFactory(sponsor__departement="93", refugee__departement="93")  # both IN_DUO
    return eligible


def test_person_states_eligible_is_the_pool_and_the_dashboard_figure(cast):
    assert set(Person.objects.eligible()) == set(cast)
    assert set(pool_queryset("93")) == set(cast)
    assert waiting_candidates() == [{"departement": "93", "sponsors": 1, "refugees": 1}]


def test_person_states_a_duo_is_proposed_only_to_eligible_people(staff):
    homeless = RefugeeFactory(latitude=None, longitude=None)
    sponsor = SponsorFactory()

    with pytest.raises(DuoConflict):
        duo_propose(sponsor=sponsor, refugee=homeless, by=staff)

    assert in_db(sponsor)[0] == S.VALIDATED
    duo = duo_propose(sponsor=sponsor, refugee=RefugeeFactory(), by=staff)
    assert {in_db(p)[0] for p in (duo.sponsor, duo.refugee)} == {S.IN_DUO}
    assert not Person.objects.eligible().filter(pk=sponsor.pk).exists()
    assert sponsor.state_changed_at > timezone.now() - timedelta(minutes=1)
