"""Decision callbacks to CMSs, against a real receiving server, and under faults."""
