"""Expansion of a raw graph, in the original's order: import, modules, tag_specs, globals."""
from __future__ import annotations

import os

from statestream.errors import Pos, Problems
from statestream.graph import expr as ex
from statestream.graph.nodes import LMap, LSeq, copy_node, located, pos_of
from statestream.graph.yamlio import parse_text, read_text

SECTIONS = ("neuron_pools", "synapse_pools", "plasticities", "interfaces")
ITEM_SECTIONS = SECTIONS + ("core_clients",)
SECTION_KIND = {"neuron_pools": "np", "synapse_pools": "sp", "plasticities": "plast",
                "interfaces": "if", "core_clients": "client"}
EXPANSION_KEYS = ("import", "modules", "tag_specs", "globals")
GRAPH_SUFFIX = ".st_graph"
MAX_IMPORT_DEPTH = 32


def examples_dir() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def search_path() -> list[str]:
    """Folders searched for imports after the importing file's own folder."""
    paths = [examples_dir()]
    extra = os.environ.get("STATESTREAM_PATH", "")
    paths += [p for p in extra.split(os.pathsep) if p]
    return paths


def resolve_graph_file(name: str, base_dir: str | None) -> str | None:
    """An existing graph file for ``name``: relative to ``base_dir``, then the search path."""
    candidates = [name] if name.endswith(GRAPH_SUFFIX) else [name, name + GRAPH_SUFFIX]
    if os.path.isabs(name):
        folders = [""]
    else:
        folders = ([base_dir] if base_dir is not None else []) + search_path()
    for folder in folders:
        for candidate in candidates:
            path = os.path.join(folder, candidate) if folder else candidate
            if os.path.isfile(path):
                return path
    return None


def section(net: LMap, key: str, problems: Problems | None = None) -> LMap:
    """The section ``key`` as a mapping (created empty when missing or null)."""
    value = net.get(key)
    if isinstance(value, LMap):
        return value
    if value is None:
        fresh = LMap(pos=net.pos_of(key) if key in net else net.pos)
        net.set(key, fresh, fresh.pos)
        return fresh
    return LMap(pos=net.pos_of(key))  # wrong type: reported by validation, ignored here


def expand(net: LMap, file: str, problems: Problems, _stack: tuple = ()) -> LMap:
    """Apply import, modules, tag_specs and globals to ``net`` (in place) and return it."""
    resolve_imports(net, file, problems, _stack)
    expand_modules(net, problems)
    apply_tag_specs(net, problems)
    apply_globals(net, problems)
    return net


# -- import -------------------------------------------------------------------------

def resolve_imports(net: LMap, file: str, problems: Problems, stack: tuple = ()) -> None:
    imports = net.get("import")
    if imports is None:
        return
    where = net.pos_of("import")
    if not isinstance(imports, list):
        problems.error(where, "import", "import must be a list of [file, what] pairs")
        return
    real = os.path.realpath(file)
    stack = stack + (real,)
    base_dir = os.path.dirname(os.path.abspath(file))
    sources = net.setdefault("__source_root__", [])
    for index, entry in enumerate(imports):
        epos = imports.pos_of(index) if isinstance(imports, LSeq) else where
        if (not isinstance(entry, list) or len(entry) != 2
                or not all(isinstance(e, str) and e for e in entry)):
            problems.error(epos, "import", "each import must be a pair [file, what], "
                           "e.g. [mnist_small, neuron_pools]")
            continue
        name, what = entry
        path = resolve_graph_file(name, base_dir)
        if path is None:
            problems.error(epos, "import", f"cannot find graph {name!r} (looked next to {file}, "
                           "in the package examples and in $STATESTREAM_PATH)")
            continue
        if os.path.realpath(path) in stack:
            chain = " -> ".join(os.path.basename(p) for p in stack + (os.path.realpath(path),))
            problems.error(epos, "import", f"import cycle: {chain}")
            continue
        if len(stack) > MAX_IMPORT_DEPTH:
            problems.error(epos, "import", "imports nested too deeply")
            continue
        other = load_raw(path, problems, epos)
        if other is None:
            continue
        resolve_imports(other, path, problems, stack)
        if path not in sources:
            sources.append(path)
        _import_part(net, other, what, epos, problems)


