"""Fuzzed exports: whatever the bytes, reading ends with data or a PeerevalError.

Every fixture export is truncated, padded with garbage, re-encoded and split with
mixed delimiters; random bytes are tried under every extension; workbooks are
damaged in their zip structure and XML, or claim to expand beyond the limit. A read
must never raise anything but a :class:`~peereval.errors.PeerevalError`, must end
within a generous bound (a hang guard, not a timing), and must write nothing
anywhere.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peereval
from peereval.errors import PeerevalError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPORTS = sorted(p for p in FIXTURES.rglob("*")
                 if p.is_file() and p.suffix not in (".py", ".md", ".toml"))
HANG_GUARD = 60  # seconds; each read here takes well under one
FUZZ = settings(derandomize=True, max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


class Hang(BaseException):  # not an Exception: read_export must not wrap it
    pass


@contextlib.contextmanager
def hang_guard(seconds: int = HANG_GUARD):
    def alarm(signum, frame):
        raise Hang(f"reading took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def read_safely(path: Path, **kwargs) -> object:
    """Read ``path``: the data, or the PeerevalError it raised. Anything else fails."""
    error = None
    with hang_guard():
        try:
            responses = peereval.read_export(path, **kwargs)
            responses.numeric()
        except PeerevalError as exc:
            error = exc
    if error is None:
        return responses
    text = str(error)
    assert text.strip(), "an error without a message"
    # read_export turns a loader's unforeseen exception into a PeerevalError saying
    # "unexpected"; here that still counts as a bug to fix
    assert "unexpected" not in text, f"an unforeseen failure: {text}"
    assert path.name in text, f"the error does not name the file: {text}"
    return error


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run in an empty folder and check that nothing is written there or beside the
    fixtures."""
    monkeypatch.chdir(tmp_path)
    before_fixtures = _snapshot(FIXTURES)
    yield tmp_path
    assert _snapshot(FIXTURES) == before_fixtures, "a fixture was modified or added"


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("source", EXPORTS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_truncated_exports_are_read_or_refused(source, workdir):
    data = source.read_bytes()
    for cut in sorted({1, 7, len(data) // 10, len(data) // 2, len(data) - 1}):
        path = _write(workdir, f"cut_{cut}{source.suffix}", data[:cut])
        read_safely(path)
    assert {p.name for p in workdir.iterdir()} == {
        f"cut_{cut}{source.suffix}"
        for cut in {1, 7, len(data) // 10, len(data) // 2, len(data) - 1}}


@pytest.mark.parametrize("source", EXPORTS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_garbage_appended_or_prepended_is_read_or_refused(source, workdir):
    data = source.read_bytes()
    garbage = bytes(range(256)) * 4
    read_safely(_write(workdir, f"tail{source.suffix}", data + garbage))
    read_safely(_write(workdir, f"head{source.suffix}", garbage + data))
    read_safely(_write(workdir, f"nul{source.suffix}", data.replace(b",", b"\x00", 3)))


@FUZZ
@given(data=st.binary(min_size=1, max_size=4000),
       suffix=st.sampled_from([".csv", ".tsv", ".txt", ".xlsx", ".xls", ".sav", ""]))
def test_random_bytes_under_any_extension(data, suffix, workdir):
    read_safely(_write(workdir, f"random{suffix}", data))


@FUZZ
@given(text=st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=2000))
def test_random_text_in_each_encoding(text, workdir):
    for codec, bom in (("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"),
                       ("utf-16-be", b"\xfe\xff")):
        read_safely(_write(workdir, "text.csv", bom + text.encode(codec)))
    read_safely(_write(workdir, "text1256.csv", text.encode("cp1256", "replace")),
                encoding="cp1256")


def _canonical_csv() -> bytes:
    return (FIXTURES / "generic" / "plain.csv").read_bytes()


def test_mixed_delimiters_are_refused_or_read_without_shifting_answers(workdir):
    lines = _canonical_csv().decode("utf-8-sig").splitlines()
    mixed = [lines[0]] + [line.replace(",", ";") if i % 2 else line
                          for i, line in enumerate(lines[1:])]
    result = read_safely(_write(workdir, "mixed.csv", "\n".join(mixed).encode()))
    if not isinstance(result, PeerevalError):
        # when it reads, every row must have the full set of columns
        assert result.answers.shape[1] >= 5


def test_a_huge_cell_is_read_or_refused_quickly(workdir):
    lines = _canonical_csv().decode("utf-8-sig").splitlines()
    header, first, *rest = lines
    cells = first.split(",")
    cells[-1] = '"' + "x" * 20_000_000 + '"'
    path = _write(workdir, "huge.csv", "\n".join([header, ",".join(cells), *rest]).encode())
    result = read_safely(path)
    if not isinstance(result, PeerevalError):
        assert len(result.answers) == len(lines) - 1


def _workbook_bytes() -> bytes:
    return next(p for p in EXPORTS if p.suffix == ".xlsx").read_bytes()


def _rezip(data: bytes, change) -> bytes:
    """Rewrite a workbook's zip, passing each (name, content) through ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            changed = change(info.filename, source.read(info.filename))
            if changed is not None:
                target.writestr(info.filename, changed)
    return out.getvalue()


@pytest.mark.parametrize("damage", [
    "no_workbook_xml", "no_sheet", "broken_sheet_xml", "broken_shared_strings",
    "entity_expansion", "external_entity"])
def test_damaged_workbooks_are_refused_with_a_peereval_error(damage, workdir):
    def change(name: str, content: bytes) -> bytes | None:
        if damage == "no_workbook_xml" and name == "xl/workbook.xml":
            return None
        if damage == "no_sheet" and name.startswith("xl/worksheets/"):
            return None
        if damage == "broken_sheet_xml" and name.startswith("xl/worksheets/"):
            return content[: len(content) // 2]
        if damage == "broken_shared_strings" and name == "xl/sharedStrings.xml":
            return b"<sst><si><t>unclosed"
        if damage == "entity_expansion" and name == "xl/sharedStrings.xml":
            lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                   + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">'
                             .replace("&lol0;", "&lol;") for i in range(1, 10))
                   + ']><sst><si><t>&lol9;</t></si></sst>')
            return lol.encode()
        if damage == "external_entity" and name == "xl/sharedStrings.xml":
            return (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY secret SYSTEM '
                    b'"file:///etc/passwd">]><sst><si><t>&secret;</t></si></sst>')
        return content

    path = _write(workdir, f"{damage}.xlsx", _rezip(_workbook_bytes(), change))
    result = read_safely(path)
    if not isinstance(result, PeerevalError):
        text = result.answers.astype(str).to_string()
        assert "root:" not in text, "an external entity was resolved"
        assert "lollollol" not in text, "an entity bomb was expanded"


def _claim_size(data: bytes, size: int) -> bytes:
    """Set every central-directory entry's uncompressed size to ``size``."""
    out = bytearray(data)
    start = 0
    while (at := out.find(b"PK\x01\x02", start)) >= 0:
        out[at + 24:at + 28] = struct.pack("<I", size)
        start = at + 4
    return bytes(out)


def test_a_workbook_claiming_to_expand_beyond_the_limit_is_refused(workdir):
    path = _write(workdir, "bomb.xlsx", _claim_size(_workbook_bytes(), 3 * 1024**3))
    with hang_guard(), pytest.raises(PeerevalError, match="would expand to"):
        peereval.read_export(path)


def test_a_real_compression_bomb_is_refused_before_it_is_expanded(workdir):
    """A 2.5 GiB sheet of zeros compresses to a few MB; the declared size is true."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target, \
            zipfile.ZipFile(io.BytesIO(_workbook_bytes())) as source:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        with target.open("xl/media/zeros.bin", "w", force_zip64=True) as handle:
            block = bytes(64 * 1024**2)
            for _ in range(40):
                handle.write(block)
    path = _write(workdir, "zeros.xlsx", buffer.getvalue())
    assert path.stat().st_size < 50 * 1024**2
    with hang_guard(), pytest.raises(PeerevalError, match="would expand to"):
        peereval.read_export(path)


def test_reading_never_changes_the_file(workdir):
    for source in EXPORTS:
        before = source.read_bytes()
        stat = os.stat(source)
        read_safely(source)
        assert source.read_bytes() == before
        assert os.stat(source).st_mtime_ns == stat.st_mtime_ns


def test_an_unforeseen_loader_failure_still_ends_in_a_peereval_error(workdir, monkeypatch):
    """The safety net: a loader bug surfaces as a PeerevalError naming the file, and
    saying it is a gap in peereval, never as a bare traceback."""
    from peereval.loaders import generic

    def broken(table, **options):
        raise IndexError("list index out of range")

    monkeypatch.setattr(generic, "read", broken)
    path = _write(workdir, "plain.csv", _canonical_csv())
    with pytest.raises(PeerevalError) as err:
        peereval.read_export(path, platform="generic")
    assert "plain.csv" in str(err.value)
    assert "unexpected IndexError: list index out of range" in str(err.value)
    assert "Please report this" in str(err.value)
