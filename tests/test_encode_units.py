"""Small pieces of the encode stage checked against brute force."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from segverify.engine.atoms import bits, runs
from segverify.engine.pick import _first_plain, plain


def _from_runs(spans: list[tuple[int, int]]) -> int:
    mask = 0
    for start, length in spans:
        mask |= ((1 << length) - 1) << start
    return mask


# Few long runs in a wide mask, as a host's atoms are: runs() takes them by carry arithmetic.
few_long_runs = st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 400)), max_size=12).map(_from_runs)


@settings(derandomize=True, max_examples=300)
@given(
    st.integers(min_value=0, max_value=(1 << 2000) - 1)
    | st.integers(min_value=0, max_value=1 << 40)
    | few_long_runs
)
def test_bits_and_runs_list_the_set_bits(mask: int) -> None:
    expected = [i for i in range(mask.bit_length()) if mask >> i & 1]
    assert list(bits(mask)) == expected
    assert [i for a, b in runs(mask) for i in range(a, b)] == expected
    assert all(b < c for (_, b), (c, _) in zip(runs(mask), list(runs(mask))[1:], strict=False))


@settings(derandomize=True, max_examples=300)
@given(
    st.integers(min_value=0, max_value=(1 << 33)),
    st.integers(min_value=0, max_value=600),
    st.sampled_from([0, 0xFF, 0x100, 0xFFFFFF, 0x1000000, 0xFF0000FF]),
)
def test_first_plain_is_the_smallest_plain_address(base: int, width: int, offset: int) -> None:
    lo = max(0, base - offset)
    hi = lo + width
    expected = next((a for a in range(lo, hi + 1) if plain(a)), None)
    found = _first_plain(lo, hi)
    # It may give up (None) only where brute force finds nothing either.
    assert found == expected
