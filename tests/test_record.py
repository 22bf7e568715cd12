"""`@record` makes the class `@dataclass(frozen=True, slots=True)` would, at less cost.

Each record here has a dataclass twin declared the same way; the tests check that the
two agree on everything the code relies on (construction, equality, hashing, repr,
pickling, copying, frozenness, slots, pattern matching, `dataclasses.fields`, `asdict`,
`replace`), that what `record` does not support is refused when the class is made, and
that a real report, made of records, survives pickling as `mailview batch` sends it.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailview.core.analyze import analyze_bytes
from mailview.core.record import mutable_record, record

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "samples" / "sample-phish.eml"


def _tidy(value: str) -> str:
    return value.strip()


@record
class Hop:
    """Declared as the twin below is."""

    host: str
    port: int
    tags: tuple[str, ...] = ()
    note: str | None = None
    seen: list[int] = field(default_factory=list, compare=False)
    shown: str = field(default="", repr=False)
    cached: int = field(init=False, default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", _tidy(self.host))


@dataclass(frozen=True, slots=True)
class HopTwin:
    """Declared as the record above is."""

    host: str
    port: int
    tags: tuple[str, ...] = ()
    note: str | None = None
    seen: list[int] = field(default_factory=list, compare=False)
    shown: str = field(default="", repr=False)
    cached: int = field(init=False, default=0, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", _tidy(self.host))


@record
class One:
    value: float


@dataclass(frozen=True, slots=True)
class OneTwin:
    value: float


@record
class Empty:
    pass


@dataclass(frozen=True, slots=True)
class EmptyTwin:
    pass


@record
class Node:
    name: str
    children: list[Any] = field(default_factory=list, compare=False, hash=False)


@mutable_record
class Tally:
    count: int
    names: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TallyTwin:
    count: int
    names: list[str] = field(default_factory=list)


def _pair(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
    return Hop(*args, **kwargs), HopTwin(*args, **kwargs)


def _named(text: str) -> str:
    return text.replace("HopTwin", "Hop").replace("OneTwin", "One").replace("EmptyTwin", "Empty")


def test_construction_defaults_and_post_init_match_the_dataclass() -> None:
    ours, theirs = _pair(" mx.example ", 25, ("a",), seen=[1])
    assert [getattr(ours, f.name) for f in dataclasses.fields(ours)] == [
        getattr(theirs, f.name) for f in dataclasses.fields(theirs)
    ]
    assert ours.host == "mx.example"  # __post_init__ ran
    assert Hop("h", 1).seen is not Hop("h", 1).seen  # a fresh default per instance
    with pytest.raises(TypeError):
        Hop("h")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Hop("h", 1, cached=3)  # type: ignore[call-arg]


def test_equality_hash_and_repr_match_the_dataclass() -> None:
    a, a_twin = _pair("h", 1, ("x",), "n", [1], "hidden")
    b, b_twin = _pair("h", 1, ("x",), "n", [2], "other")
    assert (a == b) == (a_twin == b_twin)
    assert hash(a) == hash(a_twin) and hash(b) == hash(b_twin)
    assert a != a_twin and a_twin != a  # another class is never equal
    assert repr(a) == _named(repr(a_twin))
    nan = float("nan")
    assert (One(nan) == One(nan)) == (OneTwin(nan) == OneTwin(nan))
    assert hash(One(2.0)) == hash(OneTwin(2.0)) and hash(Empty()) == hash(EmptyTwin())
    assert Empty() == Empty() and repr(Empty()) == _named(repr(EmptyTwin()))


@given(
    st.text(max_size=5),
    st.integers(),
    st.lists(st.text(max_size=3), max_size=3).map(tuple),
    st.none() | st.text(max_size=3),
)
def test_any_values_compare_hash_and_print_as_the_dataclass(
    host: str, port: int, tags: tuple[str, ...], note: str | None
) -> None:
    ours, theirs = _pair(host, port, tags, note)
    again, again_twin = _pair(host, port + 1, tags, note)
    assert hash(ours) == hash(theirs)
    assert (ours == again) == (theirs == again_twin)
    assert repr(ours) == _named(repr(theirs))


def test_frozen_and_slotted() -> None:
    hop = Hop("h", 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        hop.port = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del hop.port
    with pytest.raises(AttributeError):
        hop.extra = 1  # type: ignore[attr-defined]
    assert not hasattr(hop, "__dict__")
    assert vars(Hop)["__slots__"] == vars(HopTwin)["__slots__"]


def test_pickling_and_copying_keep_every_field() -> None:
    hop = Hop("h", 1, ("t",), "n", [3], "s")
    for again in (pickle.loads(pickle.dumps(hop)), copy.copy(hop), copy.deepcopy(hop)):
        assert again == hop and type(again) is Hop
        assert (again.seen, again.shown, again.cached) == (hop.seen, hop.shown, hop.cached)


def test_dataclass_helpers_and_pattern_matching_work() -> None:
    hop, twin = Hop("h", 1, ("t",), seen=[4]), HopTwin("h", 1, ("t",), seen=[4])
    assert dataclasses.is_dataclass(hop) and dataclasses.is_dataclass(Hop)
    assert [f.name for f in dataclasses.fields(hop)] == [f.name for f in dataclasses.fields(twin)]
    assert dataclasses.asdict(hop) == dataclasses.asdict(twin)
    assert dataclasses.astuple(hop) == dataclasses.astuple(twin)
    moved = dataclasses.replace(hop, port=2)
    assert type(moved) is Hop and moved.port == 2 and moved.tags == ("t",)
    assert Hop.__match_args__ == HopTwin.__match_args__
    for ours, theirs in ((Hop, HopTwin), (Tally, TallyTwin)):  # as dask's tokenizer reads it
        mine, twins = vars(ours)["__dataclass_params__"], vars(theirs)["__dataclass_params__"]
        assert [(a, getattr(mine, a)) for a in type(twins).__slots__] == [
            (a, getattr(twins, a)) for a in type(twins).__slots__
        ]
    match hop:
        case Hop(host, port):
            assert (host, port) == ("h", 1)
        case _:
            pytest.fail("no match")


def test_a_record_that_holds_itself_prints_without_recursing() -> None:
    node = Node("root")
    node.children.append(node)
    assert repr(node) == "Node(name='root', children=[...])"
    assert hash(node) == hash(Node("root"))


def test_what_record_does_not_support_is_refused_when_the_class_is_made() -> None:
    class Base:
        pass

    class Child(Base):
        x: int

    class OwnEq:
        x: int

        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = None  # type: ignore[assignment]

    class Shared:
        x: list[int] = []  # noqa: RUF012

    class Late:
        x: int = 0
        y: int

    class Counted:
        count: dataclasses.InitVar[int]

    for refused, error in (
        (Child, TypeError),
        (OwnEq, TypeError),
        (Shared, ValueError),
        (Late, TypeError),
        (Counted, TypeError),
    ):
        with pytest.raises(error):
            record(refused)


def test_a_report_made_of_records_survives_pickling() -> None:
    # `mailview batch` sends reports between processes this way.
    report = analyze_bytes(SAMPLE.read_bytes())
    again = pickle.loads(pickle.dumps(report))
    assert again == report
    assert dataclasses.asdict(again) == dataclasses.asdict(report)


def test_a_mutable_record_assigns_compares_and_pickles_as_the_dataclass() -> None:
    ours, theirs = Tally(1), TallyTwin(1)
    ours.count += 1
    theirs.count += 1
    ours.names.append("a")
    theirs.names.append("a")
    assert repr(ours) == repr(theirs).replace("TallyTwin", "Tally")
    assert ours == Tally(2, ["a"]) and ours != Tally(2)
    assert Tally.__hash__ is None and TallyTwin.__hash__ is None
    with pytest.raises(TypeError):
        hash(ours)
    with pytest.raises(AttributeError):
        ours.extra = 1
    assert pickle.loads(pickle.dumps(ours)) == ours
    assert copy.deepcopy(ours) == ours and dataclasses.asdict(ours) == dataclasses.asdict(theirs)


def _fresh_pair() -> tuple[type, type]:
    """A record and its dataclass twin, neither used yet."""

    @record
    class Fresh:
        name: str
        count: int = 2
        marks: list[int] = field(default_factory=list)

    @dataclass(frozen=True, slots=True)
    class FreshTwin:
        name: str
        count: int = 2
        marks: list[int] = field(default_factory=list)

    return Fresh, FreshTwin


def _parameters(cls: type) -> list[tuple[str, str]]:
    return [(p.name, repr(p.default)) for p in inspect.signature(cls).parameters.values()]


def test_init_is_compiled_on_first_use_and_is_the_dataclasses_from_the_start() -> None:
    fresh, twin = _fresh_pair()
    # asked before any instance exists, the parameters are already the dataclass's
    assert _parameters(fresh) == _parameters(twin)
    fresh, _ = _fresh_pair()
    made = fresh("a")
    assert (made.name, made.count, made.marks) == ("a", 2, [])
    assert inspect.isfunction(fresh.__dict__["__init__"])  # compiled and put in place
    assert fresh("b", 3, [1]).marks == [1] and fresh("c").marks is not made.marks
    assert _parameters(fresh) == _parameters(twin)
    with pytest.raises(TypeError):
        fresh()


def test_a_record_first_made_in_two_threads_at_once_is_made_right_in_both() -> None:
    fresh, _ = _fresh_pair()
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda n: fresh(str(n), n), range(64)))
    assert [(m.name, m.count) for m in made] == [(str(n), n) for n in range(64)]
