"""Frozen, slotted record classes, built at a fraction of `dataclasses.dataclass`'s cost.

`@dataclass(frozen=True, slots=True)` compiles six methods one at a time and builds each
class twice over; a hundred such classes made a third of the time `mailview analyze`
took to start. `@record` builds the same class compiling only `__init__` (whose speed
matters: a report is made of thousands of records), and that only when the class is first
used, and shares plain closures for the rest. What it builds behaves as the dataclass
does: frozen (assigning or deleting a field raises `dataclasses.FrozenInstanceError`),
slotted (no `__dict__`), equal and hashed by its fields in order, the same repr,
picklable, with `__match_args__`, and known to `dataclasses.fields`, `asdict`, `replace`
and `is_dataclass`. Fields take plain defaults or `dataclasses.field(default=…,
default_factory=…, init=…, repr=…, compare=…, hash=…)`; `__post_init__` runs after
`__init__`. What it does not support (inheritance between records, `ClassVar`, `InitVar`,
`kw_only`, a class writing its own `__eq__` or `__repr__`) it refuses with a TypeError
when the class is made, so a record never silently differs from the dataclass it
replaces. (One difference is left: a class without a docstring keeps none, where the
dataclass writes its signature there.)
`@mutable_record` does the same for `@dataclass(slots=True)`: not frozen, and so not
hashable.
"""

from __future__ import annotations

import dataclasses
import inspect  # loaded by dataclasses anyway
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

_T = TypeVar("_T")

# Set by the dataclass machinery on every field of a dataclass; `dataclasses.fields` and
# `asdict` list only fields marked so, `replace` reads them.
_FIELD_MARK = getattr(dataclasses, "_FIELD")  # noqa: B009 - private to dataclasses
_MISSING: Any = dataclasses.MISSING

# Methods `record` writes; a class that writes one itself is refused (see the docstring).
_WRITTEN = (
    "__init__",
    "__repr__",
    "__eq__",
    "__hash__",
    "__setattr__",
    "__delattr__",
    "__getstate__",
    "__setstate__",
    "__slots__",
    "__match_args__",
)
_REFUSED_TYPES = ("ClassVar", "InitVar", "KW_ONLY", "typing.ClassVar", "dataclasses.")


def _dataclass_params(*, frozen: bool) -> object:
    """What `dataclasses` keeps of the options a class was made with (libraries read it:
    dask's tokenizer does), for the options a record stands for; the options this Python
    version's dataclasses know, as it would record them."""
    params_type = getattr(dataclasses, "_DataclassParams")  # noqa: B009 - private
    options = {
        "init": True,
        "repr": True,
        "eq": True,
        "order": False,
        "unsafe_hash": False,
        "frozen": frozen,
        "match_args": True,
        "kw_only": False,
        "slots": True,
        "weakref_slot": False,
    }
    known = inspect.signature(params_type).parameters
    return params_type(**{name: value for name, value in options.items() if name in known})


_PARAMS = {True: _dataclass_params(frozen=True), False: _dataclass_params(frozen=False)}


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def record(cls: type[_T]) -> type[_T]:
    """`cls` as `@dataclass(frozen=True, slots=True)` would make it."""
    return _build(cls, frozen=True)


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def mutable_record(cls: type[_T]) -> type[_T]:
    """`cls` as `@dataclass(slots=True)` would make it: fields may be assigned, and so
    (equal by value yet changing) it is not hashable."""
    return _build(cls, frozen=False)


def _build(cls: type[_T], *, frozen: bool) -> type[_T]:
    _refuse_unsupported(cls)
    fields = _fields_of(cls)
    namespace = {
        key: value
        for key, value in cls.__dict__.items()
        if key not in fields and key not in ("__dict__", "__weakref__")
    }
    namespace["__slots__"] = tuple(fields)
    namespace["__dataclass_fields__"] = fields
    namespace["__dataclass_params__"] = _PARAMS[frozen]
    namespace["__match_args__"] = tuple(f.name for f in fields.values() if f.init)
    metaclass: type = type(cls)
    made: type[_T] = metaclass(cls.__name__, cls.__bases__, namespace)
    made.__qualname__ = cls.__qualname__
    methods = {"__repr__": _repr(fields), "__eq__": _eq(fields)}
    if frozen:
        methods |= {"__hash__": _hash(fields), **_frozen(made, fields), **_state(fields)}
    for name, method in methods.items():
        method.__qualname__ = f"{made.__qualname__}.{name}"
        setattr(made, name, method)
    type.__setattr__(made, "__init__", _InitOnFirstUse(made, fields))
    if not frozen:
        made.__hash__ = None  # type: ignore[assignment]
    return made


def _refuse_unsupported(cls: type) -> None:
    if cls.__bases__ != (object,):
        raise TypeError(f"record {cls.__name__}: inheritance is not supported")
    written = [name for name in _WRITTEN if name in cls.__dict__]
    if written:
        raise TypeError(f"record {cls.__name__}: defines {', '.join(written)} itself")


