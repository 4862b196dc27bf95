"""Background jobs of the API: forgetting idempotency keys past their day (api.services.idempotency)."""

from celery import shared_task

from api.services.idempotency import idempotency_keys_expire as idempotency_keys_expire_service


@shared_task
def idempotency_keys_expire() -> int:
    """Delete the idempotency keys older than 24 hours (a periodic sweep)."""
    return idempotency_keys_expire_service()
