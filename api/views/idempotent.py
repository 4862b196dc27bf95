"""Idempotent writes: every write endpoint of the API derives from IdempotentWriteView (docs/decisions/0035).

A write needs an `Idempotency-Key` header (a problem without it: a script that forgets it would
double its enrolments on the first retry). The key is claimed in the same transaction as the write:

- the first request with a key runs the write and stores its answer with the key;
- a retry with the same key and the same method, path and body answers the stored answer, with
  `Idempotent-Replayed: true`, and runs nothing;
- the same key with another body answers the 422 problem `idempotency-key-reused`, changing nothing;
- a request whose key is being used by a request still running waits for it (PostgreSQL makes the
  INSERT of the same key wait on the unique index), then answers as a retry; if the first one
  failed, the second runs.

A write that fails (a problem, an exception) rolls back with its key, so a corrected request may
use the same key again.
"""

import json

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from api.problems import problem_response
from api.pure.idempotency import HEADER, REPLAYED_HEADER, key_is_valid, request_digest
from api.services.idempotency import idempotency_answer_store, idempotency_key_claim
from api.views.base import ApiView


class IdempotentWriteView(ApiView):
    """Base of the API's write endpoints: subclasses implement `write`, answered through an idempotency key."""

    def post(self, request: Request, *args, **kwargs) -> Response:
        return self.idempotent(request, *args, **kwargs)

    def write(self, request: Request, *args, **kwargs) -> Response:
        """The write itself, run once per key, inside the key's transaction."""
        raise NotImplementedError

    def idempotent(self, request: Request, *args, **kwargs) -> Response:
        key = request.headers.get(HEADER, "")
        if not key:
            detail = _("A write needs an Idempotency-Key header: a unique text (a UUID) per operation.")
            return problem_response("idempotency-key-missing", status.HTTP_400_BAD_REQUEST, detail)
        if not key_is_valid(key):
            detail = _("The Idempotency-Key must be 1 to 255 visible ASCII characters, without spaces.")
            return problem_response("idempotency-key-invalid", status.HTTP_400_BAD_REQUEST, detail)
        # Read the body before anything is written: malformed JSON answers its problem with no key taken.
        digest = request_digest(method=request.method, path=request.path, data=request.data)
        with transaction.atomic():
            claim = idempotency_key_claim(user=request.user, key=key, request_hash=digest)
            if claim.earlier is not None:
                if claim.earlier.request_hash != digest:
                    detail = _("This Idempotency-Key was used for another request: use a new key for a new operation.")
                    return problem_response("idempotency-key-reused", status.HTTP_422_UNPROCESSABLE_ENTITY, detail)
                return Response(
                    claim.earlier.response_body,
                    status=claim.earlier.response_status,
                    headers={REPLAYED_HEADER: "true"},
                )
            response = self.write(request, *args, **kwargs)
            if response.status_code >= 400:
                # Nothing was applied: the key is given back with the rest.
                transaction.set_rollback(True)
                return response
            # Stored as the client reads it (dates as text), so a replay answers the same bytes.
            stored = json.loads(JSONRenderer().render(response.data)) if response.data is not None else None
            idempotency_answer_store(record=claim.record, status=response.status_code, body=stored)
        return response
