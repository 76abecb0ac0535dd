"""Test harnesses for federation: real node processes (``cluster``) and a fault-injecting
HTTP proxy between them (``faults``). Used by pytest fixtures, the federation benchmark
and ``tongban demo --nodes``."""
