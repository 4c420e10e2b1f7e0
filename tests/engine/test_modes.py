"""Exact and large modes on a synthetic city-clustered pool; progress; benchmark smoke."""

from __future__ import annotations

import random

import pytest

from matching.engine import Weights, match
from matching.engine.bench import main as bench_main
from matching.engine.synthetic import synthetic_people


@pytest.fixture(scope="module")
def pool():
    return synthetic_people(1500, "sponsor", seed=7), synthetic_people(1500, "refugee", seed=7)


def test_large_mode_is_maximum_and_close_to_the_exact_score(pool):
    sponsors, refugees = pool
    exact = match(sponsors, refugees, mode="exact")
    large = match(sponsors, refugees, mode="large")
    assert exact.certificate.cardinality_proved and exact.certificate.score_exact
    assert large.certificate.cardinality_proved and not large.certificate.score_exact
    assert len(large.pairs) == len(exact.pairs) == exact.certificate.max_pairs
    assert large.total_score <= exact.total_score
    assert large.total_score >= 0.99 * exact.total_score


def test_progress_moves_forward_and_ends_at_one(pool):
    sponsors, refugees = pool
    calls: list[tuple[float, str]] = []
    match(sponsors[:400], refugees[:400], progress=lambda f, stage: calls.append((f, stage)))
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0 and all(0.0 <= f <= 1.0 for f in fractions)
    assert {"candidates", "solving", "verifying", "explaining"} <= {s for _, s in calls}


def test_waiting_longer_wins_a_tie():
    from matching.engine import Person

    def person(pid: str, waited: int) -> Person:
        return Person(pid, 48.85, 2.35, 10, {"fr": "native"}, waiting_days=waited)

    result = match([person("s", 0)], [person("short", 10), person("long", 300)])
    assert [p.refugee_id for p in result.pairs] == ["long"]
    assert result.unmatched[0].reason == "partners_needed_elsewhere"
    flat = match([person("s", 0)], [person("short", 10), person("long", 300)],
                 weights=Weights(waiting=0))  # fmt: skip
    assert len(flat.pairs) == 1


def test_weights_are_validated():
    with pytest.raises(ValueError, match="more than 100"):
        Weights(distance=90)
    with pytest.raises(ValueError, match="non-negative integer"):
        Weights(age=-1)


def test_bench_runs_a_small_size(capsys):
    assert bench_main(["--sizes", "300"]) == 0
    out = capsys.readouterr().out
    assert "engine exact CLI" in out and "dense LSA baseline" in out
    assert "same pairs and total" in out and "x faster" in out
    assert "max proved, score exact" in out


def test_large_mode_proves_the_maximum_past_one_dense_block():
    """4,000 per side: the sweep and the searches run on KD-tree blocks grouped by
    language; the König cover must still match an independent maximum."""
    sponsors = synthetic_people(4000, "sponsor", seed=21)
    refugees = synthetic_people(4000, "refugee", seed=21)
    exact = match(sponsors, refugees, mode="exact")
    large = match(sponsors, refugees, mode="large")
    assert large.certificate.cardinality_proved
    assert len(large.pairs) == exact.certificate.max_pairs == large.certificate.max_pairs
    assert large.total_score >= 0.99 * exact.total_score


@pytest.mark.parametrize("mode", ["exact", "large"])
def test_match_gives_the_same_answer_whatever_the_order_of_the_rows(mode):
    sponsors = synthetic_people(3000, "sponsor", seed=5)
    refugees = synthetic_people(3000, "refugee", seed=5)
    first = match(sponsors, refugees, mode=mode)
    rng = random.Random(1)
    rng.shuffle(sponsors)
    rng.shuffle(refugees)
    second = match(sponsors, refugees, mode=mode)
    assert second.total_score == first.total_score
    assert second.pairs == first.pairs
    assert sorted(second.unmatched, key=repr) == sorted(first.unmatched, key=repr)
    assert second.alternatives == first.alternatives


def test_large_mode_proves_an_upper_bound_on_the_optimum(pool):
    sponsors, refugees = pool
    exact = match(sponsors, refugees, mode="exact")
    large = match(sponsors, refugees, mode="large")
    bound = large.certificate.score_bound
    assert large.total_score <= exact.total_score <= bound
    assert large.certificate.score_gap(large.total_score) == 1 - large.total_score / bound
    assert bound - exact.total_score < 0.01 * exact.total_score  # tight, not just valid
    assert large.feasible_edges == exact.feasible_edges  # the pass counted every edge
    assert exact.certificate.score_bound == exact.total_score
    assert exact.certificate.score_gap(exact.total_score) == 0.0


def test_large_mode_offers_each_refugee_the_best_free_sponsors(pool):
    from matching.engine import score_pair

    sponsors, refugees = pool
    result = match(sponsors, refugees, mode="large")
    paired = {p.sponsor_id for p in result.pairs} | {p.refugee_id for p in result.pairs}
    free_sponsors = [s for s in sponsors if s.id not in paired]
    for refugee in [r for r in refugees if r.id in paired][::25]:
        scored = [(s.id, pair.score) for s in free_sponsors
                  if (pair := score_pair(s, refugee)) is not None]  # fmt: skip
        best = sorted(scored, key=lambda o: (-o[1], o[0]))[:5]
        offered = result.alternatives.get(("refugee", refugee.id), [])
        assert offered[: len(best)] == best


def test_bound_pass_counts_every_feasible_edge_with_tiny_reaches_and_near_neighbours():
    from matching.engine import Person

    rng = random.Random(3)

    def people(prefix: str) -> list[Person]:
        return [Person(f"{prefix}{i}", 48.85 + rng.uniform(0, 0.02), 2.35 + rng.uniform(0, 0.02),
                       rng.choice([0.0, 0.05, 0.3, 0.8, 1.5]), {"fr": "native"})
                for i in range(1600)]  # fmt: skip

    sponsors, refugees = people("s"), people("r")
    sponsors += [
        Person(f"t{i}", r.lat, r.lon, 0.0, {"fr": "native"}) for i, r in enumerate(refugees[:50])
    ]  # fmt: skip (same point, no reach at all)
    exact = match(sponsors, refugees, mode="exact")
    large = match(sponsors, refugees, mode="large")
    assert large.feasible_edges == exact.feasible_edges > 0
    assert exact.total_score <= large.certificate.score_bound
