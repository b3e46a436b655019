"""Where each fitted number comes from, from the page back to the upstream file.

One trail, three pieces:

* :func:`built_by` stamps a study's frame builder on the frame it returns (``attrs["built_by"]``:
  module, function, file, line, arguments). The estimators copy it, with the frame's merge
  records, into every :class:`~ratify.models.ModelResult` (``models.results.frame_provenance``);
* :func:`line` renders the provenance line a page prints under each table or figure of fitted
  models: the builder, the specification and every source with its SHA-256, linked to the
  data-sources appendix;
* :func:`trace` prints the whole trail of one model term from a chapter's last build
  (``ratify trace CHAPTER MODEL [TERM]``), and :func:`problems` says what a result's trail lacks.

Everything stored is plain JSON (dicts, lists, strings, numbers), so it survives the
derived-panel cache and the ``results/*.json`` files the chapters write.
"""

from __future__ import annotations

import functools
import inspect
import json
import re
from pathlib import Path

import pandas as pd
from IPython.display import Markdown

from .book import BOOK_DIR, chapter_build_dir
from .data.catalog import source_label
from .data.locations import PROJECT_ROOT
from .models.results import ModelResult


class TraceError(LookupError):
    """A chapter, model or term that cannot be traced; the message says what exists and what to run."""


# --- stamping the builder ----------------------------------------------------------------------

def _definition(func) -> dict:
    """Module, function, file (relative to the project) and the line of its ``def``."""
    lines, start = inspect.getsourcelines(func)
    offset = next((i for i, text in enumerate(lines) if text.lstrip().startswith("def ")), 0)
    path = Path(inspect.getsourcefile(func)).resolve()
    file = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    return {"module": func.__module__, "function": func.__qualname__, "file": str(file),
            "line": start + offset}


