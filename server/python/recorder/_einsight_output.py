"""Writes what the recorder saw: one JSON file per process in $EINSIGHT_RECORD_DIR.

A process writes its file when it exits (atexit), when a forked worker leaves through
os._exit (which skips atexit), on SIGTERM (a terminated pool worker), and every few seconds
while it runs. Each write replaces the whole file atomically, so `einsight record` never
reads half a file, whatever happens to the process.
"""
import _thread
import atexit
import os
import sys

FORMAT_VERSION = 1
# Lines around a call whose fingerprints help find it again after the file is edited.
NEARBY_LINES = 2

_out_dir = None
_snapshot = None
# Re-entrant: a SIGTERM handler may flush while the code it interrupted is flushing.
_lock = _thread.RLock()
_state = {"nonce": "", "sigterm": False, "main": _thread.get_ident()}


def start(out_dir, snapshot, reset_after_fork):
    global _out_dir, _snapshot
    _out_dir = out_dir
    _snapshot = snapshot
    _state["nonce"] = _nonce()
    atexit.register(flush)
    _flush_before_os_exit()
    if hasattr(os, "register_at_fork"):

        def after_fork():
            global _lock
            _lock = _thread.RLock()
            reset_after_fork()
            # The forking thread is the child's only (main) thread.
            _state.update(nonce=_nonce(), sigterm=False, main=_thread.get_ident())

        os.register_at_fork(after_in_child=after_fork)


def _nonce():
    return "%d-%s" % (os.getpid(), os.urandom(4).hex())


def _flush_before_os_exit():
    """multiprocessing's forked workers leave through os._exit, which skips atexit."""
    import functools

    original = os._exit

    def _exit(status):
        try:
            flush()
        except Exception:
            pass
        original(status)

    functools.update_wrapper(_exit, original)
    os._exit = _exit


def flush_on_sigterm():
    """A terminated pool worker writes what it saw, then dies of SIGTERM exactly as it would have."""
    if _state["sigterm"] or _thread.get_ident() != _state["main"]:
        return
    _state["sigterm"] = True
    try:
        import signal

        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return

        def on_sigterm(signum, frame):
            try:
                flush()
            finally:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                os.kill(os.getpid(), signal.SIGTERM)

        signal.signal(signal.SIGTERM, on_sigterm)
    except (ImportError, AttributeError, ValueError, OSError):
        pass


def flush():
    """Writes this process's observations to its file, replacing what it wrote before."""
    if _out_dir is None:
        return
    with _lock:
        sites = [_site_json(site, counts, nested) for site, counts, nested in _snapshot()]
        if not sites:
            return
        document = {
            "version": FORMAT_VERSION,
            "pid": os.getpid(),
            "python": "%d.%d.%d" % sys.version_info[:3],
            "sites": sites,
        }
        path = os.path.join(_out_dir, "%s.json" % _state["nonce"])
        temporary = path + ".tmp"
        import json

        try:
            with open(temporary, "w", encoding="utf-8") as out:
                json.dump(document, out, separators=(",", ":"))
            os.replace(temporary, path)
        except OSError as error:
            sys.stderr.write("einsight record: could not write %s: %s\n" % (path, error))


def _site_json(site, counts, nested):
    shapes = []
    other = None
    for signature, (calls, spent) in sorted(counts.items(), key=lambda item: -item[1][0]):
        if len(signature) == 1 and signature[0] == "other":
            other = {"calls": calls, "timeNs": spent}
            continue
        shapes.append(
            {
                "equation": signature[0],
                "operands": [_operand_json(*operand) for operand in signature[1:]],
                "calls": calls,
                "timeNs": spent,
            }
        )
    entry = {"file": os.path.abspath(site.code.co_filename), "callee": site.callee}
    entry.update(_position(site.code, site.lasti, site.line))
    entry.update(
        calls=sum(c for c, _ in counts.values()),
        timeNs=sum(t for _, t in counts.values()),
        shapes=shapes,
    )
    if other:
        entry["otherShapes"] = other
    if nested:
        entry["nested"] = True
    return entry


def _operand_json(shape, dtype=None, device=None):
    described = {"shape": None if shape is None else [d if type(d) is int else None for d in shape]}
    if dtype is not None:
        described["dtype"] = _dtype_name(dtype)
    if device is not None:
        described["device"] = str(device)
    return described


def _dtype_name(dtype):
    if isinstance(dtype, str):
        return dtype
    name = getattr(dtype, "name", None)
    text = name if isinstance(name, str) else str(dtype)
    return text[len("torch.") :] if text.startswith("torch.") else text


def _position(code, lasti, called_on_line):
    """Where the calling expression is: lines 1-based, columns 1-based in characters."""
    import linecache

    span = None
    positions = getattr(code, "co_positions", None)  # Python 3.11+
    if positions is not None:
        for index, position in enumerate(positions()):
            if index == lasti // 2:
                span = position
                break
    lines = linecache.getlines(code.co_filename)
    where = {"line": called_on_line}
    first = last = called_on_line
    if span is not None and None not in span and 0 < span[0] <= span[1] <= len(lines):
        start_line, end_line, start_byte, end_byte = span
        column = _characters(lines[start_line - 1], start_byte)
        end_column = _characters(lines[end_line - 1], end_byte)
        where.update(line=start_line, column=column + 1, endLine=end_line, endColumn=end_column + 1)
        where["text"] = _text_between(lines, start_line, column, end_line, end_column)
        first, last = start_line, end_line
    if lines and first is not None:
        where["near"] = _nearby(lines, first, last)
    return where


def _characters(line, byte_offset):
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "replace"))


def _text_between(lines, start_line, column, end_line, end_column):
    if start_line == end_line:
        return lines[start_line - 1][column:end_column]
    parts = [lines[start_line - 1][column:]]
    parts.extend(lines[start_line : end_line - 1])
    parts.append(lines[end_line - 1][:end_column])
    return "".join(parts)


def _nearby(lines, first, last):
    """Fingerprints of the lines around the call, "" past either end of the file."""
    import hashlib

    def fingerprint(number):
        if not 0 < number <= len(lines):
            return ""
        return hashlib.sha1(lines[number - 1].strip().encode("utf-8")).hexdigest()[:8]

    before = [fingerprint(n) for n in range(first - NEARBY_LINES, first)]
    after = [fingerprint(n) for n in range(last + 1, last + 1 + NEARBY_LINES)]
    return before + after
