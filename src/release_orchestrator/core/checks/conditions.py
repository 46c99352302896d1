"""GitHub's ``if:`` expressions, evaluated as far as the doctor can know them.

A run is described by a :class:`Context` (the event, its activity type, the ref). Names the
context fixes (``github.event_name``, ``github.ref``, ``github.ref_type``,
``github.event.action``, a dispatch's ``github.event.workflow``, the inputs a push, a
release or a create does not have) and the common functions (``startsWith``, ``endsWith``,
``contains``, the status functions) are evaluated the way GitHub's expression syntax
defines them: string comparison ignores case, ``&&``/``||`` short-circuit, and a job
``if:`` without a status function runs only when its needs succeeded. Anything else is
unknown, and the result is then three-valued: True, False, or None ("may run").
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

_TOKEN = re.compile(
    r"\s*(?:(?P<op>&&|\|\||==|!=|<=|>=|<|>|!|\(|\)|,)"
    r"|(?P<str>'(?:[^']|'')*')"
    r"|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<name>[A-Za-z_][\w\-]*(?:\.[\w\-*]+|\[[^\]]*\])*))"
)
# ``inputs.X``, ``inputs['X']``, ``github.event.inputs`` (a bare ``inputs`` is an object).
_INPUTS = re.compile(r"inputs[.\[]|github\.event\.inputs(?:[.\[]|\Z)")
_NO_INPUTS = ("push", "release", "create")
_STATUS = re.compile(r"\b(?:always|failure|cancelled)\s*\(")


class _Unknown:
    """A value the doctor cannot know before the run."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


class Context(msgspec.Struct, frozen=True):
    """What a run's ``github`` context says: the event, its activity type and the ref."""

    event: str
    ref: str
    action: str | None = None
    repository: str | None = None  # owner/name, when the remote names it
    workflow: str | None = None  # the path of the file whose trigger starts the run
    called: bool = False  # evaluating a reusable workflow: its inputs are its caller's `with:`

    def _payload_ref(self, name: str) -> Any:
        """``github.event.ref``/``ref_type`` as the webhook payloads carry them: a push's ref
        is the full ref, a create's the short name beside its ref_type; a release has neither.
        """
        short = self.ref.split("/", 2)[-1]
        kind = "tag" if self.ref.startswith("refs/tags/") else "branch"
        if self.event == "push":
            return self.ref if name == "github.event.ref" else None
        if self.event == "create":
            return short if name == "github.event.ref" else kind
        return None if self.event == "release" else UNKNOWN

    def _inputs(self, name: str) -> Any:
        """An input (``inputs.X``, ``github.event.inputs.X``): a push's, a release's or a
        create's payload has no inputs, and such a run's workflow gets none (null); a
        reusable workflow's come from its caller's ``with:``, a dispatch's from whoever runs it.
        """
        if self.event not in _NO_INPUTS:
            return UNKNOWN
        return UNKNOWN if self.called and name.startswith("inputs") else None

    def name(self, path: str) -> Any:
        """The value of a context name, or :data:`UNKNOWN`."""
        low = path.lower()
        if low == "github.event_name":
            return self.event
        if low == "github.ref":
            return self.ref
        if low == "github.ref_type":
            return "tag" if self.ref.startswith("refs/tags/") else "branch"
        if low == "github.ref_name":
            return self.ref.split("/", 2)[-1]
        if low == "github.event.action":
            # A push or a create has no activity type; other events' are not known here.
            return self.action if self.event in ("push", "create", "release") else UNKNOWN
        if low in ("github.event.ref", "github.event.ref_type"):
            return self._payload_ref(low)
        if low == "github.event.workflow":
            # The workflow_dispatch payload names the dispatched file (.github/workflows/x.yml).
            return self.workflow if self.event == "workflow_dispatch" and self.workflow else UNKNOWN
        if _INPUTS.match(low):
            return self._inputs(low)
        if low == "github.repository" and self.repository:
            return self.repository
        if low == "github.repository_owner" and self.repository:
            return self.repository.split("/", 1)[0]
        if low in ("true", "false"):
            return low == "true"
        if low == "null":
            return None
        return UNKNOWN


class _Unparsable(Exception):
    pass


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if not found or found.end() == pos:
            raise _Unparsable(text[pos:])
        kind = found.lastgroup or ""
        out.append((kind, found.group(kind)))
        pos = found.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _truthy(value: Any) -> bool | None:
    if value is UNKNOWN:
        return None
    return bool(value) and value != 0


