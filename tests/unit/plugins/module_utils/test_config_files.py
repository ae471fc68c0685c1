"""Definition line numbers in main.cf and master.cf."""
from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import config_files

MAIN_CF = """# comment
myhostname = mx.example.test

alias_maps = hash:/etc/aliases,
    hash:/var/lib/mailman/data/aliases
  # indented comment inside nothing
transport_maps = hash:/etc/postfix/transport
transport_maps = hash:/etc/postfix/transport2
"""

MASTER_CF = """#
# ==========================================================================
smtp      inet  n       -       y       -       -       smtpd
submission inet n       -       y       -       -       smtpd
  -o syslog_name=postfix/submission
#  -o smtpd_tls_security_level=encrypt
  -o { smtpd_client_restrictions = check_client_access hash:/x,
       permit_sasl_authenticated, reject }
  -o smtpd_sender_restrictions=$mua_sender_restrictions
127.0.0.1:10025 inet n - n - - smtpd -omy_maps=hash:/y
"""


def test_main_cf_lines_last_definition_wins():
    assert config_files.main_cf_lines(MAIN_CF) == {"myhostname": 2, "alias_maps": 4, "transport_maps": 8}


def test_master_cf_lines():
    services = config_files.master_cf_lines(MASTER_CF)
    assert services["smtp/inet"] == {"line": 3, "last_line": 3, "options": {}}
    assert services["submission/inet"] == {"line": 4, "last_line": 9, "options": {
        "syslog_name": 5, "smtpd_client_restrictions": 7, "smtpd_sender_restrictions": 9}}
    assert config_files.option_span(services["submission/inet"], "smtpd_client_restrictions") == (7, 8)
    assert config_files.option_span(services["submission/inet"], "smtpd_sender_restrictions") == (9, 9)
    assert config_files.main_cf_spans(MAIN_CF)["alias_maps"] == (4, 5)
    assert services["127.0.0.1:10025/inet"]["options"] == {"my_maps": 10}
