#!/usr/bin/env python3
"""Runs depind functional tests and summarizes them.

    tests/functional/test_runner.py --bindir build/bin            # every *_test.py
    tests/functional/test_runner.py --bindir build/bin rpc_auth_test shutdown_test

Each test runs as its own process (in parallel with -j). The output of a
failing test, including the tails of its nodes' logs and the path of its kept
datadirs, is printed. The last line is always "N passed, N failed"; the exit
code is non-zero when any test failed.
"""

import argparse
import concurrent.futures
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def discover():
    return sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(HERE, "*_test.py")))


def run_one(name, bindir, timeout_factor, timeout):
    path = os.path.join(HERE, name + ".py")
    started = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, path, f"--bindir={bindir}", f"--timeout-factor={timeout_factor}"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
        output = proc.stdout.decode(errors="replace")
        # The exit code alone is not trusted: a script that forgets to exit
        # with main()'s result would pass whatever happened.
        passed = proc.returncode == 0 and any(
            line.endswith(": passed") for line in output.splitlines())
    except subprocess.TimeoutExpired as e:
        output = (e.stdout or b"").decode(errors="replace") + f"\ntimed out after {timeout}s\n"
        passed = False
    return name, passed, time.monotonic() - started, output


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("tests", nargs="*", help="test names (default: all)")
    parser.add_argument("--bindir", default="build/bin")
    parser.add_argument("-j", "--jobs", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--timeout-factor", type=float, default=1.0)
    parser.add_argument("--timeout", type=int, default=540, help="seconds per test")
    parser.add_argument("--verbose", action="store_true", help="print passing tests' output too")
    args = parser.parse_args()

    names = [t[:-3] if t.endswith(".py") else t for t in args.tests] or discover()
    unknown = [n for n in names if not os.path.exists(os.path.join(HERE, n + ".py"))]
    if unknown:
        print(f"unknown test(s): {', '.join(unknown)}")
        print(f"0 passed, {len(unknown)} failed")
        return 1
    bindir = os.path.abspath(args.bindir)

    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, n, bindir, args.timeout_factor, args.timeout)
                   for n in names]
        for future in concurrent.futures.as_completed(futures):
            name, ok, seconds, output = future.result()
            if ok:
                passed += 1
                print(f"{name:<32} passed  {seconds:6.1f} s", flush=True)
                if args.verbose:
                    print(output)
            else:
                failed += 1
                print(f"{name:<32} FAILED  {seconds:6.1f} s", flush=True)
                print(output, flush=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
