#!/bin/sh
# Runs inside the demo container (Debian sid, Postfix 3.11): the legacy MX of mx1-legacy, plus a
# second Postfix instance "postfix-out" (postmulti, group mta) for outbound application mail with
# its own hash: tables and a btree: TLS session cache.
# shellcheck disable=SC2016 # $name in single quotes is Postfix syntax, not the shell's
set -eu

# --- the default instance: an old Debian install, upgraded in place (as in mx1-legacy) ---------
postconf -e \
  'compatibility_level = 3.6' \
  'default_database_type = hash' \
  'default_cache_db_type = btree' \
  'alias_maps = hash:/etc/aliases' \
  'alias_database = hash:/etc/aliases' \
  'smtpd_tls_session_cache_database = btree:${data_directory}/smtpd_scache' \
  'smtp_tls_session_cache_database = btree:${data_directory}/smtp_scache' \
  'virtual_alias_domains = example.org, example.net' \
  'virtual_alias_maps = hash:/etc/postfix/tables/virtual' \
  'transport_maps = hash:/etc/postfix/tables/transport' \
  'relayhost = [smtp.relay.example.test]:587' \
  'smtp_sasl_auth_enable = yes' \
  'smtp_sasl_password_maps = hash:/etc/postfix/sasl/sasl_passwd' \
  'smtp_sasl_security_options = noanonymous' \
  'smtpd_sender_restrictions = reject_non_fqdn_sender, check_sender_access hash:/etc/postfix/tables/sender_access' \
  'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination, check_recipient_access proxy:hash:/etc/postfix/tables/recipient_access' \
  'mua_client_restrictions = permit_sasl_authenticated, check_client_access $client_access_map, reject' \
  'client_access_map = hash:/etc/postfix/tables/client_access' \
  'header_checks = regexp:/etc/postfix/header_checks' \
  'smtp_header_checks = texthash:/etc/postfix/tables/smtp_header_checks'
postconf -Me 'submission/inet=submission inet n - y - - smtpd -o syslog_name=postfix/submission -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes -o smtpd_client_restrictions=$mua_client_restrictions'
chmod 0600 /etc/postfix/sasl/sasl_passwd
# root's mail goes to alice (see /etc/aliases)
id alice >/dev/null 2>&1 || useradd -m -s /bin/bash alice
postalias hash:/etc/aliases 2>/dev/null
for t in virtual transport sender_access recipient_access client_access; do
    postmap hash:/etc/postfix/tables/$t 2>/dev/null
done
postmap hash:/etc/postfix/sasl/sasl_passwd 2>/dev/null

# --- the second instance, as MULTI_INSTANCE_README describes it ---------------------------------
postmulti -e init
postmulti -I postfix-out -G mta -e create >/dev/null
postmulti -i postfix-out -e enable
# Applications submit with "sendmail -C /etc/postfix-out"; the instance keeps no SMTP listener
# (master_service_disable = inet, as postmulti created it).
postconf -c /etc/postfix-out -e \
  'myhostname = mx1-out.example.test' \
  'default_database_type = hash' \
  'transport_maps = hash:${config_directory}/transport' \
  'sender_canonical_maps = hash:${config_directory}/sender_canonical' \
  'smtp_tls_security_level = may' \
  'smtp_tls_session_cache_database = btree:${data_directory}/smtp_scache' \
  'maillog_file = /var/log/postfix-out.log'
for t in transport sender_canonical; do
    postmap -c /etc/postfix-out hash:/etc/postfix-out/$t 2>/dev/null
done
