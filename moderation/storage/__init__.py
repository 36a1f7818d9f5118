"""Storage: every Redis key name, the Lua scripts, the store that runs them, the
transport, the embedded redis-server and the watch on Redis's health."""
