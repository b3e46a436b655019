"""Sphinx hook for the published site (listed under ``sphinx: extra_extensions`` in _config.yml).

Pages that gather other pages' results (the reproducibility scorecard) must be reread on
every build. Sphinx rereads a page only when its own source changes, so the scorecard would
otherwise keep the table of an earlier build after a chapter was rerun. Pages named in
``ratify_always_reread`` are read on every build (they are cheap); Sphinx reads pages in
sorted order, so ``reproducibility/`` comes after the ``chapters/`` whose results it reads.
(The executed notebooks in the download menu need no hook: the theme copies them to
``_sources/`` whenever launch buttons are configured.)

Jupyter Book 1.0.4 also registers some inline scripts twice (sphinx-thebe and togglebutton
add them on every ``env-before-read-docs``), and the second ``const THEBE_JS_URL`` throws a
SyntaxError in every page. ``_drop_duplicate_scripts`` keeps the first copy of each.

The site must open offline and load nothing from another host. MathJax comes from the site
itself (the ``sphinx-mathjax-offline`` extension copies MathJax 3.2.2 into ``_static/mathjax``).
sphinx-thebe's loader is dropped when the book offers no live-code button
(``launch_buttons.thebe`` is off): it only names a CDN bundle (unpkg) that such a button would fetch.
"""

from __future__ import annotations


def pages_to_reread(always: list[str], found: set[str], added: set[str], changed: set[str]) -> list[str]:
    """The configured pages that exist and are not already being read."""
    return [d for d in always if d in found and d not in added and d not in changed]


def _reread(app, env, added, changed, removed) -> list[str]:
    return pages_to_reread(app.config.ratify_always_reread, env.found_docs, added, changed)


def unique_scripts(scripts: list) -> list:
    """Scripts in order, without repeats of the same file or the same inline body."""
    seen, out = set(), []
    for script in scripts:
        attrs = getattr(script, "attributes", {}) or {}
        key = (getattr(script, "filename", str(script)) or "", attrs.get("body"))  # inline: None or ""
        if key not in seen:
            seen.add(key)
            out.append(script)
    return out


def without_thebe(scripts: list) -> list:
    """Scripts without sphinx-thebe's loader (its file and the inline config naming the CDN bundle)."""
    def is_thebe(script) -> bool:
        attrs = getattr(script, "attributes", {}) or {}
        return (getattr(script, "filename", None) or "").endswith("sphinx-thebe.js") or \
            "THEBE_JS_URL" in (attrs.get("body") or "")
    return [s for s in scripts if not is_thebe(s)]


def _thebe_button(app) -> bool:
    return bool((app.config.html_theme_options or {}).get("launch_buttons", {}).get("thebe"))


def _page_scripts(app, pagename, templatename, context, doctree) -> None:
    if "script_files" in context:
        scripts = unique_scripts(context["script_files"])
        context["script_files"] = scripts if _thebe_button(app) else without_thebe(scripts)


def setup(app):
    app.add_config_value("ratify_always_reread", [], "env")
    app.connect("env-get-outdated", _reread)
    app.connect("html-page-context", _page_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
