"""Loopback emulators of the Mobilize, Action Network and Google Sheets/Drive APIs.

Each is a WSGI app built on `turnout.emulators.base`, served on 127.0.0.1 on a free port, with
state in memory and faults on demand from one seeded `FaultInjector`.
"""
