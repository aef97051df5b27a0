#!/usr/bin/env python3
"""Run the examples of the README's tour and of the man pages, and compare
what they print with what the documentation shows (as jq's manual tests
do), so that the documentation cannot drift from the code.

    tests/tools/doc_examples.py [-u] FILE...

An example is a "$ COMMAND" line (continued by lines ending in "\\"): in
README.md inside ``` blocks, in a man page inside .EX/.EE of its EXAMPLES
section.  The lines after it, up to the next "$ " line or the end of the
block, are what it prints: standard output then standard error for the
README (which shows both in one stream, as a terminal does), standard output with its
tabs expanded for a man page (roff shows tabs as spaces).  A line "..."
stands for lines left out, a "…" in a line for text left out (a long
path).  An example followed by no lines must exit
0 and print something (or write the file it redirects to), and what it
prints on standard output must be what tests/doc-examples/FILE.N records
(-u records it anew: read what it recorded, that becomes the
expectation).

Examples run with bin/ first in PATH, LC_ALL=C, in a scratch directory
that links to the tree's data/ and tests/.  Prints one line per problem
and a count per file; exit 1 when any example failed.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

ROFF = [(r"\-", "-"), (r"\(aq", "'"), (r"\e", "\\"), (r"\(dq", '"'), (r"\&", ""),
        (r"\(ti", "~"), (r"\('e", "é"), (r"\('E", "É"), (r"\(eu", "€"), (r"\(en", "–"),
        (r"\(em", "—"), (r"\(`a", "à"), (r"\(^o", "ô"), (r"\(,c", "ç"), (r"\(`e", "è"),
        (r"\(^e", "ê"), (r"\(^i", "î"), (r"\(^u", "û"), (r"\(:e", "ë"), (r"\(lq", "“"), (r"\(rq", "”")]


def unroff(line):
    for a, b in ROFF:
        line = line.replace(a, b)
    return line


def blocks_markdown(text):
    """Lists of lines of the ``` blocks."""
    out, cur = [], None
    for line in text.split("\n"):
        if line.startswith("```"):
            if cur is None:
                cur = []
            else:
                out.append(cur)
                cur = None
        elif cur is not None:
            cur.append(line)
    return out


def blocks_man(text):
    out, cur, in_ex = [], None, False
    for line in text.split("\n"):
        if line.startswith(".SH "):
            in_ex = line.startswith(".SH EXAMPLES")
        if not in_ex:
            continue
        if line.startswith(".EX"):
            cur = []
        elif line.startswith(".EE"):
            if cur is not None:
                out.append(cur)
            cur = None
        elif cur is not None:
            cur.append(unroff(line))
    return out


def examples(block):
    """(command, expected lines) of a block."""
    res, i = [], 0
    while i < len(block):
        if not block[i].startswith("$ "):
            i += 1
            continue
        cmd = block[i][2:]
        while (cmd.endswith("\\") or cmd.rstrip().endswith("|")) and i + 1 < len(block):
            i += 1
            cmd = (cmd[:-1] if cmd.endswith("\\") else cmd) + " " + block[i].strip()
        i += 1
        want = []
        while i < len(block) and not block[i].startswith("$ "):
            want.append(block[i])
            i += 1
        while want and want[-1] == "":
            want.pop()
        res.append((cmd, want))
    return res


def line_matches(w, g):
    """A documented line: "…" stands for any text (a path cut short)."""
    if "…" not in w:
        return w == g
    return re.fullmatch(".*".join(re.escape(x) for x in w.split("…")), g) is not None


def matches(want, got):
    """Lines "..." stand for any lines: the pieces between them appear in
    order, the first at the start, the last at the end."""
    pieces, cur = [], []
    for w in want:
        if w in ("...", "…"):
            pieces.append(cur)
            cur = []
        else:
            cur.append(w)
    pieces.append(cur)
    if len(pieces) == 1:
        return len(want) == len(got) and all(line_matches(w, g) for w, g in zip(want, got))
    first, last, middle = pieces[0], pieces[-1], pieces[1:-1]

    def at(piece, i):
        return i + len(piece) <= len(got) and all(line_matches(w, g) for w, g in zip(piece, got[i:]))

    if not at(first, 0):
        return False
    i = len(first)
    for piece in middle:
        while i <= len(got) and not at(piece, i):
            i += 1
        if i > len(got):
            return False
        i += len(piece)
    return len(got) - len(last) >= i and at(last, len(got) - len(last))


