"""Checks the hand-written Swift against the generated bindings (TelevisitCore.swift).

No Swift compiler runs here, so this reads both with tree-sitter-swift and fails when a
hand-written file
  - calls a binding function or method with argument labels the generated file does not declare
    (parameters with a default value may be left out, as Swift allows);
  - makes a binding record, object or error with labels no initialiser of that type has;
  - matches an enum case of the bindings with another number of associated values;
  - implements a foreign protocol (a callback interface such as SecretStore or ContactBook) with
    a method whose labels differ from the requirement's, or leaves a requirement out.
  - calls, on the core's object, a method the bindings do not declare (renamed or removed in
    Rust): the receiver is `televisit`, or `$0` in a closure handed to the app model's
    `perform`, `performInBackground` or `onStore`, which run work on the open store.
Other names the bindings do not declare are Apple's or the shell's own, and are not checked; a
call whose name the bindings declare but whose labels match a declaration in the hand-written
files (the shell's own helper of the same name) is the shell's.

Usage: swift_binding_check.py GENERATED.swift FILE.swift...   -> JSON on stdout
       swift_binding_check.py --self-test
"""
import json
import sys

import tree_sitter
import tree_sitter_swift

from swift_syntax_check import blank_directives

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))


def parse(source):
    return PARSER.parse(blank_directives(source)).root_node


def text(node, source):
    return source[node.start_byte:node.end_byte].decode("utf-8", "replace")


def walk(node):
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))


def ancestors(node):
    while node.parent is not None:
        node = node.parent
        yield node


# UniFFI's machinery in the generated file: not API.
INTERNAL_PREFIXES = ("FfiConverter", "Uniffi", "_Uniffi", "RustBuffer", "ForeignBytes")


def named_child(node, kind):
    return next((c for c in node.children if c.type == kind), None)


def parameters(decl, source):
    """[(external label or None for `_`, has default)] of a function or init declaration."""
    params = []
    kids = decl.children
    for i, child in enumerate(kids):
        if child.type != "parameter":
            continue
        names = [c for c in child.children if c.type == "simple_identifier"]
        label = text(names[0], source) if names else None
        if label == "_":
            label = None
        has_default = i + 1 < len(kids) and kids[i + 1].type == "="
        params.append((label, has_default))
    return params


def accepts(params, labels):
    """Whether a call with these labels (None: unlabelled) fits the parameters."""
    i = 0
    for label in labels:
        while i < len(params) and params[i][0] != label and params[i][1]:
            i += 1  # a defaulted parameter left out
        if i >= len(params) or params[i][0] != label:
            return False
        i += 1
    return all(has_default for _, has_default in params[i:])


def signature(name, params):
    return "%s(%s)" % (name, "".join("%s:" % (label or "_") for label, _ in params))


class Declarations:
    def __init__(self):
        self.functions = {}  # name -> [params]
        self.inits = {}  # type -> [params]
        self.cases = {}  # case name -> {arity}
        self.protocols = {}  # protocol -> [(name, params)]
        self.types = set()

    def read(self, root, source, public_only=False):
        for node in walk(root):
            if public_only and not self.public_api(node, source):
                continue
            if node.type in ("function_declaration", "protocol_function_declaration"):
                name = named_child(node, "simple_identifier")
                if name is not None:
                    self.functions.setdefault(text(name, source), []).append(parameters(node, source))
            elif node.type == "class_declaration":
                type_name = named_child(node, "type_identifier")
                if type_name is None:
                    continue
                tname = text(type_name, source)
                self.types.add(tname)
                body = named_child(node, "class_body") or named_child(node, "enum_class_body")
                for member in body.children if body is not None else []:
                    if member.type == "init_declaration":
                        self.inits.setdefault(tname, []).append(parameters(member, source))
                    elif member.type == "enum_entry":
                        self.read_cases(member, source)
            elif node.type == "protocol_declaration":
                pname = text(named_child(node, "type_identifier"), source)
                self.types.add(pname)
                body = named_child(node, "protocol_body")
                reqs = []
                for member in body.children if body is not None else []:
                    if member.type == "protocol_function_declaration":
                        reqs.append((text(named_child(member, "simple_identifier"), source), parameters(member, source)))
                self.protocols[pname] = reqs

    @staticmethod
    def public_api(node, source):
        """Public, and not one of UniFFI's own converters or handle maps (they are public for
        the generated code's sake, not the shell's)."""
        for n in [node] + list(ancestors(node)):
            if n.type in ("class_declaration", "protocol_declaration"):
                name = named_child(n, "type_identifier")
                if name is not None and text(name, source).startswith(INTERNAL_PREFIXES):
                    return False
        if node.type in ("function_declaration", "init_declaration", "class_declaration", "protocol_declaration"):
            modifiers = named_child(node, "modifiers")
            return modifiers is not None and "public" in text(modifiers, source).split()
        return True

    def read_cases(self, entry, source):
        # `case a(x: Int, y: Int), b`: each simple_identifier at the entry's level is a case;
        # the enum_type_parameters after it are its associated values.
        current = None
        for child in entry.children:
            if child.type == "simple_identifier":
                current = text(child, source)
                self.cases.setdefault(current, set()).add(0)
            elif child.type == "enum_type_parameters" and current is not None:
                arity = sum(1 for c in child.children if c.type == ",") + 1
                self.cases[current].discard(0)
                self.cases[current].add(arity)


