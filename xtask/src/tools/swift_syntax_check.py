import json
import re
import sys

import tree_sitter
import tree_sitter_swift

PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_swift.language()))

# tree-sitter-swift treats #if/#endif as loose tokens, not structure, and
# reports an ERROR for an #if clause holding only an attribute, which is valid
# Swift (SE-0367) and which UniFFI emits everywhere:
#     #if swift(>=5.8)
#     @_documentation(visibility: private)
#     #endif
#     public func ...
# So whole directive lines are blanked to spaces before parsing: every branch
# is still syntax-checked, and byte offsets (so line:col) stay exact.
DIRECTIVE_LINE = re.compile(rb"^[ \t]*#(?:if|elseif|else|endif)\b[^\n]*", re.M)


def blank_directives(source):
    return DIRECTIVE_LINE.sub(lambda m: b" " * len(m.group(0)), source)


def first_problem(root):
    """First ERROR or MISSING node in document order, or None."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node
        if node.has_error:  # only descend where an error is known to be
            stack.extend(reversed(node.children))
    return root if root.has_error else None


def check_source(source):
    bad = first_problem(PARSER.parse(blank_directives(source)).root_node)
    if bad is None:
        return {"ok": True}
    row, col = bad.start_point
    kind = "MISSING" if bad.is_missing else "ERROR"
    return {"ok": False, "line": row + 1, "col": col + 1, "kind": kind}


def check_file(path):
    try:
        with open(path, "rb") as f:
            source = f.read()
    except OSError as e:
        return {"path": path, "ok": False, "error": str(e)}
    return dict(check_source(source), path=path)


def self_test():
    good = check_source(
        b"struct P { let x: Int }\n"
        b"#if swift(>=5.8)\n@_documentation(visibility: private)\n#endif\n"
        b"func f() async throws -> Int { try await g() }\n"
    )
    bad = check_source(b"func f( {\n")
    if not good["ok"] or bad["ok"]:
        sys.exit("tree-sitter-swift self-test failed: good=%r bad=%r" % (good, bad))
    print("ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    else:
        json.dump({"files": [check_file(p) for p in sys.argv[1:]]}, sys.stdout)
