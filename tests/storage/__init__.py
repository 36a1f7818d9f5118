"""Redis: the Lua scripts, the transports, a real six-node cluster, failover and slot
moves."""