def _plain(value, width: int = 80):
    """A JSON-safe stand-in for an argument: numbers, strings and lists as they are, a frame by its
    size, anything else by its (shortened) ``repr``."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v, width) for v in value]
    if isinstance(value, pd.DataFrame):
        return f"<DataFrame: {len(value):,} rows>"
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def built_by(func):
    """Decorator for a study's frame builder: the frame it returns carries ``attrs["built_by"]``.

    Apply it under ``@cached`` (``@cached`` then ``@built_by``), so the stamp is stored with the
    frame. A builder that starts from another stamped frame keeps that stamp under ``"from"``.
    """
    where = _definition(func)
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        frame = func(*args, **kwargs)
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"@built_by is for frame builders; {where['module']}.{where['function']} "
                            f"returned a {type(frame).__name__}")
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        stamp = {**where, "arguments": {k: _plain(v) for k, v in bound.arguments.items()}}
        inner = frame.attrs.get("built_by")
        if inner and (inner["module"], inner["function"]) != (where["module"], where["function"]):
            stamp["from"] = inner
        out = frame.copy(deep=False)  # the builder may hand back a frame someone else holds
        out.attrs = {**frame.attrs, "built_by": stamp}
        return out

    return wrapper


# --- the line under a table or figure ------------------------------------------------------------

def _as_result(item) -> ModelResult:
    """A ModelResult from what pages hold: a result, a fit (``.result``), a (result, frame) pair, a dict."""
    if isinstance(item, ModelResult):
        return item
    if hasattr(item, "result"):
        return item.result
    if isinstance(item, tuple) and item and isinstance(item[0], ModelResult):
        return item[0]
    if isinstance(item, dict) and "terms" in item:
        return ModelResult.from_dict(item)
    raise TypeError(f"not a fitted model: {type(item).__name__}; "
                    "pass a ModelResult, a fit or a (result, frame) pair")


def fitted(*items) -> list[ModelResult]:
    """The fitted models among ``items``: results, fits, (result, frame) pairs, and the model values
    of any dict (a study's analysis dict also holds frames and numbers, which are skipped)."""
    out = []
    for item in items:
        if isinstance(item, dict) and "terms" not in item:
            out += fitted(*[v for v in item.values() if _is_model(v)])
        else:
            out.append(_as_result(item))
    return out


def _is_model(value) -> bool:
    return (isinstance(value, ModelResult) or hasattr(value, "result")
            or (isinstance(value, tuple) and bool(value) and isinstance(value[0], ModelResult)))


def covariates(result: ModelResult) -> list[str]:
    """The estimated terms, without the intercept."""
    return [t for t in result.terms.term if t != "Intercept"]


def where(stamp: dict) -> str:
    """``module.function`` (file, line N) of a builder stamp."""
    return f"`{stamp['module']}.{stamp['function']}` (`{stamp['file']}`, line {stamp['line']})"


def specification(results: list[ModelResult]) -> str:
    """Model, covariates, standard errors, N and events in one clause, for models that share them
    but for their labels and SE types (e.g. one model under five covariance estimators)."""
    first = results[0]
    labels = " / ".join(dict.fromkeys(r.label for r in results))
    ses = " / ".join(dict.fromkeys(str((r.specification or {}).get("se", "not recorded")) for r in results))
    counts = f"N = {first.n:,}" + (f", {first.events:,} events" if first.events is not None else "")
    return f"{labels}: {first.model}; {_shown_terms(covariates(first))}; SE {ses}; {counts}"


def _shown_terms(terms: list[str]) -> str:
    """Terms as code, a factor's dummies once: ``C(chapter_label)`` (22 dummies)."""
    factors: dict[str, int] = {}
    shown = []
    for t in terms:
        factor = re.match(r"^(C\(.+?\))\[", t)
        if factor and factor.group(1) not in factors:
            shown.append(factor.group(1))
        if factor:
            factors[factor.group(1)] = factors.get(factor.group(1), 0) + 1
        else:
            shown.append(t)
    return ", ".join(f"`{t}` ({factors[t]} dummies)" if t in factors else f"`{t}`" for t in shown)


def _same_design(results: list[ModelResult]) -> list[list[ModelResult]]:
    """Group results that differ only in label and standard errors, in order of first appearance."""
    groups: dict[tuple, list[ModelResult]] = {}
    for r in results:
        groups.setdefault((r.model, tuple(covariates(r)), r.n, r.events), []).append(r)
    return list(groups.values())


def source_link(record: dict) -> str:
    """A source id linked to its appendix entry, with the first 8 hex digits of its SHA-256."""
    name = record["source"]
    if record.get("registered", True):
        ref = f"{{ref}}`{name} <{source_label(name)}>`"
    else:
        ref = f"`{name}` (not registered)"
    if record.get("sha256"):
        return f"{ref} `{record['sha256'][:8]}`"
    files = record.get("files")
    return f"{ref} ({files} files)" if files else ref


#: More designs than this under one table and the line names the models only (trace gives the rest).
MAX_DESIGNS = 6


def _specifications(results: list[ModelResult]) -> str:
    groups = _same_design(results)
    if len(groups) <= MAX_DESIGNS:
        return " ".join(specification(group) + "." for group in groups)
    names = ", ".join(f"`{r.name}` (N = {r.n:,})" for r in results)
    return (f"{len(results)} models ({names}); covariates and standard errors of each: "
            "`ratify trace CHAPTER MODEL`.")


def line(*fits) -> Markdown:
    """The provenance line under a table or figure of fitted models (one call per table or figure).

    ``fits`` are ModelResults, fits (with ``.result``), (result, frame) pairs or dicts of them.
    """
    results = fitted(*fits)
    if not results:
        raise ValueError("provenance.line needs at least one fitted model")
    builders = list(dict.fromkeys(where(r.built_by) for r in results if r.built_by))
    sources: dict[tuple, dict] = {}
    for r in results:
        for rec in r.sources:
            sources.setdefault((rec["source"], rec.get("file")), rec)
    seen, links = set(), []
    for rec in sources.values():
        text = source_link(rec)
        if text not in seen:
            seen.add(text)
            links.append(text)
    parts = ["**Provenance.**",
             ("Frame built by " + "; ".join(builders) + ".") if builders else "Frame builder not recorded.",
             _specifications(results),
             "Sources (SHA-256): " + (", ".join(links) if links else "none recorded") + "."]
    return Markdown(" ".join(parts))


# --- checking a result's trail -------------------------------------------------------------------

def problems(result) -> list[str]:
    """What ``result``'s trail lacks: sources, registered ids, hashes, the builder, readers."""
    r = _as_result(result)
    out = [] if r.sources else ["lists no sources"]
    out += [f"source {s['source']!r} is not a registered source id" for s in r.sources
            if s.get("registered") is False]
    out += [f"source {s['source']!r} has no SHA-256" for s in r.sources
            if s.get("registered") and not s.get("sha256") and s.get("files", 1) == 1]
    out += [] if r.built_by else ["names no study function that built its frame (@provenance.built_by)"]
    out += [f"merge of {m['source']!r} ({', '.join(m.get('columns', []))}) names no reader"
            for m in r.merges if m.get("source") and not m.get("reader")]
    return out


def check_folder(folder: Path | str) -> dict[str, list[str]]:
    """``{model name: problems}`` for every ``*.json`` result in ``folder`` that has any."""
    found = {p.stem: problems(json.loads(p.read_text(encoding="utf-8")))
             for p in sorted(Path(folder).glob("*.json"))}
    return {name: issues for name, issues in found.items() if issues}


# --- the trail of one term -----------------------------------------------------------------------

def chapter_slug(chapter: str, book: Path | None = None) -> str:
    """The chapter folder meant by ``chapter``: its slug, its number (``2``, ``02``) or its name."""
    slugs = sorted(p.parent.name for p in ((book or BOOK_DIR) / "chapters").glob("*/index.md"))
    if chapter in slugs:
        return chapter
    hits = [s for s in slugs
            if s.split("-", 1)[0].lstrip("0") == chapter.lstrip("0") or s.split("-", 1)[1] == chapter]
    if len(hits) == 1:
        return hits[0]
    raise TraceError(f"no chapter {chapter!r}; use one of {', '.join(slugs)} (or its number)")


def results_folder(chapter: str, book: Path | None = None) -> Path:
    """The ``results/`` folder of the chapter's most recent build: the whole book's
    (``book/chapters/<slug>/results``) or ``ratify book chapter``'s, whichever is newer."""
    book = book or BOOK_DIR
    slug = chapter_slug(chapter, book)
    candidates = [book / "chapters" / slug / "results",
                  chapter_build_dir(slug) / "chapters" / slug / "results"]
    built = [(max(p.stat().st_mtime for p in c.glob("*.json")), c)
             for c in candidates if any(c.glob("*.json"))]
    if not built:
        raise TraceError(f"chapter {slug} has not been built (no results/*.json in {candidates[0]} or "
                         f"{candidates[1]}); run `ratify book chapter {slug}` first")
    return max(built)[1]


def load_result(chapter: str, model: str, folder: Path | str | None = None) -> ModelResult:
    """The model ``model`` as the chapter's last build wrote it (or as ``folder`` holds it)."""
    folder = Path(folder) if folder is not None else results_folder(chapter)
    path = folder / f"{model}.json"
    if not path.is_file():
        have = sorted(p.stem for p in folder.glob("*.json"))
        raise TraceError(f"no model {model!r} in {folder}; models: {', '.join(have) or 'none'}")
    return ModelResult.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _names(term: str) -> list[str]:
    """Column names inside a term: ``sign_rate:g77`` -> both; ``C(chapter)[T.XI]`` -> chapter."""
    names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r"\[.*?\]", "", term))
    return [n for n in names if n not in ("C", "T")]


