"""ansible-doc of every module given and of the role: each must load, with DOCUMENTATION, EXAMPLES and RETURN,
check/diff mode attributes, and options that are exactly the argument spec's."""
import ast
import json
import pathlib
import subprocess
import sys

TOP = pathlib.Path(__file__).resolve().parents[1]


def argument_spec_keys(name):
    """Option names of the module's AnsibleModule(argument_spec=dict(...)), read from its source."""
    tree = ast.parse((TOP / "plugins" / "modules" / (name.rsplit(".", 1)[1] + ".py")).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "argument_spec" and isinstance(node.value, ast.Call):
            return {kw.arg for kw in node.value.keywords}
    return None


def main(modules):
    docs = json.loads(subprocess.run(["ansible-doc", "--json"] + modules, check=True, stdout=subprocess.PIPE).stdout)
    problems = []
    for name in modules:
        entry = docs.get(name) or {}
        doc = entry.get("doc") or {}
        for part, value in (("DOCUMENTATION", doc), ("EXAMPLES", entry.get("examples")), ("RETURN", entry.get("return"))):
            if not value:
                problems.append("%s: no %s" % (name, part))
        attributes = doc.get("attributes") or {}
        for mode in ("check_mode", "diff_mode"):
            if mode not in attributes:
                problems.append("%s: attributes lack %s" % (name, mode))
        spec = argument_spec_keys(name)
        if spec is not None and set(doc.get("options") or {}) != spec:
            problems.append("%s: documented options %s != argument spec %s" % (name, sorted(doc.get("options") or {}),
                                                                               sorted(spec)))
    role = subprocess.run(["ansible-doc", "-t", "role", "--json", "mailops.nbdb.migrate"], check=True,
                          stdout=subprocess.PIPE).stdout
    if "main" not in json.dumps(json.loads(role)):
        problems.append("role mailops.nbdb.migrate: no main entry point documented")
    for problem in problems:
        print("ansible-doc:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
