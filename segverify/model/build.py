"""Model stage: merge checked files into one Model (sections merge by name, flows concatenate in order)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, cast

from segverify.diagnostics import Diagnostic, Span
from segverify.model.build_network import Named, build_hosts, build_services, build_zones
from segverify.model.build_policies import attacker_profile, build_policies, build_waivers
from segverify.model.fields import DEFAULTS, FILE, VERSION
from segverify.model.ir import (
    Action,
    AttackerProfile,
    Defaults,
    Flow,
    Layer,
    Model,
    Principal,
    PrincipalKind,
)
from segverify.model.names import Context
from segverify.model.read import Fields, Reader
from segverify.model.yamlio import YMap, YNode

NAMED_SECTIONS = ("zones", "services", "hosts", "accounts", "groups")
V = TypeVar("V")


@dataclass
class Sections:
    """Every file's sections, in file order."""

    named: dict[str, list[Named]] = field(default_factory=lambda: {s: [] for s in NAMED_SECTIONS})
    flows: list[Fields] = field(default_factory=list)
    layers: list[Fields] = field(default_factory=list)
    policies: list[Fields] = field(default_factory=list)
    waivers: list[Fields] = field(default_factory=list)
    defaults: list[tuple[Span, Fields]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file parsed, read or not


def read_sections(trees: Iterable[tuple[str, YNode]], reader: Reader) -> Sections:
    out = Sections()
    for file, tree in trees:
        out.files.append(file)
        f = _read_file(file, tree, reader)
        del tree  # the next file's tree is parsed while this one would still be held
        if f is None:
            continue
        for name in NAMED_SECTIONS:
            out.named[name].extend(f.named(name))
        out.flows.extend(f.entries("flows"))
        out.layers.extend(f.entries("layers"))
        out.policies.extend(f.entries("policies"))
        out.waivers.extend(f.entries("waivers"))
        defaults = f.object("defaults")
        if defaults is not None:
            out.defaults.append((f.key_span("defaults"), defaults))
    return out


def _read_file(file: str, tree: YNode, reader: Reader) -> Fields | None:
    """A file is read only once it says `segverify: 1`: anything else may be another format."""
    if not isinstance(tree, YMap):
        reader.error(
            "wrong-type", "a model file must be a mapping that starts with `segverify: 1`", tree.span
        )
        return None
    version = tree.get(VERSION)
    if version is None:
        reader.error(
            "missing-version",
            "the file does not say which format it is",
            Span(file, 1, 1),
            "start the file with `segverify: 1`",
        )
        return None
    if not reader.version_ok(version):
        return None
    return reader.mapping(tree, FILE, tree.span)


def declare_names(ctx: Context, s: Sections) -> None:
    """Record every defined name and report duplicates (zones with hosts, accounts with groups)."""
    named = s.named
    ctx.unique(((i.text, i.span) for i, _ in named["zones"] + named["hosts"]), "the zone or host")
    ctx.unique(((i.text, i.span) for i, _ in named["services"]), "the service")
    ctx.unique(((i.text, i.span) for i, _ in named["accounts"] + named["groups"]), "the account or group")
    ids = [(i.text, i.span) for i in (p.item("id") for p in s.policies) if i is not None]
    ctx.policy_ids = ctx.unique(ids, "the policy id")
    ctx.zones = {i.text for i, _ in named["zones"]}
    ctx.hosts = {i.text for i, _ in named["hosts"]}
    ctx.principals.update((i.text, "group") for i, _ in named["groups"])
    ctx.principals.update((i.text, "account") for i, _ in named["accounts"])


def build_principals(ctx: Context, accounts: list[Named], groups: list[Named]) -> dict[str, Principal]:
    out: dict[str, Principal] = {}
    for item, f in groups + accounts:
        kind: PrincipalKind = "account" if f.shape.name == "account" else "group"
        member_of = tuple(dict.fromkeys(g.text for g in f.items("member_of")))
        out[item.text] = Principal(
            item.text, kind, member_of, f.flag("mfa"), f.text("description"), item.span
        )
    for _, f in accounts + groups:
        for g in f.items("member_of"):
            if ctx.principals.get(g.text) == "account":
                ctx.error(
                    "member-of-account", f"'{g.text}' is an account; `member_of` names groups only", g.span
                )
            elif g.text not in ctx.principals:  # a group exists once some member_of names it
                ctx.principals[g.text] = "group"
                out[g.text] = Principal(g.text, "group", span=g.span)
    return out


def _flows(ctx: Context, entries: Iterable[Fields], start: int, layer: str) -> tuple[Flow, ...]:
    """Rules numbered from `start` (their position among every layer's rules)."""
    flows = []
    for index, f in enumerate(entries, start):
        name, services = f.item("name"), f.items("services")
        flows.append(
            Flow(
                index=index,
                name=name.text if name else f"rule-{index + 1}",
                sources=f.refs("from"),
                destinations=f.refs("to"),
                services=tuple(s.text for s in services),
                ports=ctx.ports(services),
                action=cast(Action, f.text("action", "allow")),
                description=f.text("description"),
                owner=f.text("owner"),
                ticket=f.text("ticket"),
                span=f.span,
                layer=layer,
            )
        )
    return tuple(flows)


def build_layers(ctx: Context, entries: list[Fields], implicit: tuple[Flow, ...]) -> tuple[Layer, ...]:
    """Layers in the order written; rule names are unique across every layer, the implicit one too."""
    layers, start = [], len(implicit)
    for f in entries:
        item = f.item("name")
        name = item.text if item else ""
        flows = _flows(ctx, f.entries("flows"), start, name)
        start += len(flows)
        defaults, applies = f.object("defaults"), f.object("applies_to")
        layers.append(
            Layer(
                name=name,
                flows=flows,
                intra_zone=cast(Action, defaults.text("intra_zone", "allow") if defaults else "allow"),
                inter_zone=cast(Action, defaults.text("inter_zone", "deny") if defaults else "deny"),
                applies_from=applies.refs("from") if applies and applies.has("from") else None,
                applies_to=applies.refs("to") if applies and applies.has("to") else None,
                description=f.text("description"),
                span=f.span,
            )
        )
    ctx.unique(((layer.name, layer.span) for layer in layers), "the layer")
    every = implicit + tuple(fl for layer in layers for fl in layer.flows)
    ctx.unique(((fl.name, fl.span) for fl in every), "the flow")
    return tuple(layers)


def build_defaults(ctx: Context, entries: list[tuple[Span, Fields]]) -> Defaults:
    """`defaults` may be split across files; each key is given once."""
    if not entries:
        return Defaults()
    merged = Fields(DEFAULTS, entries[0][0])
    ctx.unique(((k, f.key_span(k)) for _, f in entries for k in f.values), "the defaults key")
    for _, f in entries:
        for key, value in f.values.items():
            merged.values.setdefault(key, value)
    return Defaults(
        intra_zone=cast(Action, merged.text("intra_zone", "allow")),
        inter_zone=cast(Action, merged.text("inter_zone", "deny")),
        attacker=attacker_profile(merged.object("attacker"), AttackerProfile()),
        span=merged.span,
    )


def _sorted(items: Mapping[str, V]) -> dict[str, V]:
    return dict(sorted(items.items()))


def build_model(trees: Iterable[tuple[str, YNode]], diags: list[Diagnostic]) -> tuple[Model, Context]:
    """Build the Model of every parsed file (read once, in order); problems go to `diags` and the
    build carries on."""
    ctx = Context(diags)
    s = read_sections(trees, Reader(diags))
    declare_names(ctx, s)
    build_services(ctx, s.named["services"])
    zones = build_zones(ctx, s.named["zones"])
    principals = build_principals(ctx, s.named["accounts"], s.named["groups"])
    hosts = build_hosts(ctx, s.named["hosts"])
    defaults = build_defaults(ctx, s.defaults)
    flows = _flows(ctx, s.flows, 0, "")
    model = Model(
        zones=_sorted(zones),
        services=_sorted(ctx.services),
        hosts=_sorted(hosts),
        principals=_sorted(principals),
        flows=flows,
        defaults=defaults,
        layers=build_layers(ctx, s.layers, flows),
        policies=build_policies(ctx, s.policies, defaults.attacker),
        waivers=build_waivers(ctx, s.waivers),
        files=tuple(s.files),
    )
    return model, ctx
