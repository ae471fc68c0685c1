"""Issue 16, finding 4: secrets planted in main.cf, master.cf and a SASL password table appear nowhere in the
whole ``ansible-playbook -vv`` output of the migrate role: neither in the dry run (check mode, --diff: every
module's diff is printed) nor in the real migration."""
import pathlib

import pytest

from tests.integration.conftest import lay_down_demo_legacy
from tests.testbed.ansible import run_playbook

pytestmark = pytest.mark.integration

PLAYBOOK = pathlib.Path(__file__).resolve().parent / "playbooks" / "migrate.yml"
DNSBL_KEY = "abcdefghijklmnop0123456789"
SECRETS = ("Fa11backPass", "InlineLmtpPass", DNSBL_KEY, "MasterStat1cPass",
           "relayuser:s3cr3t")  # the last: the demo's sasl_passwd table (hash:, sensitive by smtp_sasl_password_maps)
MAIN_CF = (
    "smtp_sasl_password_maps = hash:/etc/postfix/sasl/sasl_passwd, static:fallbackuser:Fa11backPass",
    "lmtp_sasl_password_maps = inline:{ [lmtp.example.test]:24=lmtpuser:InlineLmtpPass }",
    "postscreen_dnsbl_sites = %s.zen.dq.spamhaus.net*3" % DNSBL_KEY,
    "smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination,"
    " reject_rbl_client %s.zen.dq.spamhaus.net=127.0.0.[2..11]" % DNSBL_KEY,
)
MASTER_CF = ("relay2/unix=relay2 unix - - n - - smtp -o smtp_sasl_password_maps=static:masteruser:MasterStat1cPass"
             " -o smtp_sasl_auth_enable=yes")


def leaked(out):
    return [secret for secret in SECRETS if secret in out]


def test_no_planted_secret_in_the_role_output(postfix_host):
    host = lay_down_demo_legacy(postfix_host("sid"), postconf=MAIN_CF)
    host.run(["postconf", "-Me", MASTER_CF])
    assert all(secret in host.read("/etc/postfix/main.cf") + host.read("/etc/postfix/master.cf")
               for secret in SECRETS[:4])

    rc, out = run_playbook([host], PLAYBOOK, check=True, verbosity=2)
    assert rc == 0, out[-6000:]
    assert "lmdb:/etc/postfix/sasl/sasl_passwd" in out and "********" in out, out[-6000:]  # the diff is there, masked
    assert leaked(out) == [], [out[max(0, out.find(s) - 300):out.find(s) + 100] for s in leaked(out)]

    rc, out = run_playbook([host], PLAYBOOK, verbosity=2)
    assert rc == 0, out[-6000:]
    assert "smtp_sasl_password_maps = lmdb:/etc/postfix/sasl/sasl_passwd" in host.postconf("-n")
    assert leaked(out) == [], [out[max(0, out.find(s) - 300):out.find(s) + 100] for s in leaked(out)]
