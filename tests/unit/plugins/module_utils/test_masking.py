"""Issue 16, finding 4: secrets in main.cf/master.cf texts never leave the host (_masking)."""
import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils import _masking as masking

M = masking.MASK


@pytest.mark.parametrize("line, expected", [
    # sensitive parameters: every inline value, static value, bare value
    ("smtp_sasl_password_maps = static:relayuser:S3cret\n", "smtp_sasl_password_maps = static:%s\n" % M),
    ("smtp_sasl_password_maps = inline:{ [relay.example.net]:587=relayuser:S3cret }\n",
     "smtp_sasl_password_maps = inline:{ [relay.example.net]:587=%s }\n" % M),
    ("lmtp_sasl_password_maps = inline:{{[lmtp.example]:24 = u s:er:pa ss}}\n",
     "lmtp_sasl_password_maps = inline:{{[lmtp.example]:24 = %s}}\n" % M),
    ("smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n", "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"),
    ("smtp_sasl_password_maps = lmdb:$config_directory/sasl_passwd\n", "smtp_sasl_password_maps = lmdb:$config_directory/sasl_passwd\n"),
    ("relay_password = Hunter2\n", "relay_password = %s\n" % M),
    ("smtp_sasl_password_maps = proxy:mysql:/etc/postfix/sql/sasl.cf, ${x}\n",
     "smtp_sasl_password_maps = proxy:mysql:/etc/postfix/sql/sasl.cf, ${x}\n"),
    ("smtp_sasl_auth_enable = yes\n", "smtp_sasl_auth_enable = yes\n"),  # sasl alone is no secret
    ("smtpd_sasl_security_options = noanonymous\n", "smtpd_sasl_security_options = noanonymous\n"),
    ("smtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key\n", "smtpd_tls_key_file = /etc/ssl/private/ssl-cert-snakeoil.key\n"),
    ("smtpd_tls_key_file = inline:{ k=-----BEGINPRIVATEKEY----- }\n", "smtpd_tls_key_file = inline:{ k=%s }\n" % M),
    # other parameters: only what looks like a credential
    ("transport_maps = inline:{ example.com=lmtp:unix:private/dovecot-lmtp, x.test=relay:[mx.x.test]:25 }\n",
     "transport_maps = inline:{ example.com=lmtp:unix:private/dovecot-lmtp, x.test=relay:[mx.x.test]:25 }\n"),
    ("sender_dependent_relayhost_maps = static:[smtp.example.net]:587\n",
     "sender_dependent_relayhost_maps = static:[smtp.example.net]:587\n"),
    ("foo_maps = static:alice:Pa55word, inline:{ a=bob:Secr3t, b=OK }\n",
     "foo_maps = static:%s, inline:{ a=%s, b=OK }\n" % (M, M)),
    # DNSBL keys
    ("smtpd_recipient_restrictions = permit_mynetworks,\n    reject_rbl_client abcdefghij0123456789klmn.zen.dq.spamhaus.net=127.0.0.[2..11],\n"
     "    reject_unauth_destination\n",
     "smtpd_recipient_restrictions = permit_mynetworks,\n    reject_rbl_client %s.zen.dq.spamhaus.net=127.0.0.[2..11],\n"
     "    reject_unauth_destination\n" % M),
    ("postscreen_dnsbl_sites = abcdefghij0123456789klmn.zen.dq.spamhaus.net*3 bl.spamcop.net*1\n",
     "postscreen_dnsbl_sites = %s.zen.dq.spamhaus.net*3 bl.spamcop.net*1\n" % M),
    ("smtpd_client_restrictions = reject_rbl_client zen.spamhaus.org\n", "smtpd_client_restrictions = reject_rbl_client zen.spamhaus.org\n"),
    # comments are masked like values
    ("#smtp_sasl_password_maps = static:old:Pass\n", "#smtp_sasl_password_maps = static:%s\n" % M),
])
def test_main_cf_lines(line, expected):
    assert masking.mask_text(line) == expected


def test_main_cf_continuation_of_a_sensitive_parameter():
    text = "smtp_sasl_password_maps =\n    inline:{ [a]:587=u:p1,\n      [b]:25=u:p2 }\nalias_maps = hash:/etc/aliases\n"
    masked = masking.mask_text(text)
    assert "p1" not in masked and "p2" not in masked
    assert masked.endswith("alias_maps = hash:/etc/aliases\n")
    assert masked.count("\n") == text.count("\n")


def test_master_cf_options():
    text = ("submission inet n       -       y       -       -       smtpd\n"
            "  -o smtpd_sasl_auth_enable=yes\n"
            "  -o smtp_sasl_password_maps=static:relay:S3cretPass\n"
            "  -o { smtpd_client_restrictions = reject_rbl_client 0123456789abcdefghijKLMN.zen.dq.spamhaus.net }\n"
            "relay2 unix - - n - - smtp -o smtp_sasl_password_maps=inline:{[r]:587=u:Xy9pass}\n"
            "  -o virtual_alias_maps=hash:/etc/postfix/virtual\n")
    masked = masking.mask_text(text)
    for secret in ("S3cretPass", "0123456789abcdefghijKLMN", "Xy9pass"):
        assert secret not in masked
    assert "static:%s" % M in masked  # relay:S3cretPass in a sensitive parameter: the whole value
    assert "-o virtual_alias_maps=hash:/etc/postfix/virtual" in masked
    assert masked.count("\n") == text.count("\n")


def test_a_rewritten_line_still_shows_the_new_type():
    before = "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd, static:u:Pw1\n"
    after = "smtp_sasl_password_maps = lmdb:/etc/postfix/sasl_passwd, static:u:Pw1\n"
    assert masking.mask_text(before) == "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd, static:%s\n" % M
    assert masking.mask_text(after) == "smtp_sasl_password_maps = lmdb:/etc/postfix/sasl_passwd, static:%s\n" % M


def test_mask_diffs_and_values():
    entries = [{"before_header": "/etc/postfix/main.cf", "before": "smtp_sasl_password_maps = static:a:b\n",
                "after": "x = y\n"}]
    assert masking.mask_diffs(entries) == [{"before_header": "/etc/postfix/main.cf",
                                            "before": "smtp_sasl_password_maps = static:%s\n" % M, "after": "x = y\n"}]
    assert entries[0]["before"].endswith("static:a:b\n")  # the caller's data is not changed
    assert masking.mask_value("default_database_type", "lmdb") == "lmdb"
    assert masking.mask_value("smtp_sasl_password_maps", None) is None
    assert masking.mask_value("virtual_alias_maps", "hash:/etc/postfix/virtual") == "hash:/etc/postfix/virtual"


@pytest.mark.parametrize("value, expected", [
    ("user:pass", True), ("user@example.com:p4ss", True), ("lmtp:unix:private/dovecot", False),
    ("[relay]:587", False), ("OK", False), ("smtp:[x]:25", False), ("$name:x", False)])
def test_looks_like_credential(value, expected):
    assert masking.looks_like_credential(value) is expected
