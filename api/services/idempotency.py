"""Writes of idempotency keys: claim a key for a write, store its answer, and forget old keys (docs/decisions/0035)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from api.models import IdempotencyKey
from api.pure.idempotency import KEEP_HOURS
from onetouch.models import User


@dataclass(frozen=True)
class Claim:
    """A key claimed for this request (`record` set), or the earlier request's record (`earlier` set)."""

    record: IdempotencyKey | None = None
    earlier: IdempotencyKey | None = None


def requester_fields(user: User) -> dict:
    """The requester columns: the API key a key's requester stands for, or the signed-in account."""
    api_key_id = getattr(user, "api_key_id", None)
    return {"api_key_id": api_key_id} if api_key_id else {"user_id": user.id}


def idempotency_key_claim(*, user: User, key: str, request_hash: str) -> Claim:
    """Insert the key in the caller's transaction, or return the record a committed request left.

    Must run inside a transaction that also holds the write. A concurrent request with the same key
    whose transaction is still open makes this INSERT wait on the unique index until that
    transaction ends: committed, this answers its record (a replay); rolled back, the key is ours.
    """
    requester = requester_fields(user)
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                key=key, request_hash=request_hash, response_status=0, response_body=None, **requester
            )
    except IntegrityError:
        return Claim(earlier=IdempotencyKey.objects.get(key=key, **requester))
    return Claim(record=record)


def idempotency_answer_store(*, record: IdempotencyKey, status: int, body) -> None:
    record.response_status, record.response_body = status, body
    record.save(update_fields=["response_status", "response_body"])


def idempotency_keys_expire(*, now=None) -> int:
    """Delete the keys older than KEEP_HOURS; return how many."""
    cutoff = (now or timezone.now()) - timedelta(hours=KEEP_HOURS)
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
