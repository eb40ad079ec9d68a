"""The FastAPI application factory: settings in, app out; the index loads after start-up."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi_offline import FastAPIOffline
from starlette.requests import Request
from starlette.responses import Response
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from casebook import __version__
from casebook.index.retrieval.searcher import Searcher
from casebook.service import admin, chat, errors, observe, routes, spec
from casebook.service.assets import Asset
from casebook.service.compute import Compute
from casebook.service.head import HeadMiddleware
from casebook.service.limits import LimitsMiddleware
from casebook.service.preload import Preload
from casebook.service.reload import Reloader
from casebook.service.shedding import SheddingMiddleware
from casebook.service.state import SearcherSlot, build_of
from casebook.settings import Settings

if TYPE_CHECKING:
    from casebook.index.generation.writer import Writer

STATIC = resources.files("casebook.service") / "static"


def create_app(settings: Settings | None = None, *, searcher: Searcher | None = None,
               preload: Preload | None = None) -> FastAPI:
    """Build the app. Pass `searcher` to serve an already-open one (tests share one model), or
    `preload` for a first load already under way."""
    settings = settings or Settings()
    slot = SearcherSlot()
    reloader = Reloader(settings, slot, preload)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if searcher is not None:
            slot.set(searcher)
            if build_of(searcher):
                reloader.lease(build_of(searcher) or "")
        # Loading takes seconds: serve /healthz (and 503 on /readyz) meanwhile; then watch
        # CURRENT for newer builds.
        reloader.start()
        listener = (observe.MetricsListener(settings.metrics_address, app.state.metrics).start()
                    if settings.metrics_address else None)
        try:
            yield
        finally:
            reloader.stop()
            if listener is not None:
                listener.stop()
            if app.state.writer is not None:
                await app.state.writer.aclose()

    # FastAPIOffline serves Swagger UI's files itself: /docs works with no internet
    app = FastAPIOffline(
        title="Casebook",
        version=__version__,
        summary="Search and question answering over London's social prescribing case studies.",
        lifespan=lifespan,
        static_url="/docs/assets",
    )
    app.state.settings = settings
    app.state.slot = slot
    app.state.compute = Compute(settings.compute_concurrency)
    app.state.reloader = reloader
    app.state.metrics = observe.Metrics(slot)
    app.state.writer = writer_for(settings)
    app.state.admin_gate = admin.AdminGate(settings.admin_token,
                                           settings.admin_failures_per_minute)
    # Starlette runs the middleware added last first. Outermost to innermost: the client
    # address from trusted proxies only; request id, metrics and access log (and a JSON 500 for
    # what nothing else caught); HEAD; CORS (so a page can read why it was refused); the rate
    # limit; bodies (size, deadline, per client), then shedding and deadlines. The rate limit and
    # the per-client body limit apply before a body is read, and only a request whose body has
    # arrived takes one of the in-flight slots.
    app.add_middleware(SheddingMiddleware, max_in_flight=settings.max_in_flight,
                       request_timeout_s=settings.request_timeout_s,
                       body_timeout_s=settings.body_timeout_s,
                       max_bytes=settings.max_request_bytes,
                       max_client_bodies=settings.max_bodies_per_client)
    app.add_middleware(LimitsMiddleware, per_minute=settings.rate_limit_per_minute,
                       storage_uri=settings.rate_limit_storage_uri,
                       storage_timeout_s=settings.rate_limit_timeout_ms / 1000,
                       storage_retry_s=settings.rate_limit_retry_s)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST"], allow_headers=["Content-Type"])
    app.add_middleware(HeadMiddleware)
    app.add_middleware(observe.ObserveMiddleware, metrics=app.state.metrics,
                       log_queries=settings.log_queries)
    if settings.trusted_proxies:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(chat.router)
    app.include_router(observe.router)
    app.include_router(admin.router)
    spec.install(app)

    @app.get("/", include_in_schema=False)
    def demo_page() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"), media_type="text/html")

    widget_js = Asset.read("widget.js", "text/javascript")
    widget_css_file = Asset.read("widget.css", "text/css")

    @app.get("/widget.js", include_in_schema=False)
    def widget(request: Request) -> Response:
        return widget_js.response(request)

    @app.get("/widget.css", include_in_schema=False)
    def widget_css(request: Request) -> Response:
        return widget_css_file.response(request)

    return app


def writer_for(settings: Settings) -> Writer | None:
    """The model that writes answers, if the deployment configured one (CASEBOOK_LLM_URL);
    imported only then, so a deployment without one loads none of it."""
    if settings.llm_url is None:
        return None
    from casebook.index.generation.writer import Writer

    return Writer(settings)


def create_app_from_env() -> FastAPI:
    """App factory for `uvicorn --factory`: each worker process builds its app from CASEBOOK_*."""
    return create_app(Settings())
