"""The fast paths of issue 18 (source parser, case folding, verification, diff) give what the general code gives."""
import itertools

from ansible_collections.mailops.nbdb.plugins.module_utils._discovery import indexed, table_source
from ansible_collections.mailops.nbdb.plugins.module_utils._execution import build, reindex
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


def test_logical_lines_fast_path_only_without_continuations():
    plain = b"# comment\n\na b\n\fc d\n  \n#x\ne f\r\n"
    assert table_source.logical_lines(plain) == ([(3, b"a b"), (4, b"\fc d"), (7, b"e f\r")], [])
    assert table_source.logical_lines(b"a b\n c\n") == ([(1, b"a b c")], [])
    assert table_source.logical_lines(b"\tx\na b\n") == ([(2, b"a b")], [(1, "logical line must not start with whitespace")])


def test_clean_items_first_duplicate_wins_and_alias_extras_go():
    pairs = [(b"a\0", b"1\0"), (b"b", b"2"), (b"a\0", b"3\0"), (b"@\0", b"@\0")]
    assert indexed.clean_items(pairs, alias=False) == {b"a": b"1", b"b": b"2", b"@": b"@"}
    assert indexed.clean_items(pairs, alias=True) == {b"a": b"1", b"b": b"2"}
    assert indexed.parse_dump(b"root:\talice\nx:\ty\n", alias=True) == {b"root": b"alice", b"x": b"y"}


def test_delta_of_new_unchanged_and_changed_tables():
    expected = {b"a": b"1", b"b": b"2"}
    assert plan.delta(expected, None) == {"added": [b"a", b"b"], "removed": [], "changed": []}
    assert plan.delta(expected, dict(expected)) == {"added": [], "removed": [], "changed": []}
    assert plan.delta(expected, {b"b": b"9", b"c": b"3"}) == {"added": [b"a"], "removed": [b"c"], "changed": [b"b"]}


class _Request:
    fold_case = None


def test_fold_case_inferred_from_legacy_keys():
    assert reindex.infer_fold_case(_Request(), {b"user@a.com": b"x"}, True) is True
    assert reindex.infer_fold_case(_Request(), {b"user@a.com": b"x", b"User@b.com": b"y"}, True) is False
    assert reindex.infer_fold_case(_Request(), {b"\xc3\xa9t\xc3\xa9": b"x"}, True) is True
    assert reindex.infer_fold_case(_Request(), {b"\xc3\x89t\xc3\xa9": b"x"}, True) is False
    assert reindex.infer_fold_case(_Request(), None, True) is True


def test_plain_sources_parse_as_the_general_parser_does():
    cases = [b"a 1\nB\t2\nc\n\nd   4  \ne\x0b5\n#x\na 9\n", b"k v\n\rx y\n", b'q "a b"\n', b"k\\ v w\n"]
    for data in cases:
        fast = table_source.parse_map(data)
        lines = table_source.logical_lines(data)[0]
        general = table_source.Source()
        for number, line in lines:
            key, value = _loop(line.rstrip(table_source.WHITESPACE))
            if value:
                general.add(table_source.fold(key), value, number)
        assert (fast.entries, fast.order, fast.lines) == (general.entries, general.order, general.lines), data
    assert table_source._plain(cases[0]) and not any(table_source._plain(data) for data in cases[1:])
    assert [text for line, text in table_source.parse_map(cases[0]).warnings] == [
        "expected format: key whitespace value", "duplicate entry: 'a'"]
