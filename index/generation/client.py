"""The OpenAI-compatible chat client: POST {llm_url}/chat/completions with stream=true,
through httpx, yielding the reply's text as the server sends it.

Every way a call can fail ends in one `ModelFailure` with the reason the response reports
(unavailable, timeout, rate_limited, bad_reply), so the caller falls back in one place. The
key travels in the Authorization header only: no message, log line or error here holds it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx

from casebook.settings import Settings

TEMPERATURE = 0.2  # low: the model restates passages, it does not invent


class ModelFailure(Exception):
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class Usage:
    """What one call cost: tokens (the server's count where it gives one, else the pieces of
    text it streamed) and seconds to the first piece."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    first_token_s: float | None = None


def headers(settings: Settings) -> dict[str, str]:
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else ""
    return {"Authorization": f"Bearer {key}"} if key else {}


def payload(settings: Settings, messages: list[dict[str, str]]) -> dict[str, object]:
    return {"model": settings.llm_model, "messages": messages, "stream": True,
            "max_tokens": settings.llm_max_tokens, "temperature": TEMPERATURE}


class ChatClient:
    """One per app (connections are pooled); cheap to build, opened on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            # the deadline is enforced per answer below; these only bound each step
            timeout = httpx.Timeout(self.settings.llm_timeout_s)
            self._http = httpx.AsyncClient(timeout=timeout, headers=headers(self.settings),
                                           trust_env=False)
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def stream(self, messages: list[dict[str, str]], usage: Usage) -> AsyncIterator[str]:
        """The reply's text in pieces as they come, all within `llm_timeout_s`; ModelFailure
        else. `usage` is filled in as the reply arrives."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + self.settings.llm_timeout_s

        def left() -> float:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise ModelFailure("timeout", f"no whole reply within {self.settings.llm_timeout_s:g}s")
            return remaining

        url = f"{self.settings.llm_url}/chat/completions"
        async with AsyncExitStack() as stack:
            remaining = left()  # before the awaitable exists: a raise must not orphan it
            try:
                response = await asyncio.wait_for(stack.enter_async_context(
                    self.http.stream("POST", url, json=payload(self.settings, messages))), remaining)
            except (TimeoutError, httpx.TimeoutException):
                raise ModelFailure("timeout", "no response within the time allowed") from None
            except httpx.HTTPError as exc:
                raise ModelFailure("unavailable", type(exc).__name__) from None
            await self._refuse_status(response)
            lines = response.aiter_lines()
            wrote = False
            while True:
                remaining = left()
                try:
                    line = await asyncio.wait_for(anext(lines), remaining)
                except StopAsyncIteration:
                    break
                except (TimeoutError, httpx.TimeoutException):
                    raise ModelFailure("timeout", "the reply stopped coming") from None
                except httpx.HTTPError as exc:
                    raise ModelFailure("unavailable", f"the reply broke off ({type(exc).__name__})") \
                        from None
                data = event_data(line)
                if data is None:
                    continue
                if data == "[DONE]":
                    break
                piece = delta(data, usage)
                if piece:
                    if usage.first_token_s is None:
                        usage.first_token_s = loop.time() - started
                    wrote = True
                    yield piece
            if not wrote:
                raise ModelFailure("bad_reply", "the reply held no text")

    async def _refuse_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status == 429:
            raise ModelFailure("rate_limited", "429 Too Many Requests")
        if status >= 500:
            raise ModelFailure("unavailable", f"HTTP {status}")
        if status != 200:
            # 401, 404, 422...: a setting is wrong; the body says which, the key is never in it
            raise ModelFailure("bad_reply", f"HTTP {status}")
        kind = response.headers.get("content-type", "")
        if not kind.startswith("text/event-stream"):
            raise ModelFailure("bad_reply", f"not a stream of events ({kind or 'no content type'})")


def event_data(line: str) -> str | None:
    """The data of a server-sent event line, None for any other line."""
    if not line.startswith("data:"):
        return None
    return line[5:].strip()


def delta(data: str, usage: Usage) -> str:
    """The text one streamed chunk adds; ModelFailure for a chunk that is not one."""
    try:
        chunk = json.loads(data)
    except json.JSONDecodeError:
        raise ModelFailure("bad_reply", "a chunk that is not JSON") from None
    if not isinstance(chunk, dict):
        raise ModelFailure("bad_reply", "a chunk that is not an object")
    if isinstance(chunk.get("usage"), dict):
        counted = chunk["usage"]
        usage.prompt_tokens = int(counted.get("prompt_tokens") or usage.prompt_tokens)
        usage.completion_tokens = int(counted.get("completion_tokens") or usage.completion_tokens)
    choices = chunk.get("choices")
    if chunk.get("error") is not None or not isinstance(choices, list):
        raise ModelFailure("bad_reply", "a chunk without choices")
    if not choices:
        return ""  # the usage chunk
    text = (choices[0].get("delta") or {}).get("content") if isinstance(choices[0], dict) else None
    if text is not None and not isinstance(text, str):
        raise ModelFailure("bad_reply", "a chunk whose content is not text")
    if text:
        usage.completion_tokens += 1
    return text or ""