def _number(value: Any) -> float:
    """GitHub's conversion of a value to a number, for comparing values of two types."""
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, str):
        try:
            return float(value.strip()) if value.strip() else 0.0
        except ValueError:
            return float("nan")
    return float("nan")


def _equal(left: Any, right: Any) -> Any:
    if left is UNKNOWN or right is UNKNOWN:
        return UNKNOWN
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    if type(left) is type(right):
        return bool(left == right)
    return _number(left) == _number(right)  # null == '' and null == 0 hold, as on GitHub


class _Parser:
    """Recursive descent over GitHub's operators: ``||`` < ``&&`` < comparison < ``!``."""

    def __init__(self, tokens: list[tuple[str, str]], context: Context) -> None:
        self.tokens = tokens
        self.pos = 0
        self.context = context

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise _Unparsable("end of expression")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def expect(self, op: str) -> None:
        if self.take()[1] != op:
            raise _Unparsable(op)

    def parse(self) -> Any:
        value = self.or_()
        if self.pos != len(self.tokens):
            raise _Unparsable("trailing tokens")
        return value

    def or_(self) -> Any:
        values = [self.and_()]
        while self.peek() == "||":
            self.take()
            values.append(self.and_())
        if len(values) == 1:
            return values[0]
        known = [_truthy(v) for v in values]
        if True in known:
            return True
        return UNKNOWN if None in known else False

    def and_(self) -> Any:
        values = [self.comparison()]
        while self.peek() == "&&":
            self.take()
            values.append(self.comparison())
        if len(values) == 1:
            return values[0]
        known = [_truthy(v) for v in values]
        if False in known:
            return False
        return UNKNOWN if None in known else True

    def comparison(self) -> Any:
        left = self.unary()
        if self.peek() in ("==", "!="):
            op = self.take()[1]
            right = self.unary()
            same = _equal(left, right)
            if same is UNKNOWN:
                return UNKNOWN
            return same if op == "==" else not same
        if self.peek() in ("<", ">", "<=", ">="):
            self.take()
            self.unary()
            return UNKNOWN
        return left

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            value = _truthy(self.unary())
            return UNKNOWN if value is None else not value
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if text == "(":
            value = self.or_()
            self.expect(")")
            return value
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind == "num":
            return float(text)
        if kind != "name":
            raise _Unparsable(text)
        if self.peek() == "(":
            self.take()
            args: list[Any] = []
            while self.peek() != ")":
                args.append(self.or_())
                if self.peek() == ",":
                    self.take()
            self.expect(")")
            return _call(text, args)
        return self.context.name(text)


def _call(name: str, args: list[Any]) -> Any:
    low = name.lower()
    if low in ("always", "success"):
        return True  # success(): the doctor assumes the needed jobs succeed
    if low in ("failure", "cancelled"):
        return False
    if low in ("startswith", "endswith", "contains") and len(args) == 2:
        left, right = ("" if a is None else a for a in args)  # null is '' as a string
        if left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        if not isinstance(left, str) or not isinstance(right, str):
            return UNKNOWN  # contains() over an array: not a form the doctor evaluates
        a, b = left.lower(), right.lower()
        if low == "startswith":
            return a.startswith(b)
        return a.endswith(b) if low == "endswith" else b in a
    return UNKNOWN


def evaluate(condition: str | None, context: Context) -> bool | None:
    """Whether ``condition`` (an ``if:``, with or without ``${{ }}``) holds in ``context``.

    None: the expression holds names or functions the doctor cannot know (or parse).
    """
    if condition is None or not condition.strip():
        return True
    text = condition.strip()
    if text.startswith("${{") and text.endswith("}}") and text.count("${{") == 1:
        text = text[3:-2]
    elif "${{" in text:
        return None  # text around an expression: a string, truthy unless empty
    try:
        return _truthy(_Parser(_tokens(text), context).parse())
    except _Unparsable:
        return None


def survives_skipped_needs(condition: str | None) -> bool:
    """Whether a job runs although a job it needs was skipped (a status function says so)."""
    return bool(condition and _STATUS.search(condition))


def both(a: bool | None, b: bool | None) -> bool | None:
    """Three-valued AND."""
    if a is False or b is False:
        return False
    return None if a is None or b is None else True