def call_parts(call, source):
    """(callee node, name, labels) of a call_expression, or None."""
    callee = call.children[0] if call.children else None
    suffix = named_child(call, "call_suffix")
    if callee is None or suffix is None:
        return None
    args = named_child(suffix, "value_arguments")
    if args is None:
        return None  # a trailing closure alone: no labels to check
    labels = []
    for arg in args.children:
        if arg.type != "value_argument":
            continue
        label = named_child(arg, "value_argument_label")
        labels.append(text(label, source) if label is not None else None)
    if any(c.type == "lambda_literal" for c in suffix.children):
        labels.append("__trailing__")
    if callee.type == "simple_identifier":
        return callee, text(callee, source), labels
    if callee.type == "navigation_expression":
        nav = named_child(callee, "navigation_suffix")
        name = named_child(nav, "simple_identifier") if nav is not None else None
        if name is not None:
            return callee, text(name, source), labels
    return None


# The app model's calls whose closure gets the open store as `$0`.
STORE_RUNNERS = {"perform", "performInBackground", "onStore"}


def callee_name(call, source):
    """The called name of any call_expression (trailing closure or not), or None."""
    callee = call.children[0] if call.children else None
    if callee is None:
        return None
    if callee.type == "simple_identifier":
        return text(callee, source)
    if callee.type == "navigation_expression":
        nav = named_child(callee, "navigation_suffix")
        name = named_child(nav, "simple_identifier") if nav is not None else None
        return text(name, source) if name is not None else None
    return None


def on_core_object(callee, source):
    """Whether a method call's receiver is the core's Televisit object (see the module doc)."""
    if callee.type != "navigation_expression" or not callee.children:
        return False
    receiver = text(callee.children[0], source).rstrip("?!")
    if receiver == "televisit":
        return True
    if receiver != "$0":
        return False
    for node in ancestors(callee):
        if node.type == "lambda_literal":
            call = next((a for a in ancestors(node) if a.type == "call_expression"), None)
            return call is not None and callee_name(call, source) in STORE_RUNNERS
    return False


def fits(candidates, labels):
    if labels and labels[-1] == "__trailing__":
        # A trailing closure fills the last closure parameter, whatever its label.
        return any(accepts(p[:-1], labels[:-1]) for p in candidates if p)
    return any(accepts(p, labels) for p in candidates)


