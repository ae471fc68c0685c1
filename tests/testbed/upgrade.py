"""The "OS upgrade" of the test bed: a host's configuration and legacy tables, made where Berkeley DB works (Debian
sid: the real postmap hash:/btree: and postalias), carried onto a container whose Postfix has none (-DNO_DB).

    with_bdb = PostfixContainer("sid").start()
    build_legacy(with_bdb, files={...}, postmap=["hash:/etc/postfix/virtual"], postalias=["hash:/etc/aliases"])
    os_upgrade(with_bdb, nodb_host, ["/etc/postfix", "/etc/aliases", "/etc/aliases.db"])

Files travel as one tar stream through ``podman exec`` (tar -p on both sides): contents, modes, owners and
mtimes as they were, owners by name (the postfix user's uid differs between the images).
"""
import pathlib

CORPUS = pathlib.Path(__file__).resolve().parents[1] / "corpus"


def build_legacy(host, files=None, postmap=(), postalias=(), commands=()):
    """Write files {path: text | (text, mode, owner)} and build legacy tables with the real postmap/postalias."""
    for path, spec in (files or {}).items():
        text, mode, owner = spec if isinstance(spec, tuple) else (spec, "0644", "root:root")
        host.write(path, text, mode, owner)
    for argv in commands:
        host.run(list(argv))
    for table in postmap:
        host.run(["postmap"] + (list(table) if isinstance(table, (list, tuple)) else [table]))
    for table in postalias:
        host.run(["postalias"] + (list(table) if isinstance(table, (list, tuple)) else [table]))
    return host


def corpus_files(name):
    """{absolute path: bytes} of a corpus configuration's rootfs (tests/corpus/<name>/rootfs)."""
    root = CORPUS / name / "rootfs"
    return {"/" + str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def os_upgrade(source, target, paths):
    """Copy paths (files or directories, absolute) from source to target with their owners and modes."""
    relative = [path.lstrip("/") for path in paths]
    archive = source.run(["tar", "-C", "/", "-cpf", "-"] + relative, binary=True).stdout
    target.run(["tar", "-C", "/", "-xpf", "-", "--same-owner"], input=archive)
    return target


def listing(host, paths):
    """{path: "owner group mode size"} of the paths (for checking that the upgrade kept them)."""
    out = host.run(["stat", "-c", "%n %U %G %a %s"] + list(paths)).stdout
    return {line.split()[0]: " ".join(line.split()[1:]) for line in out.splitlines()}