def load_raw(path: str, problems: Problems, pos: Pos | None = None) -> LMap | None:
    """Parse a graph file without expanding it; None after reporting a problem."""
    text = read_text(path, problems, "import" if pos else "graph", pos)
    if text is None:
        return None
    data = parse_text(text, path, problems)
    if data is None:
        if pos is not None and not problems.errors:
            problems.error(pos, "import", f"imported graph {path} is empty")
        return None
    if not isinstance(data, LMap):
        problems.error(Pos(path, 1), "graph",
                       f"{path}: a graph must be a mapping of keys (name, agents, neuron_pools, ...)")
        return None
    return data


def _merge_item(target_section: LMap, name, item, item_pos: Pos) -> None:
    """Create the item, or add only its missing keys to an existing one."""
    if name not in target_section:
        target_section.set(name, copy_node(item), item_pos)
        return
    existing = target_section[name]
    if isinstance(existing, LMap) and isinstance(item, LMap):
        for key, value in item.items():
            if key not in existing:
                existing.set(key, copy_node(value), item.pos_of(key))


def _has_tag(item, tag: str) -> bool:
    return isinstance(item, dict) and isinstance(item.get("tags"), list) and tag in item["tags"]


def _import_part(net: LMap, other: LMap, what: str, pos: Pos, problems: Problems) -> None:
    head, _, tail = what.partition(".")
    found = False
    if head in SECTIONS or head == "core_clients":
        src = other.get(head)
        if isinstance(src, LMap):
            dst = section(net, head)
            for name, item in src.items():
                if head == "core_clients":
                    ok = not tail or name == tail
                else:
                    ok = not tail or _has_tag(item, tail)
                if ok:
                    found = True
                    if head == "core_clients":
                        if name not in dst:
                            dst.set(name, copy_node(item), src.pos_of(name))
                    else:
                        _merge_item(dst, name, item, src.pos_of(name))
    elif head in ("modules", "tag_specs", "globals"):
        src = other.get(head)
        if isinstance(src, LMap):
            dst = section(net, head)
            for name, value in src.items():
                if tail and name != tail:
                    continue
                found = True
                if name not in dst:
                    dst.set(name, copy_node(value), src.pos_of(name))
    else:  # a tag: copy whole items carrying it
        for sec in SECTIONS:
            src = other.get(sec)
            if not isinstance(src, LMap):
                continue
            dst = section(net, sec)
            for name, item in src.items():
                if _has_tag(item, what):
                    found = True
                    if name not in dst:
                        dst.set(name, copy_node(item), src.pos_of(name))
    if not found:
        problems.warning(pos, "import", f"{what!r} imports nothing from that file")


# -- modules ------------------------------------------------------------------------

class _Vars:
    """Substitution of ``_var`` strings by an instance's values."""

    def __init__(self, instance: str, values: LMap, problems: Problems):
        self.instance = instance
        self.values = values
        self.problems = problems

    def sub(self, value, pos: Pos, item: str):
        if isinstance(value, str) and value.startswith("_") and len(value) > 1:
            key = value[1:]
            if key in self.values:
                return copy_node(self.values[key])
            self.problems.error(pos, item, f"module variable {key!r} is not defined for "
                                f"instance {self.instance!r}")
            return value
        if isinstance(value, LSeq):
            out = LSeq(pos=value.pos)
            for i, entry in enumerate(value):
                out.append_at(self.sub(entry, value.pos_of(i), item), value.pos_of(i))
            return out
        if isinstance(value, LMap):
            out = LMap(pos=value.pos)
            for key, entry in value.items():
                out.set(key, self.sub(entry, value.pos_of(key), item), value.pos_of(key))
            return out
        return copy_node(value)


def _prefixed(value, names: set, prefix: str, vars_: _Vars, pos: Pos, item: str):
    """Substitute a variable, or prefix a template-local name; recurse into lists."""
    if isinstance(value, str):
        if value.startswith("_") and len(value) > 1:
            return vars_.sub(value, pos, item)
        return prefix + value if value in names else value
    if isinstance(value, LSeq):
        out = LSeq(pos=value.pos)
        for i, entry in enumerate(value):
            out.append_at(_prefixed(entry, names, prefix, vars_, value.pos_of(i), item),
                          value.pos_of(i))
        return out
    return vars_.sub(value, pos, item)


