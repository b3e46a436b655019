"""The ``ratify`` command line."""

from pathlib import Path

import typer

from . import book as _book
from . import package_cli
from .cache.cli import app as cache_app
from .data.cli import app as data_app

app = typer.Typer(help="Ratification: the executable book's command line.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(cache_app, name="cache")

book_app = typer.Typer(help="Build the Jupyter Book.", no_args_is_help=True)
app.add_typer(book_app, name="book")
app.command("cite")(package_cli.cite)
book_app.command("diff")(package_cli.book_diff)


@book_app.command("build")
def book_build(
    path: Path = typer.Option(_book.BOOK_DIR, "--book", help="The book's folder."),
    strict: bool = typer.Option(True, help="Treat warnings as errors."),
) -> None:
    """Build book/_build/html, rerunning notebooks if lib/, the registry or the bibliography changed."""
    raise typer.Exit(_book.build(path, strict=strict))


@book_app.command("chapter")
def book_chapter(
    slug: str = typer.Argument(..., help="The chapter's folder under book/chapters/, e.g. 02-migrant-workers."),
    strict: bool = typer.Option(True, help="Treat warnings as errors."),
) -> None:
    """Build one chapter (with the intro and appendices) in its own temporary folder."""
    raise typer.Exit(_book.build_chapter(slug, strict=strict))


@app.command("trace")
def trace(
    chapter: str = typer.Argument(..., help="Chapter slug or number, e.g. 02-migrant-workers or 2."),
    model: str = typer.Argument(..., help="A model the chapter published (results/<model>.json), e.g. wlm_model1"),
    term: str = typer.Argument(None, help="One term of the model; every term if left out."),
    results: Path = typer.Option(None, "--results", help="Read this results folder, not the chapter's last build."),
) -> None:
    """Print the trail of one model term: its estimate, the study function that built the frame, and
    each covariate's merge record (source, file, SHA-256, reader, fill rule, coverage).

    Reads the chapter's last build (`ratify book chapter` or `ratify book build`).
    Example: ratify trace 02-migrant-workers wlm_model1 sending
    """
    from . import provenance

    try:
        typer.echo(provenance.trace(chapter, model, term, folder=results))
    except provenance.TraceError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None


@app.command("explain")
def explain(
    chapter: str = typer.Argument(..., help="Chapter slug or number, e.g. 02-migrant-workers or 2."),
    row: str = typer.Argument(..., help="A row of the chapter's paper-vs-ours table: its id (e.g. "
                                        "hr_sending@wlm_model1, C11) or its published item's id (hr_sending)."),
    results: Path = typer.Option(None, "--results", help="Read this results folder, not the chapter's last build."),
) -> None:
    """Explain one number of a chapter's comparison: what the paper printed and where, ours and its
    verdict, and the trail to the upstream files (builder, merge records, sources, readers).

    Example: ratify explain 02-migrant-workers hr_sending
    """
    from .explain import explain as explain_row
    from .provenance import TraceError

    try:
        typer.echo(explain_row(chapter, row, folder=results), nl=False)
    except TraceError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None


# --- variants: rerun a chapter's analysis notebook with other parameters ------------------------

def _chapter_or_exit(chapter: str):
    from .variants import VariantsFileError, load

    try:
        return load(chapter)
    except VariantsFileError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None


def _param_pairs(args: list[str]) -> list[tuple[str, str]]:
    """``-p NAME VALUE`` (or ``--param``) pairs from the command line's extra arguments (a name given
    twice is refused by ``Chapter.parse``)."""
    pairs, rest = [], list(args)
    while rest:
        flag = rest.pop(0)
        if flag not in ("-p", "--param") or len(rest) < 2:
            typer.echo(f"error: expected -p NAME VALUE, got {' '.join([flag, *rest[:2]])!r}", err=True)
            raise typer.Exit(2)
        pairs.append((rest.pop(0), rest.pop(0)))
    return pairs


TIMEOUT = typer.Option(None, "--timeout", min=1, help="Seconds allowed per cell (a whole number, at least 1).")


def _registry_or_exit() -> None:
    """Every notebook reads the data registry: a missing or malformed one stops here, before any kernel."""
    from .data import DataError, registry

    try:
        registry()
    except DataError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None


def _quiet_interrupt(message: str) -> None:
    """One line and exit 130 (128 + SIGINT), as a shell expects after Ctrl-C."""
    typer.echo(message, err=True)
    raise typer.Exit(130)


@app.command("run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def run(
    ctx: typer.Context,
    chapter: str = typer.Argument(..., help="Chapter slug (e.g. 02-migrant-workers) or a folder with a variants.yaml."),
    out: Path = typer.Option(None, "--out", help="Output folder (default build/variants/<slug>/<run name>/); "
                                                 "a folder holding anything else is refused."),
    timeout: int = TIMEOUT,
) -> None:
    """Run CHAPTER's analysis notebook with -p NAME VALUE ... (checked against its variants.yaml first).

    Example: ratify run 02-migrant-workers -p end_year 2020 -p democracy polity
    """
    from .variants import ParameterError, collect, runner

    spec = _chapter_or_exit(chapter)
    try:
        values = spec.parse(_param_pairs(ctx.args))
        full = spec.validate(values)
    except ParameterError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    _registry_or_exit()
    folder = out or runner.output_dir(spec, runner.run_name(values))
    try:
        runner.check_output(Path(folder).resolve(), spec)
    except runner.OutputError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"running {spec.notebook.name} with " + (", ".join(f"{k}={v!r}" for k, v in values.items()) or "the defaults"))
    try:  # in a worker process: Ctrl-C then stops the worker and its kernel cleanly
        outcome = runner.in_worker(runner.run_once, str(spec.folder), full, str(Path(folder).resolve()), timeout)
    except KeyboardInterrupt:
        _quiet_interrupt("interrupted: the run was stopped (Ctrl-C); nothing was replaced")
    except runner.WorkerDied as err:
        typer.echo(f"failed: {err}", err=True)
        raise typer.Exit(1) from None
    if "error" in outcome:
        if outcome["interrupted"]:
            _quiet_interrupt(f"interrupted: the run was stopped (Ctrl-C); the notebook so far: {outcome['notebook']}")
        typer.echo(f"failed: {outcome['error']}\nexecuted notebook (with the error): {outcome['notebook']}", err=True)
        raise typer.Exit(1)
    executed, found, problems = Path(outcome["executed"]), outcome["found"], outcome["problems"]
    for q in spec.key_quantities:
        if q.id + "_estimate" in found:
            typer.echo(f"  {q.label}: {found[q.id + '_estimate']:.4g} "
                       f"[{found[q.id + '_conf_low']:.4g}, {found[q.id + '_conf_high']:.4g}]")
    for problem in problems:
        typer.echo(f"  not found: {problem}", err=True)
    typer.echo(f"executed notebook: {executed}\nresults: {executed.parent / 'results'}")
    if problems:
        raise typer.Exit(1)


