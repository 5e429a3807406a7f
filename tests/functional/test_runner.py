#!/usr/bin/env python3
"""Runs depind functional tests and summarizes them.

    tests/functional/test_runner.py --bindir build/bin            # every *_test.py
    tests/functional/test_runner.py --bindir build/bin rpc_auth_test shutdown_test

Each test runs as its own process (in parallel with -j). The output of a
failing test, including the tails of its nodes' logs and the path of its kept
datadirs, is printed. The last line is always "N passed, N failed" (and
", N skipped" when a test's outside dependency is missing: it prints why);
the exit code is 1 when any test failed, 77 when every test was skipped.
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
        lines = output.splitlines()
        if proc.returncode == 0 and any(line.endswith(": passed") for line in lines):
            result = "passed"
        elif proc.returncode == 77 and any(": skipped: " in line for line in lines):
            result = "skipped"
        else:
            result = "failed"
    except subprocess.TimeoutExpired as e:
        output = (e.stdout or b"").decode(errors="replace") + f"\ntimed out after {timeout}s\n"
        result = "failed"
    return name, result, time.monotonic() - started, output


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

    passed = failed = skipped = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = [pool.submit(run_one, n, bindir, args.timeout_factor, args.timeout)
                   for n in names]
        for future in concurrent.futures.as_completed(futures):
            name, result, seconds, output = future.result()
            if result == "skipped":
                skipped += 1
                reason = next((line.split(": skipped: ", 1)[1] for line in output.splitlines()
                               if ": skipped: " in line), "")
                print(f"{name:<32} skipped ({reason})", flush=True)
            elif result == "passed":
                passed += 1
                print(f"{name:<32} passed  {seconds:6.1f} s", flush=True)
                if args.verbose:
                    print(output)
            else:
                failed += 1
                print(f"{name:<32} FAILED  {seconds:6.1f} s", flush=True)
                print(output, flush=True)
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    if failed:
        return 1
    return 77 if skipped and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