def _instantiate(kind: str, template: LMap, local: dict, prefix: str, vars_: _Vars,
                 item: str) -> LMap:
    out = LMap(pos=template.pos)
    for key, value in template.items():
        pos = template.pos_of(key)
        if kind == "synapse_pools" and key in ("source", "target"):
            new = _prefixed(value, local["neuron_pools"], prefix, vars_, pos, item)
        elif kind == "synapse_pools" and key == "share params" and isinstance(value, LMap):
            new = LMap(pos=value.pos)
            for pname, ref in value.items():
                rpos = value.pos_of(pname)
                if isinstance(ref, LSeq) and ref:
                    ref = vars_.sub(ref, rpos, item)
                    if isinstance(ref[0], str) and ref[0] in local["synapse_pools"]:
                        ref[0] = prefix + ref[0]
                new.set(pname, ref, rpos)
        elif kind == "plasticities" and key in ("source", "target", "mask"):
            new = _prefixed(value, local["neuron_pools"], prefix, vars_, pos, item)
        elif kind == "plasticities" and key == "parameter" and isinstance(value, LSeq):
            new = vars_.sub(value, pos, item)
            for entry in new:
                if (isinstance(entry, LSeq) and len(entry) == 3 and isinstance(entry[0], str)
                        and isinstance(entry[1], str)):
                    pool = {"np": "neuron_pools", "sp": "synapse_pools"}.get(entry[0])
                    if pool and entry[1] in local[pool]:
                        entry[1] = prefix + entry[1]
        elif kind == "interfaces" and key == "remap" and isinstance(value, LMap):
            new = LMap(pos=value.pos)
            for topic, target in value.items():
                tpos = value.pos_of(topic)
                new.set(topic, _prefixed(target, local["neuron_pools"], prefix, vars_, tpos, item),
                        tpos)
        elif kind == "core_clients":
            every = set().union(*local.values())
            new = _prefixed(value, every, prefix, vars_, pos, item)
        else:
            new = vars_.sub(value, pos, item)
        out.set(key, new, pos)
    return out


def expand_modules(net: LMap, problems: Problems) -> None:
    modules = net.get("modules")
    if modules is None:
        return
    if not isinstance(modules, LMap):
        problems.error(net.pos_of("modules"), "modules", "modules must be a mapping of module "
                       "definitions")
        return
    for mname, module in list(modules.items()):
        mpos = modules.pos_of(mname)
        if mname in ITEM_SECTIONS or mname in EXPANSION_KEYS or mname in ("name", "agents"):
            problems.error(mpos, str(mname), f"a module cannot be named {mname!r}: its "
                           "instances would be that top-level key")
            continue
        if module is None:
            module = LMap(pos=mpos)
        if not isinstance(module, LMap):
            problems.error(mpos, str(mname), "a module must be a mapping of sections "
                           "(neuron_pools, synapse_pools, ...)")
            continue
        bad = [k for k in module if k not in ITEM_SECTIONS]
        for key in bad:
            problems.error(module.pos_of(key), str(mname), f"unknown module section {key!r} "
                           f"(allowed: {', '.join(ITEM_SECTIONS)})")
        local = {}
        for sec in ITEM_SECTIONS:
            content = module.get(sec)
            if content is not None and not isinstance(content, LMap):
                problems.error(module.pos_of(sec), str(mname), f"module section {sec} must be "
                               "a mapping")
                content = None
            local[sec] = set(content) if content else set()
        instances = net.get(mname)
        if instances is None:
            continue
        ipos = net.pos_of(mname)
        if not isinstance(instances, LMap):
            problems.error(ipos, str(mname), "module instances must be a mapping "
                           "{instance: {variable: value}}")
            continue
        for iname, values in list(instances.items()):
            vpos = instances.pos_of(iname)
            if values is None:
                values = LMap(pos=vpos)
            if not isinstance(values, LMap):
                problems.error(vpos, str(iname), "module instance variables must be a mapping")
                continue
            prefix = f"{iname}_"
            vars_ = _Vars(str(iname), values, problems)
            for sec in ITEM_SECTIONS:
                templates = module.get(sec)
                if not isinstance(templates, LMap):
                    continue
                dst = section(net, sec)
                for tname, template in list(templates.items()):
                    name = prefix + str(tname)
                    if name in dst:
                        continue
                    tpos = templates.pos_of(tname)
                    if template is None:
                        template = LMap(pos=tpos)
                    if not isinstance(template, LMap):
                        problems.error(tpos, name, "a module item must be a mapping")
                        continue
                    dst.set(name, _instantiate(sec, template, local, prefix, vars_, name), tpos)