def _fields_of(cls: type) -> dict[str, dataclasses.Field[Any]]:
    fields: dict[str, dataclasses.Field[Any]] = {}
    defaulted = False
    for name, kind in inspect.get_annotations(cls).items():
        if not isinstance(kind, str) or kind.startswith(_REFUSED_TYPES):
            raise TypeError(f"record {cls.__name__}.{name}: unsupported annotation {kind!r}")
        given = cls.__dict__.get(name, _MISSING)
        field = given if isinstance(given, dataclasses.Field) else dataclasses.field(default=given)
        if field.default is not _MISSING and type(field.default).__hash__ is None:
            # dataclasses' own rule: a shared mutable default is a bug
            raise ValueError(
                f"mutable default {type(field.default)} for field {name} is not allowed:"
                " use default_factory"
            )
        has_default = field.default is not _MISSING or field.default_factory is not _MISSING
        if field.init and not has_default and defaulted:
            raise TypeError(f"non-default argument {name!r} follows default argument")
        defaulted = defaulted or (field.init and has_default)
        field.name = name
        field.type = kind
        setattr(field, "_field_type", _FIELD_MARK)  # noqa: B010 - private to dataclasses
        fields[name] = field
    return fields


class _InitOnFirstUse:
    """A record's `__init__` until the class is first used: compiled then, and put in its
    place. Compiling is most of the cost of making a record class, and a run makes only a
    part of the classes it loads (an offline analysis no DNS answer, a message without a
    bounce no bounce record); the class behaves the same either way, as the compiled
    `__init__` is what any look-up of it, `inspect.signature`'s included, finds."""

    __slots__ = ("_cls", "_fields")

    def __init__(self, cls: type, fields: dict[str, dataclasses.Field[Any]]) -> None:
        self._cls = cls
        self._fields = fields

    def __get__(self, instance: object, owner: type | None = None) -> Callable[..., None]:
        init = self.compiled()
        return init if instance is None else init.__get__(instance, owner)

    def compiled(self) -> Callable[..., None]:
        """The class's compiled `__init__`, made and put in place on the first call (two
        threads may both make one: each is the same function)."""
        init = self._cls.__dict__["__init__"]
        if init is self:
            init = _init(self._cls, self._fields)
            init.__qualname__ = f"{self._cls.__qualname__}.__init__"
            type.__setattr__(self._cls, "__init__", init)
        made: Callable[..., None] = init
        return made


def _init(cls: type, fields: dict[str, dataclasses.Field[Any]]) -> Callable[..., None]:
    """`__init__`, compiled: called for every record made, so kept as direct as the
    dataclass's own."""
    scope: dict[str, Any] = {"__set": object.__setattr__, "__factory_sentinel": _FACTORY}
    params = ["self"]
    body = []
    for name, field in fields.items():
        if field.default_factory is not _MISSING:
            scope[f"__factory_{name}"] = field.default_factory
            if field.init:
                params.append(f"{name}=__factory_sentinel")
                value = f"__factory_{name}() if {name} is __factory_sentinel else {name}"
            else:
                value = f"__factory_{name}()"
        elif field.init:
            if field.default is not _MISSING:
                scope[f"__default_{name}"] = field.default
                params.append(f"{name}=__default_{name}")
            else:
                params.append(name)
            value = name
        elif field.default is not _MISSING:
            scope[f"__default_{name}"] = field.default
            value = f"__default_{name}"
        else:
            continue  # neither given nor defaulted: left unset, as dataclasses leaves it
        body.append(f"  __set(self, {name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("  self.__post_init__()")
    source = f"def __init__({', '.join(params)}):\n" + ("\n".join(body) or "  pass") + "\n"
    # The source holds field names (identifiers, from the class's annotations) and names
    # of the values in `scope`, nothing else.
    exec(source, scope)
    init: Callable[..., None] = scope["__init__"]
    return init


class _FactorySentinel:
    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _FactorySentinel()


def _key(names: tuple[str, ...]) -> Callable[[object], tuple[Any, ...]]:
    """The values of `names` in `self`, always as a tuple (as the dataclass compares)."""
    if len(names) >= 2:
        return attrgetter(*names)
    if names:
        (name,) = names
        return lambda self: (getattr(self, name),)
    return lambda self: ()


def _repr(fields: dict[str, dataclasses.Field[Any]]) -> Callable[[object], str]:
    shown = tuple(name for name, field in fields.items() if field.repr)

    @reprlib.recursive_repr()
    def __repr__(self: object) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__qualname__}({inner})"

    return __repr__


def _eq(fields: dict[str, dataclasses.Field[Any]]) -> Callable[[object, object], Any]:
    key = _key(tuple(name for name, field in fields.items() if field.compare))

    def __eq__(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    return __eq__


def _hash(fields: dict[str, dataclasses.Field[Any]]) -> Callable[[object], int]:
    hashed = tuple(
        name
        for name, field in fields.items()
        if (field.compare if field.hash is None else field.hash)
    )
    key = _key(hashed)

    def __hash__(self: object) -> int:
        return hash(key(self))

    return __hash__


def _frozen(cls: type, fields: dict[str, dataclasses.Field[Any]]) -> dict[str, Callable[..., None]]:
    names = tuple(fields)

    def __setattr__(self: object, name: str, value: object) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)  # a record's one base is object

    def __delattr__(self: object, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    return {"__setattr__": __setattr__, "__delattr__": __delattr__}


def _state(fields: dict[str, dataclasses.Field[Any]]) -> dict[str, Callable[..., Any]]:
    """Pickling, as the dataclass does it for frozen slots: the field values in order."""
    names = tuple(fields)
    setter = object.__setattr__

    def __getstate__(self: object) -> list[Any]:
        return [getattr(self, name) for name in names]

    def __setstate__(self: object, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=False):
            setter(self, name, value)

    return {"__getstate__": __getstate__, "__setstate__": __setstate__}
