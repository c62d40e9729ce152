"""A proved `resilient` policy's certificates cover every choice, checked by the reference.

Random small models (the generators of the resilient brute-force tests): every choice the
engine's evidence lists checks by the reference (semantics/cover.py), also after a round trip
through the certificate file; dropping or tampering with one choice is rejected; and where some
choice breaks the policy, even the reference's own certificates for every other choice are
rejected. The two lemmas the coverage rests on are tested against the reference fixpoint.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date

from hypothesis import assume, event, given
from hypothesis import strategies as st

from segverify.evidence.binding import Binding
from segverify.evidence.digest import model_sha256, report_choice_digests, report_digests
from segverify.evidence.read import certificate_file_of
from segverify.evidence.recheck import entry_problems
from segverify.model.controls import Control, controls_of, sort_controls, without
from segverify.model.ir import Flow, Model, Policy, Ref, Resilience
from segverify.render.paths import certificates_json
from segverify.results import Choice, ClosedSetCertificate, PolicyResult, Report, Status
from segverify.semantics.cited import cited
from segverify.semantics.context import Semantics
from segverify.semantics.cover import cover_errors
from segverify.semantics.policies import certificate_for, evaluate
from segverify.semantics.resilience import bare, login_places, stolen
from tests.explain.test_margin_props import guarded
from tests.explain.test_resilient_props import CASES, PROPS, brute_accounts, brute_controls, decided
from tests.strategies import attack_policies_for, layered_models, ports_of

MAX_CONTROLS = 12


@st.composite
def walled(draw: st.DrawFn) -> tuple[Model, Policy]:
    """A model whose zone pairs are walled twice (a deny rule first, then the default deny): a
    proof then cites the rules, and one failed rule leaves the default: a tree of certificates."""
    model, policy = draw(guarded())
    model = replace(model, defaults=replace(model.defaults, intra_zone="allow"))  # fewer controls
    zones = sorted(model.zones)
    pairs = [(a, b) for a in zones for b in zones if a != b]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, min_size=1, max_size=3)) if pairs else []
    walls = [
        Flow(
            index=i,
            name=f"wall-{a}-{b}",
            sources=(Ref(a),),
            destinations=(Ref(b),),
            services=("any",),
            ports=ports_of(dict(model.services), ("any",)),
            action="deny",
        )
        for i, (a, b) in enumerate(chosen)
    ]
    flows = (*walls, *(replace(f, index=f.index + len(walls)) for f in model.flows))
    return replace(model, flows=flows), policy


def resilient(case: tuple[Model, Policy], k: int, accounts: bool) -> tuple[Model, Policy]:
    model, policy = case
    assume(len(controls_of(model)) <= MAX_CONTROLS)
    assume(k or accounts)
    return model, replace(policy, resilient=Resilience(controls=k or None, accounts=1 if accounts else None))


def holds(model: Model, policy: Policy) -> bool:
    return evaluate(model, policy)[0] == Status.PROVED


def round_trip_problems(model: Model, policy: Policy, result: PolicyResult) -> list[str]:
    """The result written to a certificate file, read back and re-checked as verify-certificate does."""
    model, report = replace(model, policies=(policy,)), Report(results=(result,))
    binding = Binding(
        "0", date(2026, 1, 1), (), model_sha256(model), report_digests(report), report_choice_digests(report)
    )
    doc = certificates_json(report, binding)
    (entry,) = certificate_file_of(doc, "test").entries
    return entry_problems(model, Semantics(model), entry)


@st.composite
def layered(draw: st.DrawFn) -> tuple[Model, Policy]:
    """Enforcement layers: their rules and defaults are no controls, yet certificates cite them."""
    model = draw(layered_models())
    return model, draw(attack_policies_for(model))


WITH_WALLS = st.one_of(CASES, walled(), layered())


@PROPS
@given(WITH_WALLS, st.integers(0, 2), st.booleans(), st.data())
def test_every_choice_of_a_proof_checks_and_none_can_be_dropped_or_tampered(
    case: tuple[Model, Policy], k: int, accounts: bool, data: st.DataObject
) -> None:
    model, policy = resilient(case, k, accounts)
    result = decided(model, policy)  # its choices are self-checked inside, as every verdict's
    assume(result.status == Status.PROVED)
    assert brute_controls(model, policy, k) and (not accounts or brute_accounts(model, policy))
    base, choices = result.certificate, result.choices
    assert cover_errors(model, policy, base, choices) == []
    assert round_trip_problems(model, policy, result) == []
    listed = sorted(a for c in choices for a in c.accounts)
    assert len(listed) == len(set(listed))
    if accounts:  # every account that can log in from somewhere, each in one choice
        sem = Semantics(model)
        assert listed == sorted(a.name for a in model.accounts() if login_places(sem, a.name))
    event(
        "choices: "
        + " ".join(sorted({"every" if c.every else "accounts" if c.accounts else "failed" for c in choices}))
    )
    if not choices:
        return
    i = data.draw(st.integers(0, len(choices) - 1), label="choice")
    dropped = choices[:i] + choices[i + 1 :]
    if not choices[i].every:  # without it, its accounts or its node of the tree are uncovered
        assert cover_errors(model, policy, base, dropped) != []
    tampered = choices[:i] + (_tamper(model, choices[i]),) + choices[i + 1 :]
    assert cover_errors(model, policy, base, tampered) != []


@PROPS
@given(walled(), st.integers(1, 2), st.data())
def test_trees_of_failed_controls(case: tuple[Model, Policy], k: int, data: st.DataObject) -> None:
    """The same on models walled twice, where a tree of certificates is the usual evidence."""
    test_every_choice_of_a_proof_checks_and_none_can_be_dropped_or_tampered.hypothesis.inner_test(
        case, k, False, data
    )


def _tamper(model: Model, choice: Choice) -> Choice:
    """A choice that no longer proves what it claims, or claims another choice."""
    cert = choice.certificate
    if choice.accounts:  # the stolen credential taken out of the closed set
        gone = set(choice.accounts)
        return replace(
            choice, certificate=replace(cert, credentials=tuple(c for c in cert.credentials if c not in gone))
        )
    if choice.every:  # claimed for an account that does not exist
        return replace(choice, every=False, accounts=("no-such-account",))
    others = [c for c in controls_of(model) if c not in choice.failed]
    if not others:
        return replace(choice, failed=choice.failed[:-1] + choice.failed[-1:] * 2)
    return replace(choice, failed=sort_controls((*choice.failed[:-1], others[0])))


# ---- honest evidence for a broken policy is still rejected -------------------------------------


def reference_choices(model: Model, policy: Policy) -> tuple[ClosedSetCertificate | None, list[Choice]]:
    """The reference's own certificate for every choice it can prove (the best evidence there is)."""
    limit = policy.resilient
    assert limit is not None
    found: list[Choice] = []
    base = _proof(model, bare(policy))
    if limit.accounts:
        sem = Semantics(model)
        for a in model.accounts():
            places = login_places(sem, a.name)
            cert = _proof(model, stolen(policy, a.name, places)) if places else None
            if cert is not None:
                found.append(Choice(cert, accounts=(a.name,), places=places))
    if limit.controls and base is not None:
        nodes: dict[tuple[Control, ...], ClosedSetCertificate] = {(): base}
        queue: list[tuple[Control, ...]] = [()]
        while queue:
            failed = queue.pop(0)
            if len(failed) >= limit.controls:
                continue
            for c in cited(without(model, failed), nodes[failed]):
                wider = sort_controls((*failed, c))
                cert = None if wider in nodes else _proof(without(model, wider).model, bare(policy))
                if cert is not None:
                    nodes[wider] = cert
                    queue.append(wider)
                    found.append(Choice(cert, failed=wider))
    return base, found