# -- tag_specs ----------------------------------------------------------------------

def apply_tag_specs(net: LMap, problems: Problems) -> None:
    specs = net.get("tag_specs")
    if specs is None:
        return
    if not isinstance(specs, LMap):
        problems.error(net.pos_of("tag_specs"), "tag_specs", "tag_specs must be a mapping "
                       "{tag: {key: value}}")
        return
    for tag, values in specs.items():
        if values is None:
            continue
        if not isinstance(values, LMap):
            problems.error(specs.pos_of(tag), str(tag), "a tag spec must be a mapping of keys")
            continue
        for sec in SECTIONS:
            items = net.get(sec)
            if not isinstance(items, LMap):
                continue
            for item in items.values():
                if _has_tag(item, tag):
                    for key, value in values.items():
                        if key not in item:
                            item.set(key, copy_node(value), values.pos_of(key))


# -- globals ------------------------------------------------------------------------

def apply_globals(net: LMap, problems: Problems) -> None:
    raw = net.get("globals")
    if raw is None:
        return
    gpos = net.pos_of("globals")
    if not isinstance(raw, LMap):
        problems.error(gpos, "globals", "globals must be a mapping {name: value}")
        return
    values: dict = {}
    for name, value in raw.items():
        pos = raw.pos_of(name)
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("__"):
            problems.error(pos, "globals", f"global name {name!r} must be an identifier")
            continue
        values[name] = _global_value(value, values, pos, name, problems)
    if not values:
        return
    if "agents" in net:
        net["agents"] = _substitute(net["agents"], values, net.pos_of("agents"), "agents",
                                    problems)
    for sec in SECTIONS:
        items = net.get(sec)
        if not isinstance(items, LMap):
            continue
        for iname, item in items.items():
            if not isinstance(item, LMap):
                continue
            for key in list(item):
                item[key] = _substitute(item[key], values, item.pos_of(key), str(iname),
                                        problems)


def _global_value(value, earlier: dict, pos: Pos, name: str, problems: Problems):
    if isinstance(value, str):
        return _substitute(value, earlier, pos, f"globals.{name}", problems)
    if value is None or isinstance(value, (bool, int, float, list)):
        return value
    problems.error(pos, "globals", f"global {name!r} must be a number, string or list")
    return value


def _substitute(value, names: dict, pos: Pos, item: str, problems: Problems):
    if isinstance(value, str):
        stripped = value.strip()
        if stripped in names:
            return located(copy_node(names[stripped]), pos)
        text, changed = ex.substitute_names(value, names)
        if not changed:
            return value
        try:
            result = ex.evaluate_number(ex.parse_number(text, {}), {})
        except ex.ExprError:
            return text
        if isinstance(result, (bool, int, float)):
            return result
        return text
    if isinstance(value, LSeq):
        for i, entry in enumerate(value):
            value[i] = _substitute(entry, names, value.pos_of(i), item, problems)
        return value
    return value


def drop_expansion_keys(net: LMap) -> None:
    """Remove what expansion consumed: import, modules and their instances, tag_specs, globals."""
    modules = net.get("modules")
    if isinstance(modules, LMap):
        for mname in modules:
            if mname not in ITEM_SECTIONS and mname not in ("name", "agents"):
                net.pop(mname, None)
    for key in EXPANSION_KEYS + ("__source_root__",):
        net.pop(key, None)


__all__ = ["expand", "load_raw", "resolve_graph_file", "section", "drop_expansion_keys",
           "SECTIONS", "ITEM_SECTIONS", "SECTION_KIND", "pos_of"]
