"""1. Mail-stopped window, seen from outside: the role (restart and reload) vs the naive upstream procedure vs a
bare ``postfix stop && postfix start``. Also gives the real run of 4. (dry run) and the migrated host for 3."""
import statistics
import time

from bench import ansible_run, host as hosts
from bench.probe import Probe

SETTLE = 0.3  # s of probing before and after a shell procedure


def probed_shell(host, script, interval):
    with Probe(host.ip(), interval=interval) as probe:
        time.sleep(SETTLE)
        started = time.monotonic()
        host.sh(script)
        seconds = time.monotonic() - started
        time.sleep(SETTLE)
    return dict(probe.summary(), seconds=round(seconds, 3))


def bare_restart(host, repeat, interval):
    runs = [probed_shell(host, "postfix stop >/dev/null 2>&1 && postfix start >/dev/null 2>&1", interval)
            for dummy in range(repeat)]
    return {"runs": runs, "outage_s": statistics.median(run["outage_s"] for run in runs)}


def naive_script(tables):
    """The upstream NON_BERKELEYDB_README procedure: stop, postconf, postmap every table, postalias, start."""
    maps = " ".join(tables)
    return ("postfix stop >/dev/null 2>&1; "
            "sed -i -E 's/(^|[^[:alnum:]_])(hash|btree):/\\1lmdb:/g' /etc/postfix/main.cf /etc/postfix/master.cf; "
            "postconf -e default_database_type=lmdb default_cache_db_type=lmdb non_bdb_migration_level=enable-redirect; "
            "for t in %s /etc/postfix/tables/virtual /etc/postfix/tables/transport /etc/postfix/tables/sender_access "
            "/etc/postfix/tables/recipient_access /etc/postfix/tables/client_access /etc/postfix/sasl/sasl_passwd; "
            "do postmap lmdb:$t 2>/dev/null; done; postalias lmdb:/etc/aliases 2>/dev/null; "
            "postfix start >/dev/null 2>&1" % maps)


def naive(host, tables, interval):
    result = probed_shell(host, naive_script(hosts.table_paths(tables)), interval)
    hosts.restore(host)
    return result


def role_run(host, playbook, interval, extra_vars=None, probed=True):
    """A playbook (migrate_fleet or dry_run) on the host, probed; with the master PID before and after.

    Unprobed for the dry run: on a legacy 3.11 host every new smtpd logs "hash/btree support is deprecated", and
    the role's log check (nbdb_verify, also run in check mode) counts that as a table warning and fails the host.
    """
    pid = host.master_pid()
    with Probe(host.ip(), interval=interval if probed else 3600) as probe:
        run = ansible_run.playbook([host], playbook, extra_vars)
    return dict(probe.summary(), seconds=run["seconds"], tasks=ansible_run.task_count(run["output"]),
                master_restarted=host.master_pid() != pid)
