"""What the platform emulators (Graph, X, Discord) share, and nothing platform-shaped.

The emulators were written side by side and repeated the same plumbing; it lives here once:

- :mod:`.server`: the aiohttp ``AppRunner`` lifecycle, ``base_url`` and the request log;
- :mod:`.runner`: the foreground loop of ``modbot emulate`` (serve, announce, wait, clean up);
- :mod:`.faults`: fault rules matched on method and path with counts, and the answers that
  look the same on every platform (a proxy's HTML 502, a late answer, a truncated body);
- :mod:`.control`: the plain-JSON helpers of the ``/_emulator/`` control API;
- :mod:`.scenario`: reading a YAML or JSON scenario file and checking its common fields.

Error bodies, rate-limit headers, fault kinds, tokens and the Discord gateway stay in each
platform's package: they differ on purpose, since each mimics a different real service.
"""
