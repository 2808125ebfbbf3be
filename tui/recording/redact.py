"""Blank out secrets before a recording is written: built-in patterns plus the lab's own rules.

A match keeps its non-secret context and loses only the secret (`client-key-data: [REDACTED]`):
each built-in pattern names the secret part in groups called `secret…`; a user regex may do the
same with a group named `secret`, else its whole match is replaced.

Colour escapes (CSI sequences) are allowed between a key and its value, around the ':' or '='
and around quotes, so `\\e[34mtoken\\e[0m: \\e[32mabc` is caught.

Not caught, by design or by nature: a secret that itself contains escape sequences, cursor
movements or backspaces (a shell redrawing a typed token); a value on the line after its key
(`token:` then a YAML block); a bare 40-character AWS secret key or any other bare high-entropy
string without a recognisable prefix or key; in a stream, a user pattern that spans a line break
(streams are redacted line by line), and the tail of a single unbroken value longer than about
7.5 KiB on a line longer than 8 KiB (see StreamRedactor).
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from tui.scenario.inventory import Redaction

REDACTED = "[REDACTED]"

_CSI = r"\x1b\[[0-?]*[ -/]*[@-~]"  # a colour or other control sequence
_GAP = rf"(?:[ \t]|{_CSI})*"  # what may separate a key from its value on one line
_SPACE = rf"(?:[ \t]|{_CSI})+"  # the same, where at least one is needed: "Bearer abc", not "bearerToken"
_VALUE = (  # a quoted value (JSON escapes allowed) or a bare word
    r"""(?:"(?P<secret_dq>(?:[^"\\\r\n]|\\.)+)"|'(?P<secret_sq>[^'\r\n]+)'|(?P<secret>[^\s"'\x1b;,]+))"""
)
_KEY_WORDS = (  # a key that ends in one of these names a secret: token, id-token, access_token, …
    r"token|secret|password|passwd|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"client-key-data|client-certificate-data|accountkey|sharedaccesskey|sharedaccesssignature|sig"
)
PEM_BEGIN = re.compile(r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
PEM_END = re.compile(r"-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
PEM_END_MAX = 64  # longest END marker worth searching for across a chunk boundary

BUILTIN = tuple(re.compile(p) for p in (
    # a private key block, multi-line; an unterminated one is blanked to the end of the text
    rf"{PEM_BEGIN.pattern}[\r\n]*(?P<secret>(?s:.+?))(?:[\r\n]*{PEM_END.pattern}|[\r\n]*\Z)",
    # prefixed tokens: AWS access key ids, GitHub tokens, JWTs (Kubernetes service-account tokens);
    # no word boundaries around them: a colour escape ending in "m" may touch the token
    r"(?P<secret>(?:AKIA|ASIA)[A-Z0-9]{16})",
    r"(?P<secret>gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})",
    r"(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*)",
    # HTTP credentials: Authorization: <scheme> <credentials>, and Bearer anywhere
    rf"(?i:authorization)[\"']?{_GAP}:{_GAP}(?:(?i:bearer|basic|token|digest|negotiate){_SPACE})?(?P<secret>[^\s\"'\x1b]+)",
    rf"(?i:bearer){_SPACE}(?P<secret>[A-Za-z0-9\-._~+/]+=*)",
    # key: value, key=value, "key": "value", with colours in between
    rf"(?<![\w.-])[\w.-]*?(?i:{_KEY_WORDS})[\"']?{_GAP}[:=]{_GAP}{_VALUE}",
    # command-line flags: --token VALUE, --password VALUE (the '=' form is the pattern above);
    # the name is bounded so that a line of dashes costs linear time
    rf"--[\w-]{{0,40}}?(?i:token|secret|password){_SPACE}{_VALUE}",
    # Azure's "SharedAccessSignature sr=…&sig=…" token format
    rf"(?i:SharedAccessSignature){_SPACE}(?P<secret>sr=[^\s\"'\x1b;,]+)",
    # credentials in a URL: scheme://user:password@host
    r"://[^/\s:@\x1b]+:(?P<secret>[^/\s@\x1b]+)@",
))


class Redactor:
    """Replaces secrets in text with [REDACTED]: the lab's rules first, then the built-in ones."""

    def __init__(self, rules: Iterable[Redaction] = ()):
        user = [rule.pattern for rule in rules if rule.source]  # an empty literal would match everywhere
        self.patterns: tuple[re.Pattern[str], ...] = (*user, *BUILTIN)

    def redact_text(self, text: str) -> str:
        for pattern in self.patterns:
            text = pattern.sub(_replace, text)
        return text

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """Where a pattern matches in `text` (whole matches, context included, possibly overlapping)."""
        for pattern in self.patterns:
            for match in pattern.finditer(text):
                if match.end() > match.start():
                    yield match.start(), match.end()

    def stream(self) -> "StreamRedactor":
        return StreamRedactor(self)


def _replace(match: re.Match[str]) -> str:
    """The match with only its `secret…` groups (or all of it, when it has none) replaced."""
    text, start = match.group(), match.start()
    groups = [name for name in match.re.groupindex if name.startswith("secret")]
    spans = sorted(match.span(name) for name in groups if match.group(name)) if groups else [match.span()]
    if not text:
        return text
    out, at = [], start
    for begin, end in spans:
        out.append(text[at - start:begin - start])
        out.append(REDACTED)
        at = end
    out.append(text[at - start:])
    return "".join(out)


HOLD_LIMIT = 8 * 1024  # a line longer than this is emitted in part…
HOLD_TAIL = 512  # …keeping its last characters back, to catch a secret split across chunks
PEM_LIMIT = 64 * 1024  # a private key block without its END within this is blanked as a whole


class StreamRedactor:
    """Redacts one output stream fed in arbitrary chunks: `feed` returns what is safe to show now,
    `flush` the rest. Complete lines are released (a secret never spans a line, apart from a
    private-key block, which is held from BEGIN to END); the incomplete last line waits."""

    def __init__(self, redactor: Redactor):
        self._redactor = redactor
        self._pending = ""
        self._in_pem = False  # the pending text starts with a private-key block not yet ended
        self._searched = 0  # how much of an open block has been searched for its END

    @property
    def held(self) -> int:
        """How many characters are held back, waiting for the rest of their line or key block."""
        return len(self._pending)

    def feed(self, text: str) -> str:
        if not text:
            return ""
        self._pending += text
        if self._in_pem:
            since = max(0, self._searched - PEM_END_MAX)
            self._searched = len(self._pending)
            if not PEM_END.search(self._pending, since):
                if len(self._pending) <= PEM_LIMIT:
                    return ""
                return self.flush()  # no END after 64 KiB: blank all of it and carry on
        elif "\n" not in text and "\r" not in text and len(self._pending) <= HOLD_LIMIT:
            return ""
        return self._release()

    def flush(self) -> str:
        """All that is held, redacted; an unterminated key block is blanked to the end."""
        text, self._pending, self._in_pem = self._pending, "", False
        return self._redactor.redact_text(text)

    def _release(self) -> str:
        pending = self._pending
        cut = max(pending.rfind("\n"), pending.rfind("\r")) + 1  # after the last complete line
        if cut == 0 and len(pending) > HOLD_LIMIT:
            cut = self._safe_cut(pending, len(pending) - HOLD_TAIL)
        cut = self._around_keys(pending, cut)
        self._pending = pending[cut:]
        return self._redactor.redact_text(pending[:cut])

    def _safe_cut(self, text: str, cut: int) -> int:
        """Move a cut inside one long line back to the start of any match that spans it, so that
        key and value leave together; a match that started at the very beginning cannot be
        waited for any longer (it is emitted redacted as far as it goes)."""
        moved = True
        while moved:
            moved = False
            for start, end in self._redactor.spans(text):
                if 0 < start < cut < end:
                    cut, moved = start, True
        return cut

    def _around_keys(self, text: str, cut: int) -> int:
        """Never release part of a private-key block: a block ending after the cut goes out
        whole when its END marker is there, else everything from its BEGIN is held."""
        self._in_pem = False
        at = 0
        while (begin := PEM_BEGIN.search(text, at)) and begin.start() < cut:
            end = PEM_END.search(text, begin.end())
            if end is None:
                self._in_pem, self._searched = True, len(text)
                return begin.start()
            cut, at = max(cut, end.end()), end.end()
        return cut
