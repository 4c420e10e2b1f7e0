"""The swap menu: free partners first, then the paired ones with what taking them costs."""

from __future__ import annotations

import math

import pytest

from matching.engine import Person, match

KM_PER_DEGREE_LAT = math.pi * 6371.0088 / 180


def person(pid: str, km_north: float = 0.0, **fields) -> Person:
    fields.setdefault("languages", {"fr": "native"})
    return Person(pid, 48.85 + km_north / KM_PER_DEGREE_LAT, 2.35, 10.0, **fields)


def crowded_pool():
    """Six sponsors and six refugees at one point, all paired; one more refugee, 4 km
    north, whom only s0 can reach (the others speak no French with her): free."""
    sponsors = [person(f"s{i}", languages={"fr": "native", "en": "native"}) for i in range(6)]
    sponsors[0] = person("s0", languages={"fr": "native", "ar": "native"})
    refugees = [person(f"r{i}", languages={"fr": "native", "en": "native"}) for i in range(6)]
    far = person("far", 4.0, languages={"ar": "native"})
    return sponsors, [*refugees, far]


def test_alternatives_offer_a_free_partner_before_paired_ones_with_better_scores():
    sponsors, refugees = crowded_pool()
    result = match(sponsors, refugees)
    assert len(result.pairs) == 6
    options = result.alternatives[("sponsor", "s0")]
    assert options[0][0] == "far"
    assert len(options) == 5
    paired = {p.refugee_id for p in result.pairs}
    assert all(partner in paired for partner, _ in options[1:])
    assert ("sponsor", "s0", "far") not in result.swaps  # free: nobody else changes


def test_a_paired_alternative_comes_with_the_swap_that_keeps_the_pairs():
    sponsors, refugees = crowded_pool()
    result = match(sponsors, refugees)
    mate = {p.sponsor_id: p.refugee_id for p in result.pairs}
    score = {(p.sponsor_id, p.refugee_id): p.score for p in result.pairs}
    partner, partner_score = result.alternatives[("sponsor", "s1")][0]
    swap = result.swaps[("sponsor", "s1", partner)]
    other = next(s for s, r in mate.items() if r == partner)
    assert swap.keeps_pairs
    assert set(swap.removed) == {(other, partner, score[other, partner]),
                                 ("s1", mate["s1"], score["s1", mate["s1"]])}  # fmt: skip
    assert ("s1", partner, partner_score) in swap.added
    assert (other, mate["s1"]) in {(s, r) for s, r, _ in swap.added}
    assert swap.chain("sponsor") == (other, mate["s1"])
    assert swap.cost == sum(t[2] for t in swap.removed) - sum(t[2] for t in swap.added)
    assert swap.cost >= 0  # the matching was optimal


def test_an_unmatched_persons_alternatives_are_the_paired_partners_they_could_take():
    sponsors, refugees = crowded_pool()
    result = match(sponsors[1:], refugees[:6])  # five sponsors, six refugees
    [left] = [u.person_id for u in result.unmatched]
    options = result.alternatives[("refugee", left)]
    swap = result.swaps[("refugee", left, options[0][0])]
    assert len(swap.removed) == len(swap.added) == 1 and swap.keeps_pairs


def test_swaps_are_a_mapping_worked_out_when_read():
    """Every paired alternative in the menu has its swap, and only those: the mapping
    lists them all, reads each, and says no for a free partner or a stranger."""
    sponsors, refugees = crowded_pool()
    result = match(sponsors, refugees)
    paired_r = {p.refugee_id for p in result.pairs}
    paired_s = {p.sponsor_id for p in result.pairs}
    expected = {
        (side, pid, partner)
        for (side, pid), options in result.alternatives.items()
        for partner, _ in options
        if partner in (paired_r if side == "sponsor" else paired_s)
    }
    assert set(result.swaps) == expected
    assert len(result.swaps) == len(expected) > 0
    for key in expected:
        swap = result.swaps[key]
        side, pid, partner = key
        mine = (pid, partner) if side == "sponsor" else (partner, pid)
        assert mine in {(s, r) for s, r, _ in swap.added}
    assert result.swaps.worked_out() == {key: result.swaps[key] for key in expected}
    assert ("sponsor", "s0", "far") not in result.swaps
    with pytest.raises(KeyError):
        result.swaps[("sponsor", "nobody", "r1")]
