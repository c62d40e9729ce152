"""The moves out of a set, decided in one untagged sweep, against one survey per host and service."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segverify.model.intervals import IntervalSet
from segverify.model.principals import Principals
from segverify.semantics.closure import crossings, senders_of
from segverify.semantics.context import Semantics
from segverify.semantics.moves import attack_services, setup_for
from segverify.semantics.owners import Owners
from tests.strategies import examples, model_and_attack, models

SETTINGS = settings(max_examples=examples(100), deadline=None, suppress_health_check=list(HealthCheck))

small_sets = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 6)).map(lambda t: (t[0], t[0] + t[1])), max_size=4
).map(IntervalSet.of)


@SETTINGS
@given(st.lists(small_sets, max_size=6), small_sets)
def test_owners_meeting_are_exactly_the_sets_met(sets, addrs) -> None:  # type: ignore[no-untyped-def]
    # Sets may overlap: two hosts can share an address (a virtual IP), and both own it.
    assert Owners(sets).meeting(addrs) == [k for k, s in enumerate(sets) if s.intersects(addrs)]


@SETTINGS
@given(model_and_attack(), st.data())
def test_crossings_match_one_survey_per_host_and_service(case, data) -> None:  # type: ignore[no-untyped-def]
    model, pol = case
    sem = Semantics(model)
    setup = setup_for(model, sem.resolver, pol)
    names = sorted(model.hosts)
    inside = frozenset(data.draw(st.sets(st.sampled_from(names)))) - setup.via
    senders = senders_of(sem, setup, inside, ())
    got = {(c.host, c.service): c for c in crossings(sem, setup, inside, senders)}
    expected = set()
    for h in names:
        if h in inside or h in setup.via:
            continue
        for s in attack_services(model, setup.profile, model.hosts[h]):
            expected.add((h, s))
            region = (senders, model.hosts[h].addresses, model.services[s].ports)
            found, rules = sem.table.survey(*region, "allow")
            cr = got[(h, s)]
            assert cr.rules == set(rules)
            assert (cr.allowed is None) == (found is None)
            if cr.allowed is not None:
                packet, rule = cr.allowed
                assert rule.action == "allow" and sem.table.decide(packet) == rule
                assert packet.src in senders and packet.dst in model.hosts[h].addresses
                assert packet.svc in model.services[s].ports
    assert set(got) == expected


@SETTINGS
@given(models(), st.data())
def test_logins_among_is_may_log_in_for_every_name(model, data) -> None:  # type: ignore[no-untyped-def]
    principals = Principals(model)
    pool = sorted(model.principals) + ["nobody", *sorted(model.hosts)[:1]]
    names = frozenset(data.draw(st.sets(st.sampled_from(pool))))
    for host in model.hosts.values():
        expected = {n for n in names if principals.may_log_in(n, host)}
        assert principals.logins_among(names, host) == expected
