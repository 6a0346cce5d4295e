"""Does to a memory file what Hermes Agent's memory tool (tools/memory_tool.py) does, for the tests in
HermesMemoryCompatibilityTests: the same lock, the same reading, the same writing.

- lock:  "<file>.lock" beside the file, opened "a+"; fcntl.flock(LOCK_EX) on Unix, msvcrt.locking of
         byte 0 (LK_LOCK) on Windows; held for the whole read-modify-write.
- read:  text as UTF-8 with universal newlines, split on "\\n§\\n", each piece stripped, empty pieces and
         duplicates dropped (the first kept).
- write: "\\n§\\n".join(entries), no final newline, to a temp file (".mem_*.tmp") in the same folder,
         fsync'd, then os.replace over the file.

Commands (JSON output is ASCII, so the console encoding does not matter):
  parse FILE...            one JSON list of entries per file
  write FILE JSON          writes the entries of the JSON list, under the lock
  append FILE PREFIX N     prints "ready", waits for a line on stdin, then adds PREFIX-0 .. PREFIX-(N-1)
                           one at a time, each under the lock; prints "done"
  trylock FILE             tries the lock without waiting: prints "locked" or "busy"
  hold FILE                takes the lock, prints "held", waits for a line on stdin, releases, prints "released"
"""

import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:
    fcntl = None
    import msvcrt

SEPARATOR = "\n§\n"


def lock_path(path):
    return path.with_suffix(path.suffix + ".lock")


@contextmanager
def locked(path, wait=True):
    handle = open(lock_path(path), "a+", encoding="utf-8")
    try:
        if fcntl:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
        try:
            yield
        finally:
            if fcntl:
                fcntl.flock(handle, fcntl.LOCK_UN)
            else:
                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    finally:
        handle.close()


def read_entries(path):
    if not path.exists():
        return []
    raw = path.read_text(encoding="utf-8")
    if not raw.strip():
        return []
    pieces = [piece.strip() for piece in raw.split(SEPARATOR)]
    return list(dict.fromkeys(piece for piece in pieces if piece))


def write_entries(path, entries):
    content = SEPARATOR.join(entries) if entries else ""
    fd, temp = tempfile.mkstemp(dir=str(path.parent), prefix=".mem_", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def add(path, entry):
    with locked(path):
        entries = read_entries(path)
        if entry not in entries:
            entries.append(entry)
            write_entries(path, entries)


def main(argv):
    command, path = argv[1], Path(argv[2])
    if command == "parse":
        for name in argv[2:]:
            print(json.dumps(read_entries(Path(name))), flush=True)
    elif command == "write":
        with locked(path):
            write_entries(path, json.loads(argv[3]))
    elif command == "append":
        prefix, count = argv[3], int(argv[4])
        print("ready", flush=True)
        sys.stdin.readline()
        for i in range(count):
            add(path, f"{prefix}-{i}")
        print("done", flush=True)
    elif command == "trylock":
        try:
            with locked(path, wait=False):
                print("locked", flush=True)
        except OSError:
            print("busy", flush=True)
    elif command == "hold":
        with locked(path):
            print("held", flush=True)
            sys.stdin.readline()
        print("released", flush=True)
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv)
