"""Redaction: every kind of planted secret is blanked, whole and split across output chunks at every
position; text without secrets comes out byte-identical."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.recording.redact import HOLD_LIMIT, PEM_LIMIT, REDACTED, Redactor, StreamRedactor
from tui.scenario.inventory import Redaction

JWT = "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50In0.c2lnbmF0dXJlX2J5dGVz"
PEM_BODY = "MIIEowIBAAKCAQEAsecretBODYline1\r\nK7MDENGbPxRfiCYsecretBODYline2\r\nQ0FKEYsecretBODYline3=="

# (name, text with the secret planted, the secret(s) that must not survive, the redacted text)
SECRETS = [
    ("authorization", "curl -H 'Authorization: Bearer s3cr3tT0ken.abc' https://api",
     ["s3cr3tT0ken"], "curl -H 'Authorization: Bearer [REDACTED]' https://api"),
    ("basic auth", "Authorization: Basic dXNlcjpzM2NyM3Q=", ["dXNlcjpzM2NyM3Q"], "Authorization: Basic [REDACTED]"),
    ("bearer", "token is Bearer abc.DEF-123_xyz~+/= ok", ["abc.DEF-123"], "token is Bearer [REDACTED] ok"),
    ("client key", "    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo=",
     ["LS0tLS1CRUdJTiBSU0Eg"], "    client-key-data: [REDACTED]"),
    ("client cert", "    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==",
     ["LS0tLS1CRUdJTiBDRVJU"], "    client-certificate-data: [REDACTED]"),
    ("kubeconfig token", "    token: kubeadm.t0k3nvalue", ["kubeadm.t0k3nvalue"], "    token: [REDACTED]"),
    ("json token", '{"kind": "ExecCredential", "status": {"token": "k8s-aws-v1.aHR0cHM6Ly9zdHM"}}',
     ["k8s-aws-v1.aHR0cHM6Ly9zdHM"], '{"kind": "ExecCredential", "status": {"token": "[REDACTED]"}}'),
    ("jwt", f"$ kubectl create token demo\r\n{JWT}", [JWT[:40], JWT[-20:]], "$ kubectl create token demo\r\n[REDACTED]"),
    ("pem", f"$ cat key.pem\r\n-----BEGIN RSA PRIVATE KEY-----\r\n{PEM_BODY}\r\n-----END RSA PRIVATE KEY-----\r\n$ ",
     ["secretBODY"], "$ cat key.pem\r\n-----BEGIN RSA PRIVATE KEY-----\r\n[REDACTED]\r\n-----END RSA PRIVATE KEY-----\r\n$ "),
    ("openssh pem", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktsecretBODY\n-----END OPENSSH PRIVATE KEY-----\n",
     ["secretBODY"], "-----BEGIN OPENSSH PRIVATE KEY-----\n[REDACTED]\n-----END OPENSSH PRIVATE KEY-----\n"),
    ("aws key id", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", ["AKIAIOSFODNN7EXAMPLE"], "aws_access_key_id = [REDACTED]"),
    ("aws session id", "export ID=ASIAY34FZKBOKMUTVV7A;", ["ASIAY34FZKBOKMUTVV7A"], "export ID=[REDACTED];"),
    ("aws secret", "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
     ["wJalrXUtnFEMI"], "aws_secret_access_key = [REDACTED]"),
    ("gcp key", '  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvgIBADsecretBODY\\n-----END PRIVATE KEY-----\\n",',
     ["secretBODY"], '  "private_key": "[REDACTED]",'),
    ("azure account key", "DefaultEndpointsProtocol=https;AccountName=lab;AccountKey=Eby8vdM02xNOcqF/lRYsecret==;EndpointSuffix=core",
     ["Eby8vdM02xNOcqF"], "DefaultEndpointsProtocol=https;AccountName=lab;AccountKey=[REDACTED];EndpointSuffix=core"),
    ("azure sas", "Endpoint=sb://lab/;SharedAccessSignature=sv=2020-08-04&sig=Zm9vsecret%3D;x=1",
     ["Zm9vsecret"], "Endpoint=sb://lab/;SharedAccessSignature=[REDACTED];x=1"),
    ("azure client secret", "AZURE_CLIENT_SECRET=Qx8Q~secretvalue.AbC", ["Qx8Q~secretvalue"], "AZURE_CLIENT_SECRET=[REDACTED]"),
    ("github classic", "remote: ghp_16C7e42F292c6912E7710c838347Ae178B4a rejected",
     ["ghp_16C7e42F292c6912E7710c838347Ae178B4a"], "remote: [REDACTED] rejected"),
    ("github fine-grained", "GH=github_pat_11ABCDEFG0secret_1234567890abcdefghij",
     ["github_pat_11ABCDEFG0secret"], "GH=[REDACTED]"),
    ("flag", "kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef --discovery-token-ca-cert-hash sha256:1a2b",
     ["abcdef.0123456789abcdef"], "kubeadm join 10.0.0.1:6443 --token [REDACTED] --discovery-token-ca-cert-hash sha256:1a2b"),
    ("url", "git clone https://oauth2:glpat-s3cr3tvalue@gitlab.example.com/x.git",
     ["glpat-s3cr3tvalue"], "git clone https://oauth2:[REDACTED]@gitlab.example.com/x.git"),
    ("coloured yaml", "\x1b[34mtoken\x1b[0m\x1b[37m:\x1b[0m \x1b[32mc0l0uredS3cret\x1b[0m",
     ["c0l0uredS3cret"], "\x1b[34mtoken\x1b[0m\x1b[37m:\x1b[0m \x1b[32m[REDACTED]\x1b[0m"),
    ("coloured tokens", "\x1b[32mAKIAIOSFODNN7EXAMPLE\x1b[0m \x1b[33mghp_16C7e42F292c6912E7710c838347Ae178B4a\x1b[0m "
     f"\x1b[1m{JWT}\x1b[0m Bearer \x1b[1mb34rerS3cret\x1b[0m",
     ["AKIAIOSFODNN7EXAMPLE", "ghp_16C7e42F", JWT[:40], "b34rerS3cret"],
     "\x1b[32m[REDACTED]\x1b[0m \x1b[33m[REDACTED]\x1b[0m \x1b[1m[REDACTED]\x1b[0m Bearer \x1b[1m[REDACTED]\x1b[0m"),
    ("coloured jq", '\x1b[1;34m"client_secret"\x1b[0m\x1b[1;39m: \x1b[0;32m"jqS3cretValue"\x1b[0m',
     ["jqS3cretValue"], '\x1b[1;34m"client_secret"\x1b[0m\x1b[1;39m: \x1b[0;32m"[REDACTED]"\x1b[0m'),
]
PLAIN = [
    "",
    "$ systemd-sysext list\r\nHIERARCHY EXTENSIONS SINCE\r\n/opt      none       -\r\n",
    "\x1b[1;32mflatcar@node-1\x1b[0m:\x1b[1;34m~\x1b[0m$ kubectl get nodes\r\nNAME   STATUS   ROLES   AGE\r\n",
    "Downloading  12%\rDownloading  57%\rDownloading 100%\r\n",
    "UTF-8: héllo ✓ 日本語 🚀, a key: value, tokens: 5, design: clean, secrets listed: 0\n",
    "kubectl get secret db-creds -o yaml\r\ntype: Opaque\r\ncertificate-authority-data: LS0tLS1CRUdJTiBDRVJU\r\n",
    "-----BEGIN CERTIFICATE-----\r\nMIIDdzCCAl+gAwIBAgIE\r\n-----END CERTIFICATE-----\r\n",
    "x" * (3 * HOLD_LIMIT) + "\r\n" + "no newline at the end " * 50,
]


def stream(redactor: Redactor, chunks) -> str:
    s = StreamRedactor(redactor)
    return "".join(s.feed(chunk) for chunk in chunks) + s.flush()


def assert_no_leak(output: str, secrets) -> None:
    for secret in secrets:
        assert secret not in output, f"{secret!r} leaked: {output!r}"


@pytest.mark.parametrize(("name", "text", "secrets", "expected"), SECRETS, ids=[s[0] for s in SECRETS])
def test_each_kind_of_secret_is_redacted_keeping_its_key(name, text, secrets, expected):
    redactor = Redactor()
    assert redactor.redact_text(text) == expected
    assert redactor.redact_text(expected) == expected  # idempotent: a redacted recording stays as it is
    assert stream(redactor, [text]) == expected


@pytest.mark.parametrize(("name", "text", "secrets", "expected"), SECRETS, ids=[s[0] for s in SECRETS])
def test_a_secret_split_at_every_position_is_caught(name, text, secrets, expected):
    redactor = Redactor()
    text, expected = f"before\r\n{text}\r\nafter", f"before\r\n{expected}\r\nafter"
    for i in range(len(text) + 1):
        assert stream(redactor, [text[:i], text[i:]]) == expected, i
    for i in range(0, len(text) + 1, 3):  # three chunks
        for j in range(i, len(text) + 1, 5):
            assert stream(redactor, [text[:i], text[i:j], text[j:]]) == expected, (i, j)
    assert stream(redactor, list(text)) == expected  # one character at a time


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(SECRETS), min_size=1, max_size=6), st.lists(st.integers(0, 40_000), max_size=30),
       st.sampled_from(["\r\n", "\n", "\r", " "]), st.sampled_from([0, 500, 3000, 9000]))
def test_random_chunkings_never_leak(planted, cuts, separator, filler):
    # with the filler and " " between secrets, lines grow past 8 KiB and are released in part
    text = separator.join(f"line {i}: {'0123456789 ' * (filler // 11)}{s[1]}" for i, s in enumerate(planted))
    cuts = sorted({c % (len(text) + 1) for c in cuts})
    chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
    output = stream(Redactor(), chunks)
    assert_no_leak(output, [secret for s in planted for secret in s[2]])
    if separator != " ":  # line by line, the stream agrees with redacting the whole text
        assert output == Redactor().redact_text(text)


@pytest.mark.parametrize("text", PLAIN, ids=range(len(PLAIN)))
def test_text_without_secrets_is_unchanged(text):
    redactor = Redactor()
    assert redactor.redact_text(text) == text
    assert stream(redactor, [text]) == text
    rng = random.Random(7)
    for _ in range(20):
        cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randint(1, 12))))
        assert stream(redactor, [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]) == text


# no ASCII letters: nothing in here can look like a key, a token or a PEM marker
NO_SECRET = st.text(st.one_of(st.sampled_from("0123456789 \t\r\n:=\"'-_./;,[]{}~+\x1béü✓日🚀"), st.characters(min_codepoint=0x100)))


@settings(max_examples=300, deadline=None)
@given(NO_SECRET, st.lists(st.integers(0, 3000), max_size=20))
def test_any_text_without_secrets_streams_byte_identical(text, cuts):
    cuts = sorted({c % (len(text) + 1) for c in cuts})
    assert stream(Redactor(), [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]) == text


def test_user_literal_and_regex_rules():
    redactor = Redactor([
        Redaction("hunter2"),
        Redaction("p.ss (literal)"),
        Redaction(r"node-[0-9]+\.lab\.example\.com", regex=True),
        Redaction(r"pin=(?P<secret>[0-9]{4,})", regex=True),
        Redaction(""),  # an empty literal would match everywhere: ignored
    ])
    text = "login hunter2 ok; p.ss (literal) and pXss (literal); ssh node-12.lab.example.com; pin=123456 pin=12\r\n"
    expected = "login [REDACTED] ok; [REDACTED] and pXss (literal); ssh [REDACTED]; pin=[REDACTED] pin=12\r\n"
    assert redactor.redact_text(text) == expected
    for i in range(len(text) + 1):
        assert stream(redactor, [text[:i], text[i:]]) == expected, i
    assert Redactor().redact_text(text) == text  # without the rules nothing here is a secret


def test_a_long_line_is_released_in_part_and_still_caught():
    redactor = Redactor()
    filler = "".join(f"{i:05d} " for i in range(4000))  # 24 KiB without a line break
    text = filler[:9000] + " token: SPLITs3cret " + filler + " Bearer SECONDs3cret " + filler[:500]
    s = StreamRedactor(redactor)
    outputs, held = [], []
    for i in range(0, len(text), 100):
        outputs.append(s.feed(text[i:i + 100]))
        held.append(s.held)
    assert any(outputs[: len(outputs) // 2])  # forced out before the line ended…
    assert max(held) <= HOLD_LIMIT + 100  # …so what is held stays bounded
    output = "".join(outputs) + s.flush()
    assert_no_leak(output, ["SPLITs3cret", "SECONDs3cret"])
    assert output == text.replace("SPLITs3cret", REDACTED).replace("SECONDs3cret", REDACTED)
    for chunk in (1, 7, 511, 512, 513, 4096):  # chunkings that put the cut everywhere near the secret
        out = stream(redactor, [text[i:i + chunk] for i in range(0, len(text), chunk)])
        assert_no_leak(out, ["SPLITs3cret", "SECONDs3cret"])


def test_a_private_key_is_held_until_its_end_line():
    redactor = Redactor()
    s = StreamRedactor(redactor)
    assert s.feed("$ cat id_rsa\r\n-----BEGIN RSA PRIVATE KEY-----\r\n") == "$ cat id_rsa\r\n"
    assert s.feed("MIIEsecretBODY1\r\n") == "" and s.feed("secretBODY2\r\n-----END RSA PRIV") == ""
    assert s.feed("ATE KEY-----") == "-----BEGIN RSA PRIVATE KEY-----\r\n[REDACTED]\r\n-----END RSA PRIVATE KEY-----"
    assert s.feed("\r\n$ ") == "\r\n" and s.flush() == "$ "


def test_an_unterminated_private_key_is_blanked_within_bounds():
    redactor = Redactor()
    body = "".join(f"secretBODY{i:06d}\r\n" for i in range(PEM_LIMIT // 18 + 100))  # more than 64 KiB, no END
    s = StreamRedactor(redactor)
    out = s.feed("-----BEGIN EC PRIVATE KEY-----\r\n")
    for i in range(0, len(body), 1000):
        out += s.feed(body[i:i + 1000])
        assert s.held <= PEM_LIMIT + 1000  # bounded memory
    out += s.feed("after the block\r\n") + s.flush()
    assert out.startswith("-----BEGIN EC PRIVATE KEY-----\r\n[REDACTED]")
    assert out.count("secretBODY") < 100 and out.endswith("after the block\r\n")  # only what follows the 64 KiB
    # at the end of a stream, a key cut short is blanked to the end
    assert stream(redactor, ["-----BEGIN PRIVATE KEY-----\nMIIEsecret\nmore"]) == "-----BEGIN PRIVATE KEY-----\n[REDACTED]"


def test_titles_commands_and_json_objects():
    import json

    redactor = Redactor([Redaction("lab-password")])
    obj = {"title": "login with lab-password", "command": "kubectl --token=abc123 get pods",
           "env": {"GITHUB_TOKEN": "ghp_16C7e42F292c6912E7710c838347Ae178B4a"}}
    redacted = json.loads(redactor.redact_text(json.dumps(obj)))
    assert redacted == {"title": "login with [REDACTED]", "command": "kubectl --token=[REDACTED] get pods",
                        "env": {"GITHUB_TOKEN": "[REDACTED]"}}