def check(generated_source, files):
    bindings = Declarations()
    bindings.read(parse(generated_source), generated_source, public_only=True)
    parsed = []
    own = Declarations()
    for path in files:
        with open(path, "rb") as f:
            source = f.read()
        root = parse(source)
        own.read(root, source)
        parsed.append((path, source, root))
    matched = 0
    results = []
    for path, source, root in parsed:
        problems = []
        for node in walk(root):
            line = node.start_point[0] + 1
            if node.type == "call_expression":
                parts = call_parts(node, source)
                if parts is None:
                    continue
                callee, name, labels = parts
                shown = signature(name, [(l, False) for l in labels if l != "__trailing__"])
                if callee.type == "simple_identifier" and name in bindings.inits:
                    if fits(bindings.inits[name], labels):
                        matched += 1
                    else:
                        declared = ", ".join(sorted({signature("init", p) for p in bindings.inits[name]}))
                        problems.append("%s:%d: %s: no initialiser of %s takes these labels (the bindings declare %s)" % (path, line, shown, name, declared))
                elif on_core_object(callee, source) and name not in bindings.functions:
                    problems.append("%s:%d: %s: the core's object has no such method in the bindings (renamed or removed?)" % (path, line, shown))
                elif name in bindings.functions:
                    if fits(bindings.functions[name], labels):
                        matched += 1
                    elif on_core_object(callee, source) or (not fits(own.functions.get(name, []), labels) and name not in APPLE_NAMES):
                        declared = ", ".join(sorted({signature(name, p) for p in bindings.functions[name]}))
                        problems.append("%s:%d: %s: the bindings declare only %s" % (path, line, shown, declared))
            elif node.type == "pattern" and node.parent is not None and node.parent.type == "switch_pattern":
                kids = node.children
                for i, kid in enumerate(kids):
                    if kid.type == "." and i + 1 < len(kids) and kids[i + 1].type == "simple_identifier":
                        name = text(kids[i + 1], source)
                        if name not in bindings.cases:
                            continue
                        values = sum(1 for k in kids[i + 2:] if k.type == "pattern")
                        if values in bindings.cases[name] or (values == 0 and name in bindings.cases):
                            matched += 1
                        else:
                            problems.append("%s:%d: case .%s with %d values: the bindings' case has %s" % (
                                path, line, name, values, " or ".join(str(a) for a in sorted(bindings.cases[name]))))
            elif node.type == "class_declaration":
                conformed = [text(t, source) for s in node.children if s.type == "inheritance_specifier" for t in walk(s) if t.type == "type_identifier"]
                body = named_child(node, "class_body")
                methods = {}
                for member in body.children if body is not None else []:
                    if member.type == "function_declaration":
                        methods.setdefault(text(named_child(member, "simple_identifier"), source), []).append(parameters(member, source))
                for proto in conformed:
                    for req_name, req_params in bindings.protocols.get(proto, []):
                        wanted = [label for label, _ in req_params]
                        if any([label for label, _ in p] == wanted for p in methods.get(req_name, [])):
                            matched += 1
                        else:
                            problems.append("%s:%d: %s does not implement %s's %s" % (
                                path, line, text(named_child(node, "type_identifier"), source), proto, signature(req_name, req_params)))
        results.append({"path": path, "ok": not problems, "problems": problems})
    return {"files": results, "matched": matched}


# Apple's and Swift's own methods whose names the bindings also use (`open`, `delete`…): a call
# of one with other labels is theirs. Listed by name, so that a new clash is a decision.
APPLE_NAMES = {"open", "delete", "list", "get", "put", "update", "create", "lock", "touch", "enroll", "send", "schedule"}


def self_test():
    generated = b"""
public protocol SecretStore: AnyObject { func put(name: String, value: Data) throws; func get(name: String) throws -> Data? }
public struct NewPatient { public init(givenName: String, familyName: String, visitAt: Date? = nil) {} }
public enum ConsentState { case none
 case given(method: ConsentMethod, textVersion: String, at: Date) }
public class Televisit { public func dayList(device: DeviceFacts, includeArchived: Bool) throws -> [ListedPatient] {} }
"""
    good = b"""
final class Keys: SecretStore { func put(name: String, value: Data) throws {}
 func get(name: String) throws -> Data? { nil } }
let p = NewPatient(givenName: "a", familyName: "b")
let rows = try tv.dayList(device: d, includeArchived: false)
switch c { case .none: break
 case let .given(m, v, at): break }
"""
    bad = b"""
final class Keys: SecretStore { func put(key: String, value: Data) throws {}
 func get(name: String) throws -> Data? { nil } }
let p = NewPatient(given: "a", familyName: "b")
let rows = try tv.dayList(device: d, archived: false)
switch c { case let .given(m, at): break }
let gone = try televisit?.dayLists(device: d, includeArchived: false)
let away = perform { try $0.todayList(device: d) }
let fine = names.map { $0.lowercased() }
"""
    import tempfile, os
    with tempfile.TemporaryDirectory() as d:
        paths = []
        for name, body in (("good.swift", good), ("bad.swift", bad)):
            path = os.path.join(d, name)
            with open(path, "wb") as f:
                f.write(body)
            paths.append(path)
        report = check(generated, paths)
    good_result, bad_result = report["files"]
    problems = bad_result["problems"]
    expected = ["does not implement SecretStore's put(name:value:)", "no initialiser of NewPatient", "dayList(device:archived:)", "case .given with 2 values",
                "dayLists(device:includeArchived:): the core's object has no such method", "todayList(device:): the core's object has no such method"]
    if not good_result["ok"] or any(not any(e in p for p in problems) for e in expected) or len(problems) != 6:
        sys.exit("binding check self-test failed:\ngood: %r\nbad: %r" % (good_result, problems))
    print("ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    else:
        with open(sys.argv[1], "rb") as f:
            generated = f.read()
        json.dump(check(generated, sys.argv[2:]), sys.stdout)
