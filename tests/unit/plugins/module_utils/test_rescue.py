"""_planning.rescue: which deferred messages were deferred for a table error, and what became of them.

The log lines and postqueue -j objects are what the real images printed (2026-12-01) for local(8) delivering to
root with alias_maps = hash:/etc/aliases: upstream 3.11.6 and 3.8.9 built with -DNO_DB, and Debian sid with the
.db removed. Postfix's delay reason is only "alias database unavailable"; the form is in the process's lines."""
import pytest

from ansible_collections.mailops.nbdb.plugins.module_utils._planning import rescue

README = "; see https://www.postfix.org/NON_BERKELEYDB_README.html for alternatives"
LOGS = {
    "missing_311": [
        "Dec 01 17:28:05 mx postfix/local[106]: error: Berkeley DB support for 'hash:/etc/aliases' is not available"
        " for this OS distribution" + README,
        "Dec 01 17:28:05 mx postfix/local[106]: warning: hash:/etc/aliases is unavailable. Berkeley DB support for"
        " 'hash:/etc/aliases' is not available for this OS distribution" + README,
        "Dec 01 17:28:05 mx postfix/local[106]: warning: hash:/etc/aliases: lookup of 'root' failed",
        "Dec 01 17:28:05 mx postfix/local[106]: 6080D20237B: to=<root@mx.example.test>, orig_to=<root>, relay=local,"
        " delay=0.56, delays=0.5/0.05/0/0.02, dsn=4.3.0, status=deferred (alias database unavailable)",
    ],
    "unsupported_type": [
        "Dec 01 17:32:25 mx postfix/local[96]: error: unsupported dictionary type: hash",
        "Dec 01 17:32:25 mx postfix/local[96]: warning: hash:/etc/aliases is unavailable. unsupported dictionary type:"
        " hash",
        "Dec 01 17:32:25 mx postfix/local[96]: warning: hash:/etc/aliases: lookup of 'root' failed",
        "Dec 01 17:32:25 mx postfix/local[96]: 6080D20237B: to=<root@mx.example.test>, orig_to=<root>, relay=local,"
        " delay=1.2, delays=0.82/0.25/0/0.17, dsn=4.3.0, status=deferred (alias database unavailable)",
    ],
    "db_missing": [
        "Dec 01 17:33:08 mx postfix/local[186]: error: open database /etc/aliases.db: No such file or directory",
        "Dec 01 17:33:08 mx postfix/local[186]: warning: hash:/etc/aliases: lookup of 'root' failed",
        "Dec 01 17:33:08 mx postfix/local[186]: 6080D20237B: to=<root@mx.example.test>, orig_to=<root>, relay=local,"
        " delay=1.4, delays=0.85/0.28/0/0.3, dsn=4.3.0, status=deferred (alias database unavailable)",
    ],
}


def deferred(qid, reason="alias database unavailable", queue_name="deferred"):
    return {"queue_name": queue_name, "queue_id": qid, "arrival_time": 1796146085, "sender": "root@mx.example.test",
            "recipients": [{"orig_address": "root", "address": "root@mx.example.test", "delay_reason": reason}]}


@pytest.mark.parametrize("form", sorted(LOGS))
def test_each_form_is_tied_to_the_deferral_by_its_process(form):
    evidence = rescue.log_evidence(LOGS[form])
    assert evidence == {"6080D20237B": form}
    assert rescue.table_errors([deferred("6080D20237B")], evidence) == [
        {"queue_id": "6080D20237B", "form": form, "recipients": 1}]


def test_other_deferrals_are_not_table_errors():
    lines = LOGS["missing_311"] + [
        "Dec 01 17:28:06 mx postfix/smtp[200]: 7F6ED20237A: to=<bob@example.org>, relay=none, delay=30,"
        " dsn=4.4.1, status=deferred (connect to mx.example.org[192.0.2.1]:25: Connection timed out)"]
    queue = [deferred("6080D20237B"), deferred("7F6ED20237A", "connect to mx.example.org: Connection timed out")]
    assert [m["queue_id"] for m in rescue.table_errors(queue, rescue.log_evidence(lines))] == ["6080D20237B"]


def test_same_reason_without_the_log_is_not_counted():
    """"alias database unavailable" alone (a permission problem, a full disk) is not one of the three forms."""
    assert rescue.table_errors([deferred("6080D20237B")], {}) == []


def test_a_reason_carrying_the_message_counts_without_the_log():
    reason = "unsupported dictionary type: hash"
    assert rescue.table_errors([deferred("A1", reason)], {})[0]["form"] == "unsupported_type"


def test_only_the_deferred_queue_is_looked_at():
    evidence = rescue.log_evidence(LOGS["db_missing"])
    assert rescue.table_errors([deferred("6080D20237B", queue_name="active")], evidence) == []


def test_another_process_with_the_same_pid_number_of_another_program_is_not_evidence():
    lines = LOGS["missing_311"][:1] + [LOGS["missing_311"][-1].replace("postfix/local[106]", "postfix/smtp[106]")]
    assert rescue.log_evidence(lines) == {}


def test_outcome_counts_delivered_still_deferred_and_other():
    lines = [
        "Dec 01 17:29:16 mx postfix/local[439]: A1: to=<alice@mx.example.test>, orig_to=<root>, relay=local,"
        " delay=7.1, dsn=2.0.0, status=sent (delivered to mailbox)",
        "Dec 01 17:29:16 mx postfix/qmgr[421]: A1: removed",
        "Dec 01 17:29:17 mx postfix/qmgr[421]: C3: removed",  # bounced or expired: no status=sent
    ]
    assert rescue.delivered_ids(lines) == {"A1"}
    assert rescue.outcome(["A1", "B2", "C3"], [deferred("B2")], rescue.delivered_ids(lines)) == {
        "delivered": 1, "still_deferred": 1, "other": 1}


def test_deferred_again_is_seen_in_the_log():
    assert rescue.deferred_ids(LOGS["db_missing"]) == {"6080D20237B"}


def test_a_stopped_postfix_queue_is_read_from_its_directory(tmp_path):
    """postqueue -j and -p of a stopped Postfix fail (3.11.7: "malformed showq server response", exit 69)."""
    from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import queue
    (tmp_path / "deferred" / "6").mkdir(parents=True)
    (tmp_path / "deferred" / "6" / "6080D20237B").write_text("")
    listed = queue.deferred_files(str(tmp_path))
    assert listed == [{"queue_name": "deferred", "queue_id": "6080D20237B", "recipients": []}]
    assert rescue.table_errors(listed, {"6080D20237B": "missing_311"})[0]["queue_id"] == "6080D20237B"
    assert queue.deferred_files(str(tmp_path / "never-started")) == []
