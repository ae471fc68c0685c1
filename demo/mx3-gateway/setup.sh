#!/bin/sh
# Runs inside the demo container (Debian bookworm, Postfix 3.7) to make it an old office mail
# gateway in front of an Exchange server, upgraded from Debian 8 without touching main.cf much:
# compatibility_level 2, hash: relay domains/recipients/transport/canonical/generic/relocated and
# access maps, a 2.x-style btree: address verification cache, btree: TLS session caches, and the
# smtps service whose master.cf -o options reach a hash: table through $smtps_client_access.
# shellcheck disable=SC2016 # $name in single quotes is Postfix syntax, not the shell's
set -eu

echo gw.example.org >/etc/mailname
id tk >/dev/null 2>&1 || useradd -m -s /bin/bash tk

postconf -Me 'smtps/inet=smtps inet n - y - - smtpd -o syslog_name=postfix/smtps -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=check_client_access,$smtps_client_access,permit_sasl_authenticated,reject -o smtpd_recipient_restrictions= -o smtpd_relay_restrictions=permit_sasl_authenticated,reject'

postalias /etc/aliases
for t in relay_domains relay_recipients transport canonical generic relocated access helo_access smtps_access; do
    postmap /etc/postfix/$t
done
