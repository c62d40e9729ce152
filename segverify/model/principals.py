"""Model stage: transitive group membership and what a credential opens."""

from __future__ import annotations

from functools import cached_property

from segverify.model.ir import Host, Model


class Principals:
    """Membership closure of one model. Only accounts have credentials; groups name sets of them."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self._login_accounts: dict[str, frozenset[str]] = {}
        self._odd: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())

    @cached_property
    def groups_of(self) -> dict[str, frozenset[str]]:
        """Every principal's transitive groups (cycles are rejected by validation, tolerated here)."""
        out: dict[str, frozenset[str]] = {}
        for name in self.model.principals:
            seen: set[str] = set()
            stack = list(self.model.principals[name].member_of)
            while stack:
                g = stack.pop()
                if g not in seen:
                    seen.add(g)
                    p = self.model.principals.get(g)
                    stack.extend(p.member_of if p else ())
            out[name] = frozenset(seen)
        return out

    @cached_property
    def accounts_in(self) -> dict[str, frozenset[str]]:
        """Accounts a principal stands for: an account itself, a group all its transitive members."""
        out: dict[str, set[str]] = {name: set() for name in self.model.principals}
        for acc in self.model.accounts():
            out[acc.name].add(acc.name)
            for g in self.groups_of[acc.name]:
                out.setdefault(g, set()).add(acc.name)
        return {k: frozenset(v) for k, v in out.items()}

    def accounts_of(self, name: str) -> frozenset[str]:
        """The credentials a principal stands for: a group's members' (transitively), or the account."""
        return self.accounts_in.get(name) or frozenset((name,))

    def may_log_in(self, account: str, host: Host) -> bool:
        """The account, or a group it is in, is named in the host's `logins`."""
        names = self.groups_of.get(account, frozenset()) | {account}
        return any(p in names for p in host.logins)

    def in_sessions(self, principal: str, host: Host) -> bool:
        """The principal, or a group it is in, is named in the host's `sessions`."""
        names = self.groups_of.get(principal, frozenset()) | {principal}
        return any(p in names for p in host.sessions)

    @cached_property
    def empty_groups_in(self) -> dict[str, frozenset[str]]:
        """Per principal, the groups without any member account that it stands for (itself included).

        Such a group is still a principal: what it is granted, its next member gets.
        """
        names = self.model.principals
        empty = [g for g in names if g not in self.account_names and not self.accounts_in.get(g)]
        out: dict[str, set[str]] = {}
        for g in empty:
            for p in self.groups_of.get(g, frozenset()) | {g}:
                out.setdefault(p, set()).add(g)
        return {p: frozenset(gs) for p, gs in out.items()}

    @cached_property
    def account_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.model.accounts())

    def login_accounts(self, host: Host) -> frozenset[str]:
        # Asked once per door of every certificate: a hundred thousand hosts, many policies.
        if host.name not in self._login_accounts:
            self._login_accounts[host.name] = frozenset(
                a for p in host.logins for a in self.accounts_in.get(p, ())
            )
        return self._login_accounts[host.name]

    def logins_among(self, names: frozenset[str], host: Host) -> set[str]:
        """The names that may log in on `host` (may_log_in), for a whole set of names at once.

        An account may log in exactly when it is in login_accounts; any other name (a group,
        an unknown name in a hand-written certificate) is asked one by one.
        """
        found = set(names & self.login_accounts(host))
        if names is not self._odd[0]:  # one certificate asks with one set at every door
            self._odd = (names, names - self.account_names)
        found.update(n for n in self._odd[1] if self.may_log_in(n, host))
        return found

    def session_accounts(self, host: Host) -> frozenset[str]:
        """Credentials a controlling attacker harvests: a group hands over all its members'."""
        return frozenset(a for p in host.sessions for a in self.accounts_in.get(p, ()))

    def has_mfa(self, account: str) -> bool:
        p = self.model.principals.get(account)
        return bool(p and p.mfa)
