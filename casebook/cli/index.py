"""`casebook index build` and `casebook index info`."""

from __future__ import annotations

from typing import Annotated

import typer

from casebook.cli.common import load_settings, print_json, reported

app = typer.Typer(help="Build and inspect the search index.", no_args_is_help=True)


@app.command()
def build(
    progress: Annotated[bool, typer.Option(help="Show a progress bar while embedding.")] = True,
) -> None:
    """Chunk and embed corpus/case_studies.jsonl into a new index build and switch to it."""
    # imported here: the parsers it pulls in would slow the start of every query command
    from casebook.index.build import build_index
    from casebook.index.encoders import Embedder

    settings = load_settings()
    with reported():
        embedder = Embedder(settings.model, allow_download=settings.allow_model_download,
                            batch_size=settings.embed_batch_size)
        report = build_index(settings, embedder, progress=progress)
    m = report.manifest
    typer.echo(f"Built {report.path} in {report.seconds:.1f}s: {m.case_studies} case studies, "
               f"{m.passages} passages, {m.sentences} sentences, {m.dimension}-d {m.model}.")


@app.command()
def info(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Show what built the current index, and check it is intact and current."""
    from casebook.index.store import load_index

    with reported():
        stored = load_index(load_settings())
    if as_json:
        print_json({"path": str(stored.path), **stored.manifest.to_dict()})
    else:
        m = stored.manifest
        typer.echo(f"{stored.path}\n  model {m.model} ({m.dimension}-d), {m.dense_index} FAISS\n"
                   f"  {m.case_studies} case studies, {m.passages} passages, built {m.created_at}\n"
                   f"  corpus sha256 {m.corpus_sha256}"
                   + (f"\n  e5 {m.e5_model}, runtime {m.e5_built_with}" if m.e5_model else ""))
