"""Local servers that speak each platform's real wire protocol, for tests, the demo and load runs.

They keep state in memory, log every moderation operation so tests can count double effects, and
inject faults on demand; nothing here is imported by the service itself.
"""
