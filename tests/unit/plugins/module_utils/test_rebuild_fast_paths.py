"""The fast paths of issue 18 (source parser, case folding, verification, diff) give what the general code gives."""
import itertools

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import table_source
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import build
from ansible_collections.mailops.nbdb.plugins.module_utils._planning import reindex as plan



def _loop(line):
    quoted, index = False, 0
    while index < len(line):
        char = line[index:index + 1]
        if char == b"\\":
            index += 2
            continue
        if char == b'"':
            quoted = not quoted
        elif not quoted and char in table_source.WHITESPACE:
            return line[:index], line[index:].strip(table_source.WHITESPACE)
        index += 1
    return line, b""


def test_split_fast_path_agrees_with_the_character_loop():
    alphabet = [b"a", b"B", b" ", b"\t", b"\v", b"\f", b"\r", b'"', b"\\", b"#", b"\xc3\xa9"]
    lines = [b"".join(parts) for size in range(1, 5) for parts in itertools.product(alphabet, repeat=size)]
    lines += [b"user1@example1.com OK00001", b"key   value with  spaces", b"k\tv", b"k", b"\fk v"]
    for line in lines:
        assert table_source._split_key(line) == _loop(line), line


def test_fold_fast_path_agrees_with_utf8_case_folding():
    for key in [b"User@Example.COM", b"plain", b"\xc3\x89T\xc3\xa9", b"Stra\xc3\x9fe", b"\xff\xfeAB", b""]:
        for utf8 in (True, False):
            expected = key.lower()
            if utf8:
                try:
                    expected = key.decode("utf-8").casefold().encode("utf-8")
                except UnicodeDecodeError:
                    pass
            assert table_source.fold(key, utf8) == expected


def test_parse_map_unchanged_by_fast_path():
    data = b'# c\nUser@A.com OK\n"quoted key" v\nk\\ x  y \n  continued\nlone\nk2\tv2\n\fodd v\n'
    source = table_source.parse_map(data, fold_case=True)
    assert source.entries == {b"user@a.com": b"OK", b'"quoted key"': b"v", b"k\\ x": b"y   continued",
                              b"k2": b"v2", b"": b"odd v"}
    assert [line for line, text in source.warnings] == [6]


EXPECTED = {b"a": b"1", b"b": b"2", b"c": b"3"}


def test_verification_all_right_by_one_comparison():
    out = b"a\t1\nb\t2\nc\t3\n"
    assert build.batch_mismatches([b"a", b"b", b"c"], EXPECTED, out, b"\t", False) == []
    assert build.batch_mismatches([b"a", b"b"], EXPECTED, b"a:\t1\nb:\t2\n", b":\t", True) == []


def test_verification_finds_missing_wrong_and_extra_answers():
    batch = [b"a", b"b", b"c"]
    assert build.batch_mismatches(batch, EXPECTED, b"a\t1\nc\t3\n", b"\t", False) == [b"b"]  # not found
    assert build.batch_mismatches(batch, EXPECTED, b"a\t1\nb\t9\nc\t3\n", b"\t", False) == [b"b"]  # wrong value
    assert build.batch_mismatches(batch, EXPECTED, b"", b"\t", False) == batch  # empty table (full disk)
    assert build.batch_mismatches(batch, EXPECTED, b"a\t1\nb\t2\nc\t3\nd\t4\n", b"\t", False) == []  # extra line
    assert build.batch_mismatches(batch, EXPECTED, b"a\t1\nb\t2\nc\t3 \n", b"\t", False) == [b"c"]


def test_decide_and_diff_use_a_given_delta():
    expected, actual = {b"a": b"1", b"b": b"2"}, {b"a": b"1", b"c": b"3"}
    change = plan.delta(expected, actual)
    assert plan.decide(expected, actual, False, change) == plan.decide(expected, actual, False)
    assert plan.decide(expected, actual, False, change)[1] == "content differs: 1 added, 1 removed, 0 changed"
    assert plan.diff("t", "t.lmdb", expected, actual, False, change) == plan.diff("t", "t.lmdb", expected, actual, False)


def test_big_diff_lists_only_changed_keys():
    expected = {b"k%07d" % i: b"v" for i in range(plan.MAX_DIFF_KEYS + 10)}
    actual = dict(expected)
    actual[b"k0000003"] = b"old"
    del actual[b"k0000005"]
    entry = plan.diff("t", "t.lmdb", expected, actual, False)
    assert entry["before"] == "k0000003 old\n"
    assert entry["after"] == "k0000003 v\nk0000005 v\n"
