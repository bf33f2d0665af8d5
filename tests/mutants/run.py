#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""run.py - `make mutants`: do the tests catch the bugs that matter?

Each mutant in tests/mutants/*.mut is one small, plausible bug: a one-line
description, its class, the tests that should catch it, and an exact text
replacement in one source file.  Each is applied alone to a scratch copy of
the tree, built with the project's warnings (-Werror), and those tests are
run against it:

  KILLED    a test failed (an integration test: failed twice, so a flake
            does not count as a kill)
  SURVIVED  every test passed: the suite misses this bug.  Fix it with a
            test, never by dropping or weakening the mutant.
  BROKEN    the text to replace is not there exactly once, or the mutant
            does not build: fix the mutant.

Before any mutant, each test named is run on the unmutated copy: a test
that fails there stops the run (a kill must mean something).  Prints one
line per mutant, a table per class and "mutants killed K/N"; exits 0 only
when every mutant is killed.

Format of a .mut file: blocks, each starting with a line
  == ID | class | what the bug is | test_a test_b ...
then
  file: src/path.c
and the text to find ("- " lines) and what replaces it ("+ " lines; none:
deleted).  Lines starting with # are comments.

  MUTANTS="M01 M07" limits the run to those ids; P2P_MUT_KEEP=1 keeps the
  scratch copy.
"""

import collections
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LOCK = os.environ.get("P2P_LOCK", "/tmp/p2p-auditd.lock")
COPY = ["src", "cli", "tests", "fuzz", "bench", "plugin", "man", "rules",
        "schema", "Makefile"]
TEST_TIMEOUT = 300


def parse(path):
    muts, cur = [], None
    for n, raw in enumerate(open(path, encoding="utf-8").read().split("\n"), 1):
        if raw.startswith("#") or (not raw.strip() and cur is None):
            continue
        if raw.startswith("== "):
            parts = [p.strip() for p in raw[3:].split("|")]
            if len(parts) != 4 or not parts[3]:
                sys.exit("%s:%d: want '== ID | class | what | tests'" % (path, n))
            cur = {"id": parts[0], "class": parts[1], "what": parts[2],
                   "tests": parts[3].split(), "file": None, "from": [],
                   "to": [], "where": "%s:%d" % (os.path.basename(path), n)}
            muts.append(cur)
        elif cur is None:
            sys.exit("%s:%d: text before the first '== '" % (path, n))
        elif raw.startswith("file: "):
            cur["file"] = raw[6:].strip()
        elif raw.startswith("- ") or raw == "-":
            cur["from"].append(raw[2:])
        elif raw.startswith("+ ") or raw == "+":
            cur["to"].append(raw[2:])
        elif not raw.strip():
            continue
        else:
            sys.exit("%s:%d: unexpected line %r" % (path, n, raw))
    for m in muts:
        if not m["file"] or not m["from"]:
            sys.exit("%s: mutant %s needs a file: and - lines" % (path, m["id"]))
    return muts


def sh(cmd, cwd, timeout=None, env=None):
    try:
        p = subprocess.run(cmd, cwd=cwd, shell=True, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=timeout, env=env)
        return p.returncode, p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return 124, "timeout"


def test_cmd(work, name):
    """(kind, shell command) running test NAME in the copy."""
    if os.path.exists(os.path.join(work, "tests/unit/%s.c" % name)):
        return "unit", "timeout -k 5 %d build/mut/tests/%s" % (TEST_TIMEOUT, name)
    for d in ("integration", "adversarial", "lint", "tools"):
        p = "tests/%s/%s.sh" % (d, name)
        if os.path.exists(os.path.join(work, p)):
            return "integration", ("flock -o %s timeout -k 5 %d env B=build/mut bash %s"
                                   % (LOCK, TEST_TIMEOUT, p))
    return None, None


def build(work, tests):
    targets = ["build/mut/tests/%s" % t for t in tests
               if os.path.exists(os.path.join(work, "tests/unit/%s.c" % t))]
    if any(test_cmd(work, t)[0] == "integration" for t in tests):
        targets += ["all", "build/mut/tools/p2p_auparse",
                    "build/mut/tools/jsonnames_list",
                    "build/mut/hooks/audisp-pid2pod"]
    return sh("make -s -j2 B=build/mut %s" % " ".join(targets), work)


def run_tests(work, tests):
    """(killed-by or None, log)."""
    for t in tests:
        kind, cmd = test_cmd(work, t)
        rc, out = sh(cmd, work)
        if rc != 0 and kind == "integration":
            rc, out2 = sh(cmd, work)  # a flake is not a kill
            out += out2
        if rc != 0:
            return t, out
    return None, ""


def main():
    only = set(os.environ.get("MUTANTS", "").split())
    muts = []
    for f in sorted(os.listdir(HERE)):
        if f.endswith(".mut"):
            muts += parse(os.path.join(HERE, f))
    ids = [m["id"] for m in muts]
    dup = [i for i, c in collections.Counter(ids).items() if c > 1]
    if dup:
        sys.exit("duplicate mutant ids: %s" % " ".join(dup))
    if only:
        muts = [m for m in muts if m["id"] in only]
    base = tempfile.mkdtemp(prefix="p2p-mut.")
    work = os.path.join(base, "main")
    os.mkdir(work)
    # tests that read ../shared find it beside the copy too
    shared = os.path.realpath(os.path.join(ROOT, "..", "shared"))
    if os.path.isdir(shared):
        os.symlink(shared, os.path.join(base, "shared"))
    for c in COPY:
        src = os.path.join(ROOT, c)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(work, c), symlinks=True)
        elif os.path.exists(src):
            shutil.copy2(src, os.path.join(work, c))
    t0 = time.time()
    # the tests named must pass on the unmutated copy
    alltests = sorted({t for m in muts for t in m["tests"]})
    for t in alltests:
        if test_cmd(work, t)[0] is None:
            sys.exit("mutants: no test named %s" % t)
    rc, out = build(work, alltests)
    if rc != 0:
        sys.exit("mutants: the unmutated copy does not build:\n" + out[-3000:])
    bad, _ = run_tests(work, alltests)
    if bad:
        sys.exit("mutants: %s fails on the unmutated copy: fix that first" % bad)
    print("# baseline: %d tests pass unmutated (%.0f s)" % (len(alltests), time.time() - t0))
    res = collections.OrderedDict()
    for m in muts:
        path = os.path.join(work, m["file"])
        try:
            orig = open(path, encoding="utf-8").read()
        except OSError:
            res[m["id"]] = ("BROKEN", "no file %s" % m["file"])
        else:
            old, new = "\n".join(m["from"]), "\n".join(m["to"])
            n = orig.count(old)
            if n != 1:
                res[m["id"]] = ("BROKEN", "text found %d times in %s" % (n, m["file"]))
            else:
                open(path, "w", encoding="utf-8").write(orig.replace(old, new))
                rc, out = build(work, m["tests"])
                if rc != 0:
                    errs = [l for l in out.split("\n") if "error" in l] or out.strip().split("\n")
                    res[m["id"]] = ("BROKEN", "does not build: " + errs[0][:200])
                else:
                    by, _log = run_tests(work, m["tests"])
                    res[m["id"]] = ("KILLED", "by " + by) if by else ("SURVIVED", "")
                open(path, "w", encoding="utf-8").write(orig)
                # a new mtime: make rebuilds what the mutant touched
                os.utime(path, None)
        st, why = res[m["id"]]
        print("%-8s %-5s %-22s %s%s" % (st, m["id"], m["class"], m["what"],
                                        " (%s)" % why if why else ""))
        sys.stdout.flush()
    # the table
    cls = collections.OrderedDict()
    for m in muts:
        c = cls.setdefault(m["class"], collections.Counter())
        c[res[m["id"]][0]] += 1
        c["n"] += 1
    print("\n%-24s %6s %7s %9s %7s" % ("class", "mutants", "killed", "survived", "broken"))
    for c, k in cls.items():
        print("%-24s %6d %7d %9d %7d" % (c, k["n"], k["KILLED"], k["SURVIVED"], k["BROKEN"]))
    killed = sum(1 for s, _ in res.values() if s == "KILLED")
    print("\nmutants killed %d/%d (%.0f s)" % (killed, len(res), time.time() - t0))
    if os.environ.get("P2P_MUT_KEEP"):
        print("# scratch copy kept: %s" % work)
    else:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if killed == len(res) and res else 1


if __name__ == "__main__":
    sys.exit(main())
