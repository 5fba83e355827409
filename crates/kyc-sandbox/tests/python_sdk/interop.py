"""The sandbox against the official Python SDK (PyPI `dinie-sdk` 1.1.0).

Run by tests/python_sdk.rs with the venv's python:

    python interop.py BASE_URL CLIENT_ID CLIENT_SECRET

Prints one JSON object with what each check saw; the Rust test asserts on it. Every
check is caught and reported, so one failure does not hide the others.
"""

from __future__ import annotations

import json
import sys
import traceback


def error_info(e: BaseException) -> dict:
    body = getattr(e, "body", None)
    return {
        "class": type(e).__name__,
        "module": type(e).__module__,
        "mro": [c.__name__ for c in type(e).__mro__],
        "status": getattr(e, "status", None),
        "message": str(e),
        "body": body if isinstance(body, (dict, list, str, int, float, bool, type(None))) else repr(body),
    }


def check(results: dict, name: str, fn) -> None:
    try:
        results[name] = {"ok": True, "value": fn()}
    except Exception as e:  # noqa: BLE001 — every outcome is reported
        results[name] = {"ok": False, "error": error_info(e), "traceback": traceback.format_exc()}


def main() -> int:
    base_url, client_id, client_secret = sys.argv[1], sys.argv[2], sys.argv[3]

    import dinie
    from dinie.generated.types.create_customer_request import CreateCustomerRequest

    results: dict = {"sdk_version": dinie.__version__}
    client = dinie.Dinie(client_id=client_id, client_secret=client_secret, base_url=base_url, max_retries=0)

    # 1. A token with the default client credentials (the SDK's JSON body).
    def token() -> dict:
        t = client._token_manager.token
        return {"token_prefix": t[:9], "length": len(t)}

    check(results, "token", token)

    # 2. An unknown customer: the SDK's not-found error.
    check(results, "unknown_customer", lambda: repr(client.customers.retrieve("cust_doesnotexist")))

    # 3. The rate-limit snapshot after a call (an error answer carries the headers too).
    def rate_limit() -> dict | None:
        snap = client._http.rate_limit.snapshot
        if snap is None:
            return None
        return {"limit": snap.limit, "remaining": snap.remaining, "reset_at": snap.reset_at.timestamp()}

    check(results, "rate_limit", rate_limit)

    # 4. A bad CPF: a validation error naming the field.
    def bad_cpf() -> str:
        req = CreateCustomerRequest(
            cnpj=None,  # type: ignore[arg-type] — optional on the wire, required in the SDK's dataclass
            cpf="123.456.789-00",
            email="joao@example.com",
            phone="+5511999999999",
            name="Joao Silva",
            external_id="python-sdk-interop",
        )
        return repr(client.customers.create(req))

    check(results, "bad_cpf", bad_cpf)

    # 5. A wrong client secret: an authentication error.
    wrong = dinie.Dinie(client_id=client_id, client_secret=client_secret + "-wrong", base_url=base_url, max_retries=0)
    check(results, "wrong_secret", lambda: repr(wrong.customers.retrieve("cust_doesnotexist")))

    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