RECORDS = os.path.join(ROOT, "tests", "doc-examples")
UPDATE = False


def recorded(path, n, out):
    """Compare out with the record of example n of path: None when it
    matches (or was recorded), else the record."""
    rec = os.path.join(RECORDS, "%s.%d" % (os.path.basename(path), n))
    if UPDATE:
        os.makedirs(RECORDS, exist_ok=True)
        with open(rec, "w", encoding="utf-8") as f:
            f.write(out)
        return None
    if not os.path.exists(rec):
        return "(no record: run tests/tools/doc_examples.py -u %s)" % path
    old = open(rec, encoding="utf-8").read()
    return None if old == out else old


def run(path):
    man = not path.endswith(".md")
    text = open(path, encoding="utf-8").read()
    blocks = blocks_man(text) if man else blocks_markdown(text)
    scratch = tempfile.mkdtemp()
    work = os.path.join(scratch, "run")
    os.mkdir(work)
    for d in ("data", "tests"):
        os.symlink(os.path.join(ROOT, d), os.path.join(work, d))
    env = dict(os.environ, PATH=os.path.join(ROOT, "bin") + ":" + os.environ["PATH"], LC_ALL="C")
    n = compared = bad = 0
    try:
        for block in blocks:
            for cmd, want in examples(block):
                n += 1
                # the README shows what a terminal shows: one stream (the
                # commands flush standard output before each message)
                p = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=work, env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE if man else subprocess.STDOUT)
                out = p.stdout.decode("utf-8", "replace")
                err = p.stderr.decode("utf-8", "replace") if man else out
                if man:
                    got = [l.expandtabs(8).rstrip() for l in out.split("\n")]
                    want = [l.rstrip() for l in want]
                else:
                    # trailing blanks are invisible in a README
                    got = [l.rstrip(" \t\f") for l in out.split("\n")]
                    want = [l.rstrip() for l in want]
                while got and got[-1] == "":
                    got.pop()
                m = re.search(r">\s*([^ |;&>]+)\s*$", cmd)
                target = os.path.join(work, m.group(1)) if m else None
                if not want:
                    if p.returncode != 0:
                        print(f"{path}: example failed (exit {p.returncode}): {cmd}")
                        print("  " + err.strip().replace("\n", "\n  ")[:400])
                        bad += 1
                    elif target and not (os.path.exists(target) and os.path.getsize(target)):
                        print(f"{path}: example wrote nothing to {m.group(1)}: {cmd}")
                        bad += 1
                    elif not target and not out:
                        print(f"{path}: example printed nothing: {cmd}")
                        bad += 1
                    elif not target:
                        compared += 1
                        old = recorded(path, n, out)
                        if old is not None:
                            bad += 1
                            print(f"{path}: example {n} prints otherwise than tests/doc-examples records: {cmd}")
                            for w, g in zip(old.split("\n"), out.split("\n")):
                                if w != g:
                                    print(f"  recorded: {w!r}\n  printed:  {g!r}")
                                    break
                    continue
                compared += 1
                ok = matches(want, got)
                if not ok:
                    bad += 1
                    print(f"{path}: example prints otherwise (exit {p.returncode}): {cmd}")
                    for w, g in zip(want + [""] * len(got), got + [""] * len(want)):
                        if not line_matches(w, g) and w not in ("...", "…"):
                            print(f"  documented: {w!r}\n  printed:    {g!r}")
                            break
                    if os.environ.get("DOC_SHOW"):
                        print("  ---- printed:\n" + out)
    finally:
        shutil.rmtree(scratch)
    print(f"{path}: {n} examples, {compared} compared with their output, {bad} failed")
    return bad


def main():
    global UPDATE
    bad = 0
    args = sys.argv[1:]
    if args and args[0] == "-u":
        UPDATE = True
        args = args[1:]
    for f in args:
        bad += run(f)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
