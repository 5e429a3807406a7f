"""A small framework for depind functional tests (Python standard library only).

Modelled on the ideas of Bitcoin Core's test framework: each test is a script
subclassing DepinTestFramework that starts depind processes in temporary
datadirs on free loopback ports, talks JSON-RPC to them, and waits for
conditions with timeouts. Logs of failed tests are kept.
"""
