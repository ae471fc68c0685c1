"""Recorded postconf output of real Postfix hosts (tests/unit/fixtures/<name>, see each setup.sh)."""
import pathlib

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import config_files, references

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures"


def load(name, config_dir="/etc/postfix"):
    base = FIXTURES / name

    def text(file):
        return (base / file).read_text()

    services = references.parse_postconf_services
    return references.Snapshot(
        config_dir,
        references.parse_postconf(text("postconf-n.txt")),
        dict(references.parse_postconf(text("postconf-x.txt")), **references.parse_postconf(text("postconf-nx.txt"))),
        references.parse_postconf(text("postconf-d.txt")),
        services(text("postconf-P.txt")), services(text("postconf-Px.txt")),
        config_files.main_cf_lines(text("main.cf")), config_files.master_cf_lines(text("master.cf")))
