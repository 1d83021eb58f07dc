"""When each step of a demo scenario happens, and the stable ids its providers hand out."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class StoryClock:
    start: datetime
    step_seconds: float

    def at(self, step: int) -> datetime:
        return self.start + timedelta(seconds=step * self.step_seconds)

    def event(self, step: int, lag: float) -> datetime:
        """When something shown from ``step`` on happened: a little before the step, after the
        previous one.  The lag varies with the step so posts do not land on round times."""
        fraction = min(0.9, lag + 0.05 * (step % 3))
        back = timedelta(milliseconds=round(self.step_seconds * 1000 * fraction))
        return self.at(step) - back if step > 0 else self.at(0) - timedelta(minutes=1)

    def token(self, *parts: str, length: int = 12, upper: bool = False) -> str:
        """A stable id in the provider's style, unique to this start time."""
        seed = "\x1f".join((self.start.isoformat(), *parts)).encode("utf-8")
        digest = hashlib.sha256(seed).digest()
        alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
        if upper:
            alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        number = int.from_bytes(digest, "big")
        chars = []
        for _ in range(length):
            number, index = divmod(number, len(alphabet))
            chars.append(alphabet[index])
        return "".join(chars)
