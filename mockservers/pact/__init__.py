"""Contract tests with Pact against the mock: provider states (states.py, catalog.py), verification with pact's
verifier (verify.py, server.py), the vendors' contract fixtures as pact files (export.py), the command (cli.py).
pact-python is imported only where a pact is verified (pip install 'mockservers[pact]')."""