def merges_for(term: str, merges: list[dict]) -> list[dict]:
    """The merge records a term is made from: the study says so (``feeds``, from the frame's
    ``attrs["derived"]``), or a merged column is the term, is named in it or contains it
    (``ln_gdppc`` <- ``gdppc``; ``democracy`` <- ``bmr_democracy``)."""
    names = _names(term)

    def feeds(record: dict) -> bool:
        cols = record.get("columns", []) + record.get("computed", [])
        return bool(set(names) & set(record.get("feeds", []))) or any(
            n == c or (len(c) >= 4 and c in n) or (len(n) >= 4 and n in c) for n in names for c in cols)

    return [m for m in merges if feeds(m)]


def _rule(record: dict) -> str:
    if record.get("static"):
        return "time-invariant (keyed on ccode)"
    rule = {"linear": "linear interpolation between reports", "none": "no interpolation"}.get(
        record.get("interpolate"), str(record.get("interpolate")))
    if record.get("carry_forward"):
        rule += f", last report carried up to {record['carry_forward']} years"
    if record.get("zero_when_covered"):
        rule += ", 0 in covered years without an entry"
    return rule + f", lag {record.get('lag', 0)}"


def _merge_lines(record: dict, indent: str = "    ") -> list[str]:
    coverage = ", ".join(f"{c} {share:.1%}" for c, share in record.get("coverage", {}).items())
    if not record.get("source"):
        return [f"{indent}lag {record.get('lag', 0)} of {record.get('lag_of', '?')}, a column the study computed "
                "(no file behind it)"]
    return [f"{indent}source   {record['source']}  file {record.get('file') or '?'}",
            f"{indent}sha256   {record.get('sha256') or '(not recorded)'}",
            f"{indent}reader   {record.get('reader') or '(not recorded)'}",
            f"{indent}fill     {_rule(record)}",
            f"{indent}coverage {coverage or '?'} of the panel's rows when merged"]


