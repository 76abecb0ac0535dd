"""The federated-node fixture (``fed``: this process is node "b", 长治; "a", 攀枝花, is a
peer whose key the tests hold) for the licence tests across nodes."""

from tongban.federation.tests.conftest import fed  # noqa: F401