def _proof(model: Model, policy: Policy) -> ClosedSetCertificate | None:
    if not holds(model, policy):
        return None
    cert = certificate_for(model, policy)
    assert isinstance(cert, ClosedSetCertificate)
    return cert


@PROPS
@given(WITH_WALLS, st.integers(0, 2), st.booleans())
def test_the_reference_accepts_honest_evidence_exactly_when_every_choice_holds(
    case: tuple[Model, Policy], k: int, accounts: bool
) -> None:
    model, policy = resilient(case, k, accounts)
    base, choices = reference_choices(model, policy)
    assume(base is not None)
    every_holds = brute_controls(model, policy, k) and (not accounts or brute_accounts(model, policy))
    assert (cover_errors(model, policy, base, choices) == []) == every_holds
    if not every_holds:
        assert decided(model, policy).status == Status.VIOLATED and not decided(model, policy).choices


# ---- the lemmas the coverage rests on ----------------------------------------------------------


@PROPS
@given(WITH_WALLS, st.data())
def test_failing_fewer_controls_is_never_more_permissive(
    case: tuple[Model, Policy], data: st.DataObject
) -> None:
    """What an `every` certificate rests on: held with every control failed, held with any subset."""
    model, policy = case
    controls = controls_of(model)
    assume(len(controls) <= MAX_CONTROLS)
    assume(holds(without(model, controls).model, policy))
    subset = data.draw(st.lists(st.sampled_from(controls), unique=True) if controls else st.just([]))
    assert holds(without(model, subset).model, policy)


@PROPS
@given(WITH_WALLS, st.data())
def test_failing_controls_a_certificate_does_not_cite_keeps_the_policy(
    case: tuple[Model, Policy], data: st.DataObject
) -> None:
    """What a tree of certificates rests on (semantics/cited.py), from any failed set F."""
    model, policy = case
    controls = controls_of(model)
    assume(len(controls) <= MAX_CONTROLS)
    failed = sort_controls(
        data.draw(st.lists(st.sampled_from(controls), unique=True, max_size=2) if controls else st.just([]))
    )
    variant = without(model, failed)
    cert = _proof(variant.model, policy)
    assume(cert is not None)
    assert cert is not None
    uncited = [c for c in controls if c not in failed and c not in cited(variant, cert)]
    for more in itertools.chain.from_iterable(itertools.combinations(uncited, n) for n in (1, 2)):
        assert holds(without(model, (*failed, *more)).model, policy), more
