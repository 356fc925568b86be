"""What every backend implements, so the runner times them all through the same calls."""

from dataclasses import dataclass
from typing import Any


@dataclass
class KVCache:
    """A batch's keys and values so far; the arrays' layout belongs to the backend that made them."""

    keys: Any
    values: Any
    length: int


class BackendUnavailable(Exception):
    """The backend's package or device is missing here; the message says which, for the report."""


class Backend:
    name = ""
    devices = ("cpu",)

    def __init__(self, config, weights, *, threads, device="cpu"):
        self.config = config
        self.weights = weights
        self.threads = threads
        self.device = device

    @classmethod
    def check_available(cls, device):
        """Raise BackendUnavailable when this backend cannot run on ``device`` here."""
        if device not in cls.devices:
            raise BackendUnavailable(f"{cls.name} has no {device} support in this benchmark")

    @classmethod
    def version(cls):
        return None

    def prepare(self):
        """Build the session or graph from the weights (timed as cold start's session part)."""

    def prefill(self, tokens, capacity):
        """tokens int64 [B, T] -> (float32 logits [B, V] for the last position, cache with room for capacity)."""
        raise NotImplementedError

    def decode(self, tokens, cache):
        """tokens int64 [B] -> (float32 logits [B, V], the cache one position longer)."""
        raise NotImplementedError