def _list_variants(spec) -> None:
    typer.echo(f"{spec.slug}: notebook {spec.notebook.name}\n\nparameters:")
    for p in spec.parameters.values():
        typer.echo(f"  {p.name} = {p.default!r}  ({p.allowed()})" + (f"  {p.help}" if p.help else ""))
    typer.echo("\nkey quantities:")
    for q in spec.key_quantities:
        typer.echo(f"  {q.id}: {q.label} [{q.model} / {q.term}, {q.scale}]")
    typer.echo("\nvariants:")
    width = max(len(v.name) for v in spec.variants)
    for v in spec.variants:
        typer.echo(f"  {v.name:<{width}}  {v.origin:<5}  {v.label}" + (f"  [{v.overrides()}]" if v.parameters else ""))


@app.command("variants")
def variants(
    chapter: str = typer.Argument(..., help="Chapter slug (e.g. 02-migrant-workers) or a folder with a variants.yaml."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Variants run at the same time."),
    list_only: bool = typer.Option(False, "--list", help="Show the parameters and variants; run nothing."),
    only: list[str] = typer.Option(None, "--only", help="Run only this variant (repeatable); results are not stored."),
    out: Path = typer.Option(None, "--out", help="Root of the output folders (default build/variants/)."),
    store: bool = typer.Option(True, help="Store the table in the chapter (variants/results.csv) for the book."),
    force: bool = typer.Option(False, "--force", help="Store even if variants that are ok in the stored table "
                                                      "failed in this sweep."),
    sync: bool = typer.Option(False, "--sync", help="Rewrite the parameters block of variants.yaml from the "
                                                    "study's Design; run nothing."),
    progress: bool = typer.Option(True, help="Show a progress bar."),
    timeout: int = TIMEOUT,
) -> None:
    """Run CHAPTER's declared variants in parallel and collect their key estimates into one table.

    The table replaces the stored one only when no variant that was ok there failed now (or with --force)."""
    import time

    import pandas as pd

    from .variants import ParameterError, VariantsFileError, page, runner, stamp, stored

    if sync:
        from .variants.schema import chapter_folder, sync_parameters

        try:
            changed = sync_parameters(chapter)
        except VariantsFileError as err:
            typer.echo(f"error: {err}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"{chapter_folder(chapter) / 'variants.yaml'}: parameters "
                   + ("rewritten from the Design" if changed else "already in step with the Design"))
        return
    spec = _chapter_or_exit(chapter)
    if list_only:
        _list_variants(spec)
        return
    _registry_or_exit()
    inputs = stamp.input_hashes(spec)  # what this sweep reads, before anything can change it
    try:
        start = time.perf_counter()
        table = runner.sweep(spec, only or None, jobs=jobs, root=out, progress=progress, timeout=timeout)
        seconds = time.perf_counter() - start
    except (ParameterError, runner.OutputError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        _quiet_interrupt("interrupted: the sweep was stopped (Ctrl-C); nothing was stored")
    shown = table.drop(columns=["label", "origin", "error"]).rename(columns=lambda c: c.replace("_estimate", ""))
    shown = shown[[c for c in shown.columns if not c.endswith(("_conf_low", "_conf_high"))]]
    with pd.option_context("display.width", 160, "display.max_columns", 20, "display.float_format", "{:.4g}".format):
        typer.echo(shown.to_string(index=False))
    for r in table[table.status != "ok"].itertuples():
        typer.echo(f"{'FAILED' if r.status == 'error' else 'PARTIAL'} {r.variant}: {r.error}", err=True)
    ok = int((table.status == "ok").sum())
    typer.echo(f"{ok} of {len(table)} variants ok in {seconds:.1f} s with {jobs} job(s); "
               f"outputs in {runner.output_dir(spec, '<variant>', out)}")
    if store and not only:
        lost = stored.regressions(spec, table)
        if lost and not force:
            typer.echo(f"not stored: {', '.join(lost)} {'is' if len(lost) == 1 else 'are'} ok in the stored results "
                       f"and failed in this sweep, so the stored table ({stamp.store_dir(spec) / stamp.RESULTS_FILE}) "
                       "is kept. Fix the failures and rerun, or pass --force to replace it anyway.", err=True)
            raise typer.Exit(1)
        typer.echo(f"stored: {stored.save(spec, table, seconds=seconds, jobs=jobs, hashes=inputs)}")
        if (written := page.write_page(spec)) is not None:
            typer.echo(f"wrote the robustness page {written} (add it to the table of contents if needed)")
    raise typer.Exit(0 if ok == len(table) else 1)


@app.command("multiverse")
def multiverse(
    chapter: str = typer.Argument(..., help="Chapter slug (e.g. 04-soft-balancing) or a folder with a variants.yaml."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes on this machine."),
    scheduler: str = typer.Option(None, "--scheduler", help="Address of a Dask scheduler (tcp://host:8786) to run "
                                                            "the universes on instead."),
    limit: int = typer.Option(None, "--limit", min=1, help="Run only the first K universes."),
    resume: bool = typer.Option(False, "--resume", help="Keep what an interrupted run of the same inputs computed."),
    list_only: bool = typer.Option(False, "--list", help="Show the decisions, rules and universe count; run nothing."),
    progress: bool = typer.Option(True, help="Show a progress bar."),
) -> None:
    """Compute CHAPTER's multiverse (variants.yaml's multiverse: block) through the study's Python API."""
    from .variants import multiverse as engine
    from .variants.universes import MultiverseError, describe, load

    spec = _chapter_or_exit(chapter)
    try:
        declared = load(spec)
        if list_only:
            typer.echo(describe(declared))
            return
        table = engine.run(declared, jobs=jobs, scheduler=scheduler, limit=limit, resume=resume, progress=progress)
    except (MultiverseError, OSError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo(f"interrupted: what finished is stored; `ratify multiverse {spec.slug} --resume` carries on",
                   err=True)
        raise typer.Exit(130) from None
    status = engine.universe_status(table)
    failed = status[status != "ok"]
    first_errors = table[table.universe.isin(failed.index) & (table.status == "error")].drop_duplicates("universe")
    for r in first_errors.head(5).itertuples():
        typer.echo(f"FAILED {r.universe}: {r.error}", err=True)
    typer.echo(f"{len(status) - len(failed)} of {len(status)} universes ok ({len(declared.universes())} declared); "
               f"stored: {engine.store_dir(spec) / engine.RESULTS_FILE}")
    raise typer.Exit(0 if failed.empty else 1)


@app.command("null")
def null_test(
    chapter: str = typer.Argument(..., help="Chapter slug (e.g. 02-migrant-workers) or a folder with a variants.yaml."),
    jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Worker processes on this machine."),
    scheduler: str = typer.Option(None, "--scheduler", help="Address of a Dask scheduler to run the refits on."),
    draws: int = typer.Option(None, "--draws", min=1, help="Datasets under the null (default: the declared number)."),
    progress: bool = typer.Option(True, help="Show a progress bar."),
) -> None:
    """Test CHAPTER's stored multiverse against the null (variants.yaml's null_test: block) and store the answer."""
    from .variants import null
    from .variants.universes import MultiverseError

    spec = _chapter_or_exit(chapter)
    try:
        record = null.run(spec, draws=draws, jobs=jobs, scheduler=scheduler, progress=progress)
    except (MultiverseError, OSError, ValueError) as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"{record['draws']} draws on {record['universes']} universes: p = {record['p_median']:.3f} (median), "
               f"p = {record['p_share_significant']:.3f} (share significant); stored in "
               f"{null.result_path(spec)}")


if __name__ == "__main__":  # pragma: no cover
    app()
