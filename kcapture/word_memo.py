"""A memo of a function of one word, for the per-word work of a document's hundreds of thousands of words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class WordMemo(dict):
    """The values of a function of one word, each computed once: `memo[word]`, or `map(memo.__getitem__, words)` over
    a document's words. A plain dict lookup costs about half an `lru_cache` hit, which also keeps its entries in order
    of use. Emptied when full, so a long-running process keeps no more than `maxsize` words."""

    def __init__(self, fn: Callable[[str], Any], maxsize: int) -> None:
        super().__init__()
        self.fn = fn
        self.maxsize = maxsize

    def __missing__(self, word: str) -> Any:
        if len(self) >= self.maxsize:
            self.clear()
        value = self[word] = self.fn(word)
        return value
