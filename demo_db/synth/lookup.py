"""What the database will really hold about each person: the emails, phones and addresses of good rows."""

from __future__ import annotations

from collections import defaultdict

from synth.people_accounts import Accounts
from synth.population import Population


def digits(phone: str) -> str:
    d = "".join(ch for ch in phone if ch.isdigit())
    return d[1:] if len(d) == 11 and d.startswith("1") else d


class Known:
    """Indexes over the rows a loader will accept (rejected rows never reach the database)."""

    def __init__(self, acc: Accounts, pop: Population) -> None:
        self.pop = pop
        self.pids_by_email: dict[str, list[str]] = defaultdict(list)
        self.pids_by_phone: dict[str, list[str]] = defaultdict(list)
        self.emails_of: dict[str, list[str]] = defaultdict(list)
        self.phones_of: dict[str, list[str]] = defaultdict(list)
        self.with_address: list[str] = []
        seen_address: set[str] = set()
        for a in acc.all():
            if not a.key or a.bad:
                continue
            email = a.values.get("email", "").lower()
            if email and a.pid not in self.pids_by_email[email]:
                self.pids_by_email[email].append(a.pid)
                self.emails_of[a.pid].append(email)
            number = digits(a.values.get("phone", ""))
            if number and a.pid not in self.pids_by_phone[number]:
                self.pids_by_phone[number].append(a.pid)
                self.phones_of[a.pid].append(number)
            if a.values.get("address_line1") and a.pid not in seen_address:
                seen_address.add(a.pid)
                self.with_address.append(a.pid)
        self.with_address.sort()
        self.with_email = sorted(self.emails_of)
        self.with_phone = sorted(self.phones_of)
