"""Running the service as processes: serving one app (``serving``), several worker
processes on one port (``workers``), and the offline commands that need Redis but no
server (``offline``: erase, export-labels).

The top of the stack: may import every other folder and ``app``; nothing imports it but
``cli``.
"""
