"""The rule index never drops a rule that meets a rule's box (it may keep some that do not)."""

from __future__ import annotations

from hypothesis import given, settings

from segverify.lint.index import PrefixMasks, RuleIndex
from segverify.model.ir import Model
from segverify.model.refs import Resolver
from segverify.semantics.packets import CompiledFlow, compile_flows
from tests.strategies import examples, models


def meets(a: CompiledFlow, b: CompiledFlow) -> bool:
    return (
        a.sources.intersects(b.sources)
        and a.destinations.intersects(b.destinations)
        and a.ports.intersects(b.ports)
    )


@settings(max_examples=examples(60), deadline=None)
@given(models())
def test_candidates_hold_every_rule_that_meets_the_box(model: Model) -> None:
    flows = compile_flows(model, Resolver(model))
    index = RuleIndex(flows)
    for i, cf in enumerate(flows):
        before = {c.rule.index for c in index.before(i)}
        after = {c.rule.index for c in index.after(i)}
        assert {j for j in range(i) if meets(flows[j], cf)} <= before <= set(range(i))
        assert {j for j in range(i + 1, len(flows)) if meets(flows[j], cf)} <= after
        assert after <= set(range(i + 1, len(flows)))


def test_prefix_masks_are_the_or_of_each_prefix_across_block_edges() -> None:
    order = [7, 3, 11, 0, 5, 2, 9, 1, 4, 10, 6, 8, 12]  # blocks of 4: three edges crossed
    masks = PrefixMasks(order)
    for k in range(len(order) + 1):
        assert masks.prefix(k) == sum(1 << r for r in order[:k])