def _builder_lines(stamp: dict | None) -> list[str]:
    out = []
    while stamp:
        args = ", ".join(f"{k}={v!r}" for k, v in stamp.get("arguments", {}).items())
        out += [f"{'built by' if not out else '  from'}  {stamp['module']}.{stamp['function']}  "
                f"({stamp['file']}, line {stamp['line']})",
                f"          called with {args or 'no arguments'}"]
        stamp = stamp.get("from")
    return out or ["built by  (not recorded: the builder lacks @ratify.provenance.built_by)"]


def _estimate(result: ModelResult, term: str) -> str:
    row = result.terms.set_index("term").loc[term]
    text = (f"estimate {row.estimate:.4g} (SE {row.std_error:.4g}, p = {row.p_value:.3g}; "
            f"95% CI {row.conf_low:.4g} to {row.conf_high:.4g})")
    if "exp_estimate" in row and pd.notna(row.exp_estimate):
        text += f"; exp: {row.exp_estimate:.4g} [{row.exp_conf_low:.4g}, {row.exp_conf_high:.4g}]"
    return text


def _file(record: dict) -> str:
    return record.get("file") or (f"({record['files']} files)" if record.get("files") else "?")


def trace(chapter: str, model: str, term: str | None = None, *, folder: Path | str | None = None) -> str:
    """The full trail of one model term (every term when ``term`` is None), as plain text:
    the model and its estimate, the study function that built the frame, each covariate's merge
    records (source, file, hash, reader, fill rule, coverage) and every source of the frame."""
    result = load_result(chapter, model, folder)
    terms = list(result.terms.term)
    if term is not None and term not in terms:
        raise TraceError(f"no term {term!r} in {model}; terms: {', '.join(terms)}")
    spec = result.specification or {}
    out = [f"{result.name}: {result.label}", f"  {result.model}; SE {spec.get('se', 'not recorded')}; "
           f"N = {result.n:,}" + (f", {result.events:,} events" if result.events is not None else "")
           + (f", {result.subjects:,} subjects" if result.subjects is not None else ""), ""]
    out += _builder_lines(result.built_by) + [""]
    used: set[int] = set()
    for t in [term] if term else terms:
        out.append(f"term {t}: {_estimate(result, t)}")
        records = merges_for(t, result.merges)
        if not records:
            out.append("    not a merged column: the study function above made it from the frame's columns")
        for rec in records:
            used.add(result.merges.index(rec))
            out += [f"  from column(s) {', '.join(rec.get('columns', []))}"] + _merge_lines(rec)
        out.append("")
    rest = [m for i, m in enumerate(result.merges) if i not in used]
    if rest:
        out.append("other merges into the frame:")
        out += [f"  {m.get('source') or '(computed)':<26} {', '.join(m.get('columns', []))}  ({_rule(m)})"
                for m in rest]
        out.append("")
    out.append("sources (registered id, file, sha256, reader):")
    out += [f"  {s['source']:<26} {_file(s)}  {(s.get('sha256') or '-')[:16]}  {s.get('reader') or '-'}"
            for s in result.sources]
    issues = problems(result)
    if issues:
        out += ["", "gaps in this trail: " + "; ".join(issues)]
    return "\n".join(out)
