"""Tampering with a signed link as an attacker would: another id under the same signature."""

import json

from django.core import signing


def forged(token, **changes):
    """`token` (signing.dumps of a dict: "payload:timestamp:signature") with its payload's
    values replaced by `changes` and its signature kept: what a visitor who edits the link
    sends. (Replacing digits in the token's text changed nothing when the id's digits did
    not occur in it: the test then passed a valid link.)"""
    payload, rest = token.split(":", 1)
    data = json.loads(signing.b64_decode(payload.encode()))
    assert set(changes) <= set(data), (changes, data)
    data.update(changes)
    compact = json.dumps(data, separators=(",", ":")).encode()
    tampered = signing.b64_encode(compact).decode() + ":" + rest
    assert tampered != token
    return tampered
