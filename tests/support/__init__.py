"""Helpers the tests and benches use and the product never imports: a real Redis Cluster
of six nodes on loopback (``local_cluster``)."""
