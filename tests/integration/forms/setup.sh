#!/bin/sh
# Lays the reference-forms configuration down on a Debian sid (Postfix 3.11) image: tables, -o overrides, legacy .db.
set -eu
P=/etc/postfix
# (a) the smtpd service overrides the user-defined parameter main.cf uses, and one restriction class
postconf -P "smtp/inet/local_checks=check_client_access,hash:$P/relay_clients"
postconf -P "smtp/inet/from_partners=check_sender_access,hash:$P/partners_smtpd"
printf 'postmaster: root\nabuse: root\n' > /etc/aliases
printf 'root@mx.forms.test postmaster@forms.test\n' > $P/generic
printf 'jd john.doe\n' > $P/canonical
printf 'forms.test local:\nrelay.test smtp:[192.0.2.25]\n' > $P/transport
printf '192.0.2.1 OK\n198.51.100.0/24 REJECT\n' > $P/relay_clients
printf 'partner@partners.test OK\n' > $P/partners
printf 'partner@partners.test REJECT not over smtpd\n' > $P/partners_smtpd
printf 'staff@forms.test OK\n' > $P/staff
printf 'abuse@forms.test OK\n' > $P/recipient_access
printf 'spam@forms.test REJECT\n' > $P/recipient_extra
printf 'partners.test partner\n' > $P/sender_domains
printf 'staff@forms.test to_staff\n' > $P/recipient_class
printf 'sales@forms.test jd\n' > $P/virtual
printf 'info@forms.test jd\n' > $P/virtual_extra
printf 'old@forms.test new@elsewhere.test\n' > $P/relocated
mkdir -p $P/tls && chmod 0700 $P/tls
for n in mail.forms.test mail.other.test; do
    printf -- '-----BEGIN PRIVATE KEY-----\n%s key\n-----END PRIVATE KEY-----\n' $n > $P/tls/$n.key
    printf -- '-----BEGIN CERTIFICATE-----\n%s chain\n-----END CERTIFICATE-----\n' $n > $P/tls/$n.crt
done
chmod 0600 $P/tls/*
printf 'mail.forms.test %s/tls/mail.forms.test.key %s/tls/mail.forms.test.crt\nmail.other.test %s/tls/mail.other.test.key,%s/tls/mail.other.test.crt\n' $P $P $P $P > $P/sni
chmod 0600 $P/sni
postalias hash:/etc/aliases
for t in generic canonical relay_clients partners partners_smtpd staff recipient_access recipient_extra \
         sender_domains recipient_class virtual virtual_extra; do
    postmap hash:$P/$t
done
postmap btree:$P/transport
postmap -F hash:$P/sni
