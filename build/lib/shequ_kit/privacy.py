"""The personal-data index: what the output guard looks up, without holding the data.

The guard must refuse any output that holds a ledger's ID or phone number, or a ledger's
name as a whole value. The index that answers "is this one of them?" travels to worker
processes and dask workers, so it keeps only salted hashes (a short keyed BLAKE2 digest
per value, salt drawn fresh for each index): pickling it or leaving it in a log copies no
resident's data.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from . import schema
from .model import LedgerBook
from .schema import ID, PHONE
from .values import mask_id, mask_phone, normalize, personal_like

__all__ = ["PersonalIndex", "mask_id", "mask_phone", "personal_in_params"]

_DIGEST = 10
# A run of digits (and the check character X) as a person would type it: spaces, dashes,
# dots or full-width spaces between groups.
_RUN = re.compile(r"[0-9Xx](?:[ \t\u3000\-\u2010-\u2015.·_]{0,2}[0-9Xx])*")
_SEPARATORS = re.compile(r"[^0-9X]")


def _personal_columns() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]],
                                 dict[str, tuple[str, ...]]]:
    ids: dict[str, list[str]] = {}
    phones: dict[str, list[str]] = {}
    names: dict[str, list[str]] = {}
    for sheet in schema.SHEETS:
        for col in sheet.columns:
            if not col.personal:
                continue
            if col.kind == ID or col.name.endswith("证号"):
                ids.setdefault(sheet.name, []).append(col.name)
            elif col.kind == PHONE:
                phones.setdefault(sheet.name, []).append(col.name)
            elif col.kind == schema.TEXT:
                names.setdefault(sheet.name, []).append(col.name)
    return ({k: tuple(v) for k, v in ids.items()}, {k: tuple(v) for k, v in phones.items()},
            {k: tuple(v) for k, v in names.items()})


@dataclass
class PersonalIndex:
    """Salted hashes of every ID, phone number and name in a set of ledgers."""

    salt: bytes = field(default_factory=lambda: os.urandom(16), repr=False)
    ids: frozenset[bytes] = field(default_factory=frozenset, repr=False)
    phones: frozenset[bytes] = field(default_factory=frozenset, repr=False)
    names: frozenset[bytes] = field(default_factory=frozenset, repr=False)

    def _h(self, value: str) -> bytes:
        return hashlib.blake2b(value.encode("utf-8"), key=self.salt,
                               digest_size=_DIGEST).digest()

    @classmethod
    def from_values(cls, ids: Iterable[str] = (), phones: Iterable[str] = (),
                    names: Iterable[str] = ()) -> PersonalIndex:
        """An index over raw values (for ledgers read some other way)."""
        index = cls()
        id_set = {index._h(s[:18]) for s in (_digits(v) for v in ids) if len(s) >= 18}
        phone_set = {index._h(s) for s in (_digits(v) for v in phones) if len(s) == 11}
        name_set = {index._h(n) for n in (normalize(v) for v in names) if n}
        return cls(index.salt, frozenset(id_set), frozenset(phone_set), frozenset(name_set))

    @classmethod
    def from_books(cls, books: list[LedgerBook]) -> PersonalIndex:
        """The index over every personal column of the books' frames."""
        id_cols, phone_cols, name_cols = _personal_columns()
        ids: list[str] = []
        phones: list[str] = []
        names: list[str] = []
        for book in books:
            for sheet, frame in book.sheets.items():
                rejected = book.rejected_personal.get(sheet, {})
                for cols, bucket in ((id_cols, ids), (phone_cols, phones),
                                     (name_cols, names)):
                    for c in cols.get(sheet, ()):
                        if c in frame.columns:
                            bucket.extend(str(v) for v in frame[c] if _present(v))
                        bucket.extend(rejected.get(c, ()))
        return cls.from_values(ids, phones, names)

    def __len__(self) -> int:
        return len(self.ids) + len(self.phones) + len(self.names)

    def find_in_text(self, text: str) -> list[str]:
        """Masked forms of every ledger ID or phone number in ``text``, also when typed
        with spaces or dashes between groups."""
        if not text or not (self.ids or self.phones):
            return []
        found: list[str] = []
        for m in _RUN.finditer(normalize(text) if not text.isascii() else text):
            digits = _SEPARATORS.sub("", m.group(0).upper())
            n = len(digits)
            if n < 11:
                continue
            for i in range(0, n - 17):
                window = digits[i:i + 18]
                if self._h(window) in self.ids:
                    found.append(mask_id(window))
            for i in range(0, n - 10):
                window = digits[i:i + 11]
                if window.isdigit() and self._h(window) in self.phones:
                    found.append(mask_phone(window))
        return found

    def contains_name(self, text: str) -> bool:
        """Whether a ledger name occurs anywhere inside ``text`` (two characters or more).

        The guard refuses a name only as a whole value, since 王平 or 高峰 is also a word;
        free text that a report quotes on purpose (an activity's title such as
        为张建国老人祝寿) is held to the stricter test, so a resident is never named."""
        if not self.names or not text:
            return False
        t = normalize(text)
        return any(self._h(t[i:j]) in self.names
                   for i in range(len(t)) for j in range(i + 2, len(t) + 1))

    def find_in_cells(self, cells: Iterable[str]) -> list[str]:
        """One '**' per cell whose whole text is a ledger name."""
        if not self.names:
            return []
        return ["**" for c in cells if c is not None and (t := normalize(c))
                and self._h(t) in self.names]


def _present(v: object) -> bool:
    if v is None:
        return False
    try:
        return not bool(pd.isna(v))
    except (TypeError, ValueError):
        return True


def _digits(v: str) -> str:
    return _SEPARATORS.sub("", normalize(v).upper())


def personal_in_params(params: Any, index: PersonalIndex | None = None) -> list[str]:
    """Where a parameters file holds personal data, as masked Chinese phrases.

    Parameters text goes into the report word for word (特色亮点, 荣誉, 下一步工作打算…), so
    an ID or phone typed there is refused by its form, whether or not any ledger holds
    it, and a list item that is exactly a resident's name from the ledgers is refused
    too. The phrases carry masked forms only and never a name.
    """
    found: list[str] = []

    def walk(value: Any, where: str, item: bool) -> None:
        if isinstance(value, Mapping):
            for k, v in value.items():
                walk(v, f"“{k}”" if not where else f"{where}中“{k}”", False)
        elif isinstance(value, list | tuple):
            for i, v in enumerate(value, 1):
                walk(v, f"{where}第{i}项", True)
        elif isinstance(value, str):
            for _, _, masked, kind in personal_like(value):
                found.append(f"{where}含有{kind}（{masked}）")
            if item and index is not None and index.find_in_cells([value]):
                found.append(f"{where}是台账中的居民姓名")

    walk(params, "", False)
    return found
